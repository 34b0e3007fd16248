"""What the resource routes and `frappe.client.*` do, as thin calls into the engine.

Reads go through `core.permissions`; writes through `core.services`, which check permission
and validate themselves. Compound writes (insert then submit) share one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from school_logistics.api import query
from school_logistics.api.errors import DoesNotExistError, DuplicateEntryError, ValidationError
from school_logistics.api.serialize import doc_to_dict, field_value, input_values
from school_logistics.core import permissions, services
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.plans import planned_for_arguments
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError

DEFAULT_PAGE_LENGTH = 20
MAX_PAGE_LENGTH = 1000
MAX_INSERT_MANY = 200


def resolve(doctype: Any) -> Meta:
    """Return the meta of a top-level DocType; child tables are read through their parent."""
    if not isinstance(doctype, str) or not doctype.strip() or len(doctype) > 140:
        raise ValidationError(_("请提供单据类型 doctype"))
    try:
        meta = get_meta(doctype)
    except Http404 as exc:
        raise DoesNotExistError(_("没有这种单据类型：%(d)s") % {"d": doctype}) from exc
    if meta.istable:
        raise PermissionDenied(_("子表“%(d)s”只能随主单据读写") % {"d": meta.label})
    return meta


def int_arg(value: Any, name: str, default: int) -> int:
    """Read a whole-number argument (Frappe sends them as text); refuse anything else."""
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ValidationError(_("%(name)s 应为整数") % {"name": name}) from exc
    if number < 0 or number > 10**9:
        raise ValidationError(_("%(name)s 超出范围") % {"name": name})
    return number


def truthy(value: Any, default: bool = True) -> bool:
    if value in (None, ""):
        return default
    return str(value).strip().lower() not in {"0", "false", "no", "off"}


@planned_for_arguments()
def get_list(
    user: User,
    doctype: Any,
    *,
    fields: Any = None,
    filters: Any = None,
    or_filters: Any = None,
    order_by: Any = None,
    limit_start: Any = None,
    limit_page_length: Any = None,
    as_dict: Any = True,
) -> list[Any]:
    """Return one page of the documents the user may read, with the fields asked for."""
    meta = resolve(doctype)
    permissions.check_permission(user, meta, "read")
    names = query.select_fields(meta, fields)
    qs = permissions.readable(user, meta).filter(query.filters_q(meta, filters, or_filters))
    qs = qs.select_related("owner", "modified_by").order_by(*query.order_by(meta, order_by))
    start = int_arg(limit_start, "limit_start", 0)
    length = int_arg(limit_page_length, "limit_page_length", DEFAULT_PAGE_LENGTH)
    if length > MAX_PAGE_LENGTH:
        raise ValidationError(_("每页最多 %(n)s 条") % {"n": MAX_PAGE_LENGTH})
    # 0 means "all", as in Frappe; more than one page's worth must be read page by page.
    docs = list(qs[start : start + (length or MAX_PAGE_LENGTH + 1)])
    if not length and len(docs) > MAX_PAGE_LENGTH:
        raise ValidationError(
            _("结果超过 %(n)s 条，请用 limit_start 和 limit_page_length 分页读取")
            % {"n": MAX_PAGE_LENGTH}
        )
    rows = [[field_value(meta, d, n) for n in names] for d in docs]
    if truthy(as_dict):
        return [dict(zip(names, row, strict=True)) for row in rows]
    return rows


@planned_for_arguments()
def get_count(user: User, doctype: Any, *, filters: Any = None, or_filters: Any = None) -> int:
    meta = resolve(doctype)
    permissions.check_permission(user, meta, "read")
    return (
        permissions.readable(user, meta).filter(query.filters_q(meta, filters, or_filters)).count()
    )


def _name(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ValidationError(_("请提供单据编号 name"))
    return str(value)[:140]


def get_doc(user: User, doctype: Any, name: Any) -> dict[str, Any]:
    meta = resolve(doctype)
    doc = permissions.get_document(user, meta, _name(name), "read")
    return doc_to_dict(meta, doc)


@planned_for_arguments()
def find_name(user: User, meta: Meta, filters: Any) -> str:
    """Return the name of the first readable document matching `filters` (or a name itself)."""
    if isinstance(filters, str | int) and not isinstance(filters, bool):
        return _name(filters)
    qs = permissions.readable(user, meta).filter(query.filters_q(meta, filters))
    name = qs.order_by("-modified", "-id").values_list("name", flat=True).first()
    if name is None:
        raise DoesNotExistError(_("找不到符合条件的 %(d)s") % {"d": meta.label})
    return name


def get_value(
    user: User, doctype: Any, fieldname: Any, filters: Any = None, as_dict: Any = True
) -> Any:
    """Return chosen field values of the first matching document, as Frappe's get_value does."""
    meta = resolve(doctype)
    permissions.check_permission(user, meta, "read")
    names = query.select_fields(meta, fieldname)
    doc = permissions.get_document(user, meta, find_name(user, meta, filters), "read")
    values = {n: field_value(meta, doc, n) for n in names}
    if isinstance(fieldname, str) and not truthy(as_dict, default=False):
        return values[names[0]]
    return values if truthy(as_dict) else [values[n] for n in names]


