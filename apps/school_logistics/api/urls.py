"""API routes: resources, methods, the OpenAPI description, docs and the API key page."""

from __future__ import annotations

from django.urls import path

from school_logistics.api import methods, pages, resources

app_name = "api"

urlpatterns = [
    path("resource/<str:doctype>", resources.collection, name="collection"),
    path("resource/<str:doctype>/<path:name>", resources.item, name="item"),
    path("method/<str:method>", methods.method_view, name="method"),
    path("openapi.json", pages.openapi_json, name="openapi"),
    path("docs", pages.docs, name="docs"),
    path("keys", pages.keys, name="keys"),
]
