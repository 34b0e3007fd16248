"""Resource routes: list, read, create, update, delete — with the engine's permissions."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from school_logistics.core.models import Document, Version
from tests.api.conftest import REQ, make_requisition, server_messages

URL = f"/api/resource/{quote(REQ)}"


def test_list_returns_names_by_default_newest_first(api, users, items):
    first = make_requisition(users["teacher"], "第一张")
    second = make_requisition(users["teacher"], "第二张")
    response = api("teacher").get(URL)
    assert response.status_code == 200
    assert response.json() == {"data": [{"name": second.name}, {"name": first.name}]}


def test_list_default_page_is_twenty(api, users, items):
    for n in range(22):
        make_requisition(users["teacher"], f"用纸 {n}")
    assert len(api("teacher").get(URL).json()["data"]) == 20
    page = api("teacher").get(URL, limit_start=20, limit_page_length=20).json()["data"]
    assert len(page) == 2


def test_list_as_lists_when_as_dict_is_false(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").get(URL, fields=["name", "grand_total"], as_dict="0")
    assert response.json()["data"] == [[doc.name, 235.0]]
    # Money keeps its two decimals in the JSON text, not a float approximation.
    assert b"235.00" in response.content


def test_get_document_has_frappe_standard_keys_and_child_rows(api, users, items):
    doc = make_requisition(users["teacher"])
    data = api("teacher").get(f"{URL}/{doc.name}").json()["data"]
    assert data["name"] == doc.name
    assert data["doctype"] == REQ
    assert data["owner"] == "teacher"
    assert data["docstatus"] == 0
    row = data["items"][0]
    assert (row["parent"], row["parentfield"], row["parenttype"]) == (doc.name, "items", REQ)
    assert row["doctype"] == "Material Requisition Item"
    assert Decimal(str(row["amount"])) == Decimal("235.00")


def test_doctype_name_with_space_is_url_encoded(api, users, items):
    make_requisition(users["teacher"])
    assert api("teacher").get("/api/resource/Material%20Requisition").status_code == 200


def test_post_creates_a_draft_through_the_engine(api, users, items):
    body = {"purpose": "实验室用纸", "items": [{"item": "A4-70", "qty": 2, "rate": "23.50"}]}
    response = api("teacher").post(URL, body)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    doc = Document.objects.get(doctype=REQ, name=data["name"])
    assert doc.owner == users["teacher"]
    assert doc.grand_total == Decimal("47.00")
    assert Version.objects.filter(document=doc, action="create").count() == 1


def test_post_with_docstatus_one_creates_and_submits(api, users, items):
    body = {
        "purpose": "直接提交",
        "docstatus": 1,
        "items": [{"item": "A4-70", "qty": "1", "rate": "10"}],
    }
    data = api("teacher").post(URL, {"data": body}).json()["data"]
    assert data["docstatus"] == 1
    assert Document.objects.get(name=data["name"]).docstatus == 1


def test_put_updates_only_the_fields_sent(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").put(f"{URL}/{doc.name}", {"remarks": "请尽快"})
    assert response.status_code == 200
    doc.refresh_from_db()
    assert doc.data["remarks"] == "请尽快"
    assert doc.data["purpose"] == "期中考试用纸"


def test_put_accepts_the_whole_document_echoed_back(api, users, items):
    doc = make_requisition(users["teacher"])
    client = api("teacher")
    data = client.get(f"{URL}/{doc.name}").json()["data"]
    data["purpose"] = "改过的用途"
    response = client.put(f"{URL}/{doc.name}", data)
    assert response.status_code == 200, response.content
    doc.refresh_from_db()
    assert doc.data["purpose"] == "改过的用途"
    assert len(doc.data["items"]) == 1


def test_delete_removes_a_draft(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").delete(f"{URL}/{doc.name}")
    assert response.status_code == 200
    assert response.json()["data"] == "ok"
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_put_on_submitted_document_is_refused_and_changes_nothing(api, users, items):
    doc = make_requisition(users["teacher"])
    client = api("teacher")
    client.post("/api/method/frappe.client.submit", {"doc": {"doctype": REQ, "name": doc.name}})
    doc.refresh_from_db()
    before = (doc.data, doc.modified)
    response = client.put(f"{URL}/{doc.name}", {"purpose": "偷改"})
    assert response.status_code == 417
    assert response.json()["exc_type"] == "DocstatusTransitionError"
    doc.refresh_from_db()
    assert (doc.data, doc.modified) == before


# --- permissions: owner, colleague, outsider -------------------------------------------------


def test_colleague_and_outsider_do_not_see_the_owners_draft(api, outsider_api, users, items):
    doc = make_requisition(users["teacher"])
    assert [d["name"] for d in api("teacher").get(URL).json()["data"]] == [doc.name]
    assert api("colleague").get(URL).json()["data"] == []
    assert api("colleague").get(f"{URL}/{doc.name}").status_code == 404
    response = outsider_api.get(f"{URL}/{doc.name}")
    assert response.status_code == 404
    assert response.json()["exc_type"] == "DoesNotExistError"
    assert outsider_api.get(URL).json()["data"] == []


def test_colleague_and_outsider_cannot_change_or_delete(api, outsider_api, users, items):
    doc = make_requisition(users["teacher"])
    before = (doc.data, doc.modified, doc.docstatus)
    for client in (api("colleague"), outsider_api):
        assert client.put(f"{URL}/{doc.name}", {"purpose": "别人改"}).status_code == 404
        assert client.delete(f"{URL}/{doc.name}").status_code == 404
        submit = client.post(
            "/api/method/frappe.client.submit", {"doc": {"doctype": REQ, "name": doc.name}}
        )
        assert submit.status_code == 404
    doc.refresh_from_db()
    assert (doc.data, doc.modified, doc.docstatus) == before


def test_reader_without_write_right_gets_403_and_nothing_changes(api, users, items):
    doc = make_requisition(users["teacher"])
    before = doc.data
    response = api("storekeeper").put(f"{URL}/{doc.name}", {"purpose": "仓管改"})
    assert response.status_code == 403
    assert response.json()["exc_type"] == "PermissionError"
    assert "没有权限" in server_messages(response)[0]
    doc.refresh_from_db()
    assert doc.data == before


def test_role_without_create_right_gets_403(api, users, items):
    body = {"purpose": "x", "items": [{"item": "A4-70", "qty": 1, "rate": 1}]}
    response = api("storekeeper").post(URL, body)
    assert response.status_code == 403
    assert not Document.objects.filter(doctype=REQ).exists()


def test_role_without_read_right_gets_403_on_list(api, users, items):
    response = api("canteen").get(URL)
    assert response.status_code == 403
    assert response.json()["exc_type"] == "PermissionError"


def test_unauthenticated_request_gets_401(client, users, items):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["exc_type"] == "AuthenticationError"


def test_unknown_doctype_is_404(api, users):
    response = api("teacher").get("/api/resource/No Such Thing")
    assert response.status_code == 404
    assert response.json()["exc_type"] == "DoesNotExistError"


def test_child_table_doctype_cannot_be_listed_directly(api, users):
    response = api("admin").get("/api/resource/Material Requisition Item")
    assert response.status_code == 403
