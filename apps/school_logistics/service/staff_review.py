"""后勤人员考核 (岗位责任制，量化考核): a month of each logistics staff member's measurable
work, read off what the platform already records — the approval tasks they handled and how
promptly against each step's time limit, the repairs they did and how the reporters rated
them, the feedback they answered and how it was rated, and the hazards they were to put
right by a deadline. A fixed number of queries, whatever the size of the staff or the month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.values import month_window
from school_logistics.repairs import stats as repair_stats
from school_logistics.workflow.models import DONE_STATUSES, ApprovalTask, TaskStatus

# The roles whose holders are logistics staff (后勤人员): the ones reviewed here.
STAFF_ROLES = (
    "purchaser",
    "storekeeper",
    "repair_worker",
    "canteen_manager",
    "finance",
    "life_teacher",
)
FEEDBACK = "Feedback"
FEEDBACK_REPLY_STEP = "reply"
HAZARD = "Hazard Rectification"
SATISFIED = "满意"


@dataclass
class Rated:
    """Ratings of work done: how many were rated, and of them 满意."""

    done: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass
class StaffReview:
    user: User
    roles: list[str]
    handled: int = 0  # approval tasks decided in the month
    timed: int = 0  # of them, those with a time limit
    on_time: int = 0  # of those, decided within it
    hours: list[float] = field(default_factory=list)
    pending: int = 0  # in their inbox now
    overdue: int = 0  # of them, past their time limit now
    repairs: repair_stats.WorkerLoad | None = None
    replies: Rated = field(default_factory=Rated)
    hazards_due: int = 0  # hazards they answer for whose deadline fell in the month
    hazards_in_time: int = 0
    hazards_late: int = 0  # put right after the deadline, or not yet and the deadline passed

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.timed if self.timed else None

    @property
    def average_hours(self) -> float | None:
        return sum(self.hours) / len(self.hours) if self.hours else None


# A post as the page names it: a department head's post says so (总务处主任: 采购 and head).
POST_ROLES = (*STAFF_ROLES, "dept_head")


def staff_query(user: User) -> QuerySet[User] | None:
    """Whom `user` reviews: the principal and the school's administrator every logistics staff
    member; a department head those in the departments they head and the ones directly under
    them (总务处主任 their office and the canteen). None when they review no one."""
    if user.school_id is None:
        return None
    staff = User.objects.filter(
        school_id=user.school_id, is_active=True, roles__code__in=STAFF_ROLES
    ).distinct()
    if {"principal", "sys_admin"} & user.role_codes() or user.is_superuser:
        return staff
    if "dept_head" not in user.role_codes():
        return None
    return staff.filter(Q(department__head=user) | Q(department__parent__head=user))


def staff_of(user: User) -> list[User] | None:
    staff = staff_query(user)
    if staff is None:
        return None
    return list(staff.prefetch_related("roles").order_by("department__name", "username"))


def reviews(school_id: int, staff: list[User], month: str, now: dt.datetime) -> list[StaffReview]:
    start, end = month_window(month)
    by_pk = {
        u.pk: StaffReview(u, sorted(r.display_label for r in u.roles.all() if r.code in POST_ROLES))
        for u in staff
    }
    _tasks(school_id, by_pk, start, end, now)
    _replies(school_id, by_pk, start, end)
    by_username = {r.user.username: r for r in by_pk.values()}
    found = repair_stats.tickets(school_id, start, end)
    for load in repair_stats.worker_loads(school_id, found):
        if load.worker in by_username:
            by_username[load.worker].repairs = load
    _hazards(school_id, by_username, month, now.date())
    return list(by_pk.values())


def _tasks(
    school_id: int,
    by_pk: dict[int, StaffReview],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> None:
    done = ApprovalTask.objects.filter(
        assignee_id__in=by_pk,
        document__school_id=school_id,
        status__in=DONE_STATUSES,
        acted_at__gte=start,
        acted_at__lt=end,
    ).values_list("assignee_id", "created", "acted_at", "due_at")
    for pk, created, acted_at, due_at in done:
        assert acted_at is not None  # filtered on it
        review = by_pk[pk]
        review.handled += 1
        review.hours.append(max((acted_at - created).total_seconds() / 3600, 0.0))
        if due_at is not None:
            review.timed += 1
            review.on_time += acted_at <= due_at
    waiting = (
        ApprovalTask.objects.filter(
            assignee_id__in=by_pk, document__school_id=school_id, status=TaskStatus.PENDING
        )
        .values("assignee_id")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    )
    for row in waiting:
        by_pk[row["assignee_id"]].pending = row["n"]
        by_pk[row["assignee_id"]].overdue = row["overdue"]


def _replies(
    school_id: int, by_pk: dict[int, StaffReview], start: dt.datetime, end: dt.datetime
) -> None:
    """Feedback answered in the month; a rating counts for whoever gave the last answer."""
    answers = (
        ApprovalTask.objects.filter(
            assignee_id__in=by_pk,
            document__school_id=school_id,
            document__doctype=FEEDBACK,
            step=FEEDBACK_REPLY_STEP,
            status=TaskStatus.APPROVED,
            acted_at__gte=start,
            acted_at__lt=end,
        )
        .exclude(document__docstatus=DocStatus.CANCELLED)
        .order_by("acted_at")
        .values_list("assignee_id", "document_id", "document__data")
    )
    last: dict[int, tuple[int, str]] = {}
    for pk, document_id, data in answers:
        by_pk[pk].replies.done += 1
        last[document_id] = (pk, (data or {}).get("satisfaction") or "")
    for pk, satisfaction in last.values():
        if satisfaction:
            by_pk[pk].replies.rated += 1
            by_pk[pk].replies.satisfied += satisfaction == SATISFIED


def _hazards(
    school_id: int, by_username: dict[str, StaffReview], month: str, today: dt.date
) -> None:
    due = (
        Document.objects.filter(
            doctype=HAZARD,
            school_id=school_id,
            data__responsible__in=list(by_username),
            data__deadline__startswith=month,
        )
        .exclude(docstatus=DocStatus.CANCELLED)
        .values_list("data", flat=True)
    )
    for data in due:
        review = by_username[data["responsible"]]
        deadline, fixed = data["deadline"], data.get("rectified_on") or ""
        review.hazards_due += 1
        if fixed and fixed <= deadline:
            review.hazards_in_time += 1
        elif fixed or deadline < today.isoformat():
            review.hazards_late += 1
