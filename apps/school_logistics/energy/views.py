"""水电能耗: each building's water, electricity and gas for a month against the month before
(节水节电), flagging a rise worth a look, and the school's last twelve months."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from school_logistics.core import extensions, permissions
from school_logistics.core.models import User
from school_logistics.core.registry import get_meta
from school_logistics.core.values import months_back
from school_logistics.ledger.meters import Use, monthly_use

READING = "Meter Reading"
# What each kind of meter measures, as the report heads its column.
MEASURES = {
    "电表": (gettext_noop("用电"), gettext_noop("度")),
    "水表": (gettext_noop("用水"), gettext_noop("吨")),
    "燃气表": (gettext_noop("用气"), gettext_noop("立方米")),
}
KINDS = tuple(MEASURES)  # the order the report's columns take
# A month's use this much above the month before's is flagged for a look (跑冒滴漏).
RISE_FLAG = Decimal("0.20")
MONTHS_SHOWN = 12


def may_view_energy(user: User) -> bool:
    return bool(user.school_id) and permissions.scope(user, get_meta(READING), "read") == "all"


def energy_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_energy(user):
        return []
    return [extensions.DeskLink("energy", _("水电能耗"), reverse("energy:report"), "fa-bolt")]


@dataclass(frozen=True)
class Cell:
    """One building's use of one kind: this month, the month before, and the change."""

    kind: str
    now: Decimal | None
    before: Decimal | None
    amount: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if not self.now or not self.before:
            return None
        return (self.now - self.before) / self.before

    @property
    def change_text(self) -> str:
        change = self.change
        return "" if change is None else f"{change * 100:+.0f}%"

    @property
    def flagged(self) -> bool:
        return self.change is not None and self.change >= RISE_FLAG


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.school_id is None or not may_view_energy(user):
        raise PermissionDenied(_("没有查看水电能耗的权限"))
    months = months_back(timezone.localdate().strftime("%Y-%m"), MONTHS_SHOWN)
    uses = monthly_use(user.school_id, months)
    read = sorted({u.month for u in uses}, reverse=True)
    month = request.GET.get("month") or (read[0] if read else months[0])
    if month not in months:
        month = months[0]
    before = months[months.index(month) + 1] if months.index(month) + 1 < len(months) else ""
    table: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {
        (u.building, u.kind, u.month): (u.usage, u.amount) for u in uses
    }
    buildings = sorted({u.building for u in uses})
    kinds = [k for k in KINDS if any(u.kind == k for u in uses)]
    rows = []
    for building in buildings:
        cells = []
        for kind in kinds:
            now = table.get((building, kind, month))
            was = table.get((building, kind, before))
            cells.append(Cell(MEASURES[kind][0], now[0] if now else None, was[0] if was else None,
                              now[1] if now else None))  # fmt: skip
        rows.append((building, cells))
    trend = _trend(uses, kinds, months)
    context = {
        "months": months,
        "month": month,
        "before": before,
        "kinds": [MEASURES[k] for k in kinds],
        "rows": rows,
        "trend": trend,
        "cost": sum((u.amount for u in uses if u.month == month), Decimal(0)),
        "rise_flag": int(RISE_FLAG * 100),
        "readings_url": reverse("desk:list", args=["meter-reading"]),
        "meters_url": reverse("desk:list", args=["meter"]),
    }
    return render(request, "energy/report.html", context)


def _trend(uses: list[Use], kinds: list[str], months: list[str]) -> list[tuple[str, str, list]]:
    """Each kind's school total by month since the first month read, oldest first, with each
    month's share of the peak (None for a month not read)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for u in uses:
        totals[(u.kind, u.month)] += u.usage
    first = min((u.month for u in uses), default=months[0])
    shown = [m for m in reversed(months) if m >= first]
    found = []
    for kind in kinds:
        series = [(m, totals.get((kind, m))) for m in shown]
        peak = max((v for _m, v in series if v), default=Decimal(0)) or Decimal(1)
        bars = [(m, v, int(v * 100 / peak) if v is not None else None) for m, v in series]
        found.append((*MEASURES[kind], bars))
    return found
