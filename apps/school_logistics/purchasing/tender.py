"""Tender (招标/询价) rules: bids from invited suppliers, enough quotes, witnesses, valid licences."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.purchasing.procurement import check_tender_method

# 政府采购法: 询价 asks at least three suppliers (第四十条), 竞争性谈判 negotiates with at least
# three (第三十八条), and a 公开招标 with fewer than three bidders is void (第三十六条).
MIN_BIDS = {"询价": 3, "竞争性谈判": 3, "公开招标": 3}
# Methods whose bid opening needs a discipline-inspection witness (纪委监察派人参加).
NEEDS_WITNESS = frozenset({"公开招标"})

Errors = dict[str, list[str]]


def _row_label(table: str, idx: int) -> str:
    return _("%(table)s第 %(idx)s 行：") % {"table": table, "idx": idx}


def _suppliers(names: set[str], school_id: int) -> dict[str, dict[str, Any]]:
    qs = Document.objects.filter(doctype="Supplier", school_id=school_id, name__in=names)
    return {d.name: d.data for d in qs}


@register("Tender")
class Tender(Controller):
    def validate(self, doc: Doc) -> None:
        errors: Errors = defaultdict(list)
        self._requisitions(doc, errors)
        # Supplier names come by fetch_from; the suppliers are those the link check read.
        suppliers = doc.linked.get("Supplier") or {}

        invited: set[str] = set()
        for idx, row in enumerate(doc.rows("suppliers"), start=1):
            if row["supplier"] in invited:
                errors[f"suppliers.{idx}.supplier"].append(
                    _row_label(_("邀请供应商"), idx) + _("供应商重复")
                )
            invited.add(row["supplier"])

        bid_by_supplier: dict[str, dict[str, Any]] = {}
        for idx, row in enumerate(doc.rows("bids"), start=1):
            label = _row_label(_("报价"), idx)
            supplier_name = (suppliers.get(row["supplier"]) or {}).get("supplier_name")
            if row["supplier"] not in invited:
                errors[f"bids.{idx}.supplier"].append(
                    label + _("“%(s)s”不在邀请供应商之列") % {"s": supplier_name or row["supplier"]}
                )
            if row["supplier"] in bid_by_supplier:
                errors[f"bids.{idx}.supplier"].append(
                    label
                    + _("“%(s)s”已有报价，每家供应商只能报价一次")
                    % {"s": supplier_name or row["supplier"]}
                )
            else:
                bid_by_supplier[row["supplier"]] = row
            if row["price"] is not None and row["price"] <= 0:
                errors[f"bids.{idx}.price"].append(label + _("报价金额必须大于 0"))

        seen_witnesses: set[str] = set()
        for idx, row in enumerate(doc.rows("witnesses"), start=1):
            if row["user"] in seen_witnesses:
                errors[f"witnesses.{idx}.user"].append(
                    _row_label(_("监督人"), idx) + _("监督人重复")
                )
            seen_witnesses.add(row["user"])

        check_tender_method(doc, errors)
        awarded = doc.get("awarded_supplier")
        doc.set("awarded_amount", None)
        if awarded:
            bid = bid_by_supplier.get(awarded)
            if bid is None:
                errors["awarded_supplier"].append(_("中标供应商必须是已报价的供应商之一"))
            else:
                doc.set("awarded_amount", bid["price"])
        if errors:
            raise DocumentValidationError(errors)

    def _requisitions(self, doc: Doc, errors: Errors) -> None:
        """Fill purpose and amount from the submitted requisitions; refuse any tendered twice."""
        rows = doc.rows("requisitions")
        school_id = doc.instance.school_id
        names = {r["requisition"] for r in rows if r["requisition"]}
        found = {
            d.name: d
            for d in Document.objects.filter(
                doctype="Material Requisition", school_id=school_id, name__in=names
            )
        }
        elsewhere: dict[str, str] = {}
        if names:
            others = Document.objects.filter(
                doctype="Tender", school_id=school_id, docstatus=DocStatus.SUBMITTED
            ).exclude(pk=doc.instance.pk)
            for other in others.only("name", "data"):
                for r in other.data.get("requisitions") or []:
                    if r.get("requisition") in names:
                        elsewhere[r["requisition"]] = other.name
        seen: set[str] = set()
        total = Decimal(0)
        for idx, row in enumerate(rows, start=1):
            key, label = f"requisitions.{idx}.requisition", _row_label(_("申购单"), idx)
            name = row["requisition"]
            req = found.get(name)
            if req is None:
                continue  # a dangling link was reported by the reference check already
            row["purpose"] = req.data.get("purpose") or req.title
            row["amount"] = req.grand_total
            total += req.grand_total or 0
            if name in seen:
                errors[key].append(label + _("申购单 %(n)s 重复") % {"n": name})
            seen.add(name)
            if req.docstatus != DocStatus.SUBMITTED:
                errors[key].append(label + _("申购单 %(n)s 尚未提交，不能招标") % {"n": name})
            if name in elsewhere:
                errors[key].append(
                    label
                    + _("申购单 %(n)s 已在招标 %(t)s 中采购") % {"n": name, "t": elsewhere[name]}
                )
        doc.set("estimated_total", total if rows else None)

    def before_send(self, doc: Doc) -> None:
        """Quotes, opening and award are complete before anyone is asked to approve them."""
        errors: Errors = defaultdict(list)
        method = doc.get("method")
        minimum = MIN_BIDS.get(method, 3)
        if len(doc.rows("bids")) < minimum:
            errors["bids"].append(
                _("%(m)s至少需要 %(n)s 家报价（至少三家报价），现有 %(have)s 家")
                % {"m": method, "n": minimum, "have": len(doc.rows("bids"))}
            )
        if method in NEEDS_WITNESS and not doc.rows("witnesses"):
            errors["witnesses"].append(_("公开招标开标须有监督人（如纪检监察）在场"))
        opening = doc.get("opening_date")
        if opening is None:
            errors["opening_date"].append(_("提交前请填写开标时间"))
        awarded = doc.get("awarded_supplier")
        if not awarded:
            errors["awarded_supplier"].append(_("提交前请选定中标供应商"))
        elif opening is not None:
            problem = certificate_problem(
                doc.instance.school_id, awarded, timezone.localdate(opening), _("开标日")
            )
            if problem:
                errors["awarded_supplier"].append(problem)
        if errors:
            raise DocumentValidationError(errors)


def certificate_problem(school_id: int, supplier: str, on: dt.date, day: str) -> str | None:
    """Why the supplier may not be chosen on `day` (开标日, 签订日): no certificates on file
    (索证登记), or some expired by then; None when all are valid."""
    data = _suppliers({supplier}, school_id).get(supplier, {})
    name = data.get("supplier_name") or supplier
    certificates = data.get("certificates") or []
    if not certificates:
        return _("供应商“%(s)s”没有登记证照，请先索证登记") % {"s": name}
    expired = [
        f"{c.get('cert_type')}（{_('有效期至')} {c.get('valid_until')}）"
        for c in certificates
        if c.get("valid_until") and c["valid_until"] < on.isoformat()
    ]
    if not expired:
        return None
    return _("供应商“%(s)s”的证照在%(day)s %(d)s 已过期：%(list)s") % {
        "s": name,
        "day": day,
        "d": on.isoformat(),
        "list": "、".join(expired),
    }
