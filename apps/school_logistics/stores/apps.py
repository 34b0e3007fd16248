from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "school_logistics.stores"
    label = "stores"
    verbose_name = "物资"

    def ready(self) -> None:
        from school_logistics.api.methods import METHODS
        from school_logistics.core import extensions
        from school_logistics.stores import (
            api,
            controllers,  # noqa: F401  (registers controllers)
            views,
        )

        extensions.delete_guards.append(controllers.refuse_deleting_stocked_item)
        extensions.desk_links.append(views.stock_link)
        extensions.home_panels.append(views.low_stock_panel)
        METHODS.update(api.METHODS)
        # Before the approval panel: the storekeeper reads the stock, then presses 发放.
        extensions.form_panels.insert(0, views.stock_panel)
