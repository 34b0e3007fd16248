"""Controllers of the 校产 DocTypes that move the books: an asset registered onto them (校产),
moved to another room or keeper (校产调拨单), and taken off them (校产报废单)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import quantity_text
from school_logistics.ledger import assets as ledger
from school_logistics.ledger.models import AssetBin, AssetLedgerEntry


def not_after_today(doc: Doc, field: str, message: str, errors: dict[str, list[str]]) -> None:
    value = doc.get(field)
    if value and value > timezone.localdate():
        errors.setdefault(field, []).append(message)


def _reverse(doc: Doc) -> None:
    try:
        ledger.reverse(doc.instance, actor=doc.acting_user)
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
        not_after_today(doc, "acquired_on", _("取得日期不能晚于今天"), errors)
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        ledger.register(
            doc.instance,
            ledger.Place(doc.get("location"), doc.get("custodian")),
            qty=doc.get("qty"),
            value=doc.get("value") or Decimal(0),
            actor=doc.acting_user,
            posting_date=doc.get("acquired_on"),
        )

    def on_cancel(self, doc: Doc) -> None:
        _reverse(doc)


def asset_rows(
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
        not_after_today(doc, "posting_date", _("调拨日期不能晚于今天"), errors)
        if errors:
            raise DocumentValidationError(errors)

    def _fill(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """Show where each asset is now and who keeps it; refuse moving it where it is."""
        target = (doc.get("target_location"), doc.get("target_custodian"))
        for idx, row, b in asset_rows(doc, _("调拨明细"), errors):
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
                actor=doc.acting_user,
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
        not_after_today(doc, "posting_date", _("报废日期不能晚于今天"), errors)
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
        for idx, row, b in asset_rows(doc, _("报废明细"), errors):
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
                doc.instance, lines, actor=doc.acting_user, posting_date=doc.get("posting_date")
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
