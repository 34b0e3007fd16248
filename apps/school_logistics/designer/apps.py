from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "school_logistics.designer"
    label = "designer"
    verbose_name = "表单设计"

    def ready(self) -> None:
        from school_logistics.core import registry, services
        from school_logistics.designer import rules
        from school_logistics.designer.customize import apply_customisations

        # Built-in DocTypes are read from their shipped JSON; customisations lie on top.
        registry.definition_hooks.append(apply_customisations)
        # After them, so a custom field's show-if rule also relaxes its "required".
        registry.definition_hooks.append(rules.definition_hook)
        # Formulas and required-if rules run in the engine's one validation path.
        services.value_hooks.append(rules.apply)
