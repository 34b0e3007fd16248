"""The list search's own table (`DocumentSearch`).

Existing documents get their rows after `migrate` (`search.refresh`, on post_migrate), from the
current code and DocType definitions once every migration has run. On PostgreSQL a trigram index
on the text serves searches of three characters or more; shorter ones (two hanzi are a common
word) scan the narrow table, ~10 % of the document table's size.
"""

import django.db.models.deletion
from django.db import migrations, models

from school_logistics.core.pg_indexes import trigram_index


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
    ]
