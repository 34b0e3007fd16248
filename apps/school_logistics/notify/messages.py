"""Notification wording: shipped defaults, admins' own templates, rendered in a Jinja sandbox."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from jinja2 import StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from school_logistics.printing.jinja_errors import describe, line_of

EVENTS: dict[str, tuple[str, str]] = {
    # event: (what it is, shipped template); "what it is" is translated where a page shows it
    "task": (
        gettext_noop("有待我审批的单据"),
        "待您{{ action }}：{{ requester }}的{{ doctype }} {{ name }}{{ title_part }}",
    ),
    "cc": (gettext_noop("单据抄送给我"), "抄送给您：{{ doctype }} {{ name }}{{ title_part }}"),
    "approved": (
        gettext_noop("我的单据已通过"),
        "您的{{ doctype }} {{ name }}{{ title_part }}已通过",
    ),
    "rejected": (
        gettext_noop("我的单据被拒绝"),
        "您的{{ doctype }} {{ name }}{{ title_part }}被拒绝",
    ),
    "returned": (
        gettext_noop("我的单据被退回"),
        "您的{{ doctype }} {{ name }}{{ title_part }}被退回，请修改后重新提交",
    ),
    "cancelled": (
        gettext_noop("审批中的单据被作废"),
        "{{ doctype }} {{ name }}{{ title_part }}已作废，审批随之结束",
    ),
    "voided": (
        gettext_noop("已通过的单据被作废"),
        "已通过的{{ doctype }} {{ name }}{{ title_part }}已被作废",
    ),
    "urge": (
        gettext_noop("申请人催办"),
        "{{ requester }}催办：{{ doctype }} {{ name }}{{ title_part }}",
    ),
    "overdue": (gettext_noop("审批超时"), "审批已超时：{{ doctype }} {{ name }}{{ title_part }}"),
    "loan_overdue": (
        gettext_noop("借用逾期未还"),
        "借用已逾期：{{ doctype }} {{ name }}{{ title_part }}，请尽快归还",
    ),
    "date_due": (
        gettext_noop("单据日期到期提醒"),
        "到期提醒：{{ doctype }} {{ name }}{{ title_part }} {{ step }}，{{ action }}",
    ),
    "filing": (
        gettext_noop("招标备案待审查"),
        "{{ requester }}报送备案：{{ doctype }} {{ name }}{{ title_part }}",
    ),
    "filing_reviewed": (
        gettext_noop("招标备案审查结果"),
        "{{ doctype }} {{ name }}{{ title_part }}{{ action }}",
    ),
    "escalated": (
        gettext_noop("超时审批上报给我"),
        "审批超时，已上报给您：{{ requester }}的{{ doctype }} {{ name }}{{ title_part }}",
    ),
}
MAX_SUBJECT = 240

_env = ImmutableSandboxedEnvironment(autoescape=False)
# Saving checks against sample values in a strict twin: a misspelt `{{ reqester }}` or an unsafe
# `{{ ''.__class__ }}` would otherwise render as nothing and send blank notices.
_strict_env = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
# A subject is one line: no loops, so no template can make the server spin.
for _e in (_env, _strict_env):
    _e.globals.pop("range", None)


class TemplateProblem(ValueError):
    """An admin's template that cannot be used; the message says where, in Chinese."""


def check(source: str) -> None:
    """Refuse a template that does not compile, fails on sample values or renders nothing."""
    if not _render(_strict_env, source, sample_context()):
        raise TemplateProblem(_("模板在示例数据上得到的是空白，请写出通知的文字"))


def _problem(exc: Exception) -> TemplateProblem:
    line, text = line_of(exc), describe(exc)
    if not line:
        return TemplateProblem(text)
    where = _("第 %(n)s 行") % {"n": line}
    # "第 1 行语法错误：…" reads as one phrase; a plain message needs its own colon.
    joiner = "" if text.startswith((_("语法错误"), _("安全限制"))) else "："
    return TemplateProblem(f"{where}{joiner}{text}")


@lru_cache(maxsize=512)
def _compiled(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """Compile a subject template once: compiling costs more than rendering, and sources repeat."""
    try:
        tree = env.parse(source)
    except TemplateError as exc:
        raise _problem(exc) from exc
    if any(True for _node in tree.find_all((nodes.For, nodes.Macro))):
        raise TemplateProblem(_("通知标题模板不能使用循环或宏"))
    return env.from_string(source)


def _render(env: ImmutableSandboxedEnvironment, source: str, context: dict[str, Any]) -> str:
    template = _compiled(env, source)
    try:
        text = template.render(**context)
    except Exception as exc:  # noqa: BLE001  (any failure of admin-typed code is the template's)
        raise _problem(exc) from exc
    return " ".join(text.split())[:MAX_SUBJECT]


def render_source(source: str, context: dict[str, Any]) -> str:
    """Render a subject with these values: unknown names are blank, failures TemplateProblem."""
    return _render(_env, source, context)


def subject(event: str, custom: str | None, context: dict[str, Any]) -> str:
    """Return the subject from the school's template if it works, else the shipped wording."""
    if custom:
        try:
            text = render_source(custom, context)
        except TemplateProblem:
            text = ""  # a template that broke after saving must not stop the approval
        if text:
            return text
        # A blank subject is a notice nobody can see or click: say it the shipped way.
    return render_source(EVENTS[event][1], context)


def sample_context() -> dict[str, Any]:
    return {
        "doctype": "物资申购单",
        "name": "REQ-2026-0001",
        "title": "教学用纸",
        "title_part": "（教学用纸）",
        "requester": "语文组教师",
        "amount": "1,200.00",
        "step": "部门负责人审批",
        "action": "审批",
    }
