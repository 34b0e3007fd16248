"""The words of this app's shipped approval flows (`workflows/*.json`: labels, states, verbs),
marked for the translation catalogue. Flows store them as written; pages show them through
`workflow.flows.flow_text`. `tests/workflow/test_flow_texts.py` keeps this list and the JSON in
step."""

from django.utils.translation import gettext_noop

FLOW_TEXTS = (
    gettext_noop("隐患整改"),
    gettext_noop("限期整改"),
    gettext_noop("整改完成"),
    gettext_noop("复查"),
    gettext_noop("复查合格"),
    gettext_noop("复查不合格"),
    gettext_noop("已整改"),
)
