"""Attachment upload and download, open only to those who may read the document."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core import permissions
from school_logistics.core.attachments import upload_attachment
from school_logistics.core.models import Attachment, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import resolve_doctype

# Shown in the browser; anything else (SVG can carry scripts) is downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


def _may_read(user: User, attachment: Attachment) -> bool:
    if attachment.document is None:
        return attachment.uploaded_by_id == user.pk
    meta = get_meta(attachment.document.doctype)
    return permissions.has_permission(user, meta, "read", attachment.document)


@login_required
def serve(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """Send an attachment's file; 404 for anyone who may not read it, so nothing is revealed."""
    user: User = request.user  # type: ignore[assignment]
    attachment = Attachment.objects.select_related("document").filter(token=token).first()
    if attachment is None or attachment.filename != filename or not _may_read(user, attachment):
        raise Http404(_("找不到文件"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("找不到文件")) from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type not in INLINE_TYPES,
        filename=attachment.filename,
    )
    # Even a file that slipped past the type check cannot run scripts on our origin.
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_POST
def upload(request: HttpRequest, doctype: str) -> JsonResponse:
    """Store a file for a form's Attach field and answer with its `/files/...` URL."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    if not (
        permissions.has_permission(user, meta, "create")
        or permissions.has_permission(user, meta, "write")
    ):
        raise PermissionDenied(_("没有权限：上传 %(doctype)s 的附件") % {"doctype": meta.label})
    upload_file = request.FILES.get("file")
    if upload_file is None:
        return JsonResponse({"error": _("请选择要上传的文件")}, status=400)
    try:
        attachment = upload_attachment(upload_file, actor=user)
    except DocumentValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages())}, status=400)
    url = f"/files/{attachment.token}/{attachment.filename}"
    return JsonResponse({"url": url, "filename": attachment.filename})
