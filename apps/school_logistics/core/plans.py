"""Statements planned for their own arguments, where one plan cannot serve every argument.

On PostgreSQL a statement sent five times on a connection is prepared there (settings.py,
`prepare_threshold`), and PostgreSQL may then run it on a generic plan made without looking at
the arguments. For the hot paths' small statements that saves the planning. For a list of
documents it is a trap: the same SQL lists 54,000 requisitions or 80 items, and the generic plan
that walks the `modified` index suits neither — at 100,000 documents the item list's page took
39 ms on it and 1.4 ms on a plan made for 'Item' (benchmarks/README.md, "Lists on plans made
for their own DocType").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def planned_for_arguments(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Send the block's statements unprepared, so PostgreSQL plans each for its arguments.

    Usable as a decorator. Elsewhere (SQLite) it changes nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection  # psycopg's: it prepares after `prepare_threshold` sends
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold
