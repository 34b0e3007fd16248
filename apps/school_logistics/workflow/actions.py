"""Every approval action but the hand-overs (handover.py) and the requester's withdraw and
urge (requester.py): one service each, one transaction, the trail written in it.

The document row, then the process row, are locked first, so two approvers acting on one
step at the same moment produce one transition; the second sees "already handled".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from school_logistics.core import permissions
from school_logistics.core import services as core_services
from school_logistics.core.models import Attachment, Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.prepared import insert_rows, prepared, save_fields
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.write_batch import send_now, writes_together
from school_logistics.workflow import engine, graph, notices
from school_logistics.workflow.definition import END, REJECTED, Step
from school_logistics.workflow.flows import flow_of, latest_version_for
from school_logistics.workflow.models import (
    ApprovalLog,
    ApprovalProcess,
    ApprovalTask,
    ProcessStatus,
    TaskStatus,
    WorkflowVersion,
)
from school_logistics.workflow.routing import PlannedStep, plan_route

# What routing, notices and submission read from a document, joined to its locking query.
DOCUMENT_RELATED = ("owner", "school", "department__head")


def lock_document(doctype: str, name: str, actor: User, ptype: str) -> Document:
    meta = get_meta(doctype)
    return permissions.get_document(
        actor, meta, name, ptype, for_update=True, related=DOCUMENT_RELATED
    )


def locked_process(document: Document) -> ApprovalProcess | None:
    return (
        ApprovalProcess.objects.select_for_update()
        .filter(document=document, is_current=True)
        .first()
    )


def create_and_start(
    doctype: str, values: dict[str, Any], *, actor: User, comment: str = ""
) -> ApprovalProcess:
    """Save a new document and submit it for approval at once (提交审批 on a new form): both
    happen or neither does."""
    meta = get_meta(doctype)
    runs: list[_Run] = []

    def plan_first(document: Document) -> None:
        # Planned on the validated row before its INSERT, which then carries the first step's
        # state. Nobody else sees the row before this commits: no lock, no re-read.
        permissions.check_permission(actor, meta, "submit", document)
        runs.append(_plan(document, previous=None))
        if runs[0].first is not None:
            document.workflow_state = runs[0].first.state_name

    # Either fails, all of it rolls back: no savepoints inside.
    with transaction.atomic(), writes_together():
        document = core_services.create_document(
            doctype, values, actor=actor, savepoint=False, before_insert=plan_first
        )
        core_services.check_sendable(meta, document, actor=actor)
        return _start(document, runs[0], actor=actor, comment=comment, previous=None)


def save_and_start(
    doctype: str, name: str, values: dict[str, Any], *, actor: User, comment: str = ""
) -> ApprovalProcess:
    """Save a draft's edits and submit it for approval at once (提交审批 on an edited draft):
    both happen or neither does."""
    with transaction.atomic(), writes_together():
        core_services.save_document(doctype, name, values, actor=actor, savepoint=False)
        return start_approval(
            doctype, name, actor=actor, comment=comment, validated=True, savepoint=False
        )


def start_approval(
    doctype: str,
    name: str,
    *,
    actor: User,
    comment: str = "",
    validated: bool = False,
    savepoint: bool = True,
) -> ApprovalProcess:
    """Submit a draft for approval (or resubmit one returned or withdrawn) on its flow.

    `validated`: the caller saved the document through validation in this transaction, so
    it is not validated again. `savepoint=False`: the caller's transaction rolls back on
    any error.
    """
    meta = get_meta(doctype)
    with transaction.atomic(savepoint=savepoint), writes_together():
        document = lock_document(doctype, name, actor, "submit")
        # Only the engine sets a state, when a run starts: a document without one never ran.
        previous = locked_process(document) if document.workflow_state else None
        if previous and previous.status in (ProcessStatus.RUNNING, ProcessStatus.APPROVED):
            raise DocumentStateError(_("此单据已在审批中或已通过"))
        if previous and previous.status == ProcessStatus.REJECTED:
            raise DocumentStateError(_("已拒绝的单据不能再次提交，请复制后重新申请"))
        if validated:  # saved through validation just now: only what sending checks besides
            core_services.check_sendable(meta, document, actor=actor)
        else:
            core_services.check_submittable(meta, document, actor=actor)
        run = _plan(document, previous=previous)
        return _start(document, run, actor=actor, comment=comment, previous=previous)


@dataclass
class _Run:
    """A flow run planned for a document: its version, route and first open step."""

    version: WorkflowVersion
    plan: list[PlannedStep]
    first: Step | None


def _plan(document: Document, *, previous: ApprovalProcess | None) -> _Run:
    latest = latest_version_for(document.doctype, document.school_id)
    if latest is None:
        raise DocumentStateError(_("此类单据没有审批流程，请直接提交"))
    # A document keeps the flow version it first ran on, even if an admin changed the flow.
    version = previous.version if previous else latest
    flow = flow_of(version)
    plan = plan_route(
        flow,
        document.data,
        requester=document.owner,
        school=document.school,
        department=document.department,
    )
    key = graph.next_open(flow, flow.steps[0].key, {p.step.key: p.status for p in plan})
    return _Run(version, plan, None if key == END else flow.step(key))


def _start(
    document: Document,
    run: _Run,
    *,
    actor: User,
    comment: str,
    previous: ApprovalProcess | None,
) -> ApprovalProcess:
    """Run a locked, checked document's flow from its first open step (inside a transaction)."""
    if previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    plan, first = run.plan, run.first
    process = ApprovalProcess(
        document=document,
        version=run.version,
        requester=document.owner,
        status=ProcessStatus.RUNNING,
        # Created with its first step open, so opening it needs no UPDATE of this row.
        activation=1 if first else 0,
        current_step=first.key if first else "",
        route=[
            {
                "key": p.step.key,
                "label": p.step.label,
                "status": p.status,
                "approvers": [u.pk for u in p.approvers],
                "notes": p.notes,
            }
            for p in plan
        ],
    )
    insert_rows([process], defer=True)
    engine.log_many(
        process,
        [("resubmit" if previous else "submit", actor, None, comment)]
        + [
            ("skip", None, p.step, gettext_noop("条件不满足，跳过此步"))
            for p in plan
            if p.status == "skipped"
        ],
    )
    if first is None:
        engine.finish(process, ProcessStatus.APPROVED, actor=actor)
    else:
        planned = {u.pk: u for p in plan for u in p.approvers}
        engine.activate(process, first, last_actor=None, known=planned, opened=True, actor=actor)
    return process


