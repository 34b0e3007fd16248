"""Voucher routes; they sit before the desk's catch-all document route."""

from __future__ import annotations

from django.urls import path

from school_logistics.printing import admin_views, batch_views, letterhead_views, list_views, views

app_name = "printing"

urlpatterns = [
    # Before the desk's "app/<doctype>/" routes: "print-formats" is not a DocType.
    path("app/print-formats/", admin_views.format_list, name="formats"),
    path("app/print-letterhead/", letterhead_views.letterhead_settings, name="letterhead"),
    path("app/print-batches/<int:pk>", batch_views.batch_status, name="batch"),
    path("app/print-batches/<int:pk>/pdf", batch_views.batch_download, name="batch-download"),
    path("app/print-batches/new/<str:doctype>", batch_views.batch_start, name="batch-start"),
    path("app/print-lists/<str:doctype>", list_views.list_print_view, name="list-html"),
    path("app/print-lists/<str:doctype>/pdf", list_views.list_print_pdf, name="list-pdf"),
    path("app/print-formats/<str:doctype>/new", admin_views.format_edit, name="format-new"),
    path(
        "app/print-formats/<str:doctype>/preview", admin_views.format_preview, name="format-preview"
    ),
    path(
        "app/print-formats/<str:doctype>/default", admin_views.format_default, name="format-default"
    ),
    path("app/print-formats/<str:doctype>/<str:name>", admin_views.format_edit, name="format-edit"),
    path("app/<str:doctype>/<path:name>/print.pdf", views.print_pdf, name="pdf"),
    path("app/<str:doctype>/<path:name>/print", views.print_view, name="html"),
    path("verify/<str:code>", views.verify_view, name="verify"),
]
