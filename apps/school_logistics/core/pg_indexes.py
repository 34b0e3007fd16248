"""GIN indexes that only PostgreSQL has (over trigrams, over JSON paths), made by migrations;
on SQLite the operations do nothing."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def postgres_index(
    name: str, table: str, using: str, *, extension: str = ""
) -> migrations.RunPython:
    """Return an operation that creates `CREATE INDEX name ON table USING <using>`.

    The extensions used here are trusted: a database owner may create them. Reversed, the
    index is dropped and the extension stays (other indexes may use it).
    """

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            if extension:
                schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {using}")

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)


def trigram_index(name: str, table: str, expression: str) -> migrations.RunPython:
    """Return an operation that creates a GIN trigram index, for `LIKE '%…%'` on `expression`."""
    return postgres_index(name, table, f"gin ({expression} gin_trgm_ops)", extension="pg_trgm")
