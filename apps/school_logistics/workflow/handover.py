"""Hand a step over: transfer a task to a colleague (转交), or add an approver (加签) before or
after oneself. Each is one service under the locks `actions.task_for_action` takes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from school_logistics.core.models import Attachment, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.write_batch import writes_together
from school_logistics.workflow import actions, engine, notices
from school_logistics.workflow.definition import Step
from school_logistics.workflow.models import ApprovalProcess, TaskStatus
from school_logistics.workflow.routing import school_users


def _colleague(username: str, process: ApprovalProcess) -> User:
    user = school_users(process.document.school).filter(username=username).first()
    if user is None:
        raise DocumentValidationError.single(
            _("找不到本校在职成员“%(u)s”") % {"u": username}, "user"
        )
    return user


def transfer(
    task_id: int,
    *,
    actor: User,
    to_user: str,
    comment: str = "",
    attachments: Sequence[Attachment] = (),
) -> ApprovalProcess:
    """Transfer (转交) a task to another member of the school, who then decides instead."""
    with transaction.atomic(), writes_together():
        task, process, step, _step_tasks = actions.task_for_action(task_id, actor)
        target = _colleague(to_user, process)
        _check_new_approver(target, process, step)
        actions.close_task(task, TaskStatus.TRANSFERRED, comment)
        entry = engine.log(
            process, "transfer", actor=actor, step=step, comment=_transfer_note(target, comment)
        )
        actions.attach(entry, attachments)
        engine.join_step(process, step, target, like=task)
        notices.task_assigned(process, [target])
    return process


def _transfer_note(target: User, comment: str) -> str:
    note = _("转交给 %(name)s") % {"name": target.display_name}
    return f"{note}：{comment}" if comment else note


def _check_new_approver(target: User, process: ApprovalProcess, step: Step) -> None:
    if target.pk == process.requester_id and not step.allow_self_approval:
        raise DocumentValidationError.single(_("申请人不能审批自己的单据"), "user")
    if engine.open_tasks(process).filter(step=step.key, assignee=target).exists():
        raise DocumentValidationError.single(
            _("%(name)s 已在此步骤中") % {"name": target.display_name}, "user"
        )


def add_approver(
    task_id: int,
    *,
    actor: User,
    user: str,
    position: str,
    comment: str = "",
    attachments: Sequence[Attachment] = (),
) -> ApprovalProcess:
    """Add an approver (加签) before oneself (they decide first) or after (they decide next)."""
    if position not in ("before", "after"):
        raise DocumentValidationError.single(_("请选择前加签或后加签"), "position")
    with transaction.atomic(), writes_together():
        task, process, step, _step_tasks = actions.task_for_action(task_id, actor)
        target = _colleague(user, process)
        _check_new_approver(target, process, step)
        waiting = TaskStatus.PENDING if position == "before" else TaskStatus.WAITING
        added = engine.join_step(process, step, target, like=task, status=waiting, added=True)
        if position == "before":  # the adder waits for the added approver
            task.status = TaskStatus.WAITING
            task.waits_for = added
            task.save(update_fields=["status", "waits_for"])
            notices.task_assigned(process, [target])
        else:  # the added approver waits for the adder
            added.waits_for = task
            added.save(update_fields=["waits_for"])
        label = _("前加签") if position == "before" else _("后加签")
        entry = engine.log(
            process,
            "add_approver",
            actor=actor,
            step=step,
            comment=f"{label} {target.display_name}" + (f"：{comment}" if comment else ""),
        )
        actions.attach(entry, attachments)
    return process
