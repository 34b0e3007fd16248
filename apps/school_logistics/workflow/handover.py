"""Hand a step over: transfer a task to a colleague (转交), or add an approver (加签) before or
after oneself. Each is one service under the locks `actions.task_for_action` takes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from school_logistics.core.models import Attachment, User
from school_logistics.core.search import name_spellings, person_matches
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.write_batch import writes_together
from school_logistics.workflow import actions, engine, notices
from school_logistics.workflow.definition import Step
from school_logistics.workflow.flows import task_step
from school_logistics.workflow.models import ApprovalProcess, ApprovalTask, TaskStatus
from school_logistics.workflow.routing import school_users

PICK_LIMIT = 20  # people listed by the picker at once; typing narrows them


def _colleague(named: str, process: ApprovalProcess, *, missing: str) -> User:
    """Return the active member of the document's school `named` by username or full name.

    The picker sends the username of the person picked; a name typed without picking is taken
    when it names exactly one member.
    """
    named = named.strip()
    if not named:
        raise DocumentValidationError.single(missing, "user")
    found = list(
        school_users(process.document.school)
        .filter(Q(username=named) | Q(full_name__in=name_spellings(named)))
        .order_by("pk")[:3]
    )
    by_username = [u for u in found if u.username == named]
    if by_username:
        return by_username[0]
    if len(found) > 1:
        raise DocumentValidationError.single(
            _("本校有多位成员名为“%(name)s”，请从列表中选择") % {"name": named}, "user"
        )
    if not found:
        raise DocumentValidationError.single(_("找不到本校在职成员“%(u)s”") % {"u": named}, "user")
    return found[0]


def pickable(task: ApprovalTask, typed: str) -> list[dict[str, str]]:
    """Return the members a task may go to (转交, 加签) whose name or username holds `typed`,
    as the desk's link search answers: {value: username, label: name, description}."""
    members = school_users(task.document.school_id).exclude(pk=task.assignee_id)
    if not task_step(task).allow_self_approval:
        members = members.exclude(pk=task.process.requester_id)
    if typed:
        members = members.filter(person_matches(typed))
    rows = members.order_by("full_name", "username").values_list(
        "username", "full_name", "department__name"
    )[:PICK_LIMIT]
    return [
        {
            "value": username,
            "label": name or username,
            # Two people of one name are told apart by their department and username.
            "description": " · ".join(part for part in (department, username) if part),
        }
        for username, name, department in rows
    ]


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
        target = _colleague(to_user, process, missing=_("请选择要转交的人"))
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
        target = _colleague(user, process, missing=_("请选择加签人"))
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
