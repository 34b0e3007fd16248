from django.apps import AppConfig


class CanteenConfig(AppConfig):
    name = "school_logistics.canteen"
    label = "canteen"
    verbose_name = "食堂"

    def ready(self) -> None:
        from school_logistics.canteen import (
            aid,  # noqa: F401  (registers the aid's controller)
            class_views,
            classes,
            controllers,  # noqa: F401  (registers controllers)
            expenses,  # noqa: F401  (registers the expense's controller)
            fees,  # noqa: F401  (registers the collection's controller)
            home_views,
            ledger_views,
            menu_views,
            menus,  # noqa: F401  (registers the menu's controller)
            staff_views,
            standards,
        )
        from school_logistics.core import extensions

        extensions.delete_guards.append(controllers.refuse_deleting_student_on_books)
        extensions.delete_guards.append(controllers.refuse_deleting_class_in_use)
        extensions.field_choices.append(classes.class_choices)
        extensions.desk_links.append(ledger_views.meal_fee_link)
        extensions.home_panels.append(home_views.collection_panel)
        extensions.desk_links.append(menu_views.menu_link)
        extensions.form_panels.insert(0, ledger_views.statement_panel)
        extensions.blank_fills.append(standards.refund_rate_fill)
        extensions.read_grants.append(classes.students_taught)
        extensions.form_panels.insert(0, class_views.not_a_class_teacher_panel)
        extensions.form_panels.insert(0, staff_views.health_cert_panel)
        extensions.home_panels.append(staff_views.health_cert_home_panel)
