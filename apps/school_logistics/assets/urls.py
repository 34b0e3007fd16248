"""校产台账 routes, mounted under /app/asset-register/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.assets import views

app_name = "asset_register"
urlpatterns = [
    path("", views.register_page, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("check", views.start_check, name="check"),
    path("handover", views.handover, name="handover"),
    path("check-disposal/<path:check>", views.check_disposal, name="check_disposal"),
    path("loan-return/<path:loan>", views.loan_return, name="loan_return"),
    path("<path:asset>", views.asset_history, name="asset"),
]
