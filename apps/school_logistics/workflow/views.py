"""Approval pages: the inbox, the home card, and the action endpoints (the form's approval
panel is in panel_views)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from school_logistics.core import extensions, permissions
from school_logistics.core.attachments import upload_attachment
from school_logistics.core.document import child_metas_for
from school_logistics.core.forms_input import editable_fields, parse_post
from school_logistics.core.meta import Meta
from school_logistics.core.models import Attachment, Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError, refusal_text
from school_logistics.core.views.doctypes import form_url
from school_logistics.core.views.form import render_form
from school_logistics.core.views.list_query import page_param
from school_logistics.workflow import actions, handover, inbox, requester
from school_logistics.workflow.flows import flow_of, flow_text, task_step
from school_logistics.workflow.models import (
    ApprovalTask,
    TaskStatus,
    Workflow,
)

TASK_ACTIONS = {
    "approve": gettext_lazy("已同意"),
    "reject": gettext_lazy("已拒绝"),
    "return": gettext_lazy("已退回"),
    "transfer": gettext_lazy("已转交"),
    "add_approver": gettext_lazy("已加签"),
}
DOCUMENT_ACTIONS = {
    "start": gettext_lazy("已提交审批"),
    "withdraw": gettext_lazy("已撤回"),
    "urge": gettext_lazy("已催办"),
}


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = default
    return HttpResponseRedirect(target or default)


def _run(request: HttpRequest, call: Callable[[], object], done: str, default: str) -> HttpResponse:
    """Run one action; show its outcome or its refusal as a message and go back."""
    try:
        call()
    except (DocumentValidationError, DocumentStateError) as exc:
        messages.error(request, _refusal(exc))
        return _back(request, default)
    messages.success(request, done)
    return _back(request, default)


# What the decision form posts; anything else came from the document's own form.
DECISION_KEYS = ("csrfmiddlewaretoken", "comment", "to_step", "user", "position", "next")


@login_required
@require_POST
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    """Approve, reject, return, transfer or add an approver on one of the user's tasks.

    The action itself reads the task under lock and refuses anyone else's, so the page reads
    it beforehand only when files or the step's fields come with the action (neither is stored
    for someone else's task). A decision from a page whose step asks for fields (the repair
    record at 维修, the reporter's note at 报修人确认) brings them along: they are saved and the
    decision taken together.
    """
    user: User = request.user  # type: ignore[assignment]
    comment = request.POST.get("comment", "").strip()
    files: list[Attachment] = []
    uploads = request.FILES.getlist("files")[:5]
    if uploads:
        _own_task(task_id, user)
        try:
            files = [upload_attachment(f, actor=user) for f in uploads]
        except DocumentValidationError as exc:
            messages.error(request, "；".join(exc.messages()))
            return _back(request, _task_page(task_id))
    calls = {
        "approve": lambda: actions.approve(task_id, actor=user, comment=comment, attachments=files),
        "reject": lambda: actions.reject(task_id, actor=user, comment=comment, attachments=files),
        "return": lambda: actions.return_for_revision(
            task_id,
            actor=user,
            comment=comment,
            to_step=request.POST.get("to_step", ""),
            attachments=files,
        ),
        "transfer": lambda: handover.transfer(
            task_id,
            actor=user,
            to_user=request.POST.get("user", "").strip(),
            comment=comment,
            attachments=files,
        ),
        "add_approver": lambda: handover.add_approver(
            task_id,
            actor=user,
            user=request.POST.get("user", "").strip(),
            position=request.POST.get("position", ""),
            comment=comment,
            attachments=files,
        ),
    }
    if action not in calls:
        raise PermissionDenied(_("不支持的操作"))
    filled = _filled_fields(request, task_id, user)
    try:
        if filled is not None:
            meta, document, values = filled
            try:
                process = actions.fill_then(document, values, actor=user, decide=calls[action])
            except DocumentValidationError as exc:
                # The page again with what was typed and why it was refused: nothing is lost
                # (the address bar shows the document's page, so a refresh posts nothing).
                return render_form(
                    request, meta, document, posted=values, errors=exc.errors, status=400
                )
        else:
            process = calls[action]()
    except (DocumentValidationError, DocumentStateError) as exc:
        return _refused(request, task_id, _refusal(exc))
    document = process.document
    verb = flow_of(process.version).step(process.acted_step).verbs.get(action)
    messages.success(
        request, _("已%(verb)s") % {"verb": flow_text(verb)} if verb else TASK_ACTIONS[action]
    )
    return _back(request, form_url(get_meta(document.doctype), document.name))


def _filled_fields(
    request: HttpRequest, task_id: int, user: User
) -> tuple[Meta, Document, dict[str, Any]] | None:
    """The document's fields posted with a decision from its page (saved with it), or None
    when only the decision was posted (the inbox, a step that asks for nothing)."""
    posted = request.POST.copy()
    for key in DECISION_KEYS:
        posted.pop(key, None)
    if not posted:
        return None
    task = _own_task(task_id, user)
    meta = get_meta(task.document.doctype)
    document = permissions.get_document(user, meta, task.document.name, "read", related=("owner",))
    # Every posted field, as the desk's own save reads them: the service refuses any the step
    # does not ask this approver for, and says which.
    values = parse_post(meta, child_metas_for(meta), posted, editable_fields(meta, DocStatus.DRAFT))
    return (meta, document, values) if values else None


def _own_task(task_id: int, user: User) -> ApprovalTask:
    task = get_object_or_404(ApprovalTask.objects.select_related("document"), pk=task_id)
    if task.assignee_id != user.pk:
        raise PermissionDenied(_("这条审批任务不是您的"))
    return task


def _task_document(task_id: int) -> tuple[str, str] | None:
    """The DocType and name of the document a task belongs to, None for no such task."""
    return (
        ApprovalTask.objects.filter(pk=task_id)
        .values_list("document__doctype", "document__name")
        .first()
    )


def _refused(request: HttpRequest, task_id: int, reason: str) -> HttpResponse:
    """Say why a decision was refused and go back where it was taken: the document's page, or
    the list it came from (the inbox), where the message names the document."""
    found = _task_document(task_id)
    if found is None:
        messages.error(request, reason)
        return _back(request, "/app/approvals/")
    meta = get_meta(found[0])
    messages.error(request, _naming(meta, found[1], reason) if request.POST.get("next") else reason)
    return _back(request, form_url(meta, found[1]))


def _naming(meta: Meta, name: str, reason: str) -> str:
    """Return a refusal led by the document it is about: 物资申购单 REQ-…：reason."""
    return _("%(doc)s：%(reason)s") % {"doc": f"{meta.label} {name}", "reason": reason}


def _task_page(task_id: int) -> str:
    """The page of the document a task belongs to: where a refused action goes back to."""
    found = _task_document(task_id)
    return form_url(get_meta(found[0]), found[1]) if found else "/app/approvals/"


def _refusal(exc: DocumentValidationError | DocumentStateError) -> str:
    if isinstance(exc, DocumentValidationError):
        return "；".join(m for msgs in exc.errors.values() for m in msgs)
    return str(exc)


@login_required
@require_POST
def batch_approve(request: HttpRequest) -> HttpResponse:
    """Approve several tasks at once; each is checked and logged on its own.

    What the inbox sends to its page instead (a step that asks for fields, a document with a
    warning to read first) is refused here too; each refusal names its document.
    """
    user: User = request.user  # type: ignore[assignment]
    ids = [int(i) for i in request.POST.getlist("task") if i.isdigit()]
    if not ids:
        messages.warning(request, _("请先勾选要同意的审批"))
        return _back(request, "/app/approvals/")
    # The user's own tasks among those sent (decided already or not), to name their documents.
    mine = {
        t.pk: t
        for t in ApprovalTask.objects.filter(pk__in=ids, assignee=user).select_related(
            "document", "process__version__workflow"
        )
    }
    waiting = [t for t in mine.values() if t.status == TaskStatus.PENDING]
    warned = _decision_warnings([inbox.Row(t.document, t, None) for t in waiting])
    done, refused = 0, []
    for task_id in ids:
        task = mine.get(task_id)
        try:
            if task in waiting and (task.document.pk in warned or task_step(task).required_fields):
                raise DocumentStateError(_("请打开单据，在单据页面审批"))
            actions.approve(task_id, actor=user, comment=request.POST.get("comment", ""))
            done += 1
        except (DocumentStateError, DocumentValidationError, PermissionDenied) as exc:
            reason = refusal_text(exc)
            if task is not None:
                reason = _naming(get_meta(task.document.doctype), task.document.name, reason)
            refused.append(reason)
    if done:
        messages.success(
            request, ngettext("已同意 %(n)s 条", "已同意 %(n)s 条", done) % {"n": done}
        )
    for reason in refused:
        messages.error(request, reason)
    return _back(request, "/app/approvals/")


@login_required
@require_POST
def document_action(request: HttpRequest, doctype: str, name: str, action: str) -> HttpResponse:
    """Submit for approval, withdraw or urge: the requester's actions on a document."""
    user: User = request.user  # type: ignore[assignment]
    meta = get_meta(doctype)
    comment = request.POST.get("comment", "").strip()
    calls = {
        "start": lambda: actions.start_approval(meta.name, name, actor=user, comment=comment),
        "withdraw": lambda: requester.withdraw(meta.name, name, actor=user, comment=comment),
        "urge": lambda: requester.urge(meta.name, name, actor=user),
    }
    if action not in calls:
        raise PermissionDenied(_("不支持的操作"))
    return _run(request, calls[action], str(DOCUMENT_ACTIONS[action]), form_url(meta, name))


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The approval inbox with its four tabs."""
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "todo")
    if tab not in inbox.TABS:
        tab = "todo"
    filters = _inbox_filters(request)
    page = int(page_param(request.GET.get("page", "")))
    # One row more than a page says whether another page follows.
    rows = inbox.rows(user, tab, filters, limit=inbox.PAGE + 1, offset=(page - 1) * inbox.PAGE)
    has_next, rows = len(rows) > inbox.PAGE, rows[: inbox.PAGE]
    now = timezone.now()
    warnings = _decision_warnings(rows) if tab == "todo" else {}
    for row in rows:
        meta = get_meta(row.document.doctype)
        row.note = meta.label
        row.url = form_url(meta, row.document.name)  # type: ignore[attr-defined]
        row.overdue = bool(row.task and row.task.due_at and row.task.due_at < now)  # type: ignore[attr-defined]
        row.waiting = (now - row.task.created) if row.task and tab == "todo" else None  # type: ignore[attr-defined]
        step = task_step(row.task) if row.task and tab == "todo" else None
        row.verbs = step.verbs if step else {}  # type: ignore[attr-defined]
        row.can_reject = step.allow_reject if step else False  # type: ignore[attr-defined]
        # 我已处理 lists a document once per decision: each row says which one, and when.
        row.decision = inbox.decision(row.task) if row.task and tab == "done" else ""  # type: ignore[attr-defined]
        row.warning = warnings.get(row.document.pk, "")  # type: ignore[attr-defined]
        # A run that passed says 已通过 for good; the document cancelled since is what counts.
        cancelled = row.document.docstatus == DocStatus.CANCELLED
        outcome = row.process.get_status_display() if row.process else ""
        row.outcome = _("已作废") if cancelled else outcome  # type: ignore[attr-defined]
        # A step that needs fields filled in (the repair record) is decided on its page, and so
        # is a document with a warning to read first.
        row.on_page = bool(step and step.required_fields) or bool(row.warning)  # type: ignore[attr-defined]
    return render(
        request,
        "workflow/inbox.html",
        {
            "tab": tab,
            "tabs": [(key, _(label)) for key, label in inbox.TABS.items()],
            "counts": inbox.counts(user),
            "rows": rows,
            # Ticking and 同意所选 only where a row may be approved from the list at all.
            "batchable": tab == "todo" and any(not row.on_page for row in rows),  # type: ignore[attr-defined]
            "filters": filters,
            "filtering": any(
                v not in ("", None) for k, v in vars(filters).items() if k != "search"
            ),
            "doctypes": _inbox_doctypes(),
            "nav_approvals": True,
            "page": page,
            "previous_page": _with_page(request, page - 1) if page > 1 else "",
            "next_page": _with_page(request, page + 1) if has_next else "",
        },
    )


def _decision_warnings(rows: list[inbox.Row]) -> dict[int, str]:
    documents = [row.document for row in rows]
    warnings: dict[int, str] = {}
    for warn in extensions.decision_warnings:
        warnings.update(warn(documents))
    return warnings


def _with_page(request: HttpRequest, page: int) -> str:
    """Return the current query string (tab and filters) pointing at another page."""
    params = request.GET.copy()
    params["page"] = str(page)
    return params.urlencode()


def _inbox_filters(request: HttpRequest) -> inbox.Filters:
    """Read the filter bar; a value that does not parse is ignored rather than refused."""
    get = request.GET

    def amount(key: str) -> Decimal | None:
        try:
            return Decimal(get.get(key, "").strip() or "x")
        except InvalidOperation:
            return None

    return inbox.Filters(
        doctype=get.get("doctype", "")[:140],
        search=get.get("q", "").strip()[:60],
        requester=get.get("requester", "").strip()[:60],
        min_amount=amount("min"),
        max_amount=amount("max"),
        date_from=parse_date(get.get("from", "") or "") if _is_date(get.get("from")) else None,
        date_to=parse_date(get.get("to", "") or "") if _is_date(get.get("to")) else None,
    )


def _is_date(value: str | None) -> bool:
    try:
        return bool(value) and parse_date(value or "") is not None
    except ValueError:
        return False


def _inbox_doctypes() -> list[tuple[str, str]]:
    """DocTypes that have an approval flow, for the filter's select."""
    names = Workflow.objects.filter(is_active=True).values_list("doctype", flat=True).distinct()
    return [(n, get_meta(n).label) for n in sorted(set(names))]


HOME_TASKS = 5


def home_panel(request: HttpRequest) -> str:
    """The home page card with the user's pending approvals, most urgent first."""
    user: User = request.user  # type: ignore[assignment]
    pending = inbox.todo(user)
    count = pending.count()
    if not count:
        return ""
    now = timezone.now()
    first = inbox.first_rows(pending.order_by(*inbox.URGENT_FIRST), HOME_TASKS)
    tasks = list(first.select_related("document__owner").defer("document__data"))
    for task in tasks:
        meta = get_meta(task.document.doctype)
        task.label = meta.label  # type: ignore[attr-defined]
        task.url = form_url(meta, task.document.name)  # type: ignore[attr-defined]
        task.overdue = bool(task.due_at and task.due_at < now)  # type: ignore[attr-defined]
    return render_to_string(
        "workflow/_home.html", {"count": count, "tasks": tasks}, request=request
    )
