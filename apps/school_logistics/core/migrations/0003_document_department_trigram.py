"""Trigram index for the list filter 部门 (`data->>'department'` ILIKE), on PostgreSQL only.

The desk's text filters match `UPPER(data ->> field) LIKE UPPER('%…%')`; without this index
the requisition list filtered by department read every requisition's JSON (218 ms p50 at 100k
documents, benchmarks/README.md "Hot pages"). SQLite has no trigram index and is left as it is.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "core_document_department_trgm"


def create(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    """Create pg_trgm (a trusted extension) and the expression index the filter's SQL uses."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON core_document "
        "USING gin (UPPER((data ->> 'department')::text) gin_trgm_ops)"
    )


def drop(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    """Drop the index; the extension stays (other objects may use it)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_data_import")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
