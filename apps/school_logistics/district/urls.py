"""学校后勤概览, mounted under /app/district/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.district import views

app_name = "district"
urlpatterns = [path("", views.overview_page, name="overview")]
