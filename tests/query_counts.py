"""Count the statements a page sends, for tests that keep them constant as data grows."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from school_logistics.core.registry import get_meta


def page_statements(client: Any, path: str) -> int:
    """The statements one GET of `path` sends, the DocType registry's once-a-second look for
    admins' edits left out (it falls in whichever request comes a second after the last)."""
    get_meta("Student")  # looks now, so not during the request
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)
