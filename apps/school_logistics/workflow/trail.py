"""The approval trail of a document as people read it: on the page, on paper and in the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from school_logistics.core.models import Document
from school_logistics.workflow.graph import END, REJECTED, approve_target

if TYPE_CHECKING:
    from school_logistics.workflow.definition import Flow
    from school_logistics.workflow.models import ApprovalLog, ApprovalProcess


@dataclass(frozen=True)
class TrailEntry:
    """One thing that happened on the approval route, in the order it happened."""

    step: str  # the step's label, e.g. "部门负责人审批"; "" for the requester's own actions
    actor: str  # display name of who acted (the delegate, when on_behalf_of is set)
    action: str  # label of the action, e.g. "同意", "拒绝", "退回", "提交", "自动通过"
    at: dt.datetime  # aware, UTC; shown in Asia/Shanghai
    comment: str = ""
    on_behalf_of: str = ""  # display name of the approver a delegate acted for
    attachments: tuple[tuple[str, str], ...] = ()  # (filename, url) of files given with it
    code: str = ""  # the action as stored ("cancel"), for formats that tell actions apart


# Translated when a trail is read, in the reader's language; the context keeps them apart
# from the same words on buttons ("同意" is "Approve" there, "Approved" here).
ACTION_LABELS = {
    "submit": pgettext_lazy("审批记录", "提交"),
    "resubmit": pgettext_lazy("审批记录", "重新提交"),
    "approve": pgettext_lazy("审批记录", "同意"),
    "reject": pgettext_lazy("审批记录", "拒绝"),
    "return": pgettext_lazy("审批记录", "退回"),
    "transfer": pgettext_lazy("审批记录", "转交"),
    "add_approver": pgettext_lazy("审批记录", "加签"),
    "withdraw": pgettext_lazy("审批记录", "撤回"),
    "cancel": pgettext_lazy("审批记录", "作废"),
    "urge": pgettext_lazy("审批记录", "催办"),
    "skip": pgettext_lazy("审批记录", "跳过"),
    "auto_approve": pgettext_lazy("审批记录", "自动通过"),
    "timeout_approve": pgettext_lazy("审批记录", "超时自动同意"),
    "remind": pgettext_lazy("审批记录", "超时提醒"),
    "escalate": pgettext_lazy("审批记录", "超时上报"),
    "fallback": pgettext_lazy("审批记录", "转交管理员"),
    "delegation_refused": pgettext_lazy("审批记录", "不适用代理"),
}
SYSTEM = gettext_noop("系统")


def _label(action: str) -> str:
    return str(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def _verb(log: ApprovalLog) -> str:
    """Return the step's own word for an approval or rejection (e.g. 派工), else ""."""
    if log.action not in ("approve", "reject") or not log.step:
        return ""
    from school_logistics.workflow.flows import flow_of

    try:
        step = flow_of(log.process.version).step(log.step)
    except KeyError:
        return ""
    return step.verbs.get(log.action, "")


@dataclass(frozen=True)
class TrailRound:
    """One submission's part of the trail: what happened from a (re)submission to its outcome."""

    number: int  # 1 for the first submission, 2 for the first resubmission, …
    status: str  # the run's status in the reader's language, e.g. "已退回"
    current: bool  # the document's latest run
    entries: list[TrailEntry]
    started: dt.datetime  # when this submission was made (aware, UTC)


def approval_rounds(document: Document) -> list[TrailRound]:
    """Return the document's trail by submission, oldest first; empty when it has no workflow.

    A step skipped on the route is shown where the run passed it, not when it was recorded.
    """
    from school_logistics.workflow.models import ApprovalLog, ProcessStatus

    logs = (
        ApprovalLog.objects.filter(document=document)
        .select_related("actor", "on_behalf_of", "process__version__workflow")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )
    runs: dict[int, list[ApprovalLog]] = {}
    for log in logs:
        runs.setdefault(log.process_id, []).append(log)
    last = len(runs)
    return [
        TrailRound(
            number=n,
            status=str(ProcessStatus(lines[0].process.status).label),
            current=n == last,
            entries=[_entry(log, at) for log, at in _as_the_run_went(lines[0].process, lines)],
            started=lines[0].process.started,
        )
        for n, lines in enumerate(runs.values(), start=1)
    ]


