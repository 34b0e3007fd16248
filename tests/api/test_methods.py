"""`/api/method/frappe.client.*`: the `{"message": …}` envelope over the same engine calls."""

from __future__ import annotations

import json

from school_logistics.core.models import Document, Version
from tests.api.conftest import REQ, make_requisition

M = "/api/method/frappe.client."


def new_doc(purpose: str = "方法新建", **extra):
    return {
        "doctype": REQ,
        "purpose": purpose,
        "items": [{"item": "A4-70", "qty": "2", "rate": "10"}],
        **extra,
    }


def test_get_list_and_get_count(api, users, items):
    a = make_requisition(users["teacher"], "甲")
    make_requisition(users["teacher"], "乙")
    client = api("teacher")
    rows = client.get(
        M + "get_list",
        doctype=REQ,
        fields=["name", "purpose"],
        filters={"purpose": "甲"},
    ).json()["message"]
    assert rows == [{"name": a.name, "purpose": "甲"}]
    assert client.get(M + "get_count", doctype=REQ).json() == {"message": 2}
    count = client.post(M + "get_count", {"doctype": REQ, "filters": [["purpose", "=", "乙"]]})
    assert count.json() == {"message": 1}


def test_get_by_name_and_by_filters(api, users, items):
    doc = make_requisition(users["teacher"], "按条件读取")
    client = api("teacher")
    assert client.get(M + "get", doctype=REQ, name=doc.name).json()["message"]["name"] == doc.name
    by_filter = client.get(M + "get", doctype=REQ, filters={"purpose": "按条件读取"})
    assert by_filter.json()["message"]["name"] == doc.name


def test_get_value_single_and_several_fields(api, users, items):
    doc = make_requisition(users["teacher"])
    client = api("teacher")
    one = client.get(M + "get_value", doctype=REQ, fieldname="purpose", filters=doc.name)
    assert one.json() == {"message": {"purpose": "期中考试用纸"}}
    several = client.get(
        M + "get_value",
        doctype=REQ,
        fieldname=["purpose", "grand_total"],
        filters={"name": doc.name},
    ).json()["message"]
    assert several == {"purpose": "期中考试用纸", "grand_total": 235.0}


def test_set_value_saves_through_the_engine_with_a_version(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").post(
        M + "set_value", {"doctype": REQ, "name": doc.name, "fieldname": "remarks", "value": "急"}
    )
    assert response.status_code == 200
    assert response.json()["message"]["remarks"] == "急"
    assert Version.objects.filter(document=doc, action="save").count() == 1


def test_set_value_with_a_dict_of_fields(api, users, items):
    doc = make_requisition(users["teacher"])
    api("teacher").post(
        M + "set_value",
        {"doctype": REQ, "name": doc.name, "fieldname": {"remarks": "甲", "budget_line": "乙"}},
    )
    doc.refresh_from_db()
    assert (doc.data["remarks"], doc.data["budget_line"]) == ("甲", "乙")


def test_insert_then_save_then_submit_then_cancel(api, users, items):
    client = api("teacher")
    inserted = client.post(M + "insert", {"doc": new_doc()}).json()["message"]
    assert inserted["docstatus"] == 0
    inserted["remarks"] = "保存"
    saved = client.post(M + "save", {"doc": inserted}).json()["message"]
    assert saved["remarks"] == "保存"
    submitted = client.post(M + "submit", {"doc": {"doctype": REQ, "name": saved["name"]}})
    assert submitted.json()["message"]["docstatus"] == 1
    cancelled = client.post(M + "cancel", {"doctype": REQ, "name": saved["name"]})
    assert cancelled.json()["message"]["docstatus"] == 2
    assert Document.objects.get(name=saved["name"]).docstatus == 2


def test_insert_accepts_a_json_string_as_frappe_form_posts_do(api, users, items):
    client = api("teacher")
    response = client.client.post(
        M + "insert", {"doc": json.dumps(new_doc("表单提交"))}, headers=client.headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["message"]["purpose"] == "表单提交"


def test_save_with_docstatus_one_submits_a_draft(api, users, items):
    doc = make_requisition(users["teacher"])
    client = api("teacher")
    data = client.get(M + "get", doctype=REQ, name=doc.name).json()["message"]
    data["docstatus"] = 1
    assert client.post(M + "save", {"doc": data}).json()["message"]["docstatus"] == 1


def test_insert_many_is_all_or_nothing(api, users, items):
    client = api("teacher")
    names = client.post(M + "insert_many", {"docs": [new_doc("一"), new_doc("二")]})
    assert len(names.json()["message"]) == 2
    bad = client.post(M + "insert_many", {"docs": [new_doc("三"), new_doc("", remarks="x")]})
    assert bad.status_code == 417
    assert Document.objects.filter(doctype=REQ).count() == 2


def test_delete_method(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").post(M + "delete", {"doctype": REQ, "name": doc.name})
    assert response.json() == {"message": None}
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_duplicate_name_is_409(api, users, items):
    body = {
        "doc": {
            "doctype": "Item",
            "item_code": "A4-70",
            "item_name": "重复",
            "category": "其他",
            "uom": "个",
        }
    }
    response = api("storekeeper").post(M + "insert", body)
    assert response.status_code == 409
    assert response.json()["exc_type"] == "DuplicateEntryError"
    assert Document.objects.filter(doctype="Item", name="A4-70").count() == 1


def test_write_methods_refuse_get(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").get(M + "delete", doctype=REQ, name=doc.name)
    assert response.status_code == 405
    assert Document.objects.filter(pk=doc.pk).exists()


def test_unknown_method_is_404(api, users):
    response = api("teacher").get("/api/method/frappe.client.run_sql")
    assert response.status_code == 404
    assert response.json()["exc_type"] == "DoesNotExistError"


def test_methods_need_authentication(client, users):
    response = client.get(M + "get_list", {"doctype": REQ})
    assert response.status_code == 401


def test_colleague_cannot_submit_or_cancel_and_nothing_changes(api, outsider_api, users, items):
    doc = make_requisition(users["teacher"])
    before = (doc.docstatus, doc.data, doc.modified)
    for client in (api("colleague"), outsider_api):
        submit = client.post(M + "submit", {"doc": {"doctype": REQ, "name": doc.name}})
        assert submit.status_code == 404
        value = client.post(
            M + "set_value",
            {"doctype": REQ, "name": doc.name, "fieldname": "remarks", "value": "x"},
        )
        assert value.status_code == 404
    doc.refresh_from_db()
    assert (doc.docstatus, doc.data, doc.modified) == before