@prepared
def _task_document_locked(task_id: int) -> QuerySet[Document]:
    # Approvers are planned as ids: a decision needs the school (its notice settings), not the
    # owner or the department's head that planning joins.
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("school")
        .filter(pk=Subquery(ApprovalTask.objects.filter(pk=task_id).values("document_id")))
    )


def _step_of(task_id: int) -> QuerySet[ApprovalTask]:
    """The task with the other tasks of its step and activation."""
    acted = ApprovalTask.objects.filter(pk=task_id)
    return ApprovalTask.objects.filter(
        process_id=Subquery(acted.values("process_id")),
        activation=Subquery(acted.values("activation")),
        step=Subquery(acted.values("step")),
    )


@prepared
def _step_tasks_locked(task_id: int) -> QuerySet[ApprovalTask]:
    return (
        _step_of(task_id)
        .select_for_update(of=("process",))
        .select_related("process__version__workflow", "process__requester")
    )


@prepared
def _step_tasks_with_document(task_id: int) -> QuerySet[ApprovalTask]:
    return _step_of(task_id).select_related(
        "document__school", "process__version__workflow", "process__requester"
    )


def task_for_action(
    task_id: int, actor: User
) -> tuple[ApprovalTask, ApprovalProcess, Step, list[ApprovalTask]]:
    """Lock and return the actor's pending task, refusing anyone else's or a stale one.

    The step's tasks (this one included) come along as they stand under the lock: whether
    the step is done needs no second read.
    """
    if connection.features.has_select_for_update:
        # Lock order as everywhere: the document, then the process; the task is read after both.
        documents = _task_document_locked(task_id)
        tasks = _step_tasks_locked(task_id)
    else:
        # SQLite locks the whole database for the transaction (BEGIN IMMEDIATE): one read.
        tasks = _step_tasks_with_document(task_id)
        documents = [tasks[0].document] if tasks else []
    task = next((t for t in tasks if t.pk == task_id), None)
    if not documents or task is None:
        raise PermissionDenied(_("没有找到这条审批任务"))
    document = documents[0]
    process = task.process
    process.document = document
    for other in tasks:
        other.process, other.document = process, document
    if task.assignee_id != actor.pk:
        raise PermissionDenied(_("这条审批任务不是您的"))
    if document.docstatus == DocStatus.CANCELLED:
        raise DocumentStateError(_("单据已作废，不能再审批"))
    if process.status != ProcessStatus.RUNNING or task.status != TaskStatus.PENDING:
        raise DocumentStateError(_("此审批已被处理，无需重复操作"))
    step = engine.current_flow(process).step(task.step)
    if actor.pk == process.requester_id and not step.allow_self_approval:
        raise PermissionDenied(_("不能审批自己提交的单据"))
    task.assignee = actor  # the same person, checked above: the trail line needs no lookup
    process.acted_step = task.step  # for the page's message
    return task, process, step, tasks


