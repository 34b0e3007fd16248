from django.apps import AppConfig


class DistrictConfig(AppConfig):
    name = "school_logistics.district"
    label = "district"
    verbose_name = "教育局"

    def ready(self) -> None:
        from school_logistics.core import extensions
        from school_logistics.district import access, filing_views, views

        extensions.desk_links.append(views.district_link)
        extensions.form_panels.append(filing_views.tender_filing_panel)
        extensions.read_grants.append(access.decided_tenders)
