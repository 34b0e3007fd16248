"""Files uploaded to a school before a document (or an approval's trail line) claims them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from school_logistics.core.models import Attachment, User
from school_logistics.core.validation import DocumentValidationError

ALLOWED_UPLOAD_TYPES = (
    "image/",
    "application/pdf",
    "text/plain",
    "application/vnd.openxml",
    "application/msword",
    "application/vnd.ms-excel",
)


def upload_attachment(upload: UploadedFile, *, actor: User) -> Attachment:
    """Store an uploaded file for the actor's school; a document claims it when saved."""
    if actor.school_id is None:
        raise DocumentValidationError.single(_("请先为用户指定所属学校"))
    if upload.size is None or upload.size > settings.MAX_ATTACHMENT_BYTES:
        raise DocumentValidationError.single(
            _("文件太大，最大 %(mb)s MB") % {"mb": settings.MAX_ATTACHMENT_BYTES // 1024 // 1024},
            "file",
        )
    content_type = upload.content_type or "application/octet-stream"
    if not content_type.startswith(ALLOWED_UPLOAD_TYPES):
        raise DocumentValidationError.single(
            _("不支持的文件类型：%(t)s") % {"t": content_type}, "file"
        )
    filename = (upload.name or "file").replace("/", "_")[-150:]
    attachment = Attachment(
        token=secrets.token_hex(16),
        school_id=actor.school_id,
        filename=filename,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(filename, upload, save=False)
    attachment.save()
    return attachment