def close_task(task: ApprovalTask, status: str, comment: str) -> None:
    task.status = status
    task.comment = comment
    task.acted_at = timezone.now()
    save_fields(task, "status", "comment", "acted_at")


def _log_task(
    process: ApprovalProcess,
    task: ApprovalTask,
    step: Step,
    action: str,
    attachments: Sequence[Attachment] = (),
) -> None:
    entry = engine.log(
        process,
        action,
        actor=task.assignee,
        step=step,
        comment=task.comment,
        on_behalf_of=task.on_behalf_of,
    )
    attach(entry, attachments)


def attach(entry: ApprovalLog, attachments: Sequence[Attachment]) -> None:
    """Keep files given with an action on the trail line and on the document (for its readers)."""
    if not attachments:
        return
    send_now()  # the trail line's id
    ids = [a.pk for a in attachments]
    claimed = Attachment.objects.filter(
        pk__in=ids, document__isnull=True, uploaded_by=entry.actor
    ).update(document_id=entry.document_id)
    if claimed != len(ids):
        raise DocumentValidationError.single(_("附件不存在或已被使用"), "files")
    entry.attachments.set(ids)


def approve(
    task_id: int,
    *,
    actor: User,
    comment: str = "",
    attachments: Sequence[Attachment] = (),
    timed_out: bool = False,
) -> ApprovalProcess:
    """Approve (同意) a task; the step or the whole route moves on when its rule is met.

    `timed_out` is the SLA sweep approving for the assignee when the step allows it.
    """
    with transaction.atomic(), writes_together():
        task, process, step, tasks = task_for_action(task_id, actor)
        _require_step_fields(process, step)
        close_task(task, TaskStatus.APPROVED, comment)  # `tasks` holds it: now approved
        _log_task(process, task, step, "timeout_approve" if timed_out else "approve", attachments)
        if engine.step_done(step, tasks):
            engine.advance(process, step, last_actor=actor, tasks=tasks)
        else:
            engine.release_next(process, step, task)
    return process


def fill_then(
    document: Document,
    values: dict[str, Any],
    *,
    actor: User,
    decide: Callable[[], ApprovalProcess],
) -> ApprovalProcess:
    """Save the fields typed on a task's document page, then take the decision sent with them
    (完工 after the repair record, 重新报修 with the reporter's note, …): both happen or
    neither does."""
    with transaction.atomic(), writes_together():
        core_services.save_document(
            document.doctype, document.name, values, actor=actor, savepoint=False
        )
        return decide()


def _require_step_fields(process: ApprovalProcess, step: Step) -> None:
    """Refuse to approve a step whose own fields are still empty (e.g. a repair not recorded)."""
    if not step.required_fields:
        return
    data = process.document.data
    meta = get_meta(process.document.doctype)

    def empty(fieldname: str) -> bool:
        value = data.get(fieldname)
        field = meta.get_field(fieldname)
        unticked = field is not None and field.fieldtype == "Check" and str(value) in ("0", "")
        return value in (None, "", []) or unticked

    missing = [f for f in step.required_fields if empty(f)]
    if missing:
        labels = "、".join(field.label if (field := meta.get_field(f)) else f for f in missing)
        raise DocumentValidationError.single(
            _("请先填写：%(fields)s") % {"fields": labels}, missing[0]
        )


def _need_reason(comment: str, what: str) -> str:
    reason = comment.strip()
    if not reason:
        raise DocumentValidationError.single(_("请填写%s理由") % what, "comment")
    return reason


def reject(
    task_id: int, *, actor: User, comment: str, attachments: Sequence[Attachment] = ()
) -> ApprovalProcess:
    """Reject (拒绝) the document: the run ends and the requester is told why, or, when the
    step says where a rejection goes (e.g. 重新报修 → the worker), the document goes there.

    Refused at a step that allows no rejection (the repair worker's): whoever holds it returns
    it or hands it over instead.
    """
    with transaction.atomic(), writes_together():
        task, process, step, _step_tasks = task_for_action(task_id, actor)
        if not step.allow_reject:
            raise DocumentStateError(_("此步不能拒绝；如无法办理，请退回或转交他人"))
        reason = _need_reason(comment, _("拒绝"))
        close_task(task, TaskStatus.REJECTED, reason)
        _log_task(process, task, step, "reject", attachments)
        if step.on_reject == REJECTED:
            engine.finish(process, ProcessStatus.REJECTED, actor=actor)
        else:
            engine.open_tasks(process).update(status=TaskStatus.CLOSED)
            _clear_on_reject(process, step, actor)
            engine.go_to(process, step.on_reject, last_actor=None, actor=actor)
    return process


