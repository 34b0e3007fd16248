"""Statement budgets of the approval route, and hot pages whose statements do not grow with data.

Caps, not timers: `benchmarks/route.py` measures speed; these keep the statements it was tuned
to from creeping back. Counts are those of CaptureQueriesContext inside the test transaction
(savepoints included). On PostgreSQL an action's writes go out as one statement
(`core.write_batch`), so its budgets are lower there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from school_logistics.core import registry, services
from school_logistics.core.models import Document, User
from school_logistics.workflow import actions, delegation, handover
from school_logistics.workflow.models import ApprovalLog
from tests.workflow.conftest import pending
from tests.workflow.test_modes import step, use_flow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
# Reached after tuning (benchmarks/README.md); a margin of two for harmless changes.
ON_PG = connection.vendor == "postgresql"
START_APPROVAL_MAX = (9 if ON_PG else 13) + 2
MID_APPROVAL_MAX = (6 if ON_PG else 10) + 2  # the step closes and the next one opens
LAST_APPROVAL_MAX = (7 if ON_PG else 13) + 2  # the principal: CC, submission, requester told
DESK_CREATE_MAX = 7 + 2  # a new 3-row requisition posted from the desk form
# The same, sent with 提交审批: saved and started at once.
DESK_CREATE_AND_START_MAX = (9 if ON_PG else 13) + 2


@pytest.fixture(autouse=True)
def steady_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry re-checks DocType edits once a second; keep that out of the counts."""
    monkeypatch.setattr(registry, "RECHECK_SECONDS", 3600)


def fresh(user: User) -> User:
    """Return the user as a new request sees them: no cached roles or schools."""
    return User.objects.get(pk=user.pk)


def three_rows(user: User, item: Document, rate: str = "2000") -> Document:
    """Create a draft requisition of three rows; 3 × 2,000 reaches the principal's step."""
    return services.create_document(
        MR,
        {
            "department": user.department.name,
            "purpose": "多媒体教室设备",
            "items": [{"item": item.name, "qty": "1", "rate": rate} for _ in range(3)],
        },
        actor=user,
    )


