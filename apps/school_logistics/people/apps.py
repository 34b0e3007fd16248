from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "school_logistics.people"
    label = "people"
    verbose_name = "用户与部门"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.people import views

        extensions.desk_links.append(views.people_link)
