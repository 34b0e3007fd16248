"""Approval routes, mounted under /app/approvals/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.workflow import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("batch-approve", views.batch_approve, name="batch_approve"),
    path("task/<int:task_id>/<str:action>", views.task_action, name="task_action"),
    path("doc/<str:doctype>/<path:name>/<str:action>", views.document_action, name="doc_action"),
]
