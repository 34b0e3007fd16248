"""A document's form under a flow: on a new one, the route it would take, shown as the form is
filled in, and 提交审批, which saves the document and starts its approval in one step; on an
editable draft, 提交审批 likewise saves the edits first.

The desk form offers them through `extensions.form_panels` and `extensions.new_form_actions`;
the engine's own 保存 (a draft) stays beside the button.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core import permissions
from school_logistics.core import services as core_services
from school_logistics.core.document import child_metas_for
from school_logistics.core.forms_input import editable_fields, parse_post
from school_logistics.core.meta import Meta
from school_logistics.core.models import Department, Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import doctype_slug, form_url, resolve_doctype
from school_logistics.core.views.form import render_form
from school_logistics.workflow import actions
from school_logistics.workflow.flows import flow_of, latest_version_for, workflow_for
from school_logistics.workflow.models import ApprovalProcess
from school_logistics.workflow.routing import plan_route


def _governed(request: HttpRequest, meta: Meta) -> bool:
    """Whether a flow governs the DocType in the user's school (asked once per page)."""
    asked: dict[str, bool] = request.__dict__.setdefault("_flow_governs", {})
    if meta.name not in asked:
        school_id = request.user.school_id  # type: ignore[union-attr]
        asked[meta.name] = (
            meta.is_submittable
            and school_id is not None
            and workflow_for(meta.name, school_id) is not None
        )
    return asked[meta.name]


def start_button(request: HttpRequest, meta: Meta) -> str:
    """Offer 提交审批 when a flow governs the DocType in the user's school."""
    if not _governed(request, meta):
        return ""
    return format_html(
        '<button type="submit" form="doc-form" formaction="{}" class="btn btn-primary" '
        'id="btn-save-start"><i class="fa-solid fa-paper-plane me-1"></i>{}</button>',
        reverse("approvals:new_and_start", args=[doctype_slug(meta.name)]),
        _("提交审批"),
    )


def _posted(request: HttpRequest, meta: Meta) -> dict:
    """The form's values as the desk's own save reads them."""
    fields = editable_fields(meta, DocStatus.DRAFT)
    return parse_post(meta, child_metas_for(meta), request.POST, fields)


def _save_and_send(
    request: HttpRequest,
    meta: Meta,
    instance: Document | None,
    send: Callable[[dict], ApprovalProcess],
) -> HttpResponse:
    """Run `send` on the posted form; on a refusal nothing is kept and the form comes back with
    the user's input and the reason."""
    values = _posted(request, meta)
    try:
        process = send(values)
    except DocumentValidationError as exc:
        return render_form(request, meta, instance, posted=values, errors=exc.errors, status=400)
    except DocumentStateError as exc:
        return render_form(request, meta, instance, posted=values, state_error=str(exc), status=409)
    name = process.document.name
    messages.success(request, _("已提交审批 %(name)s") % {"name": name})
    return redirect(form_url(meta, name))


@login_required
@require_POST
def new_and_start(request: HttpRequest, doctype: str) -> HttpResponse:
    """Save the posted new document and submit it for approval (提交审批 on a new form)."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    return _save_and_send(
        request, meta, None, lambda values: actions.create_and_start(meta.name, values, actor=user)
    )


@login_required
@require_POST
def save_and_start(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    """Save a draft's posted edits and submit it for approval (提交审批 on its approval panel),
    so the edits are not left out of what the approvers see."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    instance = permissions.get_document(user, meta, name, "read")
    return _save_and_send(
        request,
        meta,
        instance,
        lambda values: actions.save_and_start(meta.name, instance.name, values, actor=user),
    )


def route_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a new document's form: the route it would take, planned again as the form changes."""
    if document is not None or not _governed(request, meta):
        return ""
    url = reverse("approvals:new_route", args=[doctype_slug(meta.name)])
    return render_to_string("workflow/_new_route.html", {"url": url}, request=request)


@login_required
@require_POST
def new_route(request: HttpRequest, doctype: str) -> HttpResponse:
    """Plan the route of the posted new form as it stands, saving nothing: what is not filled
    in yet counts as empty, so the route is shown from the first keystroke."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    version = latest_version_for(meta.name, user.school_id) if user.school_id else None
    if version is None:
        return HttpResponse("")
    document = core_services.preview_document(meta.name, _posted(request, meta), actor=user)
    values, department = document.data, document.department
    assumed = _own_department(meta, values, user)
    if assumed is not None:
        values, department = {**values, "department": assumed.name}, assumed
    preview = plan_route(
        flow_of(version), values, requester=user, school=document.school, department=department
    )
    return render(
        request,
        "workflow/_new_route_plan.html",
        {"preview": preview, "assumed_department": assumed},
    )


def _own_department(meta: Meta, values: dict, user: User) -> Department | None:
    """Return the user's department while a required department field is still empty."""
    # Such a document cannot be saved without one, and the field starts as the user's own
    # (its `__department` default): planned as empty, the head's step showed the admin
    # fallback while 试一试 showed the head. An optional field saved empty routes as empty.
    field = meta.get_field("department")
    if field is None or field.link_doctype != "Department" or not field.reqd:
        return None
    if values.get("department"):
        return None
    return user.department
