"""The words of this app's shipped approval flows (`workflows/*.json`: labels, states, verbs),
marked for the translation catalogue. Flows store them as written; pages show them through
`workflow.flows.flow_text`. `tests/workflow/test_flow_texts.py` keeps this list and the JSON in
step."""

from django.utils.translation import gettext_noop

FLOW_TEXTS = (
    gettext_noop("物资申购审批"),
    gettext_noop("部门负责人审批"),
    gettext_noop("总务处审核"),
    gettext_noop("校长审批"),
    gettext_noop("招标/询价审批"),
    gettext_noop("已定标"),
    gettext_noop("经费预算审批"),
    gettext_noop("已下达"),
    gettext_noop("学生用品征订"),
    gettext_noop("到货验收"),
    gettext_noop("验收合格"),
    gettext_noop("发放登记"),
    gettext_noop("发放完毕"),
    gettext_noop("已发放"),
    gettext_noop("费用报销审批"),
    gettext_noop("财务审核"),
    gettext_noop("审核入账"),
    gettext_noop("已报销"),
    gettext_noop("采购合同审批"),
    gettext_noop("校长签批"),
    gettext_noop("已生效"),
    gettext_noop("采购限额标准审批"),
    gettext_noop("已批准"),
)
