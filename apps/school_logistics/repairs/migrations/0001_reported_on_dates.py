"""Repair tickets are dated by their 报修时间 (the DocType's date_field): give the tickets saved
before that their date, so 维修统计 finds them by it."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations


def date_tickets(apps, schema_editor):
    Document = apps.get_model("core", "Document")
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    undated = Document.objects.filter(doctype="Repair Ticket", posting_date__isnull=True)
    for doc in undated.iterator():
        try:
            moment = dt.datetime.fromisoformat(str((doc.data or {}).get("reported_on")))
        except ValueError:
            moment = doc.created
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=local)
        doc.posting_date = moment.astimezone(local).date()
        doc.save(update_fields=["posting_date"])


class Migration(migrations.Migration):
    dependencies = [("core", "0009_school_has_budgets")]
    operations = [migrations.RunPython(date_tickets, migrations.RunPython.noop)]