def counted(call: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_start_approval_stays_within_its_statement_budget(
    users, item, django_assert_max_num_queries
):
    doc = three_rows(users["teacher"], item)
    teacher = fresh(users["teacher"])
    with django_assert_max_num_queries(START_APPROVAL_MAX):
        actions.start_approval(MR, doc.name, actor=teacher)
    assert pending(doc, users["head"])


def test_each_approval_stays_within_its_statement_budget(
    users, item, django_assert_max_num_queries
):
    doc = three_rows(users["teacher"], item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    for who, cap in [
        ("head", MID_APPROVAL_MAX),
        ("purchaser", MID_APPROVAL_MAX),
        ("principal", LAST_APPROVAL_MAX),
    ]:
        task = pending(doc, users[who])
        approver = fresh(users[who])
        with django_assert_max_num_queries(cap):
            actions.approve(task.pk, actor=approver, comment="同意")
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (1, "已通过")


def desk_form(user: User, item: Document, rate: str) -> tuple[Client, dict[str, str]]:
    """A signed-in desk and the new form of three rows, with the per-process caches warm."""
    client = Client()
    client.force_login(user)
    form = {"department": user.department.name, "purpose": "多媒体教室设备", "items-present": "1"}
    for k in range(3):
        form.update({f"items-{k}-item": item.name, f"items-{k}-qty": "1", f"items-{k}-rate": rate})
    three_rows(user, item)  # the year's naming series exists
    client.get("/app/material-requisition/new")
    return client, form


def test_saving_a_new_requisition_from_the_desk_stays_within_its_statement_budget(
    users, item, django_assert_max_num_queries
):
    """Session and user (roles, schools) in one read; link checks with items; number; 2 INSERTs."""
    client, form = desk_form(users["teacher"], item, "9")
    with django_assert_max_num_queries(DESK_CREATE_MAX):
        response = client.post("/app/material-requisition/new", form)
    assert response.status_code == 302
    doc = Document.objects.filter(doctype=MR, owner=users["teacher"]).latest("pk")
    assert (len(doc.data["items"]), doc.grand_total) == (3, 27)


def test_submitting_a_new_requisition_from_the_desk_stays_within_its_statement_budget(
    users, item, django_assert_max_num_queries
):
    """One request, one transaction: the saving above, then submission without validating
    again what was validated a moment before."""
    client, form = desk_form(users["teacher"], item, "2000")
    with django_assert_max_num_queries(DESK_CREATE_AND_START_MAX):
        response = client.post("/app/approvals/new/material-requisition", form)
    assert response.status_code == 302
    doc = Document.objects.filter(doctype=MR, owner=users["teacher"]).latest("pk")
    assert (doc.grand_total, doc.workflow_state) == (6000, "部门负责人审批")


def test_the_last_approval_submits_what_was_approved_without_refusing_it_again(users, item):
    """An item withdrawn from the catalogue mid-approval does not make the principal's
    approval fail: the document approvers saw is the one submitted, unchanged."""
    doc = three_rows(users["teacher"], item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    for who in ("head", "purchaser"):
        actions.approve(pending(doc, users[who]).pk, actor=users[who], comment="同意")
    services.delete_document("Item", item.name, actor=users["admin"])
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"], comment="同意")
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state, doc.grand_total) == (1, "已通过", 6000)


def _page_queries(client: Client, url: str) -> int:
    def get() -> None:
        assert client.get(url).status_code == 200

    get()  # warm the per-process caches (metadata, parsed flows)
    return counted(get)


def steady_statements(
    client: Client, url: str, add: Callable[[int], object], first: int = 5, more: int = 55
) -> int:
    """Add `first` rows, count the page's statements, add `more`, and check the count held."""
    add(first)
    before = _page_queries(client, url)
    add(more)
    assert _page_queries(client, url) == before
    return before


def waiting(users: dict[str, User], item: Document, n: int) -> list[Document]:
    """Start `n` small requisitions of the teacher's: each waits for the head (or a delegate)."""
    docs = [three_rows(users["teacher"], item, rate="100") for _ in range(n)]
    for doc in docs:
        actions.start_approval(MR, doc.name, actor=users["teacher"])
    return docs


@pytest.mark.parametrize("away", [False, True], ids=["own", "delegated"])
def test_inbox_statements_do_not_grow_with_waiting_documents(users, item, away):
    """The inbox's first page reads the same whatever waits, delegated tasks included."""
    approver = users["colleague"] if away else users["head"]
    if away:  # the head is away: their tasks go to a colleague, who acts on their behalf
        now = timezone.now()
        delegation.set_away(
            users["head"],
            delegate="colleague",
            starts=now,
            ends=now + dt.timedelta(days=3),
            actor=users["head"],
        )
    client = Client()
    client.force_login(approver)

    with_five = steady_statements(client, "/app/approvals/", lambda n: waiting(users, item, n))
    body = client.get("/app/approvals/").content.decode()
    assert body.count('name="task"') == 50  # the first page
    assert body.count(f"代 {users['head'].display_name}") == (50 if away else 0)
    assert _page_queries(client, "/app/approvals/?page=2") == with_five  # the last ten


def test_home_page_statements_do_not_grow_with_waiting_documents(users, item):
    """The desk's card of urgent tasks reads one page; its DocType menu is worked out once."""
    client = Client()
    client.force_login(users["head"])

    steady_statements(client, "/app/", lambda n: waiting(users, item, n))
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/app/").content.decode()
    assert 'id="home-approvals"' in body
    # The page's module cards and the sidebar list the same DocTypes.
    assert sum('FROM "core_doctype"' in q["sql"] for q in ctx.captured_queries) == 1


@pytest.mark.parametrize(("who", "tab"), [("teacher", "mine"), ("head", "done")])
def test_inbox_history_tabs_statements_do_not_grow(users, item, who, tab):
    """我发起的 and 我已处理 read one page of fifty, however long the history."""
    client = Client()
    client.force_login(users[who])
    url = f"/app/approvals/?tab={tab}"

    def run(n: int) -> None:
        for doc in waiting(users, item, n):
            actions.approve(pending(doc, users["head"]).pk, actor=users["head"])

    steady_statements(client, url, run)
    body = client.get(url).content.decode()
    assert body.count('class="list-group-item inbox-row"') == 50


def test_document_page_statements_do_not_grow_with_its_trail(users, item):
    doc = three_rows(users["teacher"], item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    client = Client()
    client.force_login(users["teacher"])
    url = f"/app/material-requisition/{doc.name}"
    holder = ["head", "colleague"]

    def pass_around(n: int) -> None:
        """Transfer the step back and forth: each hand-over is a trail line and a new task."""
        for _ in range(n):
            task = pending(doc, users[holder[0]])
            handover.transfer(task.pk, actor=users[holder[0]], to_user=holder[1], comment="请处理")
            holder.reverse()

    pass_around(4)
    short = ApprovalLog.objects.filter(document=doc).count()
    with_short_trail = _page_queries(client, url)
    pass_around(45)
    long = ApprovalLog.objects.filter(document=doc).count()
    with_long_trail = _page_queries(client, url)
    assert (short, long) == (5, 50)
    assert with_long_trail == with_short_trail


def test_the_approvers_document_page_reads_the_run_once(users, item):
    """The edit guard, the step's field grant and the panel ask about one run: one read of it
    and one of its tasks serve them all."""
    doc = three_rows(users["teacher"], item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    client = Client()
    client.force_login(users["head"])
    url = f"/app/material-requisition/{doc.name}"
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    sent = [q["sql"] for q in ctx.captured_queries]
    assert 'id="btn-approve"' in body  # the head's own task found in the run's tasks
    # Statements that read the table itself (others only name it in a permission subquery).
    assert sum(sql.startswith('SELECT "workflow_approvalprocess".') for sql in sent) == 1
    assert sum(sql.startswith('SELECT "workflow_approvaltask".') for sql in sent) == 1


def test_document_page_statements_do_not_grow_with_the_steps_ahead(users, item):
    """Each step nobody holds yet names its planned approvers: read at once, not step by step."""
    client = Client()
    client.force_login(users["teacher"])

    def page_of_a_run_with(ahead: int) -> tuple[int, str]:
        use_flow(*(step(f"审核{n}", "any") for n in range(1 + ahead)))
        doc = three_rows(users["teacher"], item, rate="100")
        actions.start_approval(MR, doc.name, actor=users["teacher"])
        url = f"/app/material-requisition/{doc.name}"
        return _page_queries(client, url), client.get(url).content.decode()

    one_ahead, _ = page_of_a_run_with(1)
    six_ahead, body = page_of_a_run_with(6)
    assert six_ahead == one_ahead
    assert all(f"审核{n}" in body for n in range(7))
    assert body.count(users["purchaser"].display_name) >= 7  # each step names its approver


@pytest.mark.parametrize(
    ("reader", "filtered"),
    [
        ("purchaser", True),  # reads the whole school: the list filtered by department
        ("teacher", False),  # reads their own: the readable ids are gathered first
    ],
)
def test_list_statements_do_not_grow_with_documents(users, item, reader, filtered):
    client = Client()
    client.force_login(users[reader])
    url = "/app/material-requisition/"
    if filtered:
        url += "?department=" + users["teacher"].department.name

    def draft(n: int) -> None:
        for _ in range(n):
            three_rows(users["teacher"], item, rate="100")
            three_rows(users["purchaser"], item, rate="100")  # 总务处's: neither list shows it

    steady_statements(client, url, draft, more=45)
    body = client.get(url).content.decode()
    assert "共 50 条" in body  # the teacher's fifty
