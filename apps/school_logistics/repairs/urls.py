"""维修统计, mounted under /app/repair-stats/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.repairs import stats_views

app_name = "repair_stats"
urlpatterns = [path("", stats_views.page, name="page")]
