"""预算执行, mounted under /app/budget/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.purchasing import budget_views

app_name = "budget"
urlpatterns = [path("", budget_views.report, name="report")]
