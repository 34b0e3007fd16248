"""The rest of what the desk does to a document, through the API: comments, files, amend."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from school_logistics.api import client, errors
from school_logistics.api.handler import Call
from school_logistics.api.serialize import doc_to_dict
from school_logistics.core import permissions, services
from school_logistics.core.attachments import upload_attachment
from school_logistics.core.models import Attachment


def _arg(call: Call, name: str) -> Any:
    value = call.arg(name)
    if value in (None, ""):
        raise errors.ValidationError(_("缺少参数：%(name)s") % {"name": name})
    return value


def add_comment(call: Call) -> dict[str, Any]:
    """Frappe's frappe.desk.form.utils.add_comment: a comment on the document's timeline."""
    meta = client.resolve(_arg(call, "reference_doctype"))
    comment = services.add_comment(
        meta.name, str(_arg(call, "reference_name")), str(_arg(call, "content")), actor=call.user
    )
    return {
        "name": comment.pk,
        "content": comment.content,
        "owner": call.user.username,
        "creation": comment.created,
    }


def upload_file(call: Call) -> dict[str, Any]:
    """Frappe's upload_file: store a file; with doctype/docname, attach it to that document."""
    upload = call.request.FILES.get("file")
    if upload is None:
        raise errors.ValidationError(_("请以 multipart/form-data 上传 file"))
    doctype, docname = call.arg("doctype"), call.arg("docname")
    with transaction.atomic():
        document = None
        if doctype and docname:
            meta = client.resolve(doctype)
            document = permissions.get_document(call.user, meta, str(docname), "write")
        attachment = upload_attachment(upload, actor=call.user)
        if document is not None:
            Attachment.objects.filter(pk=attachment.pk).update(document=document)
    url = f"/files/{attachment.token}/{attachment.filename}"
    return {"name": attachment.token, "file_name": attachment.filename, "file_url": url}


def amend(call: Call) -> dict[str, Any]:
    """Copy a cancelled document into a new draft `NAME-1`."""
    meta = client.resolve(_arg(call, "doctype"))
    amended = services.amend_document(meta.name, str(_arg(call, "name")), actor=call.user)
    return doc_to_dict(meta, amended)
