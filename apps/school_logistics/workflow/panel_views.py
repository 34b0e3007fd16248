"""The approval panel on each document's form (route, actions, trail) and the form bar's
提交审批 button."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow import actions, graph, requester
from school_logistics.workflow.current import current_run
from school_logistics.workflow.flows import flow_of, task_step, workflow_for
from school_logistics.workflow.models import (
    ApprovalProcess,
    ApprovalTask,
    TaskStatus,
    WorkflowVersion,
)
from school_logistics.workflow.routing import SUPERIOR_NOTE, plan_route
from school_logistics.workflow.trail import approval_rounds


def form_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """Render the approval panel on a document's form: route, actions and trail."""
    if document is None or not meta.is_submittable:
        return ""
    user: User = request.user  # type: ignore[assignment]
    run = current_run(document)
    process = run.process
    version = _next_run_version(document)
    if process is None and version is None:
        return ""  # no flow governs it, or it was submitted before one did
    context: dict[str, Any] = {"doc": document, "meta": meta, "process": process, "user": user}
    if version is not None:
        plan = plan_route(
            flow_of(version),
            document.data,
            requester=document.owner,
            school=document.school,
            department=document.department,
        )
        context["preview"] = plan
        context["can_start"], context["save_first"] = _start_rights(user, meta, document)
    if process is not None:
        # One read of the run's tasks serves the route diagram and the user's own pending task.
        context["route"] = _route_view(process, [t for t in run.tasks if t.activation > 0])
        task = run.pending_task_of(user)
        context["task"] = task
        if task is not None:
            step = task_step(task)
            context["verbs"] = step.verbs
            # A step that allows no rejection (the repair worker's) offers return and hand-over.
            context["can_reject"] = step.allow_reject
            # The step's fields are in the document's form above: the decision is sent with it,
            # so it saves what was just typed (a refusal comes back with the comment kept).
            context["with_fields"] = bool(step.editable_fields)
            # Typed on the inbox card before it opened this page, or refused with the decision.
            context["comment"] = request.POST.get("comment") or request.GET.get("comment", "")
            context["earlier_steps"] = actions.earlier_steps(process, step)
            # A submitted document cannot go back to its requester as a draft.
            context["can_return_to_requester"] = document.docstatus == DocStatus.DRAFT
        context["is_requester"] = process.requester_id == user.pk
        context["can_withdraw"] = requester.can_withdraw(process, document, user)
    context["trail_rounds"] = approval_rounds(document)
    return render_to_string("workflow/_panel.html", context, request=request)


def _governed(document: Document) -> bool:
    """Whether a flow governs the document now (asked once per loaded row)."""
    if "approval_workflow" not in document.memo:
        document.memo["approval_workflow"] = workflow_for(document.doctype, document.school_id)
    return document.memo["approval_workflow"] is not None


def _next_run_version(document: Document) -> WorkflowVersion | None:
    """The version a new run would follow: a draft's never started, or one back with its
    requester; None when the document cannot be (re)submitted."""
    if "approval_next_version" not in document.memo:
        process = current_run(document).process
        version: WorkflowVersion | None = None
        if process is None:
            workflow = document.memo.get("approval_workflow") if _governed(document) else None
            if workflow is not None and document.docstatus == DocStatus.DRAFT:
                version = workflow.latest()
        elif process.status in ("returned", "withdrawn"):
            version = process.version
        document.memo["approval_next_version"] = version
    return document.memo["approval_next_version"]


def _start_rights(user: User, meta: Meta, document: Document) -> tuple[bool, bool]:
    """Return whether the user may (re)submit the document, and whether edits are saved first."""
    can_start = document.owner_id == user.pk or permissions.has_permission(
        user, meta, "submit", document
    )
    # Whoever may edit the draft submits the form as it stands: edits are saved first.
    save_first = document.docstatus == DocStatus.DRAFT and permissions.has_permission(
        user, meta, "write", document
    )
    return can_start, save_first


def start_bar_button(request: HttpRequest, meta: Meta, document: Document) -> str:
    """Return 提交审批 / 重新提交审批 for the form's action bar, or "" when not offered there.

    On a phone the approval panel's button sits below the whole form, while the bar at the
    bottom of the screen offered only 删除 and 保存. The panel still renders its own: this
    one posts the same way (the panel's form when no edits are saved first).
    """
    if not meta.is_submittable or _next_run_version(document) is None:
        return ""
    user: User = request.user  # type: ignore[assignment]
    can_start, save_first = _start_rights(user, meta, document)
    if not can_start:
        return ""
    again = current_run(document).process is not None
    return render_to_string(
        "workflow/_start_bar_button.html",
        {"meta": meta, "doc": document, "save_first": save_first, "again": again},
        request=request,
    )


SENT_BACK = (TaskStatus.REJECTED, TaskStatus.RETURNED)
DECISIONS = (TaskStatus.APPROVED, *SENT_BACK)


def _last_decision(tasks: list[ApprovalTask]) -> ApprovalTask | None:
    """The step's latest approval, rejection or return (tasks come oldest first)."""
    decided = [t for t in tasks if t.status in DECISIONS]
    return decided[-1] if decided else None


def _route_view(process: ApprovalProcess, tasks: list[ApprovalTask]) -> list[dict]:
    """Return each planned step with who holds or held it and its state, for the route diagram.

    `tasks` are the run's activated tasks, oldest first, with their assignees.
    """
    running = process.status == "running"
    # Steps nobody has held yet show who was planned for them: one read for all of them.
    planned = {
        approver
        for step in process.route
        if not any(t.step == step["key"] for t in tasks)
        for approver in step["approvers"]
    }
    planned_names = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=planned).only("username", "full_name")
    }
    # A rejection or return sent the document back: the steps it passed will decide again.
    ahead = graph.still_ahead(flow_of(process.version), process.current_step) if running else set()
    steps = []
    for step in process.route:
        mine = [t for t in tasks if t.step == step["key"]]
        if step["status"] == "off" and not mine:
            continue  # only a rerouting rejection leads there, and none did
        last = _last_decision(mine)
        if step["status"] == "skipped":
            state = "skipped"
        elif step["key"] == process.current_step and running:
            state = "current"
        elif step["key"] in ahead:
            state = "todo"
        elif last is not None and last.status in SENT_BACK:
            state = last.status  # rejected or returned here (and not passed since)
        elif mine and all(t.status != TaskStatus.PENDING for t in mine):
            state = "done"
        else:
            state = "todo"
        names = [t.assignee.display_name for t in mine] or [
            planned_names[pk] for pk in step["approvers"] if pk in planned_names
        ]
        # Planning notes (e.g. nobody found yet for a worker a later step names) are moot once
        # the step has real tasks; a real fallback is on the trail. Why a head's own request
        # went to their superior still explains who holds the step.
        notes = [n for n in step["notes"] if n == SUPERIOR_NOTE] if mine else step["notes"]
        reason = last.comment if last is not None and state in SENT_BACK else ""
        steps.append(
            {
                **step,
                "state": state,
                "names": list(dict.fromkeys(names)),
                "notes": notes,
                "reason": reason,
            }
        )
    return steps