def _clear_on_reject(process: ApprovalProcess, step: Step, actor: User) -> None:
    """Empty what the step names as the rejection sends the document back, as a change of the
    document by the one who rejected it (its history shows it)."""
    filled = [f for f in step.clear_on_reject if process.document.data.get(f) not in (None, "")]
    if not filled:
        return
    document = process.document
    meta = get_meta(document.doctype)
    before = dict(document.data)
    document.data = {**before, **dict.fromkeys(filled)}
    save_fields(document, "data", "modified")
    core_services.record_change(meta, document, before, actor=actor)


def return_for_revision(
    task_id: int,
    *,
    actor: User,
    comment: str,
    to_step: str = "",
    attachments: Sequence[Attachment] = (),
) -> ApprovalProcess:
    """Return (退回) the document to the requester, or to an earlier step to decide again."""
    with transaction.atomic(), writes_together():
        reason = _need_reason(comment, _("退回"))
        task, process, step, _step_tasks = task_for_action(task_id, actor)
        flow = engine.current_flow(process)
        if not to_step and not step.allow_reject:
            # A job that cannot be refused goes back to whoever gave it (the repair worker's
            # to 总务处派工), from the inbox's card as from its page; at a first step, to the
            # requester.
            earlier = earlier_steps(process, step)
            to_step = earlier[-1]["key"] if earlier else ""
        if to_step:
            if to_step not in [r["key"] for r in earlier_steps(process, step)]:
                raise DocumentStateError(_("只能退回到之前的审批步骤"))
        elif process.document.docstatus != DocStatus.DRAFT:
            raise DocumentStateError(_("单据已提交，不能退回给申请人；只能退回到之前已提交的步骤"))
        close_task(task, TaskStatus.RETURNED, reason)
        _log_task(process, task, step, "return", attachments)
        engine.open_tasks(process).update(status=TaskStatus.CLOSED)
        if to_step:
            engine.activate(process, flow.step(to_step), last_actor=None)
        else:
            engine.finish(process, ProcessStatus.RETURNED, actor=actor)
    return process


def earlier_steps(process: ApprovalProcess, step: Step) -> list[dict[str, Any]]:
    """Return the route steps before `step` it may be returned to.

    The route lists steps in the order approving takes them; a submitted document can only go
    back to steps that keep it submitted.
    """
    flow = engine.current_flow(process)
    keys = [r["key"] for r in process.route]
    if step.key not in keys:
        return []
    return [
        r
        for r in process.route[: keys.index(step.key)]
        if r["status"] not in ("skipped", "off")
        and (step.docstatus == DocStatus.DRAFT or flow.step(r["key"]).docstatus == step.docstatus)
    ]


def _tell_signers(process: ApprovalProcess, document: Document, actor: User) -> None:
    """An approved document cancelled: a trail line, and the requester and everyone who
    approved it told, since the money or goods they signed for are taken back."""
    process.document = document
    signed = User.objects.filter(
        pk__in=ApprovalTask.objects.filter(process=process, status=TaskStatus.APPROVED)
        .exclude(assignee=None)
        .values("assignee")
    )
    engine.log(process, "cancel", actor=actor)
    told = {u.pk: u for u in [process.requester, *signed] if u.pk != actor.pk and u.is_active}
    notices.voided(process, told.values())


def close_on_cancel(document: Document, actor: User) -> None:
    """Close the approval still running on a document just cancelled (locked by the caller);
    on an approved one, tell those who signed it (`_tell_signers`).

    Only a document waiting at a step that submitted it can be cancelled mid-flow; no action
    of the flow could take it out (a submitted document is neither withdrawn nor returned to
    its requester, and its rejections lead to other submitted steps), so cancelling ends the
    run: a trail line at the step it waited at, and the requester and waiting approvers told.
    """
    process = locked_process(document)
    if process is not None and process.status == ProcessStatus.APPROVED:
        _tell_signers(process, document, actor)
    if process is None or process.status != ProcessStatus.RUNNING:
        return
    process.document = document
    step = engine.current_flow(process).step(process.current_step)
    waiting = [
        t.assignee
        for t in engine.open_tasks(process)
        .filter(status=TaskStatus.PENDING)
        .select_related("assignee")
    ]
    engine.log(process, "cancel", actor=actor, step=step)
    engine.finish(process, ProcessStatus.CANCELLED, actor=actor)
    told = [process.requester, *waiting]
    notices.cancelled(process, [u for u in told if u.pk != actor.pk])
