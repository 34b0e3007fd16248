"""`/api/resource/<DocType>[/<name>]`: Frappe's REST routes over the same client calls."""

from __future__ import annotations

from django.http import HttpResponse

from school_logistics.api import client
from school_logistics.api.handler import Call, api_view, json_response


@api_view(methods=frozenset({"GET", "POST"}))
def collection(call: Call, doctype: str) -> HttpResponse:
    """List readable documents (GET) or create one (POST)."""
    if call.request.method == "POST":
        body = call.args.get("data", call.args)
        return json_response({"data": client.insert(call.user, body, doctype)})
    rows = client.get_list(
        call.user,
        doctype,
        fields=call.arg("fields"),
        filters=call.arg("filters"),
        or_filters=call.arg("or_filters"),
        order_by=call.arg("order_by"),
        limit_start=call.arg("limit_start"),
        limit_page_length=call.arg("limit_page_length", call.arg("limit")),
        as_dict=call.arg("as_dict", True),
    )
    return json_response({"data": rows})


@api_view(methods=frozenset({"GET", "PUT", "DELETE"}))
def item(call: Call, doctype: str, name: str) -> HttpResponse:
    """Read (GET), update (PUT) or delete (DELETE) one document."""
    if call.request.method == "PUT":
        body = call.args.get("data", call.args)
        return json_response({"data": client.save(call.user, doctype, name, body)})
    if call.request.method == "DELETE":
        client.delete(call.user, doctype, name)
        return json_response({"data": "ok", "message": "ok"})
    return json_response({"data": client.get_doc(call.user, doctype, name)})
