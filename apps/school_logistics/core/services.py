"""The only writers of documents: create, save, submit, cancel, amend, delete, comment.

Files are uploaded by `core.attachments`; a document claims them when saved.

Each service checks permission itself (so every door — page, API, import — gets the same rules),
runs in one transaction with the controller hooks, and records a Version row in it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import extensions, permissions, row_cells, search
from school_logistics.core.controllers import get_controller
from school_logistics.core.document import Doc, child_metas_for, load
from school_logistics.core.fetch import apply_fetches
from school_logistics.core.links import check_references
from school_logistics.core.meta import Meta
from school_logistics.core.models import (
    Attachment,
    Comment,
    Department,
    Document,
    School,
    User,
    Version,
)
from school_logistics.core.models.document import DocStatus
from school_logistics.core.naming import amended_name, make_name
from school_logistics.core.prepared import insert_rows, save_fields
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import (
    DocumentValidationError,
    check_sizes,
    clean_values,
    form_field,
)
from school_logistics.core.values import from_json, new_row_name, to_json
from school_logistics.core.versions import diff
from school_logistics.core.write_batch import writes_together


class DocumentStateError(Exception):
    """The action does not fit the document's state (e.g. editing a submitted one): HTTP 409."""


def today() -> dt.date:
    return timezone.localdate()


def _defaults(meta: Meta, actor: User) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in meta.value_fields:
        default = f.default
        if default in (None, "") or f.is_table:
            continue
        if default == "Today":
            default = today().isoformat()
        elif default == "__user":
            default = actor.username
        elif default == "__department":
            if not actor.department_id:
                continue  # someone of no department (a district's admin) chooses one
            default = actor.department.name  # type: ignore[union-attr]
        values[f.fieldname] = default
    return values


def _read_only_defaults(meta: Meta, defaults: dict[str, Any]) -> dict[str, Any]:
    """Return the typed defaults of fields input cannot set, as a new document's stored values."""
    typed: dict[str, Any] = {}
    for f in meta.value_fields:
        if f.fieldname in defaults and not f.accepts_input:
            try:
                typed[f.fieldname] = form_field(f).clean(defaults[f.fieldname])
            except ValidationError:
                continue  # a broken default in a definition leaves the field empty
    return typed


def _added_since(meta: Meta, instance: Document) -> dict[str, Any]:
    """The defaults of the fields the form gained since this draft was stored (the designer
    added them): they start as on a new form, its owner's (a required 申请部门 defaulting to the
    department, read-only for a teacher, would otherwise stop the draft from being saved)."""
    missing = {
        f.fieldname
        for f in meta.value_fields
        if not f.is_table and f.default not in (None, "") and f.fieldname not in instance.data
    }
    if not missing:
        return {}
    return {k: v for k, v in _defaults(meta, instance.owner).items() if k in missing}


def _lock(instance: Document) -> Document:
    return Document.objects.select_for_update().get(pk=instance.pk)


def _promote(doc: Doc, before: dict[str, Any]) -> None:
    """Copy the fields every query needs from the JSON values to indexed columns."""
    meta, inst, values = doc.meta, doc.instance, doc.values
    if meta.title_field:
        inst.title = str(values.get(meta.title_field) or "")[:240]
    if meta.total_field:
        total = values.get(meta.total_field)
        inst.grand_total = Decimal(total) if total is not None else None
    if meta.date_field:
        inst.posting_date = values.get(meta.date_field)
    dept_field = meta.get_field("department")
    if not (dept_field and dept_field.link_doctype == "Department"):
        # A form with no department field (a designed one) is its requester's department's:
        # the head approves it and 仅本部门 reads it, as on the forms that have one.
        actor = doc.actor
        if (
            inst.department_id is None
            and actor is not None
            and actor.department_id is not None
            and actor.school_id == inst.school_id
            and (inst.pk is None or inst.owner_id == actor.pk)
        ):
            inst.department_id = actor.department_id
        return
    name = values.get("department")
    if inst.department_id is not None and before.get("department") == name:
        return  # the same department as stored: its row is already linked
    # Rows already read need no query: the document's joined department (submission
    # after approval) or the actor's own, read with the user (a new draft).
    for loaded in (
        inst.department if Document.department.is_cached(inst) else None,
        doc.actor.department if doc.actor and User.department.is_cached(doc.actor) else None,
    ):
        if loaded is not None and loaded.name == name and loaded.school_id == inst.school_id:
            inst.department = loaded
            return
    inst.department = (
        Department.objects.filter(school_id=inst.school_id, name=name).first() if name else None
    )


