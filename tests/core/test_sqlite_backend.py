"""The SQLite backend keeps each statement's rewritten placeholders; what runs is unchanged."""

from __future__ import annotations

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
]


def test_the_site_runs_on_our_backend() -> None:
    assert type(connections["default"]).__module__ == "school_logistics.core.sqlite3.base"


@pytest.mark.parametrize("run", [1, 2])  # the second run takes the kept text
def test_placeholders_and_literal_percent_signs(run: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT '100%%', %s, %s || '%%s'", [run, "a"])
        assert cursor.fetchone() == ("100%", run, "a%s")
        cursor.execute("SELECT %(n)s + 1", {"n": run})  # named parameters: Django's own path
        assert cursor.fetchone() == (run + 1,)
