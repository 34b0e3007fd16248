"""Notification routes, mounted under /app/notifications/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open", views.open_notification, name="open"),
    path("read-all", views.read_all, name="read_all"),
    path("preferences", views.preferences, name="preferences"),
    path("settings", views.settings_page, name="settings"),
]
