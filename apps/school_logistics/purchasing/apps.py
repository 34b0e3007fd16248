from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "school_logistics.purchasing"
    label = "purchasing"
    verbose_name = "采购"

    def ready(self) -> None:
        from school_logistics.purchasing import controllers  # noqa: F401  (registers controllers)
