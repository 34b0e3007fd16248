from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "school_logistics.assets"
    label = "assets"
    verbose_name = "校产"

    def ready(self) -> None:
        from school_logistics.assets import (
            controllers,  # noqa: F401  (registers controllers)
            views,
        )
        from school_logistics.core import extensions

        extensions.delete_guards.append(controllers.refuse_deleting_used_location)
        extensions.desk_links.append(views.register_link)
        extensions.form_panels.append(views.asset_panel)
        extensions.form_panels.insert(0, views.check_panel)
        extensions.form_panels.insert(0, views.loan_panel)
        extensions.home_panels.append(views.kept_panel)
        extensions.home_panels.append(views.loans_panel)
