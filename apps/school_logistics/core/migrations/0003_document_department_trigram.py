"""Trigram index for the list filter 部门 (`data->>'department'` ILIKE), on PostgreSQL only.

The desk's text filters match `UPPER(data ->> field) LIKE UPPER('%…%')`; without this index
the requisition list filtered by department read every requisition's JSON (218 ms p50 at 100k
documents, benchmarks/README.md "Hot pages"). SQLite has no trigram index and is left as it is.
"""

from __future__ import annotations

from django.db import migrations

from school_logistics.core.pg_indexes import trigram_index


class Migration(migrations.Migration):
    dependencies = [("core", "0002_data_import")]

    operations = [
        trigram_index(
            "core_document_department_trgm",
            "core_document",
            "UPPER((data ->> 'department')::text)",
        )
    ]
