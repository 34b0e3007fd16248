from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "school_logistics.api"
    label = "api"
    verbose_name = "接口"
