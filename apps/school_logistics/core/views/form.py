"""The document form: new drafts, editing, read-only views of submitted documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from school_logistics.core import extensions, permissions, row_cells, services
from school_logistics.core.document import child_metas_for, load
from school_logistics.core.forms_input import editable_fields, parse_post
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import form_url, list_url, resolve_doctype
from school_logistics.core.views.formatting import doc_status
from school_logistics.core.views.layout import LayoutBuilder
from school_logistics.core.views.timeline import build_timeline


def _can(user: User, meta: Meta, ptype: str, instance: Document | None) -> bool:
    return permissions.has_permission(user, meta, ptype, instance)


def _buttons(user: User, meta: Meta, instance: Document | None) -> dict[str, bool]:
    """Return which actions the header offers; the services check every one again."""
    if instance is None:
        return {"save": True}
    draft = instance.docstatus == DocStatus.DRAFT
    submitted = instance.docstatus == DocStatus.SUBMITTED
    cancelled = instance.docstatus == DocStatus.CANCELLED
    on_submit_edit = (
        submitted
        and any(f.allow_on_submit for f in meta.value_fields)
        and not extensions.first_refusal(extensions.after_submit_guards, instance)
    )
    # A draft in approval (or rejected) is read-only; the approval panel says why.
    locked = draft and bool(extensions.first_refusal(extensions.edit_guards, instance))
    return {
        "save": (draft and not locked or on_submit_edit) and _can(user, meta, "write", instance),
        "submit": draft
        and meta.is_submittable
        and _can(user, meta, "submit", instance)
        and not extensions.first_refusal(extensions.submit_guards, instance),
        "cancel": submitted and _can(user, meta, "cancel", instance),
        "amend": cancelled
        and _can(user, meta, "amend", instance)
        and _can(user, meta, "create", None),
        "delete": draft and not locked and _can(user, meta, "delete", instance),
        "print": _can(user, meta, "print", instance),
    }


def render_form(
    request: HttpRequest,
    meta: Meta,
    instance: Document | None,
    *,
    posted: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    state_error: str = "",
    status: int = 200,
    refused: str = "",
) -> HttpResponse:
    """Render the form of a new or stored document, with the user's input after a failed save.

    `refused`: the heading of the errors when an action other than saving was refused (未能作废).
    """
    user: User = request.user  # type: ignore[assignment]
    child_metas = child_metas_for(meta)
    stored: dict[str, Any] = {}
    if instance is not None:
        stored = load(meta, instance).values
        values = {**stored, **(posted or {})}
    else:
        values = posted if posted is not None else _initial_values(meta, user)
    docstatus = instance.docstatus if instance else DocStatus.DRAFT
    buttons = _buttons(user, meta, instance)
    grant = extensions.granted_fields(instance, user) if instance else frozenset()
    granted, open_cells = row_cells.split_grant(grant)
    if granted:  # asked to complete these fields now (an approver's step), and only these
        buttons["save"] = True
        editable = set(granted)
    elif buttons["save"]:
        editable = {f.fieldname for f in editable_fields(meta, docstatus)}
        if docstatus == DocStatus.DRAFT:  # who it is from, when that can only be the user
            right = "write" if instance is not None else "create"
            fixed = permissions.own_name_fields(user, meta, right)
            editable -= fixed.keys()
            # Not posted: after a refused save they show what the document will hold.
            values = {**values, **({k: stored.get(k) for k in fixed} if instance else fixed)}
        if docstatus == DocStatus.SUBMITTED:
            open_cells = row_cells.on_submit_cells(meta, child_metas)
    else:
        editable = set()
    for table, cells in open_cells.items() if posted else ():
        # Fixed rows post only their open cells: after a refused save, show them in the
        # stored rows (the item, its name and unit) rather than rows of those cells alone.
        table_field = meta.get_field(table)
        if table_field is not None and table in values:
            child = child_metas[table_field.options]
            rows = stored.get(table) or []
            values[table] = row_cells.merge(table_field, child, rows, values[table], cells)[0]
    school_id = instance.school_id if instance else user.school_id
    omit: set[str] = set()
    step_only: frozenset[str] = frozenset()
    if not granted and docstatus == DocStatus.DRAFT:
        # A step fills these in: the drafter neither fills them nor sees them empty.
        step_only = extensions.step_only_fields(meta, school_id)
        editable -= step_only
        omit = {name for name in step_only if _empty(_value_at(values, name))}
    stored_rows = {
        t.fieldname: {r["name"]: r for r in stored.get(t.fieldname) or [] if r.get("name")}
        for t in meta.table_fields
    }
    choices = extensions.choices_for(meta, instance, user, values) if editable else {}
    fills = extensions.blank_fills_for(meta, school_id) if editable and school_id else {}
    layout = LayoutBuilder(
        meta=meta,
        child_metas=child_metas,
        values=values,
        editable=editable,
        open_cells=open_cells,
        omit=omit,
        closed_cells=frozenset(name for name in step_only if "." in name),
        choices={k: v for k, v in choices.items() if k in editable},
        blank_fills={k: v for k, v in fills.items() if k in editable},
        errors=errors or {},
        stored_rows=stored_rows,
        stored=stored if instance is not None else None,
        school_id=school_id,
    ).build()
    context: dict[str, Any] = {
        "meta": meta,
        "nav_doctype": meta.name,
        "doc": instance,
        "layout": layout,
        "buttons": buttons,
        "editing": bool(editable),
        "state_error": state_error,
        "refused": refused,
        # A refusal shown at an action's address (…/submit, a task's approve): the browser's
        # address bar is set back to the document's page (desk.js), so a refresh posts nothing.
        "page_url": _page_url(request, meta, instance),
        "list_url": list_url(meta),
        "form_action": form_url(meta, instance.name if instance else None),
        "panels": [panel(request, meta, instance) for panel in extensions.form_panels],
        "new_actions": [] if instance is not None else _new_actions(request, meta),
        "form_actions": [] if instance is None else _form_actions(request, meta, instance),
    }
    if instance is not None:
        if instance.docstatus == DocStatus.SUBMITTED and instance.workflow_state:
            instance.in_approval = extensions.in_approval(instance)  # type: ignore[attr-defined]
        context.update(
            status=doc_status(instance, meta),
            amended_from_url=form_url(meta, instance.amended_from) if instance.amended_from else "",
            amended_to=_amended_to(meta, instance),
            timeline=build_timeline(meta, child_metas, instance),
            attachments=list(instance.attachments.order_by("created")),
            owner_name=instance.owner.display_name,
        )
    return render(request, "desk/form.html", context, status=status)


def _page_url(request: HttpRequest, meta: Meta, instance: Document | None) -> str:
    url = form_url(meta, instance.name if instance else None)
    return url if request.method == "POST" and request.path != url else ""


def _empty(value: Any) -> bool:
    """No value, or a table of blank rows only (a new form starts each table with one)."""
    if isinstance(value, list):
        return all(not any(v not in (None, "") for v in row.values()) for row in value)
    return value in (None, "", 0)


def _form_actions(request: HttpRequest, meta: Meta, instance: Document) -> list[str]:
    return [html for action in extensions.form_actions if (html := action(request, meta, instance))]


def _new_actions(request: HttpRequest, meta: Meta) -> list[str]:
    return [html for action in extensions.new_form_actions if (html := action(request, meta))]


def _initial_values(meta: Meta, user: User) -> dict[str, Any]:
    """Return a new document's defaults, with one empty row in each table to start typing in."""
    values: dict[str, Any] = dict(services._defaults(meta, user))
    for table in meta.table_fields:
        values[table.fieldname] = [{}]
    return values


