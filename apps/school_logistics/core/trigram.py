"""Trigram (pg_trgm) indexes for `LIKE '%…%'` searches, made by migrations on PostgreSQL only."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def trigram_index(name: str, table: str, expression: str) -> migrations.RunPython:
    """Return an operation that creates a GIN trigram index on `expression` (SQLite: nothing).

    pg_trgm is a trusted extension: a database owner may create it. Reversed, the index is
    dropped and the extension stays (other indexes may use it).
    """

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
            )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
