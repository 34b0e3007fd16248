"""What the people on a route are told, and when: the workflow's side of notifications."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.notify.services import notify
from school_logistics.workflow.flows import flow_of
from school_logistics.workflow.models import (
    ApprovalProcess,
    ApprovalTask,
    ProcessStatus,
    TaskStatus,
)

FINISHED: dict[str, str] = {
    ProcessStatus.APPROVED: "approved",
    ProcessStatus.REJECTED: "rejected",
    ProcessStatus.RETURNED: "returned",
}


# Notices that ask the user to act on a document's approval: settled once they hold no
# pending task on it (they decided, another approver of the step did, or the run ended).
ASKS = ("task", "urge", "overdue")


def settled_asks(user: User) -> Q:
    pending = ApprovalTask.objects.filter(
        assignee=user, status=TaskStatus.PENDING, document=OuterRef("document")
    )
    return Q(event__in=ASKS) & ~Q(Exists(pending))


def _context(process: ApprovalProcess) -> dict[str, Any]:
    """Return the values a message template may use (also listed on the template page)."""
    document = process.document
    return {
        "doctype": get_meta(document.doctype).label,
        "name": document.name,
        "title": document.title,
        "title_part": f"（{document.title}）" if document.title else "",
        "requester": process.requester.display_name,
        "amount": f"{document.grand_total:,.2f}" if document.grand_total is not None else "",
        "step": document.workflow_state,
        # What the person asked is to do: the open step's own verb (派工, 验收…) or 审批.
        "action": _verb(process) or "审批",
    }


def _verb(process: ApprovalProcess) -> str:
    if not process.current_step:
        return ""
    return flow_of(process.version).step(process.current_step).approve_label


def _url(document: Document) -> str:
    from school_logistics.core.views.doctypes import doctype_slug

    return reverse("desk:form", args=[doctype_slug(document.doctype), document.name])


def _send(process: ApprovalProcess, users: Iterable[User], event: str) -> None:
    document = process.document
    notify(users, event, _context(process), document=document, url=_url(document))


def task_assigned(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "task")


def copied(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "cc")


def finished(process: ApprovalProcess, status: str) -> None:
    if status in FINISHED:
        _send(process, [process.requester], FINISHED[status])


def cancelled(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "cancelled")


def voided(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "voided")


def urged(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "urge")


def overdue(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "overdue")


def escalated(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(process, users, "escalated")
