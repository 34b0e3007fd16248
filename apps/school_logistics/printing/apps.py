"""Print formats, vouchers as HTML and PDF, print logs and public verification."""

from __future__ import annotations

from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "school_logistics.printing"
    label = "printing"
    verbose_name = "打印"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.printing import admin_views

        # Admins look for print settings beside the other system pages, not under 校徽与信头.
        extensions.desk_links.append(admin_views.print_formats_link)
