"""Excel in and out of a DocType: the import template, the upload, its progress, the export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from school_logistics.core import data_export, data_import, import_template, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import DataImport, School, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import doctype_slug, list_url, resolve_doctype
from school_logistics.core.views.htmx import render_page

RECENT_IMPORTS = 5


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=data_export.XLSX_TYPE)
    # RFC 6266: browsers take the UTF-8 name; the ASCII fallback keeps old clients working.
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{escape_uri_path(filename)}"
    )
    return response


def _importer(request: HttpRequest, doctype: str) -> tuple[Meta, User]:
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    permissions.check_permission(user, meta, "create")
    return meta, user


def status_url(meta: Meta, record: DataImport) -> str:
    return reverse("desk:import_status", args=[doctype_slug(meta.name), record.pk])


@login_required
@require_GET
def template(request: HttpRequest, doctype: str) -> HttpResponse:
    """Send the .xlsx template of a DocType to someone who may create its documents."""
    meta, user = _importer(request, doctype)
    content = import_template.template_workbook(meta, user)
    return xlsx_response(content, import_template.template_filename(meta))


def _schools(user: User) -> list[School]:
    return list(School.objects.filter(pk__in=user.school_ids()).order_by("name"))


def _chosen_school(request: HttpRequest, user: User) -> School | None:
    """Return the school picked on the form (district staff serve several), else the user's."""
    raw = (request.POST.get("school") or "").strip()
    if not raw:
        return user.school
    school = School.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if school is None or not permissions.in_users_schools(user, school.pk):
        raise PermissionDenied(_("没有权限：导入到该学校"))
    return school


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show the upload form; on POST store the file, queue the import and show its progress."""
    meta, user = _importer(request, doctype)
    errors: list[str] = []
    if request.method == "POST":
        school = _chosen_school(request, user)
        upload_file = request.FILES.get("file")
        if upload_file is None:
            errors.append(_("请选择要导入的 Excel 文件"))
        else:
            try:
                record = data_import.start_import(meta.name, upload_file, actor=user, school=school)
            except DocumentValidationError as exc:
                errors.extend(exc.messages())
            else:
                return redirect(status_url(meta, record))
    context: dict[str, Any] = {
        "meta": meta,
        "list_url": list_url(meta),
        "template_url": reverse("desk:import_template", args=[doctype_slug(meta.name)]),
        "errors": errors,
        "schools": _schools(user),
        "current_school_id": user.school_id,
        "recent": [
            (r, status_url(meta, r))
            for r in DataImport.objects.filter(created_by=user, doctype=meta.name)[:RECENT_IMPORTS]
        ],
        "max_mb": data_import.MAX_IMPORT_BYTES // 1024 // 1024,
        "max_documents": data_import.MAX_DOCUMENTS,
        "nav_doctype": meta.name,
    }
    return render_page(request, "desk/import.html", context, status=400 if errors else 200)


@login_required
@require_GET
def status(request: HttpRequest, doctype: str, pk: int) -> HttpResponse:
    """Show an import's progress and result to the user who started it (polled by htmx)."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    record = DataImport.objects.filter(pk=pk, created_by=user, doctype=meta.name).first()
    if record is None:
        raise Http404(_("找不到这次导入"))
    done = data_import.live_done(record)
    percent = 100 if record.is_finished else (done * 100 // record.total if record.total else 0)
    context: dict[str, Any] = {
        "meta": meta,
        "record": record,
        "done": done,
        "percent": percent,
        "list_url": list_url(meta),
        "upload_url": reverse("desk:import", args=[doctype_slug(meta.name)]),
        "status_url": status_url(meta, record),
        "nav_doctype": meta.name,
    }
    return render_page(
        request, "desk/import_status.html", context, partial="desk/_import_status.html"
    )


@login_required
@require_GET
def export(request: HttpRequest, doctype: str) -> HttpResponse:
    """Send the documents the list shows under its current filters, for holders of `export`."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    permissions.check_permission(user, meta, "export")
    docs = data_export.export_queryset(user, meta, request.GET).iterator(chunk_size=500)
    content = data_export.export_workbook(meta, docs)
    return xlsx_response(content, data_export.export_filename(meta))
