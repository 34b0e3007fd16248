"""预算执行, mounted under /app/budget-use/ (the Budget DocType's list is /app/budget/)."""

from django.urls import path

from school_logistics.purchasing import budget_views

app_name = "budget"
urlpatterns = [path("", budget_views.report, name="report")]
