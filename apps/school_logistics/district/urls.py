"""学校后勤概览 and 招标备案, mounted under /app/district/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.district import filing_views, views

app_name = "district"
urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("filings/", filing_views.filing_list, name="filings"),
    path("file/<str:name>", filing_views.file, name="file"),
]
