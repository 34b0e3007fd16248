from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "school_logistics.safety"
    label = "safety"
    verbose_name = "安全"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.safety import (
            controllers,  # noqa: F401  (registers controllers)
            views,
        )

        extensions.home_panels.append(views.hazards_panel)