# Each computes or checks values from the DocType's own declarations right after cleaning
# (the designer's formulas and required-if rules); registered in ready(), so core imports none.
value_hooks: list[Callable[[Doc], None]] = []


# What arithmetic on a missing value raises in a controller written for complete documents.
HALF_FILLED = (TypeError, ValueError, KeyError, ArithmeticError)


def _validate(
    doc: Doc, raw: dict[str, Any], existing: dict[str, Any] | None, *, partial: bool = False
) -> None:
    """Clean, compute and check the values. `partial`: a form still being filled in, previewed:
    compute what can be computed and refuse nothing."""
    try:
        doc.values = clean_values(doc.meta, raw, doc.child_metas, existing, partial=partial)
    except DocumentValidationError as exc:
        _add_link_errors(doc, raw, existing, exc)
        raise
    doc.linked = {}
    # A half-filled form (None where a value is required) is met only by a preview: whatever a
    # step stops at there, the values computed before it still show.
    tolerated = (DocumentValidationError, *HALF_FILLED) if partial else ()
    # Links first: fields fetched from the linked records are then there for the formulas.
    steps: list[Callable[[Doc], None]] = [
        _check_links,
        functools.partial(apply_fetches, partial=partial),
        *value_hooks,
    ]
    for step in (*steps, get_controller(doc.meta.name).validate):
        try:
            step(doc)
        except tolerated:
            pass
    if not partial:
        check_sizes(doc.meta, doc.values, doc.child_metas)


def _add_link_errors(
    doc: Doc, raw: dict[str, Any], existing: dict[str, Any] | None, exc: DocumentValidationError
) -> None:
    """Add to a value's type errors the links that name nothing among the values that were
    fine, so a form or an imported row is told every problem in one round, not two."""
    doc.values = clean_values(doc.meta, raw, doc.child_metas, existing, partial=True)
    try:
        _check_links(doc)
    except DocumentValidationError as more:
        for key, messages in more.errors.items():
            exc.errors.setdefault(key, messages)


def _check_links(doc: Doc) -> None:
    doc.linked = check_references(
        doc.meta,
        doc.values,
        doc.child_metas,
        school_id=doc.instance.school_id,
        document_id=doc.instance.pk,
    )


# What `save()` writes to an existing document row: every column but the id.
_ROW_FIELDS = tuple(f.name for f in Document._meta.concrete_fields if not f.primary_key)


def _store(
    doc: Doc,
    *,
    actor: User,
    action: str,
    before: dict[str, Any],
    before_insert: Callable[[Document], None] | None = None,
) -> None:
    inst = doc.instance
    # What the search row holds now, from the values stored so far (None: a new document).
    searched = (
        None if inst._state.adding else search.search_text(doc.meta, inst.name, inst.title, before)
    )
    inst.data = to_json(doc.meta, doc.values, doc.child_metas)
    _promote(doc, before)
    inst.modified_by = actor
    if inst._state.adding:
        if before_insert is not None:
            before_insert(inst)
        insert_rows([inst])
    else:
        save_fields(inst, *_ROW_FIELDS)
    search.store(inst, doc.meta, stored=searched)
    _link_attachments(doc)
    changes = diff(doc.meta, before, inst.data, doc.child_metas)
    if changes or action not in {"save", "update_after_submit"}:
        insert_rows([Version(document=inst, actor=actor, action=action, diff=changes)], defer=True)
    # Row names are assigned on storage; keep the typed values in step with them.
    doc.values = from_json(doc.meta, inst.data, doc.child_metas)


