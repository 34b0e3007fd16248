"""The shipped flows' words show in the page's language; stored rows keep them as written."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

import school_logistics
from school_logistics.workflow import actions
from school_logistics.workflow.flows import flow_text
from school_logistics.workflow.models import ApprovalLog
from tests.core.test_i18n import english_catalogue  # noqa: F401  (compiles the .mo when stale)
from tests.workflow.conftest import pending
from tests.workflow.test_query_counts import MR, three_rows

APPS = Path(school_logistics.__file__).parent
WORDS = ("label", "state", "approve_label", "reject_label", "approved_state")
DOMAINS = sorted(p.parent.name for p in APPS.glob("*/workflows"))


def words(node: Any) -> set[str]:
    """Return the flow's words: its label, its steps' labels and states, their verbs."""
    if isinstance(node, list):
        return set().union(*map(words, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    own = {v for k, v in node.items() if k in WORDS and isinstance(v, str) and v}
    return own.union(*(words(v) for v in node.values()))


@pytest.fixture(autouse=True)
def chinese_after() -> Any:
    """A request in English leaves English active in this thread; later tests expect Chinese."""
    yield
    translation.deactivate()


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_word_of_a_shipped_flow_has_its_english(domain: str) -> None:
    flows = (APPS / domain / "workflows").glob("*.json")
    shipped = set().union(*(words(json.loads(p.read_text(encoding="utf-8"))) for p in flows))
    listed = importlib.import_module(f"school_logistics.{domain}.flow_texts").FLOW_TEXTS
    assert shipped == set(listed)
    with translation.override("en"):
        assert [w for w in sorted(shipped) if flow_text(w) == w] == []
    assert flow_text("") == ""  # not the catalogue's header


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_english_pages_show_the_flows_words_in_english(users, item) -> None:
    doc = three_rows(users["teacher"], item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    head = Client()
    head.force_login(users["head"])
    head.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    inbox = head.get("/app/approvals/").content.decode()
    assert "Department head approval" in inbox and "部门负责人审批" not in inbox

    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    teacher = Client()
    teacher.force_login(users["teacher"])
    teacher.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = teacher.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert "In approval: General affairs review" in page  # the badge
    assert "Department head approval" in page and "部门负责人审批" not in page  # the trail
    # Stored as the flow has them, whoever looked in which language.
    doc.refresh_from_db()
    assert doc.workflow_state == "总务处审核"


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_the_engines_own_notes_on_the_trail_are_shown_in_english(users, item) -> None:
    doc = three_rows(users["teacher"], item, rate="30")  # under 5,000: the principal is skipped
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    skipped = ApprovalLog.objects.get(document=doc, action="skip")
    assert skipped.comment == "条件不满足，跳过此步"  # stored as written
    # The trail shows the skip once the run has passed the step: after 总务处's approval.
    for who in ("head", "purchaser"):
        actions.approve(pending(doc, users[who]).pk, actor=users[who])
    teacher = Client()
    teacher.force_login(users["teacher"])
    teacher.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = teacher.get(f"/app/material-requisition/{doc.name}").content.decode()
    trail = page[page.index('id="approval-trail"') :]
    assert "Condition not met; step skipped" in trail
    assert "条件不满足" not in page
