"""The list search's own table (`DocumentSearch`), filled for existing documents.

On PostgreSQL a trigram index on the text serves searches of three characters or more; shorter
ones (two hanzi are a common word) scan the narrow table, ~10 % of the document table's size.
"""

import django.db.models.deletion
from django.db import migrations, models

from school_logistics.core.trigram import trigram_index


def fill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    """Write the search text of every existing document (none on a new site)."""
    if not apps.get_model("core", "Document").objects.exists():
        return
    # The current code: it reads DocType definitions with their customisations.
    from school_logistics.core.search import rebuild_all

    rebuild_all()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_user_session")]

    operations = [
        migrations.CreateModel(
            name="DocumentSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("doctype", models.CharField(max_length=140)),
                ("text", models.TextField()),
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.document",
                    ),
                ),
            ],
        ),
        trigram_index("core_documentsearch_text_trgm", "core_documentsearch", "text"),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