def record_change(meta: Meta, document: Document, before: dict[str, Any], *, actor: User) -> None:
    """Record in the document's history a change of its stored values that a service made
    rather than a form (a field a rejection empties)."""
    changes = diff(meta, before, document.data, child_metas_for(meta))
    if changes:
        action = "update_after_submit" if document.docstatus == DocStatus.SUBMITTED else "save"
        insert_rows(
            [Version(document=document, actor=actor, action=action, diff=changes)], defer=True
        )


def _link_attachments(doc: Doc) -> None:
    urls = [
        doc.values.get(f.fieldname)
        for f in doc.meta.value_fields
        if f.fieldtype in {"Attach", "Attach Image"} and doc.values.get(f.fieldname)
    ]
    tokens = [str(u).strip("/").split("/")[1] for u in urls]
    if tokens:
        Attachment.objects.filter(token__in=tokens, document=None).update(document=doc.instance)


def _meta_for_write(doctype: str) -> Meta:
    meta = get_meta(doctype)
    if meta.istable:
        raise DocumentStateError(_("子表“%(doctype)s”只能随主单据保存") % {"doctype": meta.label})
    return meta


def create_document(
    doctype: str,
    values: dict[str, Any],
    *,
    actor: User,
    school: School | None = None,
    savepoint: bool = True,
    before_insert: Callable[[Document], None] | None = None,
) -> Document:
    """Validate and insert a new draft; its name comes from the DocType's naming rule.

    `savepoint=False`: the caller's transaction rolls back on any error (no savepoint made).
    `before_insert` sees the validated row, named, just before its INSERT (a flow started in
    the same transaction sets its first state there instead of updating the row after).
    """
    meta = _meta_for_write(doctype)
    permissions.check_permission(actor, meta, "create")
    school = school or actor.school
    if school is None:
        raise DocumentValidationError.single(_("请先为用户指定所属学校"))
    if not permissions.in_users_schools(actor, school.pk):
        raise PermissionDenied(_("没有权限：在“%(school)s”新建单据") % {"school": school.name})
    _refuse_step_only(meta, extensions.step_only_fields(meta, school.pk), {}, values)
    with transaction.atomic(savepoint=savepoint):
        doc = _new_doc(meta, values, actor, school)
        _refuse_others_names(doc, permissions.own_name_fields(actor, meta, "create"))
        instance = doc.instance
        instance.name = make_name(meta, doc.values, doc.values.get(meta.date_field) or today())
        # A taken name is caught by the unique constraint below: no look-up first, and no
        # savepoint either, since the error leaves this transaction (or the caller's savepoint).
        try:
            _store(doc, actor=actor, action="create", before={}, before_insert=before_insert)
        except IntegrityError as exc:
            raise DocumentValidationError.single(
                _("编号“%(name)s”已存在") % {"name": instance.name}, "name"
            ) from exc
    return instance


def _new_doc(
    meta: Meta, values: dict[str, Any], actor: User, school: School, *, partial: bool = False
) -> Doc:
    """A new document of `values` over the DocType's defaults, validated, not stored."""
    instance = Document(doctype=meta.name, owner=actor, modified_by=actor, school=school)
    doc = Doc(meta, instance, {}, child_metas_for(meta), actor)
    defaults = _defaults(meta, actor)
    _validate(doc, {**defaults, **values}, _read_only_defaults(meta, defaults), partial=partial)
    return doc


def preview_document(doctype: str, values: dict[str, Any], *, actor: User) -> Document:
    """Return a new document as `create_document` would store it (defaults, computed totals,
    department) from a form still being filled in, not saved, e.g. to show its approval route:
    what is missing or wrong stays empty instead of being refused."""
    meta = _meta_for_write(doctype)
    permissions.check_permission(actor, meta, "create")
    if actor.school is None:
        raise DocumentValidationError.single(_("请先为用户指定所属学校"))
    doc = _new_doc(meta, values, actor, actor.school, partial=True)
    doc.instance.data = to_json(meta, doc.values, doc.child_metas)
    _promote(doc, {})
    return doc.instance


