"""The words of this app's shipped approval flows (`workflows/*.json`: labels, states, verbs),
marked for the translation catalogue. Flows store them as written; pages show them through
`workflow.flows.flow_text`. `tests/workflow/test_flow_texts.py` keeps this list and the JSON in
step."""

from django.utils.translation import gettext_noop

FLOW_TEXTS = (
    gettext_noop("报修流程"),
    gettext_noop("总务处派工（紧急）"),
    gettext_noop("派工"),
    gettext_noop("总务处派工"),
    gettext_noop("维修（紧急）"),
    gettext_noop("完工"),
    gettext_noop("维修"),
    gettext_noop("报修人确认"),
    gettext_noop("确认修好"),
    gettext_noop("重新报修"),
    gettext_noop("已修好"),
)
