"""The words of this app's shipped approval flows (`workflows/*.json`: labels, states, verbs),
marked for the translation catalogue. Flows store them as written; pages show them through
`workflow.flows.flow_text`. `tests/workflow/test_flow_texts.py` keeps this list and the JSON in
step."""

from django.utils.translation import gettext_noop

FLOW_TEXTS = (
    gettext_noop("意见答复"),
    gettext_noop("总务处答复"),
    gettext_noop("答复"),
    gettext_noop("提出人评价"),
    gettext_noop("评价并办结"),
    gettext_noop("不满意，请再答复"),
    gettext_noop("已办结"),
)