def save_document(
    doctype: str, name: str, values: dict[str, Any], *, actor: User, savepoint: bool = True
) -> Document:
    """Update a draft (any field) or a submitted document (allow-on-submit fields only).

    `savepoint=False`: the caller's transaction rolls back on any error (no savepoint made).
    """
    meta = _meta_for_write(doctype)
    with transaction.atomic(savepoint=savepoint), writes_together():
        instance = _lock(permissions.get_document(actor, meta, name, "read"))
        before = instance.data
        child_metas = child_metas_for(meta)
        granted, open_cells = row_cells.split_grant(extensions.granted_fields(instance, actor))
        if granted:
            # Someone asked to complete some fields now (e.g. an approver's step): only those.
            _refuse_outside(meta, granted, before, values)
            refusal = _("此时只能填写指定字段，不能修改：%(fields)s")
        else:
            permissions.check_permission(actor, meta, "write", instance)
            refusal = _("已提交的单据不能修改：%(fields)s")
        if instance.docstatus == DocStatus.CANCELLED:
            raise DocumentStateError(_("已作废的单据不能修改"))
        if not granted and instance.docstatus == DocStatus.SUBMITTED:
            _refuse_if_guarded(extensions.after_submit_guards, instance)
            open_cells = row_cells.on_submit_cells(meta, child_metas)
        values = _merge_open_cells(meta, child_metas, open_cells, before, values, refusal)
        if instance.docstatus == DocStatus.DRAFT and not granted:
            _refuse_if_guarded(extensions.edit_guards, instance)
            step_only = extensions.step_only_fields(meta, instance.school_id)
            _refuse_step_only(meta, step_only, before, values)
        if instance.docstatus == DocStatus.SUBMITTED:
            blocked = [
                f.label
                for f in meta.value_fields
                if f.fieldname in values
                and not f.allow_on_submit
                and _changed(meta, f.fieldname, before, values)
            ]
            if blocked:
                raise DocumentStateError(refusal % {"fields": "、".join(blocked)})
            # What is left of the other fields equals what is stored: keep the stored form
            # (row ids included), so an echoed document records no phantom changes.
            values = {k: v for k, v in values.items() if _allowed_after_submit(meta, k)}
        doc = Doc(meta, instance, {}, child_metas, actor)
        existing = from_json(meta, before, doc.child_metas)
        raw = {**before, **values}
        if not granted and instance.docstatus == DocStatus.DRAFT:
            added = _added_since(meta, instance)
            raw = {**added, **raw}
            existing = {**existing, **_read_only_defaults(meta, added)}
        _validate(doc, raw, existing)
        if not granted and instance.docstatus == DocStatus.DRAFT:
            fixed = permissions.own_name_fields(actor, meta, "write")
            changed = {k for k in fixed.keys() & values.keys() if _changed(meta, k, before, values)}
            _refuse_others_names(doc, {k: fixed[k] for k in changed})
        action = "update_after_submit" if instance.docstatus == DocStatus.SUBMITTED else "save"
        _store(doc, actor=actor, action=action, before=before)
    return instance


def _refuse_others_names(doc: Doc, fixed: dict[str, str]) -> None:
    """Refuse a document naming someone else, or another department, as the one it is from,
    when the actor may only file their own (`permissions.own_name_fields`)."""
    errors: dict[str, list[str]] = {}
    for name, own in fixed.items():
        value = doc.values.get(name)
        f = doc.meta.get_field(name)
        if value in (None, "", own) or f is None:
            continue
        if f.fieldtype == "User":
            errors[name] = [_("%(label)s只能是您本人") % {"label": f.label}]
        else:
            errors[name] = [
                _("%(label)s只能是您所在的部门“%(department)s”")
                % {"label": f.label, "department": own}
            ]
    if errors:
        raise DocumentValidationError(errors)


