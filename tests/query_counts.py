"""Count the statements a page sends, for tests that keep them constant as data grows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from school_logistics.core import registry


def page_statements(client: Any, path: str) -> int:
    """The statements one GET of `path` sends, the DocType registry's once-a-second look for
    admins' edits left out: it falls in whichever request comes a second after the last, or in
    the middle of one that a slow machine stretches past a second."""
    registry.get_meta("Student")  # looks now
    with pytest.MonkeyPatch.context() as patch, CaptureQueriesContext(connection) as ctx:
        patch.setattr(registry, "RECHECK_SECONDS", float("inf"))
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)
