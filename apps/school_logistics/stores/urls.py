"""库存台账 routes, mounted under /app/stock/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.stores import views

app_name = "stock"
urlpatterns = [
    path("", views.balance, name="balance"),
    path("stocktake", views.stocktake, name="stocktake"),
    path("export.xlsx", views.export, name="export"),
    path("receive/<path:requisition>", views.receive, name="receive"),
    path("<path:item>", views.item_ledger, name="item"),
]
