"""Keep documents on their flow: no direct submit, no edits while an approval is open or closed,
no approval left running on a cancelled document."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from school_logistics.core import extensions
from school_logistics.core.models import Document, User
from school_logistics.workflow.actions import close_on_cancel, start_approval
from school_logistics.workflow.current import current_run
from school_logistics.workflow.flows import flow_of, workflow_for
from school_logistics.workflow.models import (
    RUNNING_PROCESS,
    ApprovalProcess,
    ApprovalTask,
    CarbonCopy,
    ProcessStatus,
)

LOCKED: dict[str, str] = {
    ProcessStatus.RUNNING: gettext_noop("单据正在审批中，不能修改；如需修改请先撤回"),
    ProcessStatus.REJECTED: gettext_noop("单据已被拒绝，不能修改"),
}


def governs(doctype: str, school_id: int) -> bool:
    return workflow_for(doctype, school_id) is not None


def refuse_direct_submit(document: Document) -> str | None:
    if workflow_for(document.doctype, document.school_id) is not None:
        return _("此类单据需要审批，请点“提交审批”")
    return None


def refuse_locked_edit(document: Document) -> str | None:
    process = current_run(document).process
    if process is None or process.status not in LOCKED:
        return None
    return _(LOCKED[process.status])


def involved_documents(user: User) -> list[QuerySet[Any]]:
    """Documents the user was asked to approve or was copied on: they may read those."""
    return [
        ApprovalTask.objects.filter(assignee=user).values("document_id"),
        CarbonCopy.objects.filter(user=user).values("document_id"),
    ]


def step_fields(document: Document, user: User) -> frozenset[str]:
    """The current step's editable fields, for whoever holds a pending task on it."""
    task = current_run(document).pending_task_of(user)
    if task is None:
        return frozenset()
    return frozenset(flow_of(task.process.version).step(task.step).editable_fields)


def approval_running() -> Exists:
    return Exists(ApprovalProcess.objects.filter(RUNNING_PROCESS, document=OuterRef("pk")))


def start_if_governed(doctype: str, name: str, actor: User) -> bool:
    """Start a draft's approval when a flow governs its DocType in the actor's school."""
    if not actor.school_id or workflow_for(doctype, actor.school_id) is None:
        return False
    start_approval(doctype, name, actor=actor)
    return True


def register() -> None:
    extensions.governing.append(governs)
    extensions.submit_guards.append(refuse_direct_submit)
    extensions.edit_guards.append(refuse_locked_edit)
    extensions.cancel_hooks.append(close_on_cancel)
    extensions.senders.append(start_if_governed)
    extensions.approval_running.append(approval_running)
    extensions.read_grants.append(involved_documents)
    extensions.field_grants.append(step_fields)
