from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "school_logistics.purchasing"
    label = "purchasing"
    verbose_name = "采购"

    def ready(self) -> None:
        from school_logistics.canteen.statements import charge_sources
        from school_logistics.core import extensions
        from school_logistics.purchasing import (
            budget_views,
            certificates,
            claim_views,
            contract_views,
            contracts,
            controllers,  # noqa: F401  (registers controllers)
            expense_claims,
            procurement,
            procurement_views,
            receiving,
            receiving_views,
            student_supplies,
            supplies_views,
        )
        from school_logistics.stores.items import (
            receipt_cancel_guards,
            receipt_checks,
            receipt_holds,
        )
        from school_logistics.stores.services import receipt_drafts

        extensions.desk_links.append(budget_views.budget_link)
        extensions.record_statuses.append(certificates.supplier_status)
        extensions.desk_links.append(supplies_views.supplies_link)
        extensions.form_panels.insert(0, budget_views.requisition_budget_panel)
        extensions.field_choices.append(budget_views.budget_line_choices)
        extensions.form_panels.insert(1, procurement_views.procurement_panel)
        extensions.decision_warnings.append(procurement.split_warnings)
        extensions.form_panels.append(claim_views.requisition_claim_panel)
        extensions.form_panels.append(supplies_views.supply_order_panel)
        extensions.form_panels.append(contract_views.contract_panel)
        receipt_checks.append(contracts.check_receipt)
        receipt_checks.append(procurement.check_receipt)
        receipt_checks.append(receiving.check_receipt)
        receipt_drafts.append(receiving.receipt_values)
        extensions.home_panels.append(receiving_views.awaiting_goods_panel)
        extensions.form_panels.append(receiving_views.supplier_certificates_panel)
        receipt_cancel_guards.append(expense_claims.refuse_cancelling_a_claimed_receipt)
        receipt_holds.append(procurement.quotes_pending)
        charge_sources.append(student_supplies.term_charges)
