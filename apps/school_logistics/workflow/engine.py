"""The moving parts of a run: who holds a task, when a step is done, what comes next.

Called only from `actions` inside their transaction, with the process row locked.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_noop

from school_logistics.core import services as core_services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.prepared import (
    PreparedQuery,
    insert_rows,
    prepared,
    save_fields,
    save_together,
)
from school_logistics.core.registry import get_meta
from school_logistics.workflow import graph, notices
from school_logistics.workflow.definition import END, Flow, Step
from school_logistics.workflow.flows import flow_of
from school_logistics.workflow.models import (
    OPEN_TASK_STATUSES,
    ApprovalLog,
    ApprovalProcess,
    ApprovalTask,
    CarbonCopy,
    Delegation,
    ProcessStatus,
    TaskStatus,
)
from school_logistics.workflow.routing import is_away, resolve_users, school_users
from school_logistics.workflow.sla import add_working_hours

SYSTEM_ACTIONS = {"skip", "auto_approve", "timeout_approve"}


def _trail_line(
    process: ApprovalProcess,
    action: str,
    actor: User | None,
    step: Step | None,
    comment: str,
    on_behalf_of: User | None = None,
) -> ApprovalLog:
    return ApprovalLog(
        process=process,
        document_id=process.document_id,
        step=step.key if step else "",
        step_label=step.label if step else "",
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        comment=comment,
    )


def log(
    process: ApprovalProcess,
    action: str,
    *,
    actor: User | None,
    step: Step | None = None,
    comment: str = "",
    on_behalf_of: User | None = None,
) -> ApprovalLog:
    entry = _trail_line(process, action, actor, step, comment, on_behalf_of)
    insert_rows([entry], defer=True)
    return entry


@functools.lru_cache(maxsize=32)
def _away_periods(count: int) -> PreparedQuery[Delegation]:
    """Away periods current at a time for `count` users, newest first (compiled per count)."""

    def build(at: dt.datetime, *user_ids: int) -> QuerySet[Delegation]:
        return (
            Delegation.objects.filter(user_id__in=user_ids, starts__lte=at, ends__gt=at)
            .select_related("delegate")
            .order_by("-created", "-pk")
        )

    return PreparedQuery(build, (dt.datetime,) + (int,) * count)


def _away_now(user_ids: Iterable[int], at: dt.datetime) -> dict[int, Delegation]:
    """Return each user's current away period (the newest one), for many users in one query."""
    ids = sorted(set(user_ids))
    found: dict[int, Delegation] = {}
    for away in _away_periods(len(ids))(at, *ids) if ids else ():
        found.setdefault(away.user_id, away)
    return found


@functools.lru_cache(maxsize=32)
def _active_with_away_flag(count: int) -> PreparedQuery[User]:
    """`count` users if still active, each with whether an away period covers a time."""

    def build(at: dt.datetime, *user_ids: int) -> QuerySet[User]:
        active = User.objects.filter(pk__in=user_ids, is_active=True)
        return active.annotate(is_away=is_away(at))

    return PreparedQuery(build, (dt.datetime,) + (int,) * count)


def log_many(
    process: ApprovalProcess, entries: list[tuple[str, User | None, Step | None, str]]
) -> None:
    """Write several trail lines (action, actor, step, comment) in one INSERT, in this order."""
    insert_rows((_trail_line(process, *entry) for entry in entries), defer=True)


def holder(
    user: User,
    requester_id: int,
    step: Step,
    at: dt.datetime,
    away: dict[int, Delegation] | None = None,
) -> tuple[User, str]:
    """Return who holds a task meant for `user` now, and a note when that differs.

    Delegation is followed (up to three hops, never in a circle); the self-approval rule is
    applied to the person who will actually act, so a delegate who is the requester never
    approves the requester's own document: the task then stays with the approver.
    `away` holds the first hop when the caller looked it up for several approvers at once.
    """
    current, seen = user, {user.pk}
    for hop in range(3):
        if hop == 0 and away is not None:
            period = away.get(user.pk)
        else:
            period = _away_now([current.pk], at).get(current.pk)
        if period is None or not period.delegate.is_active or period.delegate.pk in seen:
            break
        current = period.delegate
        seen.add(current.pk)
    if current.pk != user.pk and current.pk == requester_id and not step.allow_self_approval:
        return user, gettext_noop("代理人是申请人本人，仍由原审批人处理")
    return current, ""


