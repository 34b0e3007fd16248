"""Desk routes: sign-in, the home page, lists, forms, actions, link search and files."""

from __future__ import annotations

from django.urls import include, path
from django.views.generic import RedirectView

from school_logistics.core.views import (
    actions,
    auth,
    files,
    form,
    home,
    link_search,
    listing,
    transfer,
)

# `<doctype>` is a DocType name (`Material Requisition`) or its slug (`material-requisition`);
# document names may contain "/", so they use the path converter and actions are listed first.
desk_patterns = [
    path("", home.home, name="home"),
    path("<str:doctype>/", listing.document_list, name="list"),
    path("<str:doctype>/new", form.new_document, name="new"),
    path("<str:doctype>/search-link", link_search.search_link, name="search_link"),
    path("<str:doctype>/upload", files.upload, name="upload"),
    path("<str:doctype>/import/", transfer.upload, name="import"),
    path("<str:doctype>/import/template.xlsx", transfer.template, name="import_template"),
    path("<str:doctype>/import/<int:pk>", transfer.status, name="import_status"),
    path("<str:doctype>/export.xlsx", transfer.export, name="export"),
    path("<str:doctype>/<path:name>/submit", actions.submit, name="submit"),
    path("<str:doctype>/<path:name>/cancel", actions.cancel, name="cancel"),
    path("<str:doctype>/<path:name>/amend", actions.amend, name="amend"),
    path("<str:doctype>/<path:name>/delete", actions.delete, name="delete"),
    path("<str:doctype>/<path:name>/comment", actions.comment, name="comment"),
    path("<str:doctype>/<path:name>", form.document_form, name="form"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="desk:home", permanent=False)),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("files/<str:token>/<path:filename>", files.serve, name="attachment"),
    path("app/", include((desk_patterns, "desk"))),
]
