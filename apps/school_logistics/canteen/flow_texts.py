"""The words of this app's shipped approval flows (`workflows/*.json`: labels, states, verbs),
marked for the translation catalogue. Flows store them as written; pages show them through
`workflow.flows.flow_text`. `tests/workflow/test_flow_texts.py` keeps this list and the JSON in
step."""

from django.utils.translation import gettext_noop

FLOW_TEXTS = (
    gettext_noop("伙食费退费审批"),
    gettext_noop("食堂管理员审核"),
    gettext_noop("财务复核"),
    gettext_noop("校长审批"),
    gettext_noop("菜谱审核"),
    gettext_noop("总务处审核"),
    gettext_noop("同意公布"),
    gettext_noop("已公布"),
    gettext_noop("伙食费标准审批"),
    gettext_noop("已批准"),
    gettext_noop("食堂支出审核"),
    gettext_noop("财务审核"),
    gettext_noop("审核入账"),
    gettext_noop("已入账"),
    gettext_noop("伙食费资助审批"),
)
