"""Comments, files and amendments through the API, with the desk's permissions."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from school_logistics.core import services
from school_logistics.core.models import Attachment, Comment
from tests.api.conftest import REQ, make_requisition

M = "/api/method/"


def test_comment_lands_on_the_timeline(api, users, items):
    doc = make_requisition(users["teacher"])
    reply = api("teacher").post(
        M + "frappe.desk.form.utils.add_comment",
        {"reference_doctype": REQ, "reference_name": doc.name, "content": "请尽快采购"},
    )
    assert reply.status_code == 200
    assert Comment.objects.get(document=doc).content == "请尽快采购"
    refused = api("colleague").post(
        M + "frappe.desk.form.utils.add_comment",
        {"reference_doctype": REQ, "reference_name": doc.name, "content": "x"},
    )
    assert refused.status_code == 404
    assert Comment.objects.count() == 1


def test_upload_file_attaches_to_a_document_the_caller_may_edit(api, users, items):
    doc = make_requisition(users["teacher"])
    client = api("teacher")
    quote = SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    reply = client.client.post(
        M + "upload_file",
        {"file": quote, "doctype": REQ, "docname": doc.name},
        headers=client.headers,
    )
    assert reply.status_code == 200, reply.content
    url = reply.json()["message"]["file_url"]
    assert Attachment.objects.get().document_id == doc.pk
    assert client.client.get(url, headers=client.headers).status_code in (200, 302)
    other = api("colleague")
    again = SimpleUploadedFile("x.pdf", b"%PDF-1.4 y", content_type="application/pdf")
    refused = other.client.post(
        M + "upload_file",
        {"file": again, "doctype": REQ, "docname": doc.name},
        headers=other.headers,
    )
    assert refused.status_code == 404
    assert Attachment.objects.count() == 1


def test_amend_a_cancelled_document(api, users, items):
    doc = make_requisition(users["purchaser"])
    services.submit_document(REQ, doc.name, actor=users["purchaser"])
    services.cancel_document(REQ, doc.name, actor=users["purchaser"])
    reply = api("purchaser").post(
        M + "school_logistics.documents.amend", {"doctype": REQ, "name": doc.name}
    )
    assert reply.status_code == 200
    assert reply.json()["message"]["name"] == f"{doc.name}-1"
