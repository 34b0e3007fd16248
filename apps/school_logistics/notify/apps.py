from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "school_logistics.notify"
    label = "notify"
    verbose_name = "通知"
