"""后勤考核, mounted under /app/staff-review/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.service import review_views

app_name = "staff_review"
urlpatterns = [
    path("", review_views.page, name="page"),
    path("export.xlsx", review_views.export, name="export"),
]
