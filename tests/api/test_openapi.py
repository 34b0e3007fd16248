"""The OpenAPI description and the docs page, both generated from DocType metadata."""

from __future__ import annotations

import re

from tests.api.conftest import REQ


def test_openapi_lists_resource_routes_and_methods(api, users):
    response = api("teacher").get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/resource/Material%20Requisition" in spec["paths"]
    item = spec["paths"]["/api/resource/Material%20Requisition/{name}"]
    assert set(item) >= {"get", "put", "delete"}
    assert "/api/method/frappe.client.get_list" in spec["paths"]
    schema = spec["components"]["schemas"]["MaterialRequisition"]
    assert schema["properties"]["grand_total"]["type"] == "number"
    assert schema["properties"]["grand_total"]["readOnly"] is True
    assert schema["properties"]["items"]["items"]["$ref"].endswith("MaterialRequisitionItem")
    post = spec["paths"]["/api/resource/Material%20Requisition"]["post"]
    assert "purpose" in post["requestBody"]["content"]["application/json"]["schema"]["required"]
    assert spec["components"]["securitySchemes"]["token"]["name"] == "Authorization"


def test_openapi_needs_authentication(client, users):
    assert client.get("/api/openapi.json").status_code == 401


def test_docs_page_shows_routes_with_curl_and_requests_examples(client, users):
    client.force_login(users["teacher"])
    page = client.get("/api/docs").content.decode()
    assert "/api/resource/&lt;DocType&gt;" in page
    assert "curl -H" in page
    assert "import requests" in page
    assert "/api/method/frappe.client.get_list" in page
    assert REQ in page
    # Server-rendered, no CDN: every script and stylesheet is served by this site (a check of
    # the addresses, not of the text: a random CSRF token once contained "cdn").
    sources = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources


def test_docs_page_lists_only_readable_doctypes(client, users):
    client.force_login(users["canteen"])
    page = client.get("/api/docs").content.decode()
    assert "<code>Material Requisition</code>" not in page
