"""Share forms as one JSON bundle: DocTypes, customisations, approval flows and print formats.

A district exports its forms and its schools import them; the library of ready forms installs
the same bundles. An import checks every part inside one transaction and keeps nothing when any
part is refused, reporting each problem with where it is.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from school_logistics.core.models import DocType, User
from school_logistics.core.registry import clear_meta_cache, get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import services
from school_logistics.designer.customize import overlay, stored_customisations
from school_logistics.printing.sandbox import PrintTemplateError

FORMAT = "school-logistics-bundle"
VERSION = 1
MAX_BUNDLE_BYTES = 2_000_000
MAX_ITEMS = 200


class BundleError(DocumentValidationError):
    """A bundle refused as a whole; `errors` name each refused part."""


@dataclass
class ImportReport:
    """What an import did, in words for the admin."""

    doctypes: list[str] = field(default_factory=list)
    customised: list[str] = field(default_factory=list)
    workflows: list[str] = field(default_factory=list)
    print_formats: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for label, items in (
            (_("表单"), self.doctypes),
            (_("自定义设置"), self.customised),
            (_("审批流程"), self.workflows),
            (_("打印格式"), self.print_formats),
        ):
            if items:
                parts.append(f"{label}：{'、'.join(items)}")
        return "；".join(parts) or _("没有内容")


# ---- export ---------------------------------------------------------------------------------


def _with_children(names: list[str]) -> list[str]:
    """Return the DocTypes to export, each child table before the DocType that uses it."""
    ordered: list[str] = []
    for name in names:
        meta = get_meta(name)
        for table in meta.table_fields:
            if table.options not in ordered:
                ordered.append(table.options)
        if name not in ordered:
            ordered.append(name)
    return ordered


def _flow_of(doctype: str, actor: User) -> dict[str, Any] | None:
    from school_logistics.workflow.editor import editable_workflow, latest_version

    school = None if actor.is_superuser else actor.school
    workflow, _own = editable_workflow(doctype, school)
    latest = latest_version(workflow)
    if latest is None:
        return None
    return {"doctype": doctype, "definition": copy.deepcopy(latest.definition)}


def export_bundle(doctypes: list[str], *, actor: User) -> dict[str, Any]:
    """Return the bundle of the named DocTypes with their child tables, flows and print formats."""
    from school_logistics.printing.models import PrintFormat

    services.check_can_design(actor)
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "doctypes": [],
        "customisations": [],
        "workflows": [],
        "print_formats": [],
    }
    for name in _with_children(doctypes):
        row = DocType.objects.get(name=name)
        if row.custom:
            bundle["doctypes"].append(copy.deepcopy(row.definition))
        else:
            customs, setters = stored_customisations(name)
            if customs or setters:
                bundle["customisations"].append(
                    {
                        "doctype": name,
                        "custom_fields": [
                            {"fieldname": f, "insert_after": a, "definition": d}
                            for f, a, d in customs
                        ],
                        "property_setters": [
                            {"fieldname": f, "property": p, "value": v} for f, p, v in setters
                        ],
                    }
                )
        if row.is_submittable and not row.istable:
            flow = _flow_of(name, actor)
            if flow:
                bundle["workflows"].append(flow)
        formats = PrintFormat.objects.filter(doctype=name).filter(
            Q(school__isnull=True) | Q(school_id=actor.school_id)
        )
        for fmt in formats.order_by("name"):
            bundle["print_formats"].append(
                {
                    "doctype": name,
                    "name": fmt.name,
                    "template": fmt.template,
                    "css": fmt.css,
                    "page_size": fmt.page_size,
                    "is_default": fmt.is_default,
                }
            )
    return bundle


# ---- import ---------------------------------------------------------------------------------


def parse_bundle(data: bytes | str) -> dict[str, Any]:
    """Read an uploaded bundle file; refuse anything but a bundle of this format."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError.single(_("文件太大（最大 2 MB）"))
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise BundleError.single(_("文件不是有效的 JSON")) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BundleError.single(_("这不是表单交换文件（缺少 format: %(f)s）") % {"f": FORMAT})
    if raw.get("version") != VERSION:
        raise BundleError.single(_("不支持的交换文件版本：%(v)s") % {"v": raw.get("version")})
    for key in ("doctypes", "customisations", "workflows", "print_formats"):
        value = raw.setdefault(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise BundleError.single(_("“%(k)s”应为对象的列表") % {"k": key})
        if len(value) > MAX_ITEMS:
            raise BundleError.single(_("“%(k)s”项目太多") % {"k": key})
    return raw


def _message(exc: Exception) -> str:
    if isinstance(exc, DocumentValidationError):
        return "；".join(exc.messages())
    return str(exc) or type(exc).__name__


def _doctype(item: dict[str, Any], *, actor: User, install: bool, report: ImportReport) -> None:
    name = str(item.get("name") or "")
    row = DocType.objects.filter(name=name).first()
    if row is None:
        services.create_doctype(item, actor=actor)
    elif install:
        raise DocumentStateError(_("已安装过（已有单据类型“%(n)s”）") % {"n": name})
    elif not row.custom:
        raise DocumentStateError(_("“%(n)s”是内置单据类型，只能导入它的自定义设置") % {"n": name})
    else:
        services.save_doctype(name, item, actor=actor)
    report.doctypes.append(str(item.get("label") or name))


def _customisation(item: dict[str, Any], *, actor: User, report: ImportReport) -> None:
    name = str(item.get("doctype") or "")
    row = DocType.objects.filter(name=name).first()
    if row is None or row.custom:
        raise DocumentStateError(_("没有内置单据类型“%(n)s”") % {"n": name})
    customs = [
        (str(c["fieldname"]), str(c.get("insert_after") or ""), dict(c["definition"]))
        for c in item.get("custom_fields") or []
    ]
    setters = [
        (str(s.get("fieldname") or ""), str(s["property"]), s.get("value"))
        for s in item.get("property_setters") or []
    ]
    services.save_doctype(name, overlay(row.definition, customs, setters), actor=actor)
    report.customised.append(row.label or name)


def _workflow(item: dict[str, Any], *, actor: User, report: ImportReport) -> None:
    from school_logistics.workflow.editor import save_flow

    school = None if actor.is_superuser else actor.school
    version = save_flow(str(item.get("doctype") or ""), item.get("definition") or {}, actor=actor,
                        school=school)  # fmt: skip
    report.workflows.append(version.workflow.label)


def _print_format(item: dict[str, Any], *, actor: User, report: ImportReport) -> None:
    from school_logistics.printing.services import save_print_format

    fmt = save_print_format(
        str(item.get("doctype") or ""),
        str(item.get("name") or ""),
        str(item.get("template") or ""),
        actor=actor,
        css=str(item.get("css") or ""),
        page_size=str(item.get("page_size") or "A4 portrait"),
        is_default=bool(item.get("is_default")),
    )
    report.print_formats.append(fmt.name)


def _where(kind: str, item: Mapping[str, Any]) -> str:
    label = item.get("label") or item.get("name") or item.get("doctype") or "?"
    if kind == "print_formats":
        label = f"{item.get('doctype')} · {item.get('name')}"
    names = {
        "doctypes": _("表单"),
        "customisations": _("自定义设置"),
        "workflows": _("审批流程"),
        "print_formats": _("打印格式"),
    }
    return f"{names[kind]}“{label}”"


REFUSALS = (DocumentValidationError, DocumentStateError, PermissionDenied, Http404, ValueError,
            KeyError, TypeError, PrintTemplateError)  # fmt: skip


def import_bundle(bundle: Mapping[str, Any], *, actor: User, install: bool = False) -> ImportReport:
    """Apply a parsed bundle as a whole: every part or, on any refusal, none (BundleError).

    `install` (the library) refuses DocTypes that already exist instead of updating them.
    """
    services.check_can_design(actor)
    report = ImportReport()
    errors: dict[str, list[str]] = {}
    steps: list[tuple[str, Callable[..., None]]] = [
        ("doctypes", lambda item: _doctype(item, actor=actor, install=install, report=report)),
        ("customisations", lambda item: _customisation(item, actor=actor, report=report)),
        ("workflows", lambda item: _workflow(item, actor=actor, report=report)),
        ("print_formats", lambda item: _print_format(item, actor=actor, report=report)),
    ]
    try:
        with transaction.atomic():
            for kind, apply in steps:
                for item in bundle.get(kind) or []:
                    try:
                        with transaction.atomic():
                            apply(item)
                    except REFUSALS as exc:
                        errors.setdefault(_where(kind, item), []).append(_message(exc))
            if errors:
                raise BundleError(errors)
    finally:
        # Metadata read during a rolled-back import must not outlive it in this process.
        clear_meta_cache()
    return report


def main_doctype(bundle: Mapping[str, Any]) -> str:
    """Return the DocType a bundle is about: its last non-table DocType."""
    names = [d.get("name") for d in bundle.get("doctypes") or [] if not d.get("istable")]
    return str(names[-1]) if names else ""
