"""Document actions posted from the form: submit, cancel, amend, delete and comment."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core import permissions, services
from school_logistics.core.document import child_metas_for
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import form_url, list_url, resolve_doctype
from school_logistics.core.views.form import render_form
from school_logistics.core.views.htmx import is_htmx, render_page
from school_logistics.core.views.timeline import build_timeline

Service = Callable[..., Document | None]


def _run(
    request: HttpRequest,
    doctype: str,
    name: str,
    service: Service,
    done: Callable[[Meta, Document | None], tuple[str, str]],
    refused: str,
) -> HttpResponse:
    """Call one service for the document; redirect on success, show the form on failure,
    headed by what was refused (nothing was being saved)."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    instance = permissions.get_document(user, meta, name, "read")
    try:
        result = service(meta.name, instance.name, actor=user)
    except DocumentValidationError as exc:
        instance.refresh_from_db()
        return render_form(request, meta, instance, errors=exc.errors, status=400, refused=refused)
    except services.DocumentStateError as exc:
        instance.refresh_from_db()
        return render_form(request, meta, instance, state_error=str(exc), status=409)
    message, url = done(meta, result)
    messages.success(request, message)
    return redirect(url)


@login_required
@require_POST
def submit(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    return _run(
        request,
        doctype,
        name,
        services.submit_document,
        lambda meta, doc: (_("已提交 %(name)s") % {"name": name}, form_url(meta, name)),
        _("未能提交，请先处理以下问题："),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    return _run(
        request,
        doctype,
        name,
        services.cancel_document,
        lambda meta, doc: (_("已作废 %(name)s") % {"name": name}, form_url(meta, name)),
        _("未能作废："),
    )


@login_required
@require_POST
def amend(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    def done(meta: Meta, doc: Document | None) -> tuple[str, str]:
        assert doc is not None
        return (
            _("已生成修订草稿 %(name)s，请修改后保存并提交") % {"name": doc.name},
            form_url(meta, doc.name),
        )

    return _run(request, doctype, name, services.amend_document, done, _("未能修订："))


@login_required
@require_POST
def delete(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    return _run(
        request,
        doctype,
        name,
        services.delete_document,
        lambda meta, doc: (_("已删除 %(name)s") % {"name": name}, list_url(meta)),
        _("未能删除："),
    )


@login_required
@require_POST
def comment(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    """Add a comment; htmx gets the refreshed timeline, a plain POST is redirected back."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    instance = permissions.get_document(user, meta, name, "read")
    error = ""
    content = request.POST.get("content", "")
    try:
        services.add_comment(meta.name, instance.name, content, actor=user)
        content = ""
    except DocumentValidationError as exc:
        error = " ".join(exc.messages())
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(form_url(meta, instance.name) + "#timeline")
    context = {
        "meta": meta,
        "doc": instance,
        "timeline": build_timeline(meta, child_metas_for(meta), instance),
        "comment_error": error,
        "comment_content": content,
    }
    return render_page(
        request,
        "desk/_timeline.html",
        context,
        partial="desk/_timeline.html",
        status=400 if error else 200,
    )
