"""水电能耗, mounted under /app/energy/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.energy import views

app_name = "energy"
urlpatterns = [path("", views.report, name="report")]