def _merge_open_cells(
    meta: Meta,
    child_metas: dict[str, Meta],
    open_cells: row_cells.OpenCells,
    before: dict[str, Any],
    values: dict[str, Any],
    refusal: str,
) -> dict[str, Any]:
    """Take only the open cells of tables whose rows are fixed now, refusing any other change."""
    values = dict(values)
    changed: list[str] = []
    for fieldname, cells in open_cells.items():
        table = meta.get_field(fieldname)
        if fieldname not in values or table is None:
            continue
        stored = before.get(fieldname) or []
        values[fieldname], refused = row_cells.merge(
            table, child_metas[table.options], stored, values[fieldname], cells
        )
        changed += refused
    if changed:
        raise DocumentStateError(refusal % {"fields": "、".join(changed)})
    return values


def _refuse_step_only(
    meta: Meta, step_only: frozenset[str], before: dict[str, Any], values: dict[str, Any]
) -> None:
    """Fields an approval step fills in are not the drafter's to fill (nor to clear); cells
    (`table.cell`) not to fill in any row."""
    errors = {
        name: [_("%(label)s在审批到相应步骤时填写") % {"label": f.label}]
        for name in sorted(step_only & values.keys())
        if (f := meta.get_field(name)) is not None
        and (_changed(meta, name, before, values) if before else _filled(meta, name, values))
    }
    for name in sorted(step_only):
        table_name, dot, cell = name.partition(".")
        if dot and table_name in values:
            errors.update(_filled_cells(meta, table_name, cell, before, values))
    if errors:
        raise DocumentValidationError(errors)


def _filled_cells(
    meta: Meta, table_name: str, cell: str, before: dict[str, Any], values: dict[str, Any]
) -> dict[str, list[str]]:
    """The rows in which the drafter gave a step's cell a value it did not have."""
    table = meta.get_field(table_name)
    assert table is not None
    child = child_metas_for(meta)[table.options]
    f = child.get_field(cell)
    if f is None:
        return {}
    stored = {r.get("name"): r.get(cell) for r in before.get(table_name) or []}
    single, children = _single_field_meta(meta, table), {table.options: child}
    try:
        cleaned = clean_values(single, {table_name: values[table_name]}, children, partial=True)
    except DocumentValidationError:
        return {}  # the rows' own errors are reported by the validation that follows
    errors = {}
    for idx, row in enumerate(to_json(single, cleaned, children)[table_name] or [], start=1):
        value = row.get(cell)
        if value and value != stored.get(row.get("name")):
            errors[f"{table_name}.{idx}.{cell}"] = [
                _("%(table)s第 %(idx)s 行：") % {"table": table.label, "idx": idx}
                + _("%(label)s在审批到相应步骤时填写") % {"label": f.label}
            ]
    return errors


def _filled(meta: Meta, fieldname: str, values: dict[str, Any]) -> bool:
    """Whether an input gives a field a value (an unticked box or no rows gives none)."""
    f = meta.get_field(fieldname)
    assert f is not None
    single = _single_field_meta(meta, f)
    child_metas = child_metas_for(single)
    try:
        cleaned = clean_values(single, {fieldname: values[fieldname]}, child_metas)
    except DocumentValidationError:
        return True  # something was typed there
    return bool(to_json(single, cleaned, child_metas).get(fieldname))


def _refuse_outside(
    meta: Meta, granted: frozenset[str], before: dict[str, Any], values: dict[str, Any]
) -> None:
    blocked = [
        f.label
        for f in meta.value_fields
        if f.fieldname in values
        and f.fieldname not in granted
        and _changed(meta, f.fieldname, before, values)
    ]
    if blocked:
        raise DocumentStateError(
            _("此时只能填写指定字段，不能修改：%(fields)s") % {"fields": "、".join(blocked)}
        )