def _classify_insert_error(
    meta: Meta, values: dict[str, Any], exc: DocumentValidationError
) -> None:
    """Raise 409 DuplicateEntryError when the name the document would get is already taken."""
    duplicate = set(exc.errors) == {"name"}
    if meta.autoname.startswith("field:"):
        wanted = str(values.get(meta.autoname.removeprefix("field:")) or "").strip()
        duplicate = duplicate or (
            bool(wanted) and Document.objects.filter(doctype=meta.name, name=wanted).exists()
        )
    if duplicate:
        raise DuplicateEntryError(exc.messages()[0], errors=exc.errors) from exc


def insert(user: User, doc: Any, doctype: Any = None) -> dict[str, Any]:
    """Create a document from a client body; `docstatus: 1` submits it in the same transaction."""
    if not isinstance(doc, dict):
        raise ValidationError(_("单据内容应为 JSON 对象"))
    meta = resolve(doctype or doc.get("doctype"))
    values = input_values(meta, doc)
    submit = str(doc.get("docstatus", 0)) == "1"
    try:
        with transaction.atomic():
            instance = services.create_document(meta.name, values, actor=user)
            if submit:
                instance = services.submit_document(meta.name, instance.name, actor=user)
    except DocumentValidationError as exc:
        _classify_insert_error(meta, values, exc)
        raise
    return doc_to_dict(meta, instance)


def insert_many(user: User, docs: Any) -> list[str]:
    """Create several documents in one transaction: all of them, or none when one fails."""
    if not isinstance(docs, list) or not docs:
        raise ValidationError(_("docs 应为单据的列表"))
    if len(docs) > MAX_INSERT_MANY:
        raise ValidationError(_("一次最多插入 %(n)s 条") % {"n": MAX_INSERT_MANY})
    with transaction.atomic():
        return [insert(user, d)["name"] for d in docs]


def save(
    user: User, doctype: Any, name: Any, doc: Any, *, submit_draft: bool = False
) -> dict[str, Any]:
    """Save changed fields; with `submit_draft`, a draft whose body says docstatus 1 is submitted."""
    meta = resolve(doctype)
    name = _name(name)
    values = input_values(meta, doc)
    with transaction.atomic():
        instance = services.save_document(meta.name, name, values, actor=user)
        wants_submit = isinstance(doc, dict) and str(doc.get("docstatus", "")) == "1"
        if submit_draft and wants_submit and instance.docstatus == 0:
            instance = services.submit_document(meta.name, name, actor=user)
    return doc_to_dict(meta, instance)


def set_value(user: User, doctype: Any, name: Any, fieldname: Any, value: Any) -> dict[str, Any]:
    """Set one field (or a dict of fields) of a document and return it."""
    if isinstance(fieldname, dict):
        values = fieldname
    elif isinstance(fieldname, str):
        values = {fieldname: value}
    else:
        raise ValidationError(_("fieldname 应为字段名或字段值对象"))
    return save(user, doctype, name, values)


def submit(user: User, doc: Any) -> dict[str, Any]:
    """Submit a draft named in the body, saving any field values sent with it first."""
    if not isinstance(doc, dict):
        raise ValidationError(_("单据内容应为 JSON 对象"))
    meta = resolve(doc.get("doctype"))
    name = _name(doc.get("name"))
    values = input_values(meta, doc)
    with transaction.atomic():
        if values:
            services.save_document(meta.name, name, values, actor=user)
        instance = services.submit_document(meta.name, name, actor=user)
    return doc_to_dict(meta, instance)


def cancel(user: User, doctype: Any, name: Any) -> dict[str, Any]:
    meta = resolve(doctype)
    instance = services.cancel_document(meta.name, _name(name), actor=user)
    return doc_to_dict(meta, instance)


def delete(user: User, doctype: Any, name: Any) -> None:
    meta = resolve(doctype)
    services.delete_document(meta.name, _name(name), actor=user)
