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
from school_logistics.core.views.formatting import money
from school_logistics.purchasing.certificates import problem_of, suppliers_data
from school_logistics.purchasing.procurement import check_tender_method

# 政府采购法: 询价 asks at least three suppliers (第四十条), 竞争性谈判 negotiates with at least
# three (第三十八条), and a 公开招标 with fewer than three bidders is void (第三十六条).
MIN_BIDS = {"询价": 3, "竞争性谈判": 3, "公开招标": 3}
# Methods whose bid opening needs a discipline-inspection witness (纪委监察派人参加).
NEEDS_WITNESS = frozenset({"公开招标"})

Errors = dict[str, list[str]]


def _row_label(table: str, idx: int) -> str:
    return _("%(table)s第 %(idx)s 行：") % {"table": table, "idx": idx}


def _not_approved(name: str, docstatus: int) -> str | None:
    """Why a requisition of that state may not be tendered (None when it is approved)."""
    if docstatus == DocStatus.SUBMITTED:
        return None
    if docstatus == DocStatus.CANCELLED:
        return _("申购单 %(n)s 已作废，不能招标") % {"n": name}
    return _("申购单 %(n)s 尚未提交，不能招标") % {"n": name}


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
            refusal = _not_approved(name, req.docstatus)
            if refusal:
                errors[key].append(label + refusal)
            if name in elsewhere:
                errors[key].append(
                    label
                    + _("申购单 %(n)s 已在招标 %(t)s 中采购") % {"n": name, "t": elsewhere[name]}
                )
        doc.set("estimated_total", total if rows else None)

    def before_send(self, doc: Doc) -> None:
        """Quotes, opening and award are complete before anyone is asked to approve them, and
        again when the last approval decides it: the requisitions it buys are still approved."""
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
            self._award(doc, awarded, timezone.localdate(opening), errors)
        self._requisitions_still_approved(doc, errors)
        if errors:
            raise DocumentValidationError(errors)

    @staticmethod
    def _award(doc: Doc, awarded: str, opened: dt.date, errors: Errors) -> None:
        """The winner's certificates are valid on the opening day, and a winner that is not the
        lowest valid bid (a bid whose supplier may be chosen) is chosen for a stated reason."""
        bids = [b for b in doc.rows("bids") if b.get("supplier") and b.get("price")]
        data = suppliers_data({b["supplier"] for b in bids} | {awarded}, doc.instance.school_id)
        day = _("开标日")
        problem = problem_of(awarded, data.get(awarded, {}), opened, day)
        if problem:
            errors["awarded_supplier"].append(problem)
            return
        valid = [
            b
            for b in bids
            if b["price"] > 0
            and problem_of(b["supplier"], data.get(b["supplier"], {}), opened, day) is None
        ]
        won = next((b for b in valid if b["supplier"] == awarded), None)
        if won is None or not valid:
            return
        lowest = min(valid, key=lambda b: b["price"])
        if won["price"] > lowest["price"] and not (doc.get("award_reason") or "").strip():
            errors["award_reason"].append(
                _("中标报价 ¥%(won)s 高于有效最低报价 ¥%(low)s（%(s)s）：请填写定标理由")
                % {
                    "won": money(won["price"]),
                    "low": money(lowest["price"]),
                    "s": lowest.get("supplier_name") or lowest["supplier"],
                }
            )

    @staticmethod
    def _requisitions_still_approved(doc: Doc, errors: Errors) -> None:
        """A requisition may have been cancelled since the tender was saved: refuse it then.
        Locked, so the requisition is not cancelled while this tender is decided."""
        rows = doc.rows("requisitions")
        names = {r["requisition"] for r in rows if r.get("requisition")}
        if not names:
            return
        states = dict(
            Document.objects.select_for_update()
            .filter(doctype="Material Requisition", school_id=doc.instance.school_id)
            .filter(name__in=names)
            .values_list("name", "docstatus")
        )
        for idx, row in enumerate(rows, start=1):
            name = row.get("requisition")
            refusal = _not_approved(name, states[name]) if name in states else None
            if refusal:
                errors[f"requisitions.{idx}.requisition"].append(
                    _row_label(_("申购单"), idx) + refusal
                )
