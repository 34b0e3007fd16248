from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "school_logistics.service"
    label = "service"
    verbose_name = "服务"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.service import (
            controllers,  # noqa: F401  (registers controllers)
            review_views,
        )

        extensions.desk_links.append(review_views.review_link)
