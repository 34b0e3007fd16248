"""校产台账 routes, mounted under /app/asset-register/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.assets import custody_views, views

app_name = "asset_register"
urlpatterns = [
    path("", views.register_page, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("check", custody_views.start_check, name="check"),
    path("handover", custody_views.handover, name="handover"),
    path("check-disposal/<path:check>", custody_views.check_disposal, name="check_disposal"),
    path("loan-return/<path:loan>", custody_views.loan_return, name="loan_return"),
    path("<path:asset>", views.asset_history, name="asset"),
]
