"""Controllers of custody (保管): a room's assets checked against the books (校产清查单, 期初、
期中、期末), and assets lent and taken back (校产借用单, 借还登记). Neither moves the books."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from school_logistics.assets.controllers import asset_rows, not_after_today
from school_logistics.assets.permissions import manages_assets
from school_logistics.assets.services import loans_holding, report_damage
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import quantity_text
from school_logistics.ledger.models import AssetBin

RETURNED = gettext_noop("已归还")


@register("Asset Check")
class AssetCheck(Controller):
    """期初、期中、期末检查: a room's assets found against its books. A row's book quantity
    is read when its count is entered; submission reports what was found damaged (报修)."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        location = doc.get("location")
        actor = doc.actor
        if (
            actor is not None
            and location
            and not _may_check(actor, doc.instance.school_id, location)
        ):
            errors["location"] = [_("只能清查本人保管的场所")]
        before = {r.get("name"): r for r in doc.instance.data.get("items") or []}
        for idx, row, b in asset_rows(doc, _("清查明细"), errors):
            where = _("清查明细第 %(idx)s 行：") % {"idx": idx}
            shown = row.get("asset_name") or row["asset"]
            if b.location != location:
                errors[f"items.{idx}.asset"] = [
                    where + _("%(asset)s 不在本场所，请先办理调拨") % {"asset": shown}
                ]
                continue
            kept = before.get(row.get("name"))
            counted = row.get("actual_qty")
            if kept and kept["asset"] == row["asset"] and _same_count(kept, counted):
                row["book_qty"] = Decimal(kept["book_qty"])
            else:
                row["book_qty"] = b.qty
            damaged = row.get("damaged_qty") or Decimal(0)
            if counted is None:
                continue
            if counted < 0 or damaged < 0:
                errors[f"items.{idx}.actual_qty"] = [where + _("数量不能为负数")]
            elif counted > row["book_qty"]:
                errors[f"items.{idx}.actual_qty"] = [
                    where
                    + _("%(asset)s 实有数量多于账面 %(book)s，多出的请先登记或调拨入账")
                    % {"asset": shown, "book": quantity_text(row["book_qty"])}
                ]
            elif damaged > counted:
                errors[f"items.{idx}.damaged_qty"] = [where + _("损坏数量不能多于实有数量")]
            row["short_qty"] = row["book_qty"] - counted
        doc.set("short_qty", sum((r.get("short_qty") or 0 for r in doc.rows("items")), Decimal(0)))
        doc.set(
            "damaged_qty", sum((r.get("damaged_qty") or 0 for r in doc.rows("items")), Decimal(0))
        )
        not_after_today(doc, "check_date", _("检查日期不能晚于今天"), errors)
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        damaged = [r for r in doc.rows("items") if r.get("damaged_qty")]
        if damaged:
            report_damage(doc.instance, damaged, actor=doc.acting_user)


def _same_count(stored: dict[str, Any], counted: Decimal | None) -> bool:
    value = stored.get("actual_qty")
    return value is not None and counted is not None and Decimal(str(value)) == counted


def _may_check(user: User, school_id: int, location: str) -> bool:
    """总务处 checks any room; a keeper, the rooms they keep."""
    if manages_assets(user):
        return True
    return AssetBin.objects.filter(
        school_id=school_id, location=location, custodian=user.username, qty__gt=0
    ).exists()


@register("Asset Loan")
class AssetLoan(Controller):
    """借还登记: what is lent, to whom, until when; 总务处 records it back (归还). A loan moves
    nothing on the books: the room's keeper still answers for the asset."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        if doc.instance.docstatus == DocStatus.SUBMITTED:
            self._check_return(doc, errors)
        else:
            self._check_lending(doc, errors)
            if doc.get("returned_on") or doc.get("return_condition"):
                errors["returned_on"] = [_("借出后才能登记归还")]
        loan_date, due = doc.get("loan_date"), doc.get("due_date")
        if loan_date and due and due < loan_date:
            errors["due_date"] = [_("应还日期不能早于借用日期")]
        if errors:
            raise DocumentValidationError(errors)

    def _check_lending(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """Each asset on the books, not lent to someone else already."""
        found = asset_rows(doc, _("借用明细"), errors)
        lent = loans_holding(
            doc.instance.school_id,
            {row["asset"] for _i, row, _b in found},
            excluding=doc.instance.pk,
        )
        for idx, row, b in found:
            row["location"] = b.location
            row["custodian"] = b.custodian
            if row["asset"] in lent:
                errors[f"items.{idx}.asset"] = [
                    _("借用明细第 %(idx)s 行：%(asset)s 已借出（%(loan)s），尚未归还")
                    % {
                        "idx": idx,
                        "asset": row.get("asset_name") or row["asset"],
                        "loan": lent[row["asset"]],
                    }
                ]

    def _check_return(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        returned = doc.get("returned_on")
        before = doc.instance.data
        changed = any(
            str(doc.get(f) or "") != str(before.get(f) or "")
            for f in ("returned_on", "return_condition", "return_note")
        )
        if changed and (doc.actor is None or not manages_assets(doc.actor)):
            errors["returned_on"] = [_("归还由总务处登记")]
            return
        if not returned:
            if doc.get("return_condition"):
                errors["returned_on"] = [_("请填写归还日期")]
            return
        # Lists and the inbox read the state: a loan that came back no longer reads 已借出.
        doc.instance.workflow_state = RETURNED
        if returned > timezone.localdate():
            errors["returned_on"] = [_("归还日期不能晚于今天")]
        elif returned < doc.get("loan_date"):
            errors["returned_on"] = [_("归还日期不能早于借用日期")]
        if not doc.get("return_condition"):
            errors["return_condition"] = [_("请选择归还情况")]

    def before_submit(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        self._check_lending(doc, errors)  # lent now: another loan may have gone out meanwhile
        if errors:
            raise DocumentValidationError(errors)
