"""The 我已处理 tab's order as an index, on PostgreSQL only: an approver's decided tasks, newest
first (`acted_at DESC NULLS LAST, id DESC`), so the tab reads its first page off the index
instead of sorting every decision the approver ever made (15,905 for the busiest at 100,000
documents, benchmarks/README.md). SQLite cannot index `NULLS LAST`; its schools are small.
The statuses are those of `workflow.models.DONE_STATUSES` when this was written.
"""

from __future__ import annotations

from django.db import migrations

from school_logistics.core.pg_indexes import postgres_index


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_process_running_index")]

    operations = [
        postgres_index(
            "task_done",
            "workflow_approvaltask",
            "btree (assignee_id, acted_at DESC NULLS LAST, id DESC)"
            " WHERE status IN ('approved', 'rejected', 'returned', 'transferred')",
        )
    ]
