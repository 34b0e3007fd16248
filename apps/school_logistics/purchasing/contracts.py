"""采购合同: the agreement signed with the supplier a tender chose (purchase agreements are
signed), and what it binds — goods received against it come from that supplier, within its
term, at no more than its agreed prices, and add up to no more than its amount (beyond that a
supplementary contract is signed). The contract's page shows how much of it has been
delivered (执行情况) and starts a 入库单 for the rest."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
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
from school_logistics.purchasing.certificates import certificate_problem
from school_logistics.stores.items import Errors, check_item_rows

CONTRACT = "Purchase Contract"
RECEIPT = "Stock Receipt"
ZERO = Decimal(0)


def _row_label(idx: int) -> str:
    return _("供货清单第 %(idx)s 行：") % {"idx": idx}


@register(CONTRACT)
class PurchaseContract(Controller):
    def validate(self, doc: Doc) -> None:
        errors = check_item_rows(doc, ("items", _("供货清单")))
        seen: set[str] = set()
        for idx, row in enumerate(doc.rows("items"), start=1):
            if row["item"] in seen:
                errors[f"items.{idx}.item"].append(
                    _row_label(idx) + _("同一物资只列一行：%(i)s") % {"i": row["item"]}
                )
            seen.add(row["item"])
            if row["rate"] is not None and row["rate"] <= 0:
                errors[f"items.{idx}.rate"].append(_row_label(idx) + _("约定单价必须大于 0"))
        starts, ends, signed = doc.get("starts_on"), doc.get("ends_on"), doc.get("signed_on")
        if starts and ends and ends < starts:
            errors["ends_on"].append(_("履约截止日不能早于起始日"))
        if signed and signed > timezone.localdate():
            errors["signed_on"].append(_("签订日期不能晚于今天"))
        if doc.get("tender"):
            self._tender(doc, errors)
        if errors:
            raise DocumentValidationError(dict(errors))

    def _tender(self, doc: Doc, errors: Errors) -> None:
        """The tender that chose the supplier: decided, won by this supplier, for at least the
        contract's amount, and not contracted already."""
        school_id, name = doc.instance.school_id, doc.get("tender")
        tender = Document.objects.filter(doctype="Tender", school_id=school_id, name=name).first()
        if tender is None:
            return  # the link check reported it
        awarded = tender.data.get("awarded_supplier")
        if tender.docstatus != DocStatus.SUBMITTED or not awarded:
            errors["tender"].append(_("招标/询价 %(t)s 尚未定标，不能据此签订合同") % {"t": name})
            return
        if doc.get("supplier") == awarded and not doc.get("supplier_name"):
            # Fetched from the tender in this save, after its own fetches were read.
            doc.set("supplier_name", tender.data.get("awarded_supplier_name"))
        elif doc.get("supplier") and doc.get("supplier") != awarded:
            errors["supplier"].append(
                _("供应商须为招标/询价 %(t)s 的中标供应商“%(s)s”")
                % {"t": name, "s": tender.data.get("awarded_supplier_name") or awarded}
            )
        amount, awarded_amount = doc.get("contract_amount"), tender.grand_total
        if amount is not None and awarded_amount is not None and amount > awarded_amount:
            errors["items"].append(
                _("合同金额 ¥%(a)s 超过中标金额 ¥%(b)s") % {"a": amount, "b": awarded_amount}
            )
        other = (
            Document.objects.filter(
                doctype=CONTRACT,
                school_id=school_id,
                docstatus=DocStatus.SUBMITTED,
                data__tender=name,
            )
            .exclude(pk=doc.instance.pk)
            .values_list("name", flat=True)
            .first()
        )
        if other:
            errors["tender"].append(_("招标/询价 %(t)s 已签订合同 %(c)s") % {"t": name, "c": other})

    def before_submit(self, doc: Doc) -> None:
        errors: Errors = defaultdict(list)
        if not doc.get("signed_copy"):
            errors["signed_copy"].append(_("提交前请上传双方签字盖章的合同扫描件"))
        signed = doc.get("signed_on")
        if doc.get("supplier") and signed:
            problem = certificate_problem(
                doc.instance.school_id, doc.get("supplier"), signed, _("签订日")
            )
            if problem:
                errors["supplier"].append(problem)
        if errors:
            raise DocumentValidationError(dict(errors))

    def on_cancel(self, doc: Doc) -> None:
        received = _receipts(doc.instance).filter(docstatus=DocStatus.SUBMITTED)
        names = list(received.values_list("name", flat=True)[:3])
        if names:
            raise DocumentValidationError.single(
                _("已按本合同入库（%(r)s）：请先作废入库单") % {"r": "、".join(names)}, "items"
            )


def _receipts(contract: Document) -> QuerySet[Document]:
    return Document.objects.filter(
        doctype=RECEIPT, school_id=contract.school_id, data__contract=contract.name
    )