def _changed(meta: Meta, fieldname: str, stored: dict[str, Any], values: dict[str, Any]) -> bool:
    """Compare an input value with the stored one after the same cleaning, so "5" equals 5."""
    f = meta.get_field(fieldname)
    if f is None:
        return True
    if not f.is_table and not f.accepts_input:
        return False  # input never sets a computed field, so echoing it back changes nothing
    single = _single_field_meta(meta, f)
    child_metas = child_metas_for(single)
    try:
        one = clean_values(single, {fieldname: values[fieldname]}, child_metas)
    except DocumentValidationError:
        return True
    new = to_json(single, one, child_metas).get(fieldname)
    old = stored.get(fieldname)
    if f.is_table:
        # Rows posted without their ids get new ones; compare what the rows say, in order,
        # in the cells input sets (a fetched name or a row's amount is worked out on save).
        inputs = [c.fieldname for c in child_metas[f.options].value_fields if c.accepts_input]
        return _row_contents(new, inputs) != _row_contents(old, inputs)
    return bool(new != old)


def _row_contents(rows: Any, cells: list[str]) -> list[dict[str, Any]]:
    return [{c: row.get(c) for c in cells} for row in rows or []]


def _allowed_after_submit(meta: Meta, fieldname: str) -> bool:
    f = meta.get_field(fieldname)
    return f is None or f.allow_on_submit


def _single_field_meta(meta: Meta, f: Any) -> Meta:
    from dataclasses import replace

    return replace(meta, fields=(f,), _by_name={f.fieldname: f})


def _refuse_if_guarded(guards: list[Any], instance: Document) -> None:
    message = extensions.first_refusal(guards, instance)
    if message:
        raise DocumentStateError(message)


def submit_document(doctype: str, name: str, *, actor: User) -> Document:
    """Submit a draft: run validation and the before/on submit hooks in one transaction."""
    meta = _meta_for_write(doctype)
    if not meta.is_submittable:
        raise DocumentStateError(_("此类单据不需要提交"))
    with transaction.atomic(), writes_together():
        instance = _lock(permissions.get_document(actor, meta, name, "submit"))
        _refuse_if_guarded(extensions.submit_guards, instance)
        return submit_locked(meta, instance, actor=actor)


def send_document(doctype: str, name: str, *, actor: User) -> None:
    """Send a draft on its way as its 提交 button does: into its approval flow where one
    governs it, else submitted (a document one service files for another, e.g. 报修)."""
    for sender in extensions.senders:
        if sender(doctype, name, actor):
            return
    submit_document(doctype, name, actor=actor)


def check_submittable(meta: Meta, instance: Document, *, actor: User) -> None:
    """Refuse a document that is not a draft or does not pass validation as it stands."""
    if instance.docstatus != DocStatus.DRAFT:
        raise DocumentStateError(
            _("只有草稿可以提交，此单据已是“%(s)s”") % {"s": instance.get_docstatus_display()}
        )
    doc = load(meta, instance, actor)
    _validate(doc, instance.data, doc.values)
    get_controller(meta.name).before_send(doc)


def check_sendable(meta: Meta, instance: Document, *, actor: User) -> None:
    """Run the controller's checks on sending (a menu a week ahead, a requisition within its
    budget) on a draft validated as it was saved in this same transaction."""
    get_controller(meta.name).before_send(load(meta, instance, actor))


def submit_locked(
    meta: Meta, instance: Document, *, actor: User, validated: bool = False
) -> Document:
    """Submit a locked draft whose rights were checked by the caller (the user or the workflow).

    `validated`: the stored values passed validation when the caller last let them change (a
    workflow submits what its approvers approved; every edit during approval was validated),
    so they are submitted as they are, not recomputed or refused at the last approval.
    """
    if instance.docstatus != DocStatus.DRAFT:
        raise DocumentStateError(
            _("只有草稿可以提交，此单据已是“%(s)s”") % {"s": instance.get_docstatus_display()}
        )
    doc = load(meta, instance, actor)
    controller = get_controller(meta.name)
    before = instance.data
    if not validated:
        _validate(doc, before, doc.values)
    controller.before_send(doc)
    controller.before_submit(doc)
    instance.docstatus = DocStatus.SUBMITTED
    _store(doc, actor=actor, action="submit", before=before)
    controller.on_submit(doc)
    return instance


