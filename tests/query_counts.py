"""Count the statements a page sends, for tests that keep them constant as data grows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from school_logistics.core import registry


def page_statements(client: Any, path: str) -> int:
    """The statements one GET of `path` sends, warm: the DocType registry's once-a-second look
    for admins' edits left out (it falls in whichever request comes a second after the last,
    or in the middle of one that a slow machine stretches past a second), and so is the
    re-reading of every DocType when that look finds them changed since an earlier test (it
    happened on a busy CI machine: one request of 104 statements among requests of 14)."""
    registry.get_meta("Student")  # looks now, if a second has passed
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "RECHECK_SECONDS", float("inf"))
        assert client.get(path).status_code == 200  # re-reads what the look dropped
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
    return len(ctx.captured_queries)
