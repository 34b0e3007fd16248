"""Run background work on the RQ worker when Redis is configured, inline otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings


def enqueue(func: Callable[..., Any], *args: Any) -> None:
    """Queue `func(*args)` for the worker; without REDIS_URL run it now (the embedded default)."""
    if settings.REDIS_URL:
        import django_rq

        django_rq.get_queue("default").enqueue(func, *args)
    else:
        func(*args)