def check_receipt(doc: Doc, errors: Errors, *, submitting: bool) -> None:
    """A 入库单 against a contract: the contract in force, its supplier, a day within its term,
    its items at no more than the agreed prices, and the contract's amount not exceeded by
    all it has received. On submitting, the contract's row is locked first, so two receipts
    cannot both take its last part."""
    name = doc.get("contract")
    if not name:
        return
    found = Document.objects.filter(doctype=CONTRACT, school_id=doc.instance.school_id, name=name)
    contract = (found.select_for_update() if submitting else found).first()
    if contract is None:
        return  # the link check reported it
    data = contract.data
    if contract.docstatus != DocStatus.SUBMITTED:
        errors["contract"].append(_("合同 %(c)s 尚未生效，不能按合同入库") % {"c": name})
        return
    if not doc.get("supplier"):
        doc.set("supplier", data.get("supplier"))
    elif doc.get("supplier") != data.get("supplier"):
        errors["supplier"].append(
            _("供应商与合同 %(c)s 不符（合同供应商：%(s)s）")
            % {"c": name, "s": data.get("supplier_name") or data.get("supplier")}
        )
    day = doc.get("posting_date")
    if day and not data["starts_on"] <= day.isoformat() <= data["ends_on"]:
        errors["posting_date"].append(
            _("入库日期 %(d)s 不在合同履约期 %(a)s 至 %(b)s 内")
            % {"d": day.isoformat(), "a": data["starts_on"], "b": data["ends_on"]}
        )
    agreed = {r["item"]: Decimal(str(r["rate"])) for r in data.get("items") or []}
    for idx, row in enumerate(doc.rows("items"), start=1):
        label = _("入库明细第 %(idx)s 行：") % {"idx": idx}
        rate = agreed.get(row["item"])
        if rate is None:
            errors[f"items.{idx}.item"].append(
                label + _("%(i)s 不在合同供货清单内") % {"i": row.get("item_name") or row["item"]}
            )
        elif row["rate"] is not None and row["rate"] > rate:
            errors[f"items.{idx}.rate"].append(
                label + _("单价 ¥%(r)s 高于合同约定单价 ¥%(a)s") % {"r": row["rate"], "a": rate}
            )
    before = (
        _receipts(contract)
        .filter(docstatus=DocStatus.SUBMITTED)
        .exclude(pk=doc.instance.pk)
        .aggregate(t=Sum("grand_total"))["t"]
        or ZERO
    )
    total, ceiling = before + (doc.get("grand_total") or ZERO), contract.grand_total or ZERO
    if total > ceiling:
        errors["items"].append(
            _(
                "按合同 %(c)s 累计入库 ¥%(t)s，超过合同金额 ¥%(m)s（此前已入库 ¥%(b)s）；"
                "超出部分须另签补充合同"
            )
            % {"c": name, "t": total, "m": ceiling, "b": before}
        )


@dataclass
class Delivery:
    item: str
    item_name: str
    uom: str
    rate: Decimal
    agreed: Decimal
    received: Decimal = ZERO
    amount: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return max(self.agreed - self.received, ZERO)


def deliveries(contract: Document) -> tuple[list[Delivery], list[Document]]:
    """Each contracted item's agreed and received quantities, and the receipts against it."""
    rows = {
        r["item"]: Delivery(
            r["item"],
            r.get("item_name") or r["item"],
            r.get("uom") or "",
            Decimal(str(r["rate"])),
            Decimal(str(r["qty"])),
        )
        for r in contract.data.get("items") or []
    }
    receipts = list(_receipts(contract).order_by("name").only("name", "docstatus", "data"))
    for receipt in receipts:
        if receipt.docstatus != DocStatus.SUBMITTED:
            continue
        for r in receipt.data.get("items") or []:
            if r["item"] in rows:
                rows[r["item"]].received += Decimal(str(r["qty"]))
                rows[r["item"]].amount += Decimal(str(r.get("amount") or 0))
    return list(rows.values()), receipts


def receipt_from_contract(name: str, *, actor: User) -> Document:
    """Start a 入库单 draft for what a contract in force has still to deliver, at its prices."""
    contract = permissions.get_document(actor, get_meta(CONTRACT), name, "read")
    if contract.docstatus != DocStatus.SUBMITTED:
        raise DocumentStateError(_("合同 %(c)s 尚未生效，不能按合同入库") % {"c": name})
    rows = [
        {"item": d.item, "qty": d.remaining, "rate": d.rate}
        for d in deliveries(contract)[0]
        if d.remaining > 0
    ]
    if not rows:
        raise DocumentStateError(_("合同 %(c)s 的约定数量已全部入库") % {"c": name})
    title = _("%(subject)s 验收入库") % {"subject": contract.title or name}
    return services.create_document(
        RECEIPT,
        {
            "title": title[:140],
            "contract": name,
            "supplier": contract.data.get("supplier"),
            "items": rows,
        },
        actor=actor,
    )
