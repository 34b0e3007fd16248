from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "school_logistics.repairs"
    label = "repairs"
    verbose_name = "维修"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.repairs import (
            controllers,  # noqa: F401  (registers controllers)
            rules,
            stats_views,
        )

        extensions.desk_links.append(stats_views.stats_link)
        extensions.after_submit_guards.append(rules.refuse_closed_edit)
