"""Print formats, vouchers as HTML and PDF, print logs and public verification."""

from __future__ import annotations

from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "school_logistics.printing"
    label = "printing"
    verbose_name = "打印"
    default_auto_field = "django.db.models.BigAutoField"
