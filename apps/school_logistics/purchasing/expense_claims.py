"""费用报销: the last link of the purchasing chain (请购 → 审批 → 验收 → 入库 → 报销), and the
running costs a budget line pays for (电话费、水电费、打印费). A purchase is reimbursed once its
goods are received into store, never for more than was received; an invoice is reimbursed
once. Approved, it spends from the budget line, giving back what its requisition committed."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions, services
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger import budget as ledger
from school_logistics.purchasing.budget import check_budget_line, over_budget_message
from school_logistics.stores.services import outstanding

CLAIM = "Expense Claim"
REQUISITION = "Material Requisition"
PURCHASE = "采购报销"
# 8-digit numbers of paper invoices, 20-digit ones of 全电发票.
INVOICE_NO_RE = re.compile(r"^[0-9]{8,20}$")

Errors = dict[str, list[str]]


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _live(school_id: int, doctype: str) -> Any:
    return Document.objects.filter(
        doctype=doctype, school_id=school_id, docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED]
    )


def claimed_for(school_id: int, requisition: str, *, but: int | None = None) -> Decimal:
    """What the live reimbursements of a requisition claim, `but` one of them left out."""
    claims = _live(school_id, CLAIM).filter(data__requisition=requisition).exclude(pk=but)
    return claims.aggregate(n=Sum("grand_total"))["n"] or Decimal(0)


def reimbursed_by(requisition: Document) -> str | None:
    """The submitted reimbursement of a requisition, if there is one."""
    return (
        Document.objects.filter(
            doctype=CLAIM,
            school_id=requisition.school_id,
            docstatus=DocStatus.SUBMITTED,
            data__requisition=requisition.name,
        )
        .values_list("name", flat=True)
        .first()
    )


def refuse_cancelling_a_claimed_receipt(receipt: Document) -> str | None:
    """A receipt whose purchase was reimbursed stays: cancelled, its goods could be received
    and claimed again. The claim is cancelled first."""
    requisition = receipt.data.get("requisition")
    if not requisition:
        return None
    claim = reimbursed_by(Document(school_id=receipt.school_id, name=requisition))
    if claim is None:
        return None
    return _("申购单 %(r)s 已报销（%(c)s）：请先作废报销单，再作废入库单") % {
        "r": requisition,
        "c": claim,
    }


@register(CLAIM)
class ExpenseClaim(Controller):
    def validate(self, doc: Doc) -> None:
        errors: Errors = defaultdict(list)
        self._invoices(doc, errors)
        if doc.get("expense_type") == PURCHASE:
            self._purchase(doc, errors)
        else:
            if doc.get("requisition"):
                errors["requisition"].append(_("只有采购报销才选择对应申购单"))
            doc.set("received_total", None)
            check_budget_line(doc, errors)
        total = doc.get("total")
        doc.set(
            "title",
            _("%(kind)s %(total)s 元") % {"kind": doc.get("expense_type"), "total": _money(total)},
        )
        if errors:
            raise DocumentValidationError(errors)

    def _invoices(self, doc: Doc, errors: Errors) -> None:
        rows = doc.rows("items")
        today = timezone.localdate()
        numbers: dict[str, int] = {}
        for idx, row in enumerate(rows, start=1):
            label, key = _("票据明细第 %(idx)s 行：") % {"idx": idx}, f"items.{idx}."
            if row["amount"] <= 0:
                errors[key + "amount"].append(label + _("金额必须大于 0"))
            if row.get("invoice_date") and row["invoice_date"] > today:
                errors[key + "invoice_date"].append(label + _("开票日期不能晚于今天"))
            number = (row.get("invoice_no") or "").strip()
            row["invoice_no"] = number or None
            if not number:
                continue
            if not INVOICE_NO_RE.match(number):
                errors[key + "invoice_no"].append(label + _("发票号码应为 8 到 20 位数字"))
            elif number in numbers:
                errors[key + "invoice_no"].append(
                    label
                    + _("发票 %(no)s 与第 %(other)s 行重复")
                    % {"no": number, "other": numbers[number]}
                )
            else:
                numbers[number] = idx
        doc.set("total", sum((r["amount"] for r in rows), Decimal(0)))
        if numbers:
            self._claimed_before(doc, numbers, errors)

    def _claimed_before(self, doc: Doc, numbers: dict[str, int], errors: Errors) -> None:
        """An invoice is reimbursed once: refuse one a live claim of the school already lists."""
        others = _live(doc.instance.school_id, CLAIM).exclude(pk=doc.instance.pk)
        for name, items in others.values_list("name", "data__items"):
            for item in items or []:
                idx = numbers.get(item.get("invoice_no") or "")
                if idx is not None:
                    errors[f"items.{idx}.invoice_no"].append(
                        _("票据明细第 %(idx)s 行：发票 %(no)s 已在报销单 %(n)s 中报销")
                        % {"idx": idx, "no": item["invoice_no"], "n": name}
                    )

    def _purchase(self, doc: Doc, errors: Errors) -> None:
        """请购 → 审批 → 验收 → 入库 → 报销: the requisition is approved, its goods received,
        and it is reimbursed once, for no more than was received."""
        name = doc.get("requisition")
        if not name:
            errors["requisition"].append(_("采购报销须选择对应申购单"))
            return
        school_id = doc.instance.school_id
        found = (
            Document.objects.filter(doctype=REQUISITION, school_id=school_id, name=name)
            .values_list("docstatus", "data")
            .first()
        )
        if found is None:
            return  # the link check named it
        docstatus, requisition = found
        if docstatus != DocStatus.SUBMITTED:
            errors["requisition"].append(_("申购单 %(n)s 尚未审批通过") % {"n": name})
            return
        doc.set("department", requisition.get("department"))
        doc.set("budget_line", requisition.get("budget_line"))
        received = Document.objects.filter(
            doctype="Stock Receipt",
            school_id=school_id,
            docstatus=DocStatus.SUBMITTED,
            data__requisition=name,
        ).aggregate(n=Sum("grand_total"))["n"]
        doc.set("received_total", received)
        if received is None:
            errors["requisition"].append(
                _("申购单 %(n)s 的物资尚未验收入库：验收入库后才能报销") % {"n": name}
            )
            return
        claimed = claimed_for(school_id, name, but=doc.instance.pk)
        if doc.get("total") + claimed > received:
            errors["items"].append(
                _(
                    "报销金额 ¥%(total)s 超过验收入库金额 ¥%(received)s（其他报销单已报 ¥%(claimed)s）"
                )
                % {
                    "total": _money(doc.get("total")),
                    "received": _money(received),
                    "claimed": _money(claimed),
                }
            )

    def on_submit(self, doc: Doc) -> None:
        line = doc.get("budget_line")
        department_id = doc.instance.department_id
        if not line or department_id is None:
            return
        releasing: list[Document] = []
        closing = False
        year = doc.get("posting_date").year
        if doc.get("requisition"):
            # What the requisition still commits: its own commitment less what its earlier
            # reimbursements gave back.
            releasing = list(
                Document.objects.filter(school_id=doc.instance.school_id)
                .filter(
                    Q(doctype=REQUISITION, name=doc.get("requisition"))
                    | Q(
                        doctype=CLAIM,
                        docstatus=DocStatus.SUBMITTED,
                        data__requisition=doc.get("requisition"),
                    )
                )
                .exclude(pk=doc.instance.pk)
            )
            requisition = next(d for d in releasing if d.doctype == REQUISITION)
            if requisition.posting_date:
                year = requisition.posting_date.year
            # Everything asked for has come and this claim pays the last of it: the purchase
            # is done, and what its invoices came under is no longer committed.
            closing = not any(r["remaining"] > 0 for r in outstanding(requisition)) and (
                doc.get("total")
                + claimed_for(doc.instance.school_id, requisition.name, but=doc.instance.pk)
                == doc.get("received_total")
            )
        try:
            ledger.spend(
                doc.instance,
                ledger.BudgetKey(department_id, year, line),
                doc.get("total"),
                actor=doc.acting_user,
                posting_date=timezone.localdate(),
                releasing=releasing,
                closing=closing,
            )
        except ledger.OverBudget as exc:
            raise DocumentValidationError.single(
                over_budget_message(doc.get("department"), exc), "budget_line"
            ) from exc

    def on_cancel(self, doc: Doc) -> None:
        ledger.reverse_budget(doc.instance, actor=doc.acting_user)


def _not_yet_claimed(
    receipts: list[tuple[str, Decimal | None, str | None]], claimed: Decimal
) -> list[tuple[str, Decimal | None, str | None]]:
    """The receipts (in the order they came) a new claim pays for: the earlier claims paid
    the first ones, up to what they claimed; one they paid in part is paid the rest now."""
    out = []
    for receipt in receipts:
        total = receipt[1] or Decimal(0)
        if claimed >= total:
            claimed -= total
            continue
        claimed = Decimal(0)
        out.append(receipt)
    return out


def claim_from_requisition(name: str, *, actor: User) -> Document:
    """Start a 采购报销 draft for what an approved requisition's goods came to as received into
    store and not yet claimed; the invoice numbers are left for the claimant to write."""
    requisition = permissions.get_document(actor, get_meta(REQUISITION), name, "read")
    if requisition.docstatus != DocStatus.SUBMITTED:
        raise DocumentStateError(_("申购单 %(n)s 尚未审批通过") % {"n": name})
    receipts = list(
        Document.objects.filter(
            doctype="Stock Receipt",
            school_id=requisition.school_id,
            docstatus=DocStatus.SUBMITTED,
            data__requisition=name,
        )
        .order_by("name")
        .values_list("name", "grand_total", "data__supplier")
    )
    if not receipts:
        raise DocumentStateError(
            _("申购单 %(n)s 的物资尚未验收入库：验收入库后才能报销") % {"n": name}
        )
    claimed = claimed_for(requisition.school_id, name)
    left = sum((t or Decimal(0) for _n, t, _s in receipts), Decimal(0)) - claimed
    if left <= 0:
        raise DocumentStateError(_("申购单 %(n)s 已入库的物资已全部报销") % {"n": name})
    receipts = _not_yet_claimed(receipts, claimed)
    suppliers = {s for _n, _t, s in receipts if s}
    payee = (
        Document.objects.filter(
            doctype="Supplier", school_id=requisition.school_id, name__in=suppliers
        )
        .values_list("title", flat=True)
        .first()
        if len(suppliers) == 1
        else None
    )
    description = _("%(p)s（入库单 %(r)s）") % {
        "p": requisition.data.get("purpose") or name,
        "r": "、".join(n for n, _t, _s in receipts),
    }
    return services.create_document(
        CLAIM,
        {
            "expense_type": PURCHASE,
            "requisition": name,
            "payee": payee,
            "items": [{"description": description[:140], "amount": left}],
        },
        actor=actor,
    )
