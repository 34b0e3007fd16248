"""Approval routes, mounted under /app/approvals/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.workflow import (
    delegation_views,
    editor_views,
    handover_views,
    new_form,
    views,
)

app_name = "approvals"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("batch-approve", views.batch_approve, name="batch_approve"),
    path("task/<int:task_id>/people", handover_views.people, name="people"),
    path("task/<int:task_id>/<str:action>", views.task_action, name="task_action"),
    path("save/<str:doctype>/<path:name>", new_form.save_and_start, name="save_and_start"),
    path("doc/<str:doctype>/<path:name>/<str:action>", views.document_action, name="doc_action"),
    path("new/<str:doctype>", new_form.new_and_start, name="new_and_start"),
    path("new/<str:doctype>/route", new_form.new_route, name="new_route"),
    path("away", delegation_views.away_page, name="away"),
    path("away/<int:pk>/end", delegation_views.end_away, name="end_away"),
    path("flows/", editor_views.flow_list, name="flows"),
    path("flows/<str:doctype>/", editor_views.flow_editor, name="flow_editor"),
    path("flows/<str:doctype>/try", editor_views.flow_try, name="flow_try"),
    path("flows/<str:doctype>/active", editor_views.flow_active, name="flow_active"),
]
