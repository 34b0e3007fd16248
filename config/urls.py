"""URL routes: the desk pages, login, attachments and the language switch."""

from django.urls import include, path

urlpatterns = [
    path("", include("school_logistics.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
