"""Sessions move to rows that name their user; signed-in people stay signed in."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_sessions(apps, schema_editor):
    """Copy live sessions from Django's table, each with the user id its data holds."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    Session = apps.get_model("sessions", "Session")
    UserSession = apps.get_model("core", "UserSession")
    User = apps.get_model("core", "User")
    users = set(User.objects.values_list("pk", flat=True))
    decoder = SessionStore()  # same signing salt as ours: the data is read as it was written
    rows = []
    for old in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        user_id = decoder.decode(old.session_data).get(SESSION_KEY)
        user_id = int(user_id) if user_id is not None and int(user_id) in users else None
        rows.append(
            UserSession(
                session_key=old.session_key,
                session_data=old.session_data,
                expire_date=old.expire_date,
                user_id=user_id,
            )
        )
    UserSession.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_school_has_notice_settings"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="UserSession",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(copy_sessions, migrations.RunPython.noop),
    ]
