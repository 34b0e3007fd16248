"""URL routes: the desk pages, login, attachments and the language switch."""

from django.urls import include, path

from school_logistics.canteen import ledger_views, menu_views
from school_logistics.core.views.auth import set_language

urlpatterns = [
    # Approvals before the desk: "/app/approvals/" is not a DocType.
    path("app/approvals/", include("school_logistics.workflow.urls")),
    path("app/notifications/", include("school_logistics.notify.urls")),
    path("app/designer/", include("school_logistics.designer.urls")),
    path("app/stock/", include("school_logistics.stores.urls")),
    path("app/budget-use/", include("school_logistics.purchasing.urls")),
    path("app/student-supplies/", include("school_logistics.purchasing.supplies_urls")),
    path("app/reimburse/", include("school_logistics.purchasing.claim_urls")),
    path("app/contract-receipt/", include("school_logistics.purchasing.contract_urls")),
    path("app/procure/", include("school_logistics.purchasing.procurement_urls")),
    path("app/meal-fees/", include("school_logistics.canteen.urls")),
    path("app/asset-register/", include("school_logistics.assets.urls")),
    path("app/repair-stats/", include("school_logistics.repairs.urls")),
    path("app/staff-review/", include("school_logistics.service.urls")),
    path("app/energy/", include("school_logistics.energy.urls")),
    path("app/district/", include("school_logistics.district.urls")),
    path("app/people/", include("school_logistics.people.urls")),
    # 本周菜谱, open to parents without an account (校务公开).
    path("menu/<str:code>/", menu_views.public_menu, name="public-menu"),
    path(
        "canteen-accounts/<str:code>/",
        ledger_views.public_accounts,
        name="public-canteen-accounts",
    ),
    # Voucher routes first: the desk's document route would swallow ".../print".
    path("", include("school_logistics.printing.urls")),
    path("", include("school_logistics.core.urls")),
    # Before Django's own: also remembers the choice on the signed-in user.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("school_logistics.api.urls")),
]

handler400 = "school_logistics.core.views.errors.bad_request"
handler403 = "school_logistics.core.views.errors.permission_denied"
handler404 = "school_logistics.core.views.errors.page_not_found"
handler500 = "school_logistics.core.views.errors.server_error"
