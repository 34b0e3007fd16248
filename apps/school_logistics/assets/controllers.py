"""Controllers of the 校产 DocTypes: an asset registered onto the books (校产), moved to
another room or keeper (校产调拨单), and taken off them (校产报废单)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from school_logistics.assets.permissions import manages_assets
from school_logistics.assets.services import loans_holding, report_damage
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import quantity_text
from school_logistics.ledger import assets as ledger
from school_logistics.ledger.models import AssetBin, AssetLedgerEntry

RETURNED = gettext_noop("已归还")


def _actor(doc: Doc) -> User:
    return doc.actor or doc.instance.modified_by


def _not_after_today(doc: Doc, field: str, message: str, errors: dict[str, list[str]]) -> None:
    value = doc.get(field)
    if value and value > timezone.localdate():
        errors.setdefault(field, []).append(message)


def _reverse(doc: Doc) -> None:
    try:
        ledger.reverse(doc.instance, actor=_actor(doc))
    except ledger.MovedSince as exc:
        raise DocumentValidationError.single(
            _("其中的校产之后已有调拨或报废（%(vouchers)s），请先作废这些单据")
            % {"vouchers": "、".join(exc.vouchers)}
        ) from exc


@register("Asset")
class Asset(Controller):
    """财产登记: submitting the card puts the asset on the books, in its room, with its keeper."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        if doc.get("qty") is not None and doc.get("qty") <= 0:
            errors["qty"] = [_("数量必须大于 0")]
        if doc.get("unit_price") is not None and doc.get("unit_price") < 0:
            errors["unit_price"] = [_("单价不能为负数")]
        _not_after_today(doc, "acquired_on", _("取得日期不能晚于今天"), errors)
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        ledger.register(
            doc.instance,
            ledger.Place(doc.get("location"), doc.get("custodian")),
            qty=doc.get("qty"),
            value=doc.get("value") or Decimal(0),
            actor=_actor(doc),
            posting_date=doc.get("acquired_on"),
        )

    def on_cancel(self, doc: Doc) -> None:
        _reverse(doc)


def _asset_rows(
    doc: Doc, label: str, errors: dict[str, list[str]]
) -> list[tuple[int, dict[str, Any], AssetBin]]:
    """Return (index, row, bin) of the rows naming an asset on the books; note the others,
    and assets named twice, in `errors`."""
    rows = doc.rows("items")
    held = ledger.holdings(doc.instance.school_id, {r["asset"] for r in rows if r.get("asset")})
    found = []
    seen: set[str] = set()
    for idx, row in enumerate(rows, start=1):
        where = _("%(table)s第 %(idx)s 行：") % {"table": label, "idx": idx}
        name = row.get("asset")
        if not name:
            continue
        shown = row.get("asset_name") or name
        b = held.get(name)
        if name in seen:
            errors[f"items.{idx}.asset"] = [
                where + _("%(asset)s 已在前面的行中") % {"asset": shown}
            ]
        elif b is None or not b.qty:
            errors[f"items.{idx}.asset"] = [
                where + _("%(asset)s 不在校产台账上（未登记或已报废）") % {"asset": shown}
            ]
        else:
            found.append((idx, row, b))
        seen.add(name)
    return found


def _raise_not_on_books(exc: ledger.NotOnBooks) -> None:
    raise DocumentValidationError.single(
        _("校产不在台账上（已报废或登记已作废）：%(assets)s") % {"assets": "、".join(exc.assets)},
        "items",
    ) from exc


