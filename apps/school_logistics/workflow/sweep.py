"""The SLA sweep: remind, escalate or auto-approve overdue tasks, and move tasks of people who left.

Run every minute by the scheduler; each task is claimed with a conditional UPDATE, so two
sweeps at once never act on the same task twice.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from school_logistics.core.models import Document, User
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError, refusal_text
from school_logistics.workflow import actions, engine, notices
from school_logistics.workflow.definition import Step
from school_logistics.workflow.models import ApprovalProcess, ApprovalTask, TaskStatus
from school_logistics.workflow.routing import resolve_users, school_users, superior_head


def sweep_overdue_tasks(now: dt.datetime | None = None) -> int:
    """Handle each overdue pending task once, as its step says; return how many were handled."""
    now = now or timezone.now()
    handled = 0
    overdue = ApprovalTask.objects.filter(
        status=TaskStatus.PENDING, due_at__lt=now, overdue_handled_at__isnull=True
    ).values_list("pk", flat=True)
    for task_id in list(overdue[:500]):
        claimed = ApprovalTask.objects.filter(
            pk=task_id, status=TaskStatus.PENDING, overdue_handled_at__isnull=True
        ).update(overdue_handled_at=now)
        if claimed:
            _handle(task_id)
            handled += 1
    return handled


def _handle(task_id: int) -> None:
    task = ApprovalTask.objects.select_related("process__document", "assignee").get(pk=task_id)
    process = task.process
    step = engine.current_flow(process).step(task.step)
    if step.overdue == "auto_approve":
        try:
            actions.approve(task_id, actor=task.assignee, timed_out=True)
            return
        except (DocumentValidationError, DocumentStateError, PermissionDenied) as exc:
            # e.g. the step's own fields are empty: remind instead, and say why on the trail
            reason = refusal_text(exc)
            with transaction.atomic():
                engine.log(
                    process, "remind", actor=None, step=step, comment=f"无法自动同意：{reason}"
                )
                notices.overdue(process, [task.assignee])
            return
    with transaction.atomic():
        if step.overdue == "escalate" and step.escalate_to_role:
            bosses = list(
                school_users(process.document.school)
                .filter(roles__code=step.escalate_to_role)
                .exclude(pk=process.requester_id)
            )
            engine.log(process, "escalate", actor=None, step=step, comment=_names(bosses))
            for boss in bosses:
                if not engine.open_tasks(process).filter(step=step.key, assignee=boss).exists():
                    # Escalated: the boss is asked now, without the missed deadline.
                    engine.join_step(
                        process, step, boss, like=task, added=False, keep_deadline=False
                    )
            notices.escalated(process, bosses)
            notices.overdue(process, [task.assignee])
        else:
            engine.log(process, "remind", actor=None, step=step, comment=task.assignee.display_name)
            notices.overdue(process, [task.assignee])


def move_tasks_of_inactive_users() -> int:
    """Give the open tasks of deactivated users to whoever the step names now, logged."""
    stranded = ApprovalTask.objects.filter(
        status=TaskStatus.PENDING, assignee__is_active=False
    ).values_list("pk", flat=True)
    return sum(_move_task(task_id) is not None for task_id in list(stranded[:500]))


def move_tasks_of(user: User) -> list[User]:
    """Move the open tasks of one user just deactivated; return who took them over."""
    open_tasks = ApprovalTask.objects.filter(status=TaskStatus.PENDING, assignee=user)
    takers: dict[int, User] = {}
    for task_id in list(open_tasks.values_list("pk", flat=True)):
        takers.update((u.pk, u) for u in _move_task(task_id) or [])
    return list(takers.values())


def _move_task(task_id: int) -> list[User] | None:
    """Hand one stranded task on; None when it was no longer waiting."""
    with transaction.atomic():
        task = ApprovalTask.objects.get(pk=task_id)
        # Same lock order as the approval actions: the document, then the process.
        Document.objects.select_for_update().get(pk=task.document_id)
        process = ApprovalProcess.objects.select_for_update().get(pk=task.process_id)
        task.refresh_from_db()
        if task.status != TaskStatus.PENDING:
            return None
        step = engine.current_flow(process).step(task.step)
        task.status = TaskStatus.TRANSFERRED
        task.save(update_fields=["status"])
        successors, by_fallback = _successors(process, step, task.assignee)
        takers = [
            u
            for u in successors
            if not engine.open_tasks(process).filter(step=step.key, assignee=u).exists()
        ]
        for user in takers:
            engine.join_step(process, step, user, like=task)
        engine.log(
            process,
            # 转交管理员 only when the admins took it; the head above is a 转交 like any other.
            "fallback" if by_fallback else "transfer",
            actor=None,
            step=step,
            comment=f"{task.assignee.display_name} 已停用，转交 {_names(takers, '')}",
        )
        notices.task_assigned(process, takers)
        return takers


def _successors(process: ApprovalProcess, step: Step, gone: User) -> tuple[list[User], bool]:
    """Who the step names now in place of someone who left: a department's new head, else the
    head above (a head who left does not hand the department's requests to the admin), the
    role's other holders, else the flow's fallback approvers (and True: the fallback took it)."""
    document = process.document
    found: dict[int, User] = {}
    for approver in step.approvers:
        users = resolve_users(approver, document.data, document=document)
        if not users and approver.type == "department_head":
            head = superior_head(document.department, process.requester)
            users = [head] if head is not None else []
        found.update((u.pk, u) for u in users if u.is_active and u.pk != gone.pk)
    if not step.allow_self_approval:
        found.pop(process.requester_id, None)
    if found:
        return list(found.values()), False
    return engine.fallback_users(process, step), True


def _names(users: list[User], prefix: str = "上报给 ") -> str:
    return prefix + "、".join(u.display_name for u in users) if users else "无人可接手"
