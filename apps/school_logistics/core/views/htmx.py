"""The one place that decides between a full page and an HTMX partial."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    """Return whether htmx sent the request (and not as a history restore, which wants a page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `partial` for htmx requests when given, else the full page `template`."""
    chosen = partial if partial and is_htmx(request) else template
    response = render(request, chosen, context, status=status)
    if partial:
        # The same URL answers with two bodies; caches must keep them apart.
        patch_vary_headers(response, ("HX-Request",))
    return response
