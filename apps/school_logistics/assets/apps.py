from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "school_logistics.assets"
    label = "assets"
    verbose_name = "校产"

    def ready(self) -> None:
        from school_logistics.assets import (
            controllers,  # registers the controllers of the books
            custody,  # noqa: F401  (registers those of checks and loans)
            custody_views,
            views,
        )
        from school_logistics.core import extensions

        extensions.delete_guards.append(controllers.refuse_deleting_used_location)
        extensions.desk_links.append(views.register_link)
        extensions.form_panels.append(views.asset_panel)
        extensions.form_panels.insert(0, custody_views.check_panel)
        extensions.form_panels.insert(0, custody_views.loan_panel)
        extensions.home_panels.append(views.kept_panel)
        extensions.home_panels.append(custody_views.loans_panel)
