"""维修统计: a month's repairs as the office weighs them — each worker's measurable work (岗位责任
制，量化考核), the kinds of faults, and the places and assets that keep breaking, with what to
do about them (根据维修情况，提出校产维护意见)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow.models import ApprovalLog

TICKET = "Repair Ticket"
NOT_REPAIRS = ("已拒绝",)
SATISFIED = "满意"  # a report the office turned down: no repair was owed
# Done within this many hours of the report counts as prompt (每天根据报修内容进行维修).
PROMPT_HOURS = 24
# Looking back this far, a place reported this often, or an asset repaired this often, is
# named in the advice.
LOOK_BACK_DAYS = 90
PLACE_REPEATS = 3
ASSET_REPEATS = 2


@dataclass
class Ticket:
    name: str
    reported: dt.datetime
    completed: dt.datetime | None
    worker: str
    category: str
    location: str
    place: str
    asset: str
    cost: Decimal
    satisfaction: str = ""
    reopened: int = 0

    @property
    def hours(self) -> float | None:
        if self.completed is None:
            return None
        return max((self.completed - self.reported).total_seconds() / 3600, 0.0)


@dataclass
class WorkerLoad:
    worker: str
    name: str
    assigned: int = 0
    done: int = 0
    prompt: int = 0
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0
    cost: Decimal = Decimal(0)
    hours: list[float] = field(default_factory=list)

    @property
    def satisfied_share(self) -> float | None:
        """满意率: of the repairs their reporters rated, the share rated 满意."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def average_hours(self) -> float | None:
        return sum(self.hours) / len(self.hours) if self.hours else None

    @property
    def prompt_share(self) -> float | None:
        return self.prompt / self.done if self.done else None


@dataclass
class CategoryCount:
    category: str
    reported: int = 0
    done: int = 0
    cost: Decimal = Decimal(0)


@dataclass(frozen=True)
class Advice:
    what: str  # the place or the asset
    url_name: str  # its document name
    doctype: str
    count: int
    detail: str
    advice: str


def _moment(value: Any, fallback: dt.datetime) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return fallback
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def tickets(school_id: int, start: dt.datetime, end: dt.datetime) -> list[Ticket]:
    """The school's repair tickets reported in [start, end): sent, neither cancelled nor refused."""
    # 报修时间 is the ticket's indexed date (its local day): the days bound the read, the
    # moments below the exact window.
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    rows = (
        Document.objects.filter(
            doctype=TICKET,
            school_id=school_id,
            posting_date__gte=local_start.date(),
            posting_date__lte=local_end.date(),
        )
        .exclude(docstatus=DocStatus.CANCELLED)
        .exclude(workflow_state__in=NOT_REPAIRS)
        # A draft never sent reports nothing yet; one returned to its reporter was reported.
        .exclude(docstatus=DocStatus.DRAFT, workflow_state="")
        .values_list("pk", "name", "data", "created")
    )
    found: dict[int, Ticket] = {}
    for pk, name, data, created in rows:
        reported = _moment(data.get("reported_on"), created)
        if not start <= reported < end:
            continue
        completed = data.get("completed_on")
        found[pk] = Ticket(
            name=name,
            reported=reported,
            completed=_moment(completed, reported) if completed else None,
            worker=data.get("assigned_to") or "",
            category=data.get("category") or "",
            location=data.get("location") or "",
            place=data.get("location_name") or data.get("location") or "",
            asset=data.get("asset") or "",
            cost=Decimal(str(data.get("total_cost") or 0)),
            satisfaction=data.get("satisfaction") or "",
        )
    # A reporter's 重新报修 sends the ticket back to its worker: a repair that did not hold.
    reopened = Counter(
        ApprovalLog.objects.filter(
            document_id__in=found, step="confirm", action="reject"
        ).values_list("document_id", flat=True)
    )
    for pk, n in reopened.items():
        found[pk].reopened = n
    return sorted(found.values(), key=lambda t: t.reported)


def worker_loads(school_id: int, found: list[Ticket]) -> list[WorkerLoad]:
    workers = {t.worker for t in found if t.worker}
    names = dict(
        User.objects.filter(school_id=school_id, username__in=workers).values_list(
            "username", "full_name"
        )
    )
    loads: dict[str, WorkerLoad] = {}
    for t in found:
        if not t.worker:
            continue
        load = loads.setdefault(t.worker, WorkerLoad(t.worker, names.get(t.worker) or t.worker))
        load.assigned += 1
        load.reopened += t.reopened
        if t.satisfaction:
            load.rated += 1
            load.satisfied += t.satisfaction == SATISFIED
        if t.hours is not None:
            load.done += 1
            load.hours.append(t.hours)
            load.prompt += t.hours <= PROMPT_HOURS
            load.cost += t.cost
    return sorted(loads.values(), key=lambda w: (-w.done, w.worker))


def categories(found: list[Ticket]) -> list[CategoryCount]:
    counts: dict[str, CategoryCount] = {}
    for t in found:
        c = counts.setdefault(t.category, CategoryCount(t.category))
        c.reported += 1
        if t.completed is not None:
            c.done += 1
            c.cost += t.cost
    return sorted(counts.values(), key=lambda c: -c.reported)


def advice(school_id: int, end: dt.datetime) -> list[Advice]:
    """Places reported often and assets repaired often in the days before `end`."""
    recent = tickets(school_id, end - dt.timedelta(days=LOOK_BACK_DAYS), end)
    found: list[Advice] = []
    by_place: dict[tuple[str, str], list[Ticket]] = defaultdict(list)
    by_asset: dict[str, list[Ticket]] = defaultdict(list)
    for t in recent:
        by_place[(t.location, t.place)].append(t)
        if t.asset:
            by_asset[t.asset].append(t)
    for (location, place), group in sorted(by_place.items(), key=lambda kv: -len(kv[1])):
        if len(group) < PLACE_REPEATS:
            continue
        kinds = Counter(t.category for t in group).most_common()
        found.append(
            Advice(
                place,
                location,
                "location",
                len(group),
                "、".join(f"{k} {n}" for k, n in kinds),
                _("建议对%(place)s的%(kind)s设施全面检查，查明反复故障的原因")
                % {"place": place, "kind": kinds[0][0]},
            )
        )
    often = {a: g for a, g in by_asset.items() if len(g) >= ASSET_REPEATS}
    cards = dict(
        Document.objects.filter(doctype="Asset", school_id=school_id, name__in=often).values_list(
            "name", "title"
        )
    )
    for asset, group in sorted(often.items(), key=lambda kv: -len(kv[1])):
        what = f"{cards.get(asset) or asset}（{asset}）"
        cost = sum((t.cost for t in group), Decimal(0))
        found.append(
            Advice(
                what,
                asset,
                "asset",
                len(group),
                _("维修费用 ¥%(cost)s") % {"cost": cost},
                _("建议评估%(asset)s是否需要大修、更新或报废") % {"asset": what},
            )
        )
    return found
