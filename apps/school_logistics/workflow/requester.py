"""What a requester does to their own running document: withdraw it (撤回) or urge (催办) its
approvers. One transaction each, the trail written in it, the document locked first as in
actions.py."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.write_batch import writes_together
from school_logistics.workflow import engine, notices
from school_logistics.workflow.actions import lock_document, locked_process
from school_logistics.workflow.models import ApprovalLog, ApprovalProcess, ProcessStatus, TaskStatus

URGE_INTERVAL = dt.timedelta(hours=1)
# Trail actions that mean a step was passed by its approver (so the requester can no longer withdraw).
APPROVALS = ("approve", "timeout_approve")


def withdraw(doctype: str, name: str, *, actor: User, comment: str = "") -> ApprovalProcess:
    """Withdraw (撤回) one's own document before anyone approved it; it becomes a draft again."""
    with transaction.atomic(), writes_together():
        document = lock_document(doctype, name, actor, "read")
        process = check_withdraw(locked_process(document), document, actor)
        engine.log(process, "withdraw", actor=actor, comment=comment)
        engine.finish(process, ProcessStatus.WITHDRAWN, actor=actor)
    return process


def check_withdraw(
    process: ApprovalProcess | None, document: Document, actor: User
) -> ApprovalProcess:
    """Refuse a withdrawal unless the requester asks before any approver approved a draft."""
    if process is None or process.status != ProcessStatus.RUNNING:
        raise DocumentStateError(_("此单据不在审批中，无法撤回"))
    if process.requester_id != actor.pk:
        raise PermissionDenied(_("只有申请人可以撤回"))
    if document.docstatus != DocStatus.DRAFT:
        raise DocumentStateError(_("单据已提交，不能撤回；请联系当前审批人"))
    if ApprovalLog.objects.filter(process=process, action__in=APPROVALS).exists():
        raise DocumentStateError(_("已有审批人同意，不能撤回；请联系当前审批人退回"))
    return process


def can_withdraw(process: ApprovalProcess | None, document: Document, actor: User) -> bool:
    """Return whether `withdraw` would accept the actor now: pages and the API offer 撤回 then."""
    try:
        check_withdraw(process, document, actor)
    except (DocumentStateError, PermissionDenied):
        return False
    return True


def urge(doctype: str, name: str, *, actor: User) -> ApprovalProcess:
    """Urge (催办) the current approvers; at most once an hour per document."""
    with transaction.atomic(), writes_together():
        document = lock_document(doctype, name, actor, "read")
        process = locked_process(document)
        if process is None or process.status != ProcessStatus.RUNNING:
            raise DocumentStateError(_("此单据不在审批中，无需催办"))
        if process.requester_id != actor.pk:
            raise PermissionDenied(_("只有申请人可以催办"))
        recent = timezone.now() - URGE_INTERVAL
        if ApprovalLog.objects.filter(process=process, action="urge", created__gt=recent).exists():
            raise DocumentStateError(_("一小时内已催办过，请稍后再试"))
        pending = [t.assignee for t in engine.open_tasks(process).filter(status=TaskStatus.PENDING)]
        engine.log(process, "urge", actor=actor)
        notices.urged(process, pending)
    return process
