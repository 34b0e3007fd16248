from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "school_logistics.stores"
    label = "stores"
    verbose_name = "物资"

    def ready(self) -> None:
        from school_logistics.stores import controllers  # noqa: F401  (registers controllers)