@register("Asset Movement")
class AssetMovement(Controller):
    """调拨: every unit of each asset goes to the new room and keeper when submitted."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        self._fill(doc, errors)
        _not_after_today(doc, "posting_date", _("调拨日期不能晚于今天"), errors)
        if errors:
            raise DocumentValidationError(errors)

    def _fill(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """Show where each asset is now and who keeps it; refuse moving it where it is."""
        target = (doc.get("target_location"), doc.get("target_custodian"))
        for idx, row, b in _asset_rows(doc, _("调拨明细"), errors):
            row["from_location"] = b.location
            row["from_custodian"] = b.custodian
            row["qty"] = b.qty
            if (b.location, b.custodian) == target:
                errors[f"items.{idx}.asset"] = [
                    _("调拨明细第 %(idx)s 行：%(asset)s 已在调入地点，且由接收保管人保管")
                    % {"idx": idx, "asset": row.get("asset_name") or row["asset"]}
                ]

    def before_submit(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        self._fill(doc, errors)  # as the books stand at submission
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        to = ledger.Place(doc.get("target_location"), doc.get("target_custodian"))
        try:
            ledger.transfer(
                doc.instance,
                [r["asset"] for r in doc.rows("items")],
                to,
                actor=_actor(doc),
                posting_date=doc.get("posting_date"),
            )
        except ledger.NotOnBooks as exc:
            _raise_not_on_books(exc)

    def on_cancel(self, doc: Doc) -> None:
        _reverse(doc)


@register("Asset Disposal")
class AssetDisposal(Controller):
    """报废: the assets (or some units of them) leave the books at their book value once the
    flow's last approver signs; 人为损坏 names who pays what (损坏赔偿)."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        self._fill(doc, errors)
        _not_after_today(doc, "posting_date", _("报废日期不能晚于今天"), errors)
        compensation = doc.get("compensation")
        if compensation is not None and compensation < 0:
            errors["compensation"] = [_("赔偿金额不能为负数")]
        elif compensation and not doc.get("responsible"):
            errors["responsible"] = [_("有赔偿金额时须写明责任人")]
        if errors:
            raise DocumentValidationError(errors)

    def _fill(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """Show each asset's room and the book value of what is disposed of, as the books
        stand now; refuse more units than they hold."""
        for idx, row, b in _asset_rows(doc, _("报废明细"), errors):
            row["location"] = b.location
            qty = row.get("qty")
            if qty is None:
                continue
            if qty <= 0:
                errors[f"items.{idx}.qty"] = [
                    _("报废明细第 %(idx)s 行：报废数量必须大于 0") % {"idx": idx}
                ]
            elif qty > b.qty:
                errors[f"items.{idx}.qty"] = [
                    _("报废明细第 %(idx)s 行：%(asset)s 账面只有 %(held)s%(uom)s")
                    % {
                        "idx": idx,
                        "asset": row.get("asset_name") or row["asset"],
                        "held": quantity_text(b.qty),
                        "uom": row.get("uom") or "",
                    }
                ]
            else:
                row["book_value"] = ledger.book_value(b, qty)
        doc.set(
            "book_value",
            sum((r.get("book_value") or Decimal(0) for r in doc.rows("items")), Decimal(0)),
        )

    def before_submit(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        self._fill(doc, errors)  # the approval may have taken days: value what leaves now
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        lines = [(r["asset"], r["qty"]) for r in doc.rows("items")]
        try:
            ledger.dispose(
                doc.instance, lines, actor=_actor(doc), posting_date=doc.get("posting_date")
            )
        except ledger.NotOnBooks as exc:
            _raise_not_on_books(exc)
        except ledger.DisposalExceedsHolding as exc:
            raise DocumentValidationError.single(
                _("报废数量超过账面数量：%(assets)s")
                % {
                    "assets": "；".join(
                        f"{e.asset} {quantity_text(e.wanted)} > {quantity_text(e.held)}"
                        for e in exc.excesses
                    )
                },
                "items",
            ) from exc

    def on_cancel(self, doc: Doc) -> None:
        _reverse(doc)


def refuse_deleting_used_location(document: Document) -> str | None:
    """A room the asset books name stays: its rows must keep saying where things were."""
    if document.doctype != "Location":
        return None
    if not AssetLedgerEntry.objects.filter(
        school_id=document.school_id, location=document.name
    ).exists():
        return None
    return _("场所 %(n)s 已登记过校产，不能删除") % {"n": document.name}


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
        for idx, row, b in _asset_rows(doc, _("清查明细"), errors):
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
        _not_after_today(doc, "check_date", _("检查日期不能晚于今天"), errors)
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        damaged = [r for r in doc.rows("items") if r.get("damaged_qty")]
        if damaged:
            report_damage(doc.instance, damaged, actor=_actor(doc))


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
        found = _asset_rows(doc, _("借用明细"), errors)
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
        # Where each asset was kept when lent, as stored (read-only rows are not re-read).
        kept = {r["name"]: r for r in before.get("items") or []}
        for row in doc.rows("items"):
            stored = kept.get(row.get("name"), {})
            row["location"] = stored.get("location")
            row["custodian"] = stored.get("custodian")
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
