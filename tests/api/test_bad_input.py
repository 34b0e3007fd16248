"""Bad input gets a Frappe error with a clear message and changes nothing; never a 500."""

from __future__ import annotations

from school_logistics.core.models import Document
from tests.api.conftest import REQ, make_requisition, server_messages

REQS = f"/api/resource/{REQ}"
GOOD = {"purpose": "用纸", "items": [{"item": "A4-70", "qty": 1, "rate": 1}]}


def test_malformed_json_body_is_417(api, users, items):
    client = api("teacher")
    for body in ('{"purpose": ', "[1, 2", "NaN", '{"purpose": NaN}', "\xff\xfe"):
        response = client.post(REQS, body)
        assert response.status_code == 417, body
        assert response.json()["exc_type"] == "ValidationError"
    assert not Document.objects.filter(doctype=REQ).exists()


def test_body_that_is_not_an_object_is_417(api, users, items):
    response = api("teacher").post(REQS, [GOOD])
    assert response.status_code == 417
    assert "JSON 对象" in server_messages(response)[0]


def test_deeply_nested_json_is_417(api, users, items):
    response = api("teacher").post(REQS, '{"purpose": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert response.status_code in {413, 417}


def test_unknown_fields_are_named(api, users, items):
    response = api("teacher").post(REQS, {**GOOD, "hacker_field": 1})
    assert response.status_code == 417
    assert "未知字段：hacker_field" in server_messages(response)
    assert response.json()["errors"]["hacker_field"]


def test_wrong_types_are_417_with_field_messages(api, users, items):
    client = api("teacher")
    cases = [
        {**GOOD, "purpose": {"a": 1}},
        {**GOOD, "required_by": "not a date"},
        {**GOOD, "items": "not rows"},
        {**GOOD, "items": [{"item": "A4-70", "qty": "many", "rate": 1}]},
        {**GOOD, "items": [{"item": "A4-70", "qty": 1, "rate": "1e400"}]},
        {**GOOD, "items": [{"item": "A4-70", "qty": 1, "rate": -5}]},
    ]
    for body in cases:
        response = client.post(REQS, body)
        assert response.status_code == 417, (body, response.content)
        assert response.json()["_server_messages"]
    assert not Document.objects.filter(doctype=REQ).exists()


def test_missing_required_field_names_it(api, users, items):
    response = api("teacher").post(REQS, {"items": GOOD["items"]})
    assert response.status_code == 417
    assert "purpose" in response.json()["errors"]


def test_huge_payload_is_413_and_nothing_is_written(api, settings, users, items):
    settings.API_MAX_BODY_BYTES = 64 * 1024
    body = {**GOOD, "remarks": "长" * 100_000}
    response = api("teacher").post(REQS, body)
    assert response.status_code == 413
    assert response.json()["exc_type"] == "ValidationError"
    assert not Document.objects.filter(doctype=REQ).exists()


def test_too_many_rows_is_417(api, users, items):
    rows = [{"item": "A4-70", "qty": 1, "rate": 1}] * 501
    response = api("teacher").post(REQS, {**GOOD, "items": rows})
    assert response.status_code == 417
    assert not Document.objects.filter(doctype=REQ).exists()


def test_bad_paging_arguments_are_417(api, users, items):
    client = api("teacher")
    for params in ({"limit_start": "x"}, {"limit_page_length": -1}, {"limit_page_length": 5000}):
        response = client.get(REQS, **params)
        assert response.status_code == 417, params


def test_error_body_is_frappes_shape_and_has_no_traceback(api, users, items):
    response = api("teacher").post(REQS, {"items": "x"})
    body = response.json()
    assert set(body) >= {"exc_type", "_server_messages", "exception", "message"}
    assert "Traceback" not in response.content.decode()
    assert isinstance(server_messages(response), list)


def test_wrong_http_method_is_405(api, users, items):
    doc = make_requisition(users["teacher"])
    response = api("teacher").post(f"{REQS}/{doc.name}", GOOD)
    assert response.status_code == 405
    assert "PUT" in response["Allow"]


def test_name_and_doctype_with_odd_characters_are_404_not_500(api, users, items):
    client = api("teacher")
    assert client.get(f"{REQS}/'; DROP TABLE core_document; --").status_code == 404
    assert client.get("/api/resource/%00bad").status_code in {404, 417}
    assert client.get(f"{REQS}/a%2Fb/c").status_code == 404
