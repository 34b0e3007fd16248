"""The desk's everyday pages, and the admin's lists of forms and flows, pass axe-core's WCAG 2.1
A and AA rules, on a phone and a desktop.

Rules a machine can check: every control has a name (a screen reader says what to type), text
keeps 4.5:1 contrast (phones are read outdoors), names match what is shown, and so on. What it
cannot check (a sensible reading order, clear wording) is for the people who use the pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from school_logistics.core.models import Document, User
from school_logistics.workflow import actions
from tests.browser.test_approval_chain import draft  # noqa: F401  (a fixture)
from tests.browser.test_requisition_journey import sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.workflows]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Any) -> list[str]:
    """Each rule broken on the page, with up to three places, as a line to read in a report."""
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in found
    ]


@pytest.fixture
def in_approval(draft: Document, users: dict[str, User]) -> Document:  # noqa: F811
    actions.start_approval(draft.doctype, draft.name, actor=users["teacher"])
    # The bureau's 后勤科, who reads 学校后勤概览 of the school.
    make_user("bureau", users["teacher"].school, "bureau")
    return draft


@pytest.mark.parametrize("device", ["phone", "page"])
def test_the_requesters_and_the_approvers_pages_pass_wcag_aa(
    device: str, request: pytest.FixtureRequest, live_server: Any, in_approval: Document
) -> None:
    tab = request.getfixturevalue(device)
    base = live_server.url
    doc_page = f"/app/material-requisition/{in_approval.name}"
    broken: dict[str, list[str]] = {}
    for user, paths in {
        "teacher": [
            "/app/",
            "/app/material-requisition/new",
            "/app/material-requisition/",
            doc_page,
            "/app/approvals/?tab=mine",
            "/app/notifications/",
            "/menu/test-one/",
            "/app/feedback/new",
            "/app/student-aid/new",
            "/app/student-supply-order/new",
            "/app/expense-claim/new",
        ],
        "head": ["/app/approvals/", doc_page],
        "admin": [
            *("/app/designer/", "/app/approvals/flows/", "/app/item/"),
            "/app/notifications/settings",
            "/app/purchase-contract/new",
        ],
        "storekeeper": [
            *("/app/stock/?show=all", "/app/stock/E-PROJ", "/app/stock-receipt/new"),
            *("/app/asset-register/", "/app/asset/new", "/app/asset-disposal/new"),
            *("/app/asset-loan/new", "/app/asset-check/new", "/app/safety-inspection/new"),
            "/app/meter-reading/new",
        ],
        "finance": [
            *("/app/budget-use/", "/app/budget/new", "/app/meal-fees/"),
            *("/app/meal-fee-collection/new", "/app/meal-fees/accounts/", "/app/repair-stats/"),
            *("/app/energy/", "/app/student-supplies/"),
            "/canteen-accounts/test-one/",
        ],
        "canteen": ["/app/canteen-expense/new", "/app/meal-fee-standard/new"],
        "bureau": ["/app/district/", "/app/district/filings/"],
        "principal": ["/app/staff-review/"],
    }.items():
        tab.context.clear_cookies()
        sign_in(tab, base, user)
        for path in paths:
            tab.goto(base + path)
            if found := violations(tab):
                broken[f"{user} {path}"] = found
    assert broken == {}
