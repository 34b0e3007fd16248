from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkflowConfig(AppConfig):
    name = "school_logistics.workflow"
    label = "workflow"
    verbose_name = "审批流程"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.notify import services as notify_services
        from school_logistics.workflow import guards, new_form, notices, panel_views, sync, views

        guards.register()
        extensions.form_panels.append(panel_views.form_panel)
        extensions.new_form_actions.append(new_form.start_button)
        extensions.form_actions.append(panel_views.start_bar_button)
        extensions.form_panels.append(new_form.route_panel)
        extensions.home_panels.append(views.home_panel)
        notify_services.settled_rules.append(notices.settled_asks)
        post_migrate.connect(sync.sync_after_migrate, dispatch_uid="workflow.sync_flows")
