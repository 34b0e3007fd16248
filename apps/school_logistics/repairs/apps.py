from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "school_logistics.repairs"
    label = "repairs"
    verbose_name = "维修"

    def ready(self) -> None:
        from school_logistics.repairs import controllers  # noqa: F401  (registers controllers)
