"""Post each meter's monthly reading with the use and cost since the one before (水电抄表), and
mirror them when the 抄表单 is cancelled.

A meter is read once a month, month after month: a month before the latest one read is not
read afterwards, and a reading under a later month's is not cancelled (that month's use was
counted from it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from school_logistics.core.models import Document, User
from school_logistics.ledger.models import MeterReadingEntry


@dataclass(frozen=True)
class Reading:
    meter: str
    building: str
    kind: str
    reading: Decimal
    usage: Decimal
    amount: Decimal


class ReadAlready(Exception):
    """Meters another live 抄表单 read for the month, or for a later one; nothing was posted."""

    def __init__(self, read: dict[str, str]) -> None:
        super().__init__(", ".join(read))
        self.read = read  # meter → "month by voucher"


class ReadSince(Exception):
    """Meters read for a later month than the cancelled 抄表单's."""

    def __init__(self, vouchers: list[str]) -> None:
        super().__init__(", ".join(vouchers))
        self.vouchers = vouchers


def _live(school_id: int, meters: Iterable[str]) -> QuerySet[MeterReadingEntry]:
    return MeterReadingEntry.objects.filter(
        school_id=school_id, meter__in=list(meters), reverses=None, reversal=None
    )


def latest(school_id: int, meters: Iterable[str]) -> dict[str, tuple[str, Decimal]]:
    """Each meter's latest live reading: (month, reading)."""
    found: dict[str, tuple[str, Decimal]] = {}
    for meter, month, reading in (
        _live(school_id, meters).order_by("month", "id").values_list("meter", "month", "reading")
    ):
        found[meter] = (month, reading)
    return found


def post_readings(
    voucher: Document,
    month: str,
    rows: Sequence[Reading],
    *,
    actor: User,
    posting_date: dt.date,
) -> list[MeterReadingEntry]:
    """Post a 抄表单's rows, all or none."""
    meters = [r.meter for r in rows]
    # The meters' cards are the lock: two 抄表单 of one meter submitted at once take turns,
    # even for its first month, when no row of it exists to lock.
    list(
        Document.objects.select_for_update()
        .filter(doctype="Meter", school_id=voucher.school_id, name__in=meters)
        .order_by("name")
        .values_list("pk", flat=True)
    )
    taken = (
        _live(voucher.school_id, meters)
        .filter(month__gte=month)
        .values_list("meter", "month", "voucher__name")
    )
    read = {meter: f"{m} {name}" for meter, m, name in taken}
    if read:
        raise ReadAlready(read)
    return MeterReadingEntry.objects.bulk_create(
        MeterReadingEntry(
            school_id=voucher.school_id,
            meter=r.meter,
            building=r.building,
            kind=r.kind,
            month=month,
            reading=r.reading,
            usage=r.usage,
            amount=r.amount,
            posting_date=posting_date,
            voucher=voucher,
            created_by=actor,
        )
        for r in rows
    )


def reverse_readings(voucher: Document, *, actor: User) -> list[MeterReadingEntry]:
    posted = list(MeterReadingEntry.objects.filter(voucher=voucher, reverses=None, reversal=None))
    if posted:
        later = (
            _live(voucher.school_id, {e.meter for e in posted})
            .filter(month__gt=posted[0].month)
            .values_list("voucher__name", flat=True)
            .distinct()
        )
        if later:
            raise ReadSince(sorted(later))
    return MeterReadingEntry.post_mirrors(voucher, actor=actor, signed=("usage", "amount"))


@dataclass(frozen=True)
class Use:
    building: str
    kind: str
    month: str
    usage: Decimal
    amount: Decimal


def monthly_use(school_id: int, months: Sequence[str]) -> list[Use]:
    """Use and cost by building, kind and month, net of cancellations."""
    rows = (
        MeterReadingEntry.objects.filter(school_id=school_id, month__in=list(months))
        .values("building", "kind", "month")
        .annotate(used=Sum("usage"), cost=Sum("amount"))
        .order_by("building", "kind", "month")
    )
    return [Use(r["building"], r["kind"], r["month"], r["used"], r["cost"]) for r in rows]
