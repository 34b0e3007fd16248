"""征订汇总, mounted under /app/student-supplies/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.purchasing import supplies_views

app_name = "student_supplies"
urlpatterns = [path("", supplies_views.summary, name="summary")]
