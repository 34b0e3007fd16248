"""Submit demo documents as users do: through the approval flow when one governs the DocType.

The approval engine is an optional layer above the core, so without it (or without a flow for
a DocType) documents are submitted directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from django.apps import apps

from school_logistics.core import services
from school_logistics.core.models import Document, User

if TYPE_CHECKING:
    from school_logistics.workflow.models import ApprovalTask

# What approvers write when they agree, taken in turn so the trail reads naturally: on a
# purchase, and on anything else (a refund, a repair, an issue of supplies).
PURCHASE_COMMENTS = [
    "同意。",
    "情况属实，同意采购。",
    "同意，请按预算执行。",
    "同意，注意索证验收。",
]
APPROVAL_COMMENTS = [
    "同意。",
    "情况属实，同意。",
    "已核对，同意。",
    "同意，请按规定办理。",
]
PURCHASES = frozenset({"Material Requisition", "Tender", "Purchase Contract", "Expense Claim"})
# A route has a few steps; the bound only stops a misconfigured flow from looping forever.
MAX_ACTIONS = 12


def _workflow_installed() -> bool:
    return apps.is_installed("school_logistics.workflow")


def governed(doctype: str, school_id: int) -> bool:
    """Return whether an approval flow decides when documents of this DocType are submitted."""
    if not _workflow_installed():
        return False
    from school_logistics.workflow.flows import workflow_for

    return workflow_for(doctype, school_id) is not None


def _comments(said: Sequence[str]) -> Iterator[str]:
    while True:
        yield from said


def _pending_task(document: Document) -> ApprovalTask | None:
    """Return the oldest pending approval task of the document's current run, or None."""
    from school_logistics.workflow.models import ApprovalTask, ProcessStatus, TaskStatus

    return (
        ApprovalTask.objects.select_related("assignee")
        .filter(
            process__document=document,
            process__is_current=True,
            process__status=ProcessStatus.RUNNING,
            status=TaskStatus.PENDING,
        )
        .order_by("id")
        .first()
    )


def submit(
    doctype: str,
    name: str,
    *,
    actor: User,
    approve_steps: int | None = None,
    note: str = "",
    comments: Sequence[str] = (),
) -> None:
    """Submit a draft; under a flow, approvers then pass `approve_steps` steps (None: all).

    Without a flow a document waiting part-way through approval cannot exist, so one that
    should wait (`approve_steps` given) stays a draft.
    """
    document = Document.objects.get(doctype=doctype, name=name)
    if not governed(doctype, document.school_id):
        if approve_steps is None:
            services.submit_document(doctype, name, actor=actor)
        return
    from school_logistics.workflow import actions

    process = actions.start_approval(doctype, name, actor=actor, comment=note)
    said = _comments(comments or (PURCHASE_COMMENTS if doctype in PURCHASES else APPROVAL_COMMENTS))
    passed = 0
    for _ in range(MAX_ACTIONS):
        if approve_steps is not None and passed >= approve_steps:
            break
        task = _pending_task(document)
        if task is None:
            break
        process.refresh_from_db()
        before = (process.current_step, process.activation)
        actions.approve(task.pk, actor=task.assignee, comment=next(said))
        process.refresh_from_db()
        if (process.current_step, process.activation) != before or process.status != "running":
            passed += 1


def decide(doctype: str, name: str, action: str, comment: str) -> None:
    """Have the current approver reject (`reject`) or return (`return`) the document."""
    document = Document.objects.get(doctype=doctype, name=name)
    if not governed(doctype, document.school_id):
        return  # no approver to decide: the document stays a draft
    from school_logistics.workflow import actions

    task = _pending_task(document)
    if task is None:
        raise ValueError(f"{doctype} {name} 没有待处理的审批任务")
    if action == "reject":
        actions.reject(task.pk, actor=task.assignee, comment=comment)
    else:
        actions.return_for_revision(task.pk, actor=task.assignee, comment=comment)


def holds_task(doctype: str, name: str, user: User) -> bool:
    """Return whether the user holds a pending approval task on the document."""
    if not _workflow_installed():
        return False
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    return ApprovalTask.objects.filter(
        document__doctype=doctype, document__name=name, assignee=user, status=TaskStatus.PENDING
    ).exists()


def act(
    doctype: str,
    name: str,
    action: str,
    *,
    comment: str = "",
    to: str = "",
    by: User | None = None,
) -> None:
    """Have the task holder (`by`, else the oldest) approve, return to step `to`, or transfer."""
    from school_logistics.workflow import actions, handover
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    document = Document.objects.get(doctype=doctype, name=name)
    task = (
        ApprovalTask.objects.select_related("assignee")
        .filter(document=document, assignee=by, status=TaskStatus.PENDING)
        .first()
        if by is not None
        else _pending_task(document)
    )
    if task is None:
        raise ValueError(f"{doctype} {name} 没有待处理的审批任务")
    if action == "approve":
        actions.approve(task.pk, actor=task.assignee, comment=comment)
    elif action == "return":
        actions.return_for_revision(task.pk, actor=task.assignee, comment=comment, to_step=to)
    elif action == "transfer":
        handover.transfer(task.pk, actor=task.assignee, to_user=to, comment=comment)
    else:
        raise ValueError(f"不支持的审批动作：{action}")


# How long the demo's approvers took, in turn: most within their step's time limit, some not.
DECISION_WAITS_HOURS = (1.5, 4, 0.5, 20, 6, 2, 30, 9, 3, 60)


def spread_decisions(school_id: int) -> None:
    """Every demo decision is made the moment the demo loads; give each the wait a real one
    has (half an hour to a few days, in turn), its time limit moved back with it, so 我已处理
    and 后勤考核 read like weeks of work rather than one instant. Only the tasks move: the
    trail keeps the order the decisions were made in."""
    if not _workflow_installed():
        return
    from school_logistics.workflow.models import DONE_STATUSES, ApprovalTask

    tasks = list(
        ApprovalTask.objects.filter(document__school_id=school_id, status__in=DONE_STATUSES)
        .only("pk", "created", "due_at")
        .order_by("pk")
    )
    for n, task in enumerate(tasks):
        wait = dt.timedelta(hours=DECISION_WAITS_HOURS[n % len(DECISION_WAITS_HOURS)])
        task.created -= wait
        if task.due_at is not None:
            task.due_at -= wait
    ApprovalTask.objects.bulk_update(tasks, ["created", "due_at"], batch_size=500)
