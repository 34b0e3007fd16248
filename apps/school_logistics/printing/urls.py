"""Voucher routes; they sit before the desk's catch-all document route."""

from __future__ import annotations

from django.urls import path

from school_logistics.printing import views

app_name = "printing"

urlpatterns = [
    path("app/<str:doctype>/<path:name>/print.pdf", views.print_pdf, name="pdf"),
    path("app/<str:doctype>/<path:name>/print", views.print_view, name="html"),
    path("verify/<str:code>", views.verify_view, name="verify"),
]
