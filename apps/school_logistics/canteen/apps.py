from django.apps import AppConfig


class CanteenConfig(AppConfig):
    name = "school_logistics.canteen"
    label = "canteen"
    verbose_name = "食堂"

    def ready(self) -> None:
        from school_logistics.canteen import controllers  # noqa: F401  (registers controllers)
