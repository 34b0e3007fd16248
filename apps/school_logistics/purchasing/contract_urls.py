"""按合同入库, mounted under /app/contract-receipt/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.purchasing import contract_views

app_name = "contracts"
urlpatterns = [path("<str:name>", contract_views.receive, name="receive")]
