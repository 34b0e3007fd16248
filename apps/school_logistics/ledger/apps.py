from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "school_logistics.ledger"
    label = "ledger"
    verbose_name = "台账"
