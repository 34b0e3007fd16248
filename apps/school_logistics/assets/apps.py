from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "school_logistics.assets"
    label = "assets"
    verbose_name = "校产"

    def ready(self) -> None:
        from school_logistics.assets import controllers  # noqa: F401  (registers controllers)
