"""每周菜谱: the canteen's one menu for a week, covering every school day of each meal it serves,
published (公布) at least a week ahead, with at least two meat dishes, two vegetable dishes and
a soup at lunch and dinner, and meat dishes at least half meat (食堂菜谱必须提前一周公布)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.formatting import doc_status
from school_logistics.workflow.models import ApprovalProcess, ProcessStatus

MENU = "Weekly Menu"
DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MEALS = ("早餐", "午餐", "晚餐")
# Every meal the menu serves is served on each of these; weekend meals are a boarding
# school's extra and optional.
SCHOOL_DAYS = DAYS[:5]
# Lunch is served whatever the school: every meal plan (午餐, 三餐) pays for it.
ALWAYS_SERVED = "午餐"
# The meals the two-meat, two-vegetable, one-soup rule holds for, and its minimums.
FULL_MEALS = ("午餐", "晚餐")
AT_LEAST = (("荤菜", 2), ("素菜", 2), ("汤", 1))
MIN_MEAT_SHARE = 50
AHEAD = dt.timedelta(days=7)


@register(MENU)
class WeeklyMenu(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        start = doc.get("week_start")
        if start and start.weekday() != 0:
            errors["week_start"].append(_("开始日期应为周一"))
        rows = doc.rows("dishes")
        served: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for idx, row in enumerate(rows, start=1):
            served[(row["day"], row["meal"])][row["kind"]] += 1
            share = row.get("meat_share")
            if row["kind"] == "荤菜" and (share is None or share < MIN_MEAT_SHARE):
                errors[f"dishes.{idx}.meat_share"].append(
                    _("菜品第 %(idx)s 行：%(dish)s 是荤菜，肉的比例不少于 %(min)s%%")
                    % {"idx": idx, "dish": row["dish"], "min": MIN_MEAT_SHARE}
                )
        for (day, meal), kinds in sorted(served.items(), key=_in_week_order):
            if meal not in FULL_MEALS:
                continue
            short = [
                _("%(kind)s %(n)s 个（至少 %(min)s 个）")
                % {"kind": kind, "n": kinds[kind], "min": least}
                for kind, least in AT_LEAST
                if kinds[kind] < least
            ]
            if short:
                errors["dishes"].append(
                    _("%(day)s%(meal)s：%(short)s")
                    % {"day": day, "meal": meal, "short": "、".join(short)}
                )
        if start:
            _refuse_second(doc.instance, start, errors)
        if errors:
            raise DocumentValidationError(dict(errors))

    def before_send(self, doc: Doc) -> None:
        """A whole week, sent in time to be published a week ahead: a draft may lack either
        while it is filled in, not when the office is asked to approve it, nor at 公布."""
        errors: dict[str, list[str]] = defaultdict(list)
        served: set[tuple[str, str]] = {(row["day"], row["meal"]) for row in doc.rows("dishes")}
        meals = {ALWAYS_SERVED} | {meal for _day, meal in served}
        for meal in (m for m in MEALS if m in meals):
            missing = [day for day in SCHOOL_DAYS if (day, meal) not in served]
            if missing:
                errors["dishes"].append(
                    _("%(meal)s须排满周一至周五，还缺：%(days)s")
                    % {"meal": meal, "days": "、".join(missing)}
                )
        start = doc.get("week_start")
        latest = start - AHEAD
        today = timezone.localdate()
        if today > latest:
            errors["week_start"].append(
                _(
                    "菜谱须提前一周公布：%(start)s 开始的菜谱最迟应在 %(latest)s 公布，"
                    "今天（%(today)s）已来不及，请改排以后的周"
                )
                % {
                    "start": start.isoformat(),
                    "latest": latest.isoformat(),
                    "today": today.isoformat(),
                }
            )
        if errors:
            raise DocumentValidationError(dict(errors))

    def before_submit(self, doc: Doc) -> None:
        """公布: refuse when another menu of the week was published while this one waited."""
        errors: dict[str, list[str]] = defaultdict(list)
        _refuse_second(doc.instance, doc.get("week_start"), errors)
        if errors:
            raise DocumentValidationError(dict(errors))


def _in_week_order(item: tuple[tuple[str, str], Any]) -> tuple[int, int]:
    (day, meal), _kinds = item
    return DAYS.index(day), MEALS.index(meal)


def _other_menu(instance: Document, start: dt.date) -> Document | None:
    """Another live menu of the school for the same week: published, or a draft still to be
    sent or approved. A rejected one is over (it can be neither edited nor deleted, and is
    copied to try again), so it leaves the week free."""
    rejected = ApprovalProcess.objects.filter(
        document=OuterRef("pk"), is_current=True, status=ProcessStatus.REJECTED
    )
    others = (
        Document.objects.filter(
            doctype=MENU,
            school_id=instance.school_id,
            posting_date=start,
            docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
        )
        .exclude(Exists(rejected))
        .order_by("-docstatus", "created")  # a published one first: it is the week's menu
    )
    if instance.pk:
        others = others.exclude(pk=instance.pk)
    return others.first()


def _refuse_second(instance: Document, start: dt.date, errors: dict[str, list[str]]) -> None:
    """A week has one menu: two would leave parents and the kitchen guessing which holds."""
    other = _other_menu(instance, start)
    if other is None:
        return
    if other.docstatus == DocStatus.SUBMITTED:
        message = _("这一周的菜谱已公布（%(n)s），如需更改请作废后修订") % {"n": other.name}
    else:
        message = _("这一周已有菜谱 %(n)s（%(state)s），每周只有一份菜谱，请修改那一份") % {
            "n": other.name,
            "state": doc_status(other)[0],
        }
    errors["week_start"].append(message)


@dataclass
class MenuWeek:
    menu: Document
    start: dt.date
    meals: list[str]  # the meals served that week (no dinner column for day schools)
    grid: list[tuple[str, dt.date, list[tuple[str, list[dict[str, Any]]]]]]  # day, date, meals


SHOWN_WEEKS = 3


def published_weeks(school_id: int, today: dt.date) -> list[MenuWeek]:
    """The published menus (公布 = submitted) of this week and the next two, as day × meal
    grids (published a week ahead, the week after next is often out already)."""
    monday = today - dt.timedelta(days=today.weekday())
    menus = Document.objects.filter(
        doctype=MENU,
        school_id=school_id,
        docstatus=DocStatus.SUBMITTED,
        posting_date__in=[monday + n * AHEAD for n in range(SHOWN_WEEKS)],
    ).order_by("posting_date")
    weeks = []
    for menu in menus:
        start = menu.posting_date
        assert start is not None  # the filter asked for it
        by_slot: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in menu.data.get("dishes") or []:
            by_slot[(row["day"], row["meal"])].append(row)
        meals = [m for m in MEALS if any(by_slot[(day, m)] for day in DAYS)]
        grid = [
            (day, start + dt.timedelta(days=n), [(meal, by_slot[(day, meal)]) for meal in meals])
            for n, day in enumerate(DAYS)
            if any(by_slot[(day, meal)] for meal in meals)
        ]
        weeks.append(MenuWeek(menu, start, meals, grid))
    return weeks
