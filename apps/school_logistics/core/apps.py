from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "school_logistics.core"
    label = "core"
    verbose_name = "引擎"

    def ready(self) -> None:
        from school_logistics.core.collector import freeze_long_lived
        from school_logistics.core.doctype_sync import sync_after_migrate

        # Every app's modules and models are loaded by now: they live as long as the process.
        freeze_long_lived()

        # Runs once after all apps migrated; syncs every app's DocType JSON files.
        post_migrate.connect(sync_after_migrate, dispatch_uid="core.sync_doctypes")
