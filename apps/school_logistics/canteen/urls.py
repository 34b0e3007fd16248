"""伙食费台账 and 食堂收支, mounted under /app/meal-fees/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.canteen import ledger_views, statement_views

app_name = "meal_fees"
urlpatterns = [
    path("", ledger_views.report, name="report"),
    path("accounts/", ledger_views.accounts, name="accounts"),
    path("accounts/publish", ledger_views.publish, name="publish"),
    path("statements/", statement_views.statements, name="statements"),
    path("statements.pdf", statement_views.statements_pdf, name="statements-pdf"),
]