def open_tasks(process: ApprovalProcess) -> QuerySet[ApprovalTask]:
    return process.tasks.filter(activation=process.activation, status__in=OPEN_TASK_STATUSES)


def current_flow(process: ApprovalProcess) -> Flow:
    return flow_of(process.version)


def _route_step(process: ApprovalProcess, key: str) -> dict:
    return next(r for r in process.route if r["key"] == key)


def statuses(process: ApprovalProcess) -> dict[str, str]:
    """Return each step's status on the route planned at submission (e.g. "skipped")."""
    return {r["key"]: r["status"] for r in process.route}


def go_to(
    process: ApprovalProcess, target: str, *, last_actor: User | None, actor: User | None = None
) -> None:
    """Enter `target` (past steps skipped on this route), or finish approved at the end."""
    flow = current_flow(process)
    key = graph.next_open(flow, target, statuses(process))
    if key == END:
        finish(process, ProcessStatus.APPROVED, actor=actor or last_actor, tasks_open=False)
    else:
        activate(process, flow.step(key), last_actor=last_actor, actor=actor)


def activate(
    process: ApprovalProcess,
    step: Step,
    *,
    last_actor: User | None,
    known: dict[int, User] | None = None,
    opened: bool = False,
    actor: User | None = None,
) -> None:
    """Open a step: submit the document if the step says so, then create its tasks, or pass
    the step on when the same person just approved.

    `known` are users the caller read in this transaction (the planned approvers at submit),
    so they need not be read again; `opened` says the caller created the process with this
    step already current (activation 1), so the process row needs no UPDATE (nor the
    document's, when it was inserted in the step's state). `actor` is who
    moved the document here (recorded on a submission), when not `last_actor`.
    """
    now = timezone.now()
    if not opened:
        process.activation += 1
        process.current_step = step.key
        save_fields(process, "activation", "current_step")
    document = process.document
    # A new document sent at once was inserted in this state (actions.create_and_start).
    stored = opened and document.workflow_state == step.state_name
    document.workflow_state = step.state_name
    if step.docstatus == DocStatus.SUBMITTED and document.docstatus == DocStatus.DRAFT:
        # Submission saves the whole row with the new state; its ledgers post in this transaction.
        submitter = actor or last_actor or process.requester
        core_services.submit_locked(
            get_meta(document.doctype), document, actor=submitter, validated=True
        )
    elif not stored:
        save_fields(document, "workflow_state", "modified")

    planned_ids = _resolve_now(process, step) or _route_step(process, step.key)["approvers"]
    if known is not None and all(pk in known for pk in planned_ids):
        approvers = [known[pk] for pk in planned_ids if known[pk].is_active]
    else:
        # Whether each one is away comes with them: the away periods are read only if so.
        ids = sorted(set(planned_ids))
        approvers = _active_with_away_flag(len(ids))(now, *ids) if ids else []
        approvers.sort(key=lambda u: planned_ids.index(u.pk))
    if not approvers:  # everyone planned has left since submission
        approvers = fallback_users(process, step)
        log(
            process,
            "fallback",
            actor=None,
            step=step,
            comment=gettext_noop("审批人已停用，转交管理员处理"),
        )
    holders: list[tuple[User, User | None]] = []
    maybe_away = [u.pk for u in approvers if getattr(u, "is_away", True)]
    away = _away_now(maybe_away, now) if maybe_away else {}
    for user in approvers:
        held_by, note = holder(user, process.requester_id, step, now, away)
        if note:
            log(process, "delegation_refused", actor=None, step=step, comment=note)
        if all(h.pk != held_by.pk for h, _ in holders):
            holders.append((held_by, user if held_by.pk != user.pk else None))

    flow = current_flow(process)
    if (
        flow.skip_repeated_approver
        and last_actor is not None
        and len(holders) == 1
        and holders[0][0].pk == last_actor.pk
    ):
        log(
            process,
            "auto_approve",
            actor=None,
            step=step,
            comment=gettext_noop("与上一步审批人相同，自动通过"),
        )
        advance(process, step, last_actor=last_actor, tasks=[])  # no task was made for it
        return

    due = step_due(process, step, now)
    created = []
    for order, (held_by, meant_for) in enumerate(holders):
        waiting = step.mode == "sequential" and order > 0
        created.append(
            ApprovalTask(
                process=process,
                document_id=process.document_id,
                step=step.key,
                step_label=step.label,
                assignee=held_by,
                on_behalf_of=meant_for,
                status=TaskStatus.WAITING if waiting else TaskStatus.PENDING,
                activation=process.activation,
                order=order,
                due_at=None if waiting else due,
            )
        )
    insert_rows(created, defer=True)
    notices.task_assigned(process, [t.assignee for t in created if t.status == TaskStatus.PENDING])


