"""Requests per key per minute, counted in the cache (Redis when REDIS_URL is set)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import BaseCache, caches

# Defaults for a school's integrations: generous for scripts, tight enough to stop a runaway loop.
DEFAULT_LIMIT = 300
DEFAULT_WINDOW = 60


def _store() -> BaseCache:
    # settings.CACHES is Redis when REDIS_URL is set, so every web process shares the counts;
    # the embedded single-process setup counts in local memory.
    return caches["default"]


def limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "API_RATE_LIMIT", DEFAULT_LIMIT)),
        int(getattr(settings, "API_RATE_WINDOW", DEFAULT_WINDOW)),
    )


def hit(identity: str) -> int | None:
    """Count one request of `identity`; return seconds to wait when over the limit, else None."""
    limit, window = limits()
    now = int(time.time())
    slot = now // window
    key = f"api-ratelimit:{identity}:{slot}"
    store = _store()
    # add() is a no-op when the key exists, so concurrent first requests do not reset the count.
    store.add(key, 0, timeout=window + 1)
    try:
        count = store.incr(key)
    except ValueError:
        # The key expired between add and incr: this request starts the window again.
        store.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        return (slot + 1) * window - now or 1
    return None
