from django.apps import AppConfig


class EnergyConfig(AppConfig):
    name = "school_logistics.energy"
    label = "energy"
    verbose_name = "水电"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.energy import (
            controllers,  # noqa: F401  (registers controllers)
            views,
        )

        extensions.desk_links.append(views.energy_link)
