"""报销 from a requisition, mounted under /app/reimburse/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.purchasing import claim_views

app_name = "claims"
urlpatterns = [
    path("<str:requisition>", claim_views.from_requisition, name="from_requisition"),
]
