"""The approval inbox: which tasks and documents each tab shows, with counts. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from school_logistics.core.models import Document, User
from school_logistics.workflow.models import (
    ApprovalProcess,
    ApprovalTask,
    CarbonCopy,
    TaskStatus,
)

TABS = {
    "todo": "待我处理",
    "done": "我已处理",
    "mine": "我发起的",
    "cc": "抄送我的",
}
DONE_STATUSES = (
    TaskStatus.APPROVED,
    TaskStatus.REJECTED,
    TaskStatus.RETURNED,
    TaskStatus.TRANSFERRED,
)


@dataclass
class Row:
    document: Document
    task: ApprovalTask | None
    process: ApprovalProcess | None
    note: str = ""


def todo(user: User) -> QuerySet[ApprovalTask]:
    return ApprovalTask.objects.filter(assignee=user, status=TaskStatus.PENDING)


def counts(user: User) -> dict[str, int]:
    """Return the live count per tab (one query each, whatever the volume)."""
    return {
        "todo": todo(user).count(),
        "done": ApprovalTask.objects.filter(assignee=user, status__in=DONE_STATUSES).count(),
        "mine": ApprovalProcess.objects.filter(requester=user, is_current=True).count(),
        "cc": CarbonCopy.objects.filter(user=user).count(),
    }


def rows(
    user: User, tab: str, *, doctype: str = "", search: str = "", limit: int = 50
) -> list[Row]:
    """Return the rows of one tab, newest first."""
    if tab == "todo":
        tasks = todo(user).order_by("due_at", "created")
    elif tab == "done":
        tasks = ApprovalTask.objects.filter(assignee=user, status__in=DONE_STATUSES).order_by(
            "-acted_at"
        )
    else:
        tasks = None
    if tasks is not None:
        tasks = tasks.select_related("document__owner", "process")
        if doctype:
            tasks = tasks.filter(document__doctype=doctype)
        if search:
            tasks = tasks.filter(document__name__icontains=search) | tasks.filter(
                document__title__icontains=search
            )
        return [Row(t.document, t, t.process) for t in tasks[:limit]]
    if tab == "mine":
        processes = ApprovalProcess.objects.filter(requester=user, is_current=True).order_by(
            "-started"
        )
    else:
        processes = ApprovalProcess.objects.filter(
            pk__in=CarbonCopy.objects.filter(user=user).values("process_id")
        ).order_by("-started")
    processes = processes.select_related("document__owner")
    if doctype:
        processes = processes.filter(document__doctype=doctype)
    if search:
        processes = processes.filter(document__name__icontains=search) | processes.filter(
            document__title__icontains=search
        )
    return [Row(p.document, None, p) for p in processes[:limit]]