def _amended_to(meta: Meta, instance: Document) -> tuple[str, str] | None:
    if instance.docstatus != DocStatus.CANCELLED:
        return None
    name = (
        Document.objects.filter(doctype=meta.name, amended_from=instance.name)
        .values_list("name", flat=True)
        .first()
    )
    return (name, form_url(meta, name)) if name else None


@login_required
def new_document(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show an empty form, or create a draft from the posted one."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    permissions.check_permission(user, meta, "create")
    if request.method != "POST":
        return render_form(request, meta, None)
    child_metas = child_metas_for(meta)
    values = parse_post(meta, child_metas, request.POST, editable_fields(meta, DocStatus.DRAFT))
    try:
        instance = services.create_document(meta.name, values, actor=user)
    except DocumentValidationError as exc:
        return render_form(request, meta, None, posted=values, errors=exc.errors, status=400)
    messages.success(request, _("已保存 %(name)s") % {"name": instance.name})
    return redirect(form_url(meta, instance.name))


@login_required
def document_form(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    """Show a document, or save the posted changes to it."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    # The owner is named on the page and checked by the approval panel (撤回).
    instance = permissions.get_document(user, meta, name, "read", related=("owner",))
    if request.method != "POST":
        return render_form(request, meta, instance)
    if not extensions.granted_fields(instance, user):
        permissions.check_permission(user, meta, "write", instance)
    child_metas = child_metas_for(meta)
    # Parse every field that was posted, not only those the form showed: the service refuses
    # changes a submitted document does not allow, and the user learns why (409).
    values = parse_post(meta, child_metas, request.POST, editable_fields(meta, DocStatus.DRAFT))
    try:
        services.save_document(meta.name, instance.name, values, actor=user)
    except DocumentValidationError as exc:
        return render_form(request, meta, instance, posted=values, errors=exc.errors, status=400)
    except services.DocumentStateError as exc:
        return render_form(request, meta, instance, state_error=str(exc), status=409)
    messages.success(request, _("已保存 %(name)s") % {"name": instance.name})
    return redirect(form_url(meta, instance.name))


def _value_at(values: dict[str, Any], name: str) -> Any:
    """A field's value, or for `table.cell` the first row's value of the cell there is."""
    table, dot, cell = name.partition(".")
    if not dot:
        return values.get(name)
    return next((r[cell] for r in values.get(table) or [] if not _empty(r.get(cell))), None)
