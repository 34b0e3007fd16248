"""Designer routes, mounted under /app/designer/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.designer import exchange_views, views

app_name = "designer"
urlpatterns = [
    path("", views.doctype_list, name="list"),
    path("rules/<str:doctype>", views.form_rules, name="rules"),
    path("library/", exchange_views.library_page, name="library"),
    path("library/<str:key>/install", exchange_views.library_install, name="library_install"),
    path("export", exchange_views.export, name="export"),
    path("import/", exchange_views.import_page, name="import"),
    path("<str:doctype>/", views.editor, name="editor"),
    path("<str:doctype>/save", views.save, name="save"),
    path("<str:doctype>/state", views.set_state, name="state"),
    path("<str:doctype>/preview", views.preview, name="preview"),
]
