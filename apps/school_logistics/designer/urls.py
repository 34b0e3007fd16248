"""Designer routes, mounted under /app/designer/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.designer import views

app_name = "designer"
urlpatterns = [
    path("", views.doctype_list, name="list"),
    path("rules/<str:doctype>", views.form_rules, name="rules"),
    path("<str:doctype>/", views.editor, name="editor"),
    path("<str:doctype>/save", views.save, name="save"),
    path("<str:doctype>/preview", views.preview, name="preview"),
]
