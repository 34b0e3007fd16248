"""Pages around the API: the OpenAPI JSON, the docs page and the user's API key page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from school_logistics.api.handler import Call, api_view, json_response
from school_logistics.api.keys import issue_api_key
from school_logistics.api.methods import METHODS
from school_logistics.api.models import ApiKey
from school_logistics.api.openapi import build_openapi, top_level_metas
from school_logistics.core import permissions
from school_logistics.core.models import User


@api_view(methods=frozenset({"GET"}))
def openapi_json(call: Call) -> HttpResponse:
    """Serve the OpenAPI 3 description of every route."""
    return json_response(build_openapi())


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """Show the routes with curl and Python examples, and the DocTypes this user may read."""
    user: User = request.user  # type: ignore[assignment]
    base = request.build_absolute_uri("/").rstrip("/")
    doctypes = [m for m in top_level_metas() if permissions.has_permission(user, m, "read")]
    example = doctypes[0] if doctypes else None
    context: dict[str, Any] = {
        "base": base,
        "methods": sorted(METHODS.items()),
        "doctypes": doctypes,
        "example": example.name if example else "Material Requisition",
        "example_fields": [f for f in example.value_fields if f.accepts_input][:4]
        if example
        else [],
    }
    return render(request, "api/docs.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    """Show the user's API key; POST issues a new key and shows its secret once."""
    user: User = request.user  # type: ignore[assignment]
    issued = issue_api_key(user, actor=user) if request.method == "POST" else None
    current = ApiKey.objects.filter(user=user).first()
    response = render(request, "api/keys.html", {"current": current, "issued": issued})
    # The secret is on this page once: no cache may keep a copy.
    response["Cache-Control"] = "no-store"
    return response
