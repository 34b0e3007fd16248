"""校产清查 (期初、期中、期末 checks of a room against its books): start one from the books,
report what it found damaged, and write off what it found missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.values import quantity_text
from school_logistics.ledger.models import AssetBin

ASSET = "Asset"
CHECK = "Asset Check"
DISPOSAL = "Asset Disposal"
LOAN = "Asset Loan"
MOVEMENT = "Asset Movement"
REPAIR = "Repair Ticket"
LOCATION = "Location"

# The repair ticket's category for an asset's (what the repair office sorts its work by).
REPAIR_CATEGORY = {"家具": "课桌椅", "电教设备": "电教", "计算机及网络": "电教"}


def _room(school_id: int, location: str) -> Document:
    room = Document.objects.filter(doctype=LOCATION, school_id=school_id, name=location).first()
    if room is None:
        raise DocumentStateError(_("没有这个场所"))
    return room


def check_type_for(month: int) -> str:
    """期初 in the first months of a term, 期末 in its last, 期中 between."""
    if month in (2, 3, 8, 9):
        return "期初检查"
    if month in (1, 6, 7, 12):
        return "期末检查"
    return "期中检查"


def start_check(location: str, *, actor: User, today: dt.date) -> Document:
    """Start a 校产清查单 of a room: every asset it holds, found as the books say; the checker
    changes the rows the room disagrees with."""
    if not actor.school_id:
        raise DocumentStateError(_("没有这个场所"))
    room = _room(actor.school_id, location)
    bins = AssetBin.objects.filter(school_id=actor.school_id, location=location, qty__gt=0)
    rows = [{"asset": b.asset, "actual_qty": b.qty} for b in bins.order_by("asset")]
    if not rows:
        raise DocumentStateError(_("%(room)s 没有登记在册的校产") % {"room": room.title})
    kind = check_type_for(today.month)
    values = {
        "title": _("%(room)s%(kind)s") % {"room": room.title, "kind": kind},
        "location": location,
        "check_type": kind,
        "items": rows,
    }
    return services.create_document(CHECK, values, actor=actor)


def report_damage(check: Document, rows: list[dict[str, Any]], *, actor: User) -> list[str]:
    """File a 报修单 for each asset a submitted check found damaged; return their names."""
    cards = _cards(check.school_id, [r["asset"] for r in rows])
    names = []
    for row in rows:
        card = cards.get(row["asset"], {})
        what = card.get("asset_name") or row["asset"]
        subject = _("%(kind)s发现损坏：%(asset)s %(qty)s%(uom)s") % {
            "kind": check.data.get("check_type") or "",
            "asset": what,
            "qty": quantity_text(Decimal(str(row["damaged_qty"]))),
            "uom": card.get("uom") or "",
        }
        description = _("校产清查单 %(check)s：%(note)s") % {
            "check": check.name,
            "note": row.get("note") or what,
        }
        names.append(
            _file_repair(row["asset"], card, check.data["location"], subject, description, actor)
        )
    return names


def _cards(school_id: int, assets: list[str]) -> dict[str, dict[str, Any]]:
    return {
        d.name: d.data
        for d in Document.objects.filter(doctype=ASSET, school_id=school_id, name__in=assets).only(
            "name", "data"
        )
    }


def _file_repair(
    asset: str, card: dict[str, Any], location: str, subject: str, description: str, actor: User
) -> str:
    """File a 报修单 for an asset, sent to 总务处 as its reporter would send it."""
    values = {
        "subject": subject,
        "location": location,
        "category": REPAIR_CATEGORY.get(card.get("category") or "", "其他"),
        "asset": asset,
        "description": description,
    }
    ticket = services.create_document(REPAIR, values, actor=actor)
    services.send_document(REPAIR, ticket.name, actor=actor)
    return ticket.name


def kept_by_others(school_id: int, room: Document) -> list[str]:
    """The assets in a room kept by someone other than its custodian (保管责任人) now."""
    custodian = room.data.get("custodian") or ""
    if not custodian:
        return []
    bins = AssetBin.objects.filter(school_id=school_id, location=room.name, qty__gt=0)
    return list(bins.exclude(custodian=custodian).order_by("asset").values_list("asset", flat=True))


def handover(location: str, *, actor: User) -> Document:
    """Start a 校产调拨单 handing a room's assets to its custodian (保管人交接), e.g. once a new
    class teacher takes the classroom."""
    room = _room(actor.school_id or 0, location)
    assets = kept_by_others(room.school_id, room)
    if not assets:
        raise DocumentStateError(_("本场所的校产都已由保管责任人保管，无需交接"))
    values = {
        "reason": _("保管人交接：%(room)s") % {"room": room.title},
        "target_location": location,
        "target_custodian": room.data["custodian"],
        "items": [{"asset": a} for a in assets],
    }
    return services.create_document(MOVEMENT, values, actor=actor)


def open_loans(school_id: int) -> list[Document]:
    """Submitted 借用单 whose assets have not come back."""
    return list(
        Document.objects.filter(
            doctype=LOAN, school_id=school_id, docstatus=DocStatus.SUBMITTED, data__returned_on=None
        ).only("name", "title", "data")
    )


def loans_holding(
    school_id: int, assets: set[str], *, excluding: int | None = None
) -> dict[str, str]:
    """Which open loan holds each of these assets (asset → loan name)."""
    held = {}
    for loan in open_loans(school_id):
        if loan.pk == excluding:
            continue
        for row in loan.data.get("items") or []:
            if row.get("asset") in assets:
                held[row["asset"]] = loan.name
    return held


def return_loan(name: str, *, condition: str, note: str, actor: User, today: dt.date) -> Document:
    """Record a loan's assets back (归还登记); damage found on return is reported for repair."""
    loan = services.save_document(
        LOAN,
        name,
        {"returned_on": today, "return_condition": condition, "return_note": note},
        actor=actor,
    )
    if condition == "损坏":
        rows = loan.data.get("items") or []
        cards = _cards(loan.school_id, [r["asset"] for r in rows])
        for row in rows:
            card = cards.get(row["asset"], {})
            what = card.get("asset_name") or row["asset"]
            subject = _("借用归还时发现损坏：%(asset)s") % {"asset": what}
            description = _("校产借用单 %(loan)s：%(note)s") % {
                "loan": loan.name,
                "note": note or what,
            }
            _file_repair(row["asset"], card, row["location"], subject, description, actor)
    return loan


def disposal_from_check(name: str, *, actor: User) -> Document:
    """Start a 校产报废单 (丢失短缺) of what a submitted check found missing."""
    check = Document.objects.filter(
        doctype=CHECK, school_id=actor.school_id or 0, name=name, docstatus=DocStatus.SUBMITTED
    ).first()
    if check is None:
        raise DocumentStateError(_("只有已提交的清查单可以生成报废单"))
    short = [
        {"asset": r["asset"], "qty": r["short_qty"]}
        for r in check.data.get("items") or []
        if Decimal(str(r.get("short_qty") or 0)) > 0
    ]
    if not short:
        raise DocumentStateError(_("这次清查没有发现短缺"))
    notes = "；".join(
        f"{r.get('asset_name') or r['asset']}：{r['note']}"
        for r in check.data["items"]
        if r.get("note") and Decimal(str(r.get("short_qty") or 0)) > 0
    )
    values = {
        "title": _("%(check)s短缺报废") % {"check": check.title},
        "reason": "丢失短缺",
        "items": short,
        "description": _("校产清查单 %(check)s 发现短缺。%(notes)s")
        % {"check": check.name, "notes": notes},
    }
    return services.create_document(DISPOSAL, values, actor=actor)
