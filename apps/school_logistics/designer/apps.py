from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "school_logistics.designer"
    label = "designer"
    verbose_name = "表单设计"

    def ready(self) -> None:
        from school_logistics.core import registry
        from school_logistics.designer.customize import apply_customisations

        # Built-in DocTypes are read from their shipped JSON; customisations lie on top.
        registry.definition_hooks.append(apply_customisations)