def _resolve_now(process: ApprovalProcess, step: Step) -> list[int] | None:
    """Resolve approvers taken from document fields with the values the step opens on."""
    if not any(a.type == "field" for a in step.approvers):
        return None
    document = process.document
    seen: dict[int, User] = {}
    for approver in step.approvers:
        for user in resolve_users(approver, document.data, document=document):
            seen.setdefault(user.pk, user)
    ids = [pk for pk in seen if step.allow_self_approval or pk != process.requester_id]
    if not ids:
        return None  # keep what was planned at submission (the fallback)
    _route_step(process, step.key)["approvers"] = ids
    save_fields(process, "route")  # the process may still wait in this action's batch
    return ids


def join_step(
    process: ApprovalProcess,
    step: Step,
    assignee: User,
    like: ApprovalTask,
    *,
    status: str = TaskStatus.PENDING,
    added: bool | None = None,
    keep_deadline: bool = True,
) -> ApprovalTask:
    """Give someone a part in the open step beside `like` (transfer, 加签, escalation, fallback)."""
    return ApprovalTask.objects.create(
        process=process,
        document_id=process.document_id,
        step=step.key,
        step_label=step.label,
        assignee=assignee,
        status=status,
        activation=process.activation,
        order=like.order,
        added=like.added if added is None else added,
        due_at=like.due_at if keep_deadline else None,
    )


def fallback_users(process: ApprovalProcess, step: Step) -> list[User]:
    """Return the school's fallback approvers (the admin role), never the requester."""
    flow = current_flow(process)
    users = school_users(process.document.school).filter(roles__code=flow.fallback_role)
    if not step.allow_self_approval:
        users = users.exclude(pk=process.requester_id)
    return list(users.order_by("id"))


def step_done(step: Step, tasks: list[ApprovalTask]) -> bool:
    """Return whether the step's mode is satisfied and every added approver has approved.

    `tasks` are the step's tasks of the current activation as they stand now.
    """
    if any(t.added and t.status != TaskStatus.APPROVED for t in tasks):
        return False
    base = [t for t in tasks if not t.added and t.status != TaskStatus.TRANSFERRED]
    if step.mode == "any":
        return any(t.status == TaskStatus.APPROVED for t in base)
    return all(t.status == TaskStatus.APPROVED for t in base)


def step_due(process: ApprovalProcess, step: Step, now: dt.datetime) -> dt.datetime | None:
    """When a task opened now at the step is due: the end of the day its `due_field` names
    (the deadline the document set, in the school's time), else `sla_hours` working hours on."""
    if step.due_field:
        day = parse_date(str(process.document.data.get(step.due_field) or "")[:10])
        if day is not None:
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
            return timezone.make_aware(end)
    return add_working_hours(now, step.sla_hours) if step.sla_hours else None


