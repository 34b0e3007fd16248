"""Pages of the form library (install with one click) and of form export and import."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core.models import DocType, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import list_url
from school_logistics.designer import library, services
from school_logistics.designer.exchange import (
    MAX_BUNDLE_BYTES,
    BundleError,
    export_bundle,
    import_bundle,
    parse_bundle,
)
from school_logistics.designer.views import editor_url


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    services.check_can_design(user)
    return user


def _problems(exc: DocumentValidationError) -> list[str]:
    """Return each refused part with its reasons, one line each."""
    return [
        (f"{key}：{'；'.join(msgs)}" if key != "__all__" else "；".join(msgs))
        for key, msgs in exc.errors.items()
    ]


@login_required
def library_page(request: HttpRequest) -> HttpResponse:
    """List the ready forms with what they contain and an install button each."""
    _admin(request)
    rows = []
    for form in library.forms():
        installed = form.installed
        rows.append(
            {
                "form": form,
                "installed": installed,
                "editor_url": editor_url(form.doctype) if installed else "",
                "list_url": list_url(get_meta(form.doctype)) if installed else "",
            }
        )
    return render(request, "designer/library.html", {"rows": rows})


@login_required
@require_POST
def library_install(request: HttpRequest, key: str) -> HttpResponse:
    """Install one ready form and open it in the designer; refusals go back to the library."""
    user = _admin(request)
    try:
        doctype, report = library.install(key, actor=user)
    except DocumentValidationError as exc:
        for line in _problems(exc):
            messages.error(request, line)
        return redirect("designer:library")
    messages.success(
        request, _("已安装：%(s)s。可以在设计器里修改后使用。") % {"s": report.summary()}
    )
    return redirect(editor_url(doctype))


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Download the chosen DocTypes (default: every admin-made one) as one JSON bundle."""
    user = _admin(request)
    names = request.GET.getlist("doctype")
    if not names:
        names = list(
            DocType.objects.filter(custom=True, istable=False)
            .order_by("name")
            .values_list("name", flat=True)
        )
    known = set(
        DocType.objects.filter(name__in=names, istable=False).values_list("name", flat=True)
    )
    missing = [n for n in names if n not in known]
    if missing:
        messages.error(request, _("没有这些单据类型：%(n)s") % {"n": "、".join(missing)})
        return redirect("designer:list")
    bundle = export_bundle(names, actor=user)
    body = json.dumps(bundle, ensure_ascii=False, indent=1, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="forms-{stamp}.json"'
    return response


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a bundle: every part is checked first and nothing changes on any problem."""
    user = _admin(request)
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("bundle")
        try:
            if upload is None:
                raise BundleError.single(_("请选择要导入的文件"))
            if upload.size is None or upload.size > MAX_BUNDLE_BYTES:
                raise BundleError.single(_("文件太大（最大 2 MB）"))
            report = import_bundle(parse_bundle(upload.read()), actor=user)
        except DocumentValidationError as exc:
            problems = _problems(exc)
        else:
            messages.success(request, _("已导入：%(s)s") % {"s": report.summary()})
            return redirect(reverse("designer:list"))
    return render(
        request, "designer/import.html", {"problems": problems}, status=400 if problems else 200
    )