def approval_trail(document: Document) -> list[TrailEntry]:
    """Return the document's approval trail, oldest first; empty when it has no workflow."""
    return [e for r in approval_rounds(document) for e in r.entries]


def _entry(log: ApprovalLog, at: dt.datetime) -> TrailEntry:
    from school_logistics.workflow.flows import flow_text

    return TrailEntry(
        step=flow_text(log.step_label),
        actor=log.actor.display_name if log.actor else _(SYSTEM),
        action=flow_text(_verb(log)) or _label(log.action),
        at=at,
        # The engine's own notes are stored in the source language, like step labels.
        comment=_(log.comment) if log.comment and log.actor_id is None else log.comment,
        on_behalf_of=log.on_behalf_of.display_name if log.on_behalf_of else "",
        code=log.action,
        attachments=tuple(
            (a.filename, f"/files/{a.token}/{a.filename}") for a in log.attachments.all()
        ),
    )


def _as_the_run_went(
    process: ApprovalProcess, lines: list[ApprovalLog]
) -> list[tuple[ApprovalLog, dt.datetime]]:
    """Return one run's lines, each skip moved to where the run passed its step, with when.

    A submission records every step its route skips at once, before anyone has decided: read
    in that order the principal's skipped step came before the head's approval. Replaying the
    moves between steps puts each skip where the run walked past it, at the time of the action
    that moved it there; a skip the run never reached (it was returned before) is left out.
    """
    from school_logistics.workflow.flows import flow_of
    from school_logistics.workflow.models import ProcessStatus

    skips: dict[str, ApprovalLog] = {}
    for line in lines:
        if line.action == "skip":
            skips.setdefault(line.step, line)
    if not skips:
        return [(line, line.created) for line in lines]
    flow = flow_of(process.version)
    skipped = {r["key"] for r in process.route if r["status"] == "skipped"}
    shown: list[tuple[ApprovalLog, dt.datetime]] = []
    # The cancel of an approved document comes after the run's end, its skips included.
    lines = list(lines)
    after: list[ApprovalLog] = []
    while process.status == ProcessStatus.APPROVED and lines and lines[-1].action == "cancel":
        after.insert(0, lines.pop())

    def show_passed(position: str, to: str, at: dt.datetime) -> None:
        for key in _passed(flow, skipped, position, to):
            if key in skips:
                shown.append((skips.pop(key), at))

    position = ""  # where the run is: "" before its first step
    for line in lines:
        if line.action == "skip":
            continue
        if line.step and line.step != position:
            show_passed(position, line.step, shown[-1][1] if shown else line.created)
            position = line.step
        shown.append((line, line.created))
    # Where the run went after its last line: on to a step nobody has acted at yet, or the end.
    if process.status == ProcessStatus.APPROVED:
        end = END
    elif process.status == ProcessStatus.RUNNING:
        end = process.current_step
    else:
        end = ""
    if end and end != position:
        show_passed(position, end, process.finished or (shown[-1][1] if shown else process.started))
    return shown + [(line, line.created) for line in after]


def _passed(flow: Flow, skipped: set[str], position: str, to: str) -> list[str]:
    """Return the skipped steps a run walks past from step `position` ("": the start) to `to`.

    Empty when no approve or reject edge leads there past skipped steps only (a return to an
    earlier step goes there directly).
    """
    try:
        if position:
            step = flow.step(position)
            exits = [approve_target(flow, step)]
            if step.on_reject != REJECTED:
                exits.append(step.on_reject)
        else:
            exits = [flow.steps[0].key]
        for target in exits:
            walked: list[str] = []
            # Approve edges never come round again (graph.check_graph); the bound is for safety.
            while target != to and target in skipped and len(walked) < len(flow.steps):
                walked.append(target)
                target = approve_target(flow, flow.step(target))
            if target == to:
                return walked
    except KeyError:  # a step the version does not have: nothing to place
        pass
    return []