def cancel_document(doctype: str, name: str, *, actor: User) -> Document:
    """Cancel a submitted document; its controller reverses what submission posted, and the
    layers above close what still runs on it (an approval waiting at a submitted step)."""
    meta = _meta_for_write(doctype)
    with transaction.atomic(), writes_together():
        instance = _lock(permissions.get_document(actor, meta, name, "cancel"))
        if instance.docstatus != DocStatus.SUBMITTED:
            raise DocumentStateError(_("只有已提交的单据可以作废"))
        doc = load(meta, instance, actor)
        instance.docstatus = DocStatus.CANCELLED
        instance.modified_by = actor
        instance.save(update_fields=["docstatus", "modified_by", "modified"])
        Version.objects.create(document=instance, actor=actor, action="cancel", diff={})
        get_controller(meta.name).on_cancel(doc)
        for hook in extensions.cancel_hooks:
            hook(instance, actor)
    return instance


def amend_document(doctype: str, name: str, *, actor: User) -> Document:
    """Copy a cancelled document into a new draft named `NAME-1` that remembers its origin."""
    meta = _meta_for_write(doctype)
    with transaction.atomic():
        original = _lock(permissions.get_document(actor, meta, name, "amend"))
        permissions.check_permission(actor, meta, "create")
        if original.docstatus != DocStatus.CANCELLED:
            raise DocumentStateError(_("只有已作废的单据可以修订"))
        if Document.objects.filter(doctype=meta.name, amended_from=original.name).exists():
            raise DocumentStateError(_("此单据已被修订过"))
        data = _amended_data(meta, original.data)
        instance = Document.objects.create(
            doctype=meta.name,
            name=amended_name(original.name, meta.name),
            owner=actor,
            modified_by=actor,
            school_id=original.school_id,
            department_id=original.department_id,
            title=original.title,
            grand_total=original.grand_total,
            posting_date=original.posting_date,
            amended_from=original.name,
            data=data,
        )
        search.store(instance, meta, stored=None)
        Version.objects.create(
            document=instance, actor=actor, action="amend", diff={"amended_from": original.name}
        )
    return instance


def _amended_data(meta: Meta, data: dict[str, Any]) -> dict[str, Any]:
    """The cancelled document's values for its amendment: rows renamed, and without the fields
    and cells marked no_copy (what a step checked, such as 已交旧, is checked again)."""
    children = child_metas_for(meta)
    kept: dict[str, Any] = {}
    for key, value in data.items():
        f = meta.get_field(key)
        if f is not None and f.no_copy:
            continue
        if isinstance(value, list):
            child = children.get(f.options) if f is not None and f.is_table else None
            dropped = {c.fieldname for c in child.value_fields if c.no_copy} if child else set()
            value = [
                {**{k: v for k, v in row.items() if k not in dropped}, "name": new_row_name()}
                for row in value
            ]
        kept[key] = value
    return kept


def delete_document(doctype: str, name: str, *, actor: User) -> None:
    """Delete a draft; submitted and cancelled documents stay for the record."""
    meta = _meta_for_write(doctype)
    with transaction.atomic():
        instance = _lock(permissions.get_document(actor, meta, name, "delete"))
        if instance.docstatus != DocStatus.DRAFT:
            raise DocumentStateError(_("只有草稿可以删除"))
        _refuse_if_guarded(extensions.edit_guards, instance)
        _refuse_if_guarded(extensions.delete_guards, instance)
        if Document.objects.filter(doctype=meta.name, amended_from=instance.name).exists():
            raise DocumentStateError(_("此单据已被修订，不能删除"))
        instance.delete()


def add_comment(doctype: str, name: str, content: str, *, actor: User) -> Comment:
    meta = get_meta(doctype)
    content = content.strip()
    if not content:
        raise DocumentValidationError.single(_("评论不能为空"), "content")
    if len(content) > 5000:
        raise DocumentValidationError.single(_("评论最多 5000 字"), "content")
    instance = permissions.get_document(actor, meta, name, "read")
    return Comment.objects.create(document=instance, actor=actor, content=content)
