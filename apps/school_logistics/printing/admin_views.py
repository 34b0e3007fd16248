"""Admins' print format pages: list per DocType, copy the standard, edit with a live preview."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import DocType, User
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import doctype_slug, resolve_doctype
from school_logistics.core.views.htmx import render_page
from school_logistics.printing import services
from school_logistics.printing.default_format import STANDARD_NAME, page_size_for, standard_template
from school_logistics.printing.models import PageSize, PrintFormat
from school_logistics.printing.preview import preview_format
from school_logistics.printing.sandbox import PrintTemplateError


def school_admin(request: HttpRequest, refusal: str) -> tuple[User, int]:
    """Return the signed-in admin of a school and its id, else refuse: print settings belong to
    one school."""
    user: User = request.user  # type: ignore[assignment]
    if not permissions.is_admin(user) or user.school_id is None:
        raise PermissionDenied(refusal)
    return user, user.school_id


def _admin(request: HttpRequest) -> tuple[User, int]:
    return school_admin(request, _("只有本校系统管理员可以管理打印格式"))


def print_formats_link(user: User) -> list[extensions.DeskLink]:
    """Offer a school's admin the print formats under 系统 in the sidebar."""
    if user.school_id is None or not permissions.is_admin(user):
        return []
    url = reverse("printing:formats")
    return [extensions.DeskLink("core", _("打印格式"), url, "fa-print")]


@dataclass
class DocTypeFormats:
    meta: Meta
    formats: list[PrintFormat] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return doctype_slug(self.meta.name)

    @property
    def standard_is_default(self) -> bool:
        return not any(f.is_default for f in self.formats)


@login_required
def format_list(request: HttpRequest) -> HttpResponse:
    """List every DocType with the school's print formats and which one is the default."""
    _user, school_id = _admin(request)
    return _list_page(request, school_id)


def _list_page(request: HttpRequest, school_id: int, error: str = "") -> HttpResponse:
    own = PrintFormat.objects.filter(school_id=school_id)
    by_doctype: dict[str, list[PrintFormat]] = {}
    for fmt in own:
        by_doctype.setdefault(fmt.doctype, []).append(fmt)
    names = DocType.objects.filter(istable=False).order_by("name").values_list("name", flat=True)
    rows = [DocTypeFormats(get_meta(n), by_doctype.get(n, [])) for n in names]
    rows.sort(key=lambda r: (r.meta.module, r.meta.label))
    context = {"rows": rows, "standard": STANDARD_NAME, "error": error}
    return render(request, "printing/formats.html", context, status=422 if error else 200)


def _form_context(meta: Meta, fmt: PrintFormat | None, data: dict[str, str]) -> dict[str, object]:
    return {
        "meta": meta,
        "slug": doctype_slug(meta.name),
        "format": fmt,
        "data": data,
        "page_sizes": PageSize.choices,
        "standard": STANDARD_NAME,
    }


@login_required
@require_http_methods(["GET", "POST"])
def format_edit(request: HttpRequest, doctype: str, name: str | None = None) -> HttpResponse:
    """Show or save one format; without a name, a new copy of the standard format."""
    user, school_id = _admin(request)
    meta = resolve_doctype(doctype)
    fmt = None
    if name is not None:
        fmt = PrintFormat.objects.filter(school_id=school_id, doctype=meta.name, name=name).first()
        if fmt is None:
            return render(
                request, "printing/problem.html", {"message": _("没有这个打印格式")}, status=404
            )
    if request.method == "POST":
        data = {
            "name": request.POST.get("name", ""),
            "template": request.POST.get("template", ""),
            "css": request.POST.get("css", ""),
            "page_size": request.POST.get("page_size", ""),
            "is_default": "1" if request.POST.get("is_default") else "",
        }
        try:
            saved = services.save_print_format(
                meta.name,
                data["name"],
                data["template"],
                actor=user,
                css=data["css"],
                page_size=data["page_size"],
                is_default=bool(data["is_default"]),
                create_only=fmt is None,
                rename_from=fmt.name if fmt is not None else None,
            )
        except PrintTemplateError as exc:
            context = _form_context(meta, fmt, data) | {"error": exc.display}
            return render(request, "printing/format_edit.html", context, status=422)
        url = reverse("printing:format-edit", args=[doctype_slug(meta.name), saved.name])
        return HttpResponseRedirect(url + "?saved=1")
    if fmt is not None:
        data = {
            "name": fmt.name,
            "template": fmt.template,
            "css": fmt.css,
            "page_size": fmt.page_size,
            "is_default": "1" if fmt.is_default else "",
        }
    else:
        data = {
            "name": _("%(label)s（本校）") % {"label": meta.label},
            "template": standard_template(meta),
            "css": "",
            "page_size": page_size_for(meta),
            "is_default": "",
        }
    context = _form_context(meta, fmt, data) | {"saved": request.GET.get("saved") == "1"}
    return render(request, "printing/format_edit.html", context)


@login_required
@require_POST
def format_preview(request: HttpRequest, doctype: str) -> HttpResponse:
    """Render the draft in the form (HTMX) against the newest document: the voucher or the error."""
    user, _school_id = _admin(request)
    meta = resolve_doctype(doctype)
    preview = preview_format(
        user,
        meta,
        request.POST.get("template", ""),
        request.POST.get("css", ""),
        request.POST.get("page_size", ""),
        base_url=request.build_absolute_uri("/"),
    )
    return render_page(
        request,
        "printing/format_preview_page.html",
        {"preview": preview, "meta": meta},
        partial="printing/_format_preview.html",
    )


@login_required
@require_POST
def format_default(request: HttpRequest, doctype: str) -> HttpResponse:
    """Choose the format the school prints a DocType with (the standard one included)."""
    user, school_id = _admin(request)
    meta = resolve_doctype(doctype)
    name = request.POST.get("name", "")
    try:
        services.set_default_format(meta.name, name, actor=user)
    except PrintTemplateError as exc:
        message = _("“%(label)s”的默认格式未改为“%(name)s”：%(error)s") % {
            "label": meta.label,
            "name": name,
            "error": exc.display,
        }
        return _list_page(request, school_id, message)
    return HttpResponseRedirect(reverse("printing:formats"))
