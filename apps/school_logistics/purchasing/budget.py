"""经费预算 (限额包干): budgets allot amounts to departments' lines; approved requisitions
commit their totals against the line they name, and never beyond what is left."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import extensions
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger import budget as ledger
from school_logistics.workflow.models import ApprovalProcess, ProcessStatus


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


@register("Budget")
class Budget(Controller):
    def validate(self, doc: Doc) -> None:
        line = (doc.get("budget_line") or "").strip()
        doc.set("budget_line", line)
        doc.set(
            "title",
            _("%(dept)s %(year)s 年 %(line)s")
            % {"dept": doc.get("department"), "year": doc.get("fiscal_year"), "line": line},
        )
        amount = doc.get("amount")
        if amount is not None and amount <= 0:
            raise DocumentValidationError.single(_("预算金额必须大于 0"), "amount")

    def on_submit(self, doc: Doc) -> None:
        ledger.allot(
            doc.instance,
            _key(doc, doc.get("fiscal_year")),
            doc.get("amount"),
            actor=doc.acting_user,
            posting_date=doc.get("posting_date"),
        )

    def on_cancel(self, doc: Doc) -> None:
        try:
            ledger.reverse_budget(doc.instance, actor=doc.acting_user)
        except ledger.AllotmentSpent as exc:
            raise DocumentValidationError.single(
                _("“%(line)s”已使用 %(used)s 元，作废本预算后额度将不足，不能作废")
                % {"line": exc.line.budget_line, "used": _money(exc.line.used)}
            ) from exc


def _key(doc: Doc, year: int) -> ledger.BudgetKey:
    department_id = doc.instance.department_id
    assert department_id is not None  # a required field, promoted when the document was saved
    return ledger.BudgetKey(department_id, year, doc.get("budget_line") or "")


def check_budget_line(doc: Doc, errors: dict[str, list[str]]) -> None:
    """Where the department keeps budgets for the year, the document names one of them; a
    date in a year the department keeps none, when it keeps them for others, is refused (it
    would draw on no budget at all)."""
    if not doc.instance.school.has_budgets:
        return
    posting_date = doc.get("posting_date") or timezone.localdate()
    school_id, department = doc.instance.school_id, doc.get("department")
    lines = ledger.lines_of(school_id, department, posting_date.year)
    years = [] if lines or not department else ledger.budget_years(school_id, department)
    if years:
        date_field = doc.meta.get_field("posting_date")
        errors.setdefault("posting_date", []).append(
            _("%(dept)s没有 %(year)s 年的预算，%(label)s应在有预算的年度（%(years)s 年）")
            % {
                "dept": department,
                "year": posting_date.year,
                "label": date_field.label if date_field else _("日期"),
                "years": "、".join(str(y) for y in years),
            }
        )
    if lines and doc.get("budget_line") not in {line.budget_line for line in lines}:
        errors.setdefault("budget_line", []).append(
            _("请填写%(dept)s %(year)s 年的预算科目之一：%(lines)s")
            % {
                "dept": doc.get("department"),
                "year": posting_date.year,
                "lines": "、".join(line.budget_line for line in lines),
            }
        )


def check_within_budget(doc: Doc) -> None:
    """On sending a requisition for approval: refuse it when its line has not enough left
    for it beside the requisitions of the line still in approval (the approval commits it,
    and would refuse it at the last step after everyone's work, when its quantities can no
    longer change). At that last step, only what is left counts: first approved, first
    served, whatever else waits."""
    if not doc.instance.school.has_budgets or not doc.get("budget_line"):
        return
    year = (doc.get("posting_date") or timezone.localdate()).year
    wanted = doc.get("grand_total") or Decimal(0)
    for line in ledger.lines_of(doc.instance.school_id, doc.get("department"), year):
        if line.budget_line != doc.get("budget_line"):
            continue
        waiting = Decimal(0) if _approved_now(doc) else in_approval_total(doc, year)
        if wanted + waiting > line.available:
            message = over_budget_message(
                doc.get("department"), ledger.OverBudget(line, wanted), waiting=waiting
            )
            raise DocumentValidationError.single(
                message + _("。请核减数量，或先申请追加预算"), "budget_line"
            )


def _approved_now(doc: Doc) -> bool:
    """Whether the requisition is being submitted by the last approval of its run (not sent)."""
    return ApprovalProcess.objects.filter(
        document_id=doc.instance.pk, is_current=True, status=ProcessStatus.APPROVED
    ).exists()


def in_approval_total(doc: Doc, year: int) -> Decimal:
    """What the department's other requisitions of the line and year still in approval ask."""
    department_id = doc.instance.department_id
    if department_id is None:  # a required field, promoted when the document was saved
        return Decimal(0)
    others = (
        Document.objects.filter(
            doctype=doc.meta.name,
            school_id=doc.instance.school_id,
            department_id=department_id,
            docstatus=DocStatus.DRAFT,
            posting_date__year=year,
            data__budget_line=doc.get("budget_line"),
        )
        .filter(extensions.running_condition())
        .exclude(pk=doc.instance.pk)
    )
    return others.aggregate(n=Sum("grand_total"))["n"] or Decimal(0)


def over_budget_message(
    department: str, exc: ledger.OverBudget, *, waiting: Decimal = Decimal(0)
) -> str:
    """Say how the line stands and what this document wants; `waiting`: what requisitions
    still in approval ask of it, counted as used."""
    line = exc.line
    values = {
        "dept": department,
        "year": line.fiscal_year,
        "line": line.budget_line,
        "allotted": _money(line.allotted),
        "used": _money(line.used + waiting),
        "left": _money(max(line.available - waiting, Decimal(0))),
        "wanted": _money(exc.wanted),
    }
    if waiting:
        return _(
            "超出预算：%(dept)s %(year)s 年“%(line)s”预算 %(allotted)s 元，"
            "已使用 %(used)s 元（其中审批中的申购 ¥%(waiting)s），可用 %(left)s 元，"
            "本单 %(wanted)s 元"
        ) % {**values, "waiting": _money(waiting)}
    return (
        _(
            "超出预算：%(dept)s %(year)s 年“%(line)s”预算 %(allotted)s 元，"
            "已使用 %(used)s 元，可用 %(left)s 元，本单 %(wanted)s 元"
        )
        % values
    )


def commit_requisition(doc: Doc) -> None:
    """At approval, commit the requisition's total against its line; refuse an overspend."""
    if not doc.instance.school.has_budgets or not doc.get("budget_line"):
        return
    key = _key(doc, doc.get("posting_date").year)
    try:
        ledger.commit(
            doc.instance,
            key,
            doc.get("grand_total") or Decimal(0),
            actor=doc.acting_user,
            posting_date=timezone.localdate(),
        )
    except ledger.OverBudget as exc:
        raise DocumentValidationError.single(
            over_budget_message(doc.get("department"), exc), "budget_line"
        ) from exc


def release_requisition(doc: Doc) -> None:
    """A cancelled requisition gives back what it committed."""
    ledger.reverse_budget(doc.instance, actor=doc.acting_user)
