"""Set the new `School.has_notice_settings` for schools that already had wording or a robot."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def set_flags(apps, schema_editor):
    School = apps.get_model("core", "School")
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    ChatWebhook = apps.get_model("notify", "ChatWebhook")
    School.objects.update(
        has_notice_settings=Exists(MessageTemplate.objects.filter(school_id=OuterRef("pk")))
        | Exists(ChatWebhook.objects.filter(school_id=OuterRef("pk"), is_active=True))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_school_has_notice_settings"),
        ("notify", "0001_initial"),
    ]

    operations = [migrations.RunPython(set_flags, migrations.RunPython.noop)]
