"""The words of this app's shipped approval flows (`workflows/*.json`: labels, states, verbs),
marked for the translation catalogue. Flows store them as written; pages show them through
`workflow.flows.flow_text`. `tests/workflow/test_flow_texts.py` keeps this list and the JSON in
step."""

from django.utils.translation import gettext_noop

FLOW_TEXTS = (
    gettext_noop("校产报废审批"),
    gettext_noop("总务处主任审核"),
    gettext_noop("校长审批"),
    gettext_noop("已报废"),
    gettext_noop("校产借用"),
    gettext_noop("总务处借出"),
    gettext_noop("借出"),
    gettext_noop("已借出"),
)