def release_next(process: ApprovalProcess, step: Step, approved: ApprovalTask) -> None:
    """After an approval inside an unfinished step, open whoever was waiting for it."""
    now = timezone.now()
    due = step_due(process, step, now)
    held = ApprovalTask.objects.filter(waits_for=approved, status=TaskStatus.WAITING)
    if held.exists():
        held.update(status=TaskStatus.PENDING, due_at=due)
        return
    if step.mode != "sequential":
        return
    following = (
        process.tasks.filter(
            activation=process.activation,
            step=step.key,
            status=TaskStatus.WAITING,
            added=False,
            waits_for__isnull=True,
        )
        .order_by("order")
        .first()
    )
    if following is not None:
        following.status = TaskStatus.PENDING
        following.due_at = due
        following.save(update_fields=["status", "due_at"])
        notices.task_assigned(process, [following.assignee])


def advance(
    process: ApprovalProcess,
    step: Step,
    *,
    last_actor: User,
    tasks: list[ApprovalTask],
) -> None:
    """Close a finished step, copy it to its CC list, and open the next step or finish.

    `tasks` are the step's tasks as the caller read them under the lock: those still open are
    closed by id (no UPDATE when none is).
    """
    still_open = [t for t in tasks if t.status in OPEN_TASK_STATUSES]
    for task in still_open:
        task.status = TaskStatus.CLOSED
    save_together(still_open, "status")
    copy_to(process, step)
    # Only the step just closed had open tasks (one step is open at a time): at the end,
    # finishing has none left to close.
    go_to(process, graph.approve_target(current_flow(process), step), last_actor=last_actor)


@prepared
def _copied_to(process_id: int) -> QuerySet[CarbonCopy, int]:
    return CarbonCopy.objects.filter(process_id=process_id).values_list("user_id", flat=True)


def copy_to(process: ApprovalProcess, step: Step) -> None:
    """Copy the document to the step's CC users and roles (once per run and person)."""
    if not step.cc:
        return
    document = process.document
    users: dict[int, User] = {}
    for approver in step.cc:
        for user in resolve_users(approver, document.data, document=document):
            users.setdefault(user.pk, user)
    if not users:
        return
    already = set(_copied_to(process.pk))
    new = [u for pk, u in users.items() if pk not in already]
    insert_rows(
        (
            CarbonCopy(document=document, process=process, user=u, step_label=step.label)
            for u in new
        ),
        defer=True,
    )
    notices.copied(process, new)


def finish(
    process: ApprovalProcess, status: str, *, actor: User | None, tasks_open: bool = True
) -> None:
    """End the run; an approved run submits the document (its ledgers post in this transaction)
    unless a step submitted it already."""
    process.status = status
    process.finished = timezone.now()
    process.current_step = ""
    save_fields(process, "status", "finished", "current_step")
    if tasks_open:
        open_tasks(process).update(status=TaskStatus.CLOSED)
    if ApprovalProcess.document.is_cached(process):
        document = process.document  # the action locked it before the process row
    else:
        document = Document.objects.select_for_update().get(pk=process.document_id)
    # Stored in the source language whoever acts: lists and badges read it as data, and pages
    # translate it when they show it.
    with translation.override(None):
        document.workflow_state = str(ProcessStatus(status).label)
    if status == ProcessStatus.APPROVED:
        document.workflow_state = current_flow(process).approved_state or document.workflow_state
    if status == ProcessStatus.APPROVED and document.docstatus == DocStatus.DRAFT:
        # Submission saves the whole row, the new state with it: no separate UPDATE.
        meta = get_meta(document.doctype)
        core_services.submit_locked(
            meta, document, actor=actor or process.requester, validated=True
        )
    else:
        save_fields(document, "workflow_state", "modified")
    notices.finished(process, status)
