"""发起询价 from a requisition, mounted under /app/procure/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.purchasing import procurement_views

app_name = "procurement"
urlpatterns = [
    path("<str:requisition>", procurement_views.start_tender, name="start-tender"),
    path("<str:requisition>/merged", procurement_views.start_merged_tender, name="merged-tender"),
]
