"""经费预算 (限额包干): budgets allot, approved requisitions commit, never beyond the line."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, School
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import BudgetBin, BudgetEntry
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask
from tests.concurrency import submit_at_once
from tests.stores.factories import make_items
from tests.workflow.conftest import pending, send_and_approve

D = Decimal
YEAR = timezone.localdate().year


@pytest.fixture
def budgeted(users) -> Document:
    """语文组 has 1,000 yuan of 办公用品费 this year."""
    make_items(users["purchaser"])
    return allot(users, "办公用品费", "1000")


def allot(users, line: str, amount: str, department: str = "语文组") -> Document:
    doc = services.create_document(
        "Budget",
        {"fiscal_year": YEAR, "department": department, "budget_line": line, "amount": amount},
        actor=users["finance"],
    )
    send_and_approve(doc, users["finance"])
    submitted = Document.objects.get(pk=doc.pk)
    # Users hold their school as read: a request reads it again, these fixtures must.
    users["teacher"].school.refresh_from_db(fields=["has_budgets"])
    return submitted


def requisition(users, total_rate: str, line: str = "办公用品费", **extra) -> Document:
    return services.create_document(
        "Material Requisition",
        {
            "purpose": "办公室用纸",
            "budget_line": line,
            "items": [{"item": "A4-70", "qty": "1", "rate": total_rate}],
            **extra,
        },
        actor=users["teacher"],
    )


def line() -> BudgetBin:
    return BudgetBin.objects.get(budget_line="办公用品费")


def test_an_approved_requisition_commits_its_total_against_the_line(users, budgeted):
    assert (line().allotted, line().committed) == (D("1000.00"), D("0.00"))
    assert School.objects.get().has_budgets
    doc = requisition(users, "600")
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    assert line().committed == D("600.00")
    entry = BudgetEntry.objects.get(voucher=doc)
    assert (entry.committed_change, entry.balance_committed) == (D("600.00"), D("600.00"))


def test_a_requisition_beyond_what_is_left_is_refused_and_changes_nothing(users, budgeted):
    first = requisition(users, "600")
    services.submit_document("Material Requisition", first.name, actor=users["teacher"])
    second = requisition(users, "427.50")
    with pytest.raises(DocumentValidationError) as refused:
        services.submit_document("Material Requisition", second.name, actor=users["teacher"])
    assert refused.value.errors == {
        "budget_line": [
            f"超出预算：语文组 {YEAR} 年“办公用品费”预算 1,000.00 元，已使用 600.00 元，"
            "可用 400.00 元，本单 427.50 元。请核减数量，或先申请追加预算"
        ]
    }
    second.refresh_from_db()
    assert second.docstatus == DocStatus.DRAFT
    assert line().committed == D("600.00")
    assert not BudgetEntry.objects.filter(voucher=second).exists()


def test_a_cancelled_requisition_gives_its_commitment_back(users, budgeted):
    doc = requisition(users, "600")
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    services.cancel_document("Material Requisition", doc.name, actor=users["teacher"])
    assert line().committed == D("0.00")
    assert BudgetEntry.objects.filter(voucher=doc).count() == 2


def test_a_further_allotment_raises_the_line_and_a_spent_one_cannot_be_cancelled(users, budgeted):
    more = allot(users, "办公用品费", "500")
    assert line().allotted == D("1500.00")
    doc = requisition(users, "1200")
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match="已使用 1,200.00 元"):
        services.cancel_document("Budget", more.name, actor=users["finance"])
    more.refresh_from_db()
    assert more.docstatus == DocStatus.SUBMITTED
    assert (line().allotted, line().committed) == (D("1500.00"), D("1200.00"))


def test_the_requisition_names_one_of_its_departments_lines(users, budgeted):
    allot(users, "教学业务费", "3000")
    with pytest.raises(DocumentValidationError) as refused:
        requisition(users, "10", line="杂费")
    assert refused.value.errors == {
        "budget_line": [f"请填写语文组 {YEAR} 年的预算科目之一：办公用品费、教学业务费"]
    }
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def test_a_department_without_budgets_is_not_controlled(users, budgeted):
    other = services.create_document(
        "Material Requisition",
        {
            "department": "数学组",
            "purpose": "办公室用纸",
            "budget_line": "随便",
            "items": [{"item": "A4-70", "qty": "1", "rate": "99999"}],
        },
        actor=users["purchaser"],
    )
    services.submit_document("Material Requisition", other.name, actor=users["purchaser"])
    assert not BudgetEntry.objects.filter(voucher=other).exists()


def test_only_finance_draws_up_budgets(users):
    from django.core.exceptions import PermissionDenied

    for who in ("teacher", "head", "purchaser"):
        with pytest.raises(PermissionDenied):
            services.create_document(
                "Budget",
                {"fiscal_year": YEAR, "department": "语文组", "budget_line": "x", "amount": "1"},
                actor=users[who],
            )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_overspend(users):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    make_items(users["purchaser"])
    allot(users, "办公用品费", "1000")
    docs = [requisition(users, "600") for _ in range(2)]
    outcomes = submit_at_once("Material Requisition", [d.name for d in docs], users["teacher"])
    assert outcomes == ["refused", "submitted"]  # one approved, one over the budget
    assert line().committed == D("600.00")


def test_finance_reads_how_each_line_is_spent(client, users, budgeted):
    doc = requisition(users, "600")
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    client.force_login(users["finance"])
    page = client.get("/app/budget-use/").content.decode()
    assert "办公用品费" in page and "60%" in page
    assert 'id="budget-available">¥400.00<' in page
    assert "办公用品费" not in client.get("/app/budget-use/?department=数学组").content.decode()
    client.force_login(users["teacher"])
    assert client.get("/app/budget-use/").status_code == 403


def test_a_requisition_page_shows_whether_its_total_still_fits(client, users, budgeted):
    first = requisition(users, "600")
    services.submit_document("Material Requisition", first.name, actor=users["teacher"])
    draft = requisition(users, "500")
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{draft.name}").content.decode()
    assert "超出所选科目的可用额度" in page and ">400.00<" in page
    fits = client.get(f"/app/material-requisition/{first.name}").content.decode()
    assert 'id="budget-panel"' in fits and "超出所选科目的可用额度" not in fits


def test_the_budget_list_and_the_report_are_two_pages(client, users, budgeted):
    client.force_login(users["finance"])
    listing = client.get("/app/budget/").content.decode()
    assert budgeted.name in listing  # the DocType's list, not the report
    report = client.get("/app/budget-use/").content.decode()
    assert 'href="/app/budget/"' in report and 'id="budget-table"' in report


def budget_line_input(page: str) -> str:
    field = re.search(r'data-fieldname="budget_line">(.*?)</div>\s*</div>', page, re.S)
    assert field, "no 经费预算科目 on the form"
    return field.group(1)


def test_a_new_requisition_offers_the_departments_lines_as_a_required_choice(
    client, users, budgeted
):
    allot(users, "教学业务费", "500")
    client.force_login(users["teacher"])
    page = client.get("/app/material-requisition/new").content.decode()
    field = budget_line_input(page)
    assert '<select class="form-select" id="f-budget_line" name="budget_line">' in field
    assert re.findall(r'<option value="([^"]*)"', field) == ["", "办公用品费", "教学业务费"]
    assert '<span class="req">*</span>' in field
    client.force_login(users["colleague"])  # same department: same lines
    assert 'id="budget-panel"' in client.get("/app/material-requisition/new").content.decode()
    client.force_login(users["purchaser"])  # 总务处 keeps no budget: free text, not required
    page = client.get("/app/material-requisition/new").content.decode()
    assert 'id="budget-panel"' not in page
    field = budget_line_input(page)
    assert '<input type="text"' in field and 'class="req"' not in field


def test_a_line_no_longer_in_the_budget_still_shows_on_its_draft(client, users, budgeted):
    draft = requisition(users, "100")
    BudgetBin.objects.filter(budget_line="办公用品费").update(budget_line="办公经费")
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{draft.name}").content.decode()
    options = re.findall(r'<option value="([^"]*)"( selected)?', budget_line_input(page))
    assert options == [("", ""), ("办公用品费", " selected"), ("办公经费", "")]


def test_a_department_head_reads_the_use_of_their_own_lines_only(client, users, heads, budgeted):
    allot(users, "办公经费", "800", department="数学组")
    client.force_login(users["head"])  # heads 语文组
    page = client.get("/app/budget-use/").content.decode()
    assert "办公用品费" in page and "办公经费" not in page
    assert "办公经费" not in client.get("/app/budget-use/?department=数学组").content.decode()
    draft = requisition(users, "100")
    assert (
        "/app/budget-use/?year="
        in client.get(f"/app/material-requisition/{draft.name}").content.decode()
    )
    # A year without budgets (or no year) shows the newest, headed as such.
    for year in ("1900", "abc"):
        page = client.get(f"/app/budget-use/?year={year}").content.decode()
        assert f"{YEAR} 年" in page and "1900 年" not in page
    client.force_login(users["colleague"])  # a teacher of 语文组, heading nothing
    assert client.get("/app/budget-use/").status_code == 403


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_a_requisition_beyond_its_line_is_refused_when_sent_not_at_the_last_approval(
    users, budgeted
):
    doc = requisition(users, "1200")
    with pytest.raises(DocumentValidationError, match="可用 1,000.00 元，本单 1,200.00 元"):
        actions.start_approval("Material Requisition", doc.name, actor=users["teacher"])
    assert not ApprovalTask.objects.filter(document=doc).exists()
    # 提交审批 on the new form (saved and sent at once) and on the edited draft: the same.
    values = {"purpose": "办公室用纸", "budget_line": "办公用品费",
              "items": [{"item": "A4-70", "qty": "1", "rate": "1100"}]}  # fmt: skip
    count = Document.objects.count()
    with pytest.raises(DocumentValidationError, match="本单 1,100.00 元"):
        actions.create_and_start("Material Requisition", values, actor=users["teacher"])
    assert Document.objects.count() == count
    with pytest.raises(DocumentValidationError, match="本单 1,100.00 元"):
        actions.save_and_start(
            "Material Requisition", doc.name, {"items": values["items"]}, actor=users["teacher"]
        )
    doc.refresh_from_db()
    assert doc.grand_total == 1200 and not ApprovalTask.objects.filter(document=doc).exists()


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_requisitions_in_approval_count_against_the_line_when_another_is_sent(users, budgeted):
    """Two that fit alone but not together: the second is refused when sent, while its
    requester can still make it smaller, not at the office's step where nobody can."""
    first, second = requisition(users, "600"), requisition(users, "600")
    actions.start_approval("Material Requisition", first.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError) as refused:
        actions.start_approval("Material Requisition", second.name, actor=users["teacher"])
    assert refused.value.errors == {
        "budget_line": [
            f"超出预算：语文组 {YEAR} 年“办公用品费”预算 1,000.00 元，已使用 600.00 元"
            "（其中审批中的申购 ¥600.00），可用 400.00 元，本单 600.00 元。"
            "请核减数量，或先申请追加预算"
        ]
    }
    assert not ApprovalTask.objects.filter(document=second).exists()
    second.refresh_from_db()
    assert second.workflow_state == "" and second.docstatus == DocStatus.DRAFT
    # Made smaller, it fits beside the first.
    actions.save_and_start(
        "Material Requisition",
        second.name,
        {"items": [{"item": "A4-70", "qty": "1", "rate": "400"}]},
        actor=users["teacher"],
    )
    for doc in (first, second):
        for who in ("head", "purchaser"):
            actions.approve(pending(doc, users[who]).pk, actor=users[who])
    assert (line().committed, line().available) == (D("1000.00"), D("0.00"))


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_the_last_approval_counts_what_is_left_not_what_else_waits(users, budgeted):
    """Both sent within the line; a bill then spent part of it directly. The first to be
    approved takes what is left, whatever still waits; the next is refused at its last step."""
    first, second = requisition(users, "500"), requisition(users, "400")
    for doc in (first, second):
        actions.start_approval("Material Requisition", doc.name, actor=users["teacher"])
    printing = services.create_document(
        "Expense Claim",
        {"expense_type": "打印费", "budget_line": "办公用品费",
         "items": [{"description": "印卷费", "amount": "300"}]},
        actor=users["teacher"],
    )  # fmt: skip
    send_and_approve(printing, users["teacher"])
    assert line().available == D("700.00")
    for who in ("head", "purchaser"):
        actions.approve(pending(first, users[who]).pk, actor=users[who])
    first.refresh_from_db()
    assert first.docstatus == DocStatus.SUBMITTED and line().available == D("200.00")
    actions.approve(pending(second, users["head"]).pk, actor=users["head"])
    with pytest.raises(DocumentValidationError, match="可用 200.00 元，本单 400.00 元"):
        actions.approve(pending(second, users["purchaser"]).pk, actor=users["purchaser"])
    second.refresh_from_db()
    assert second.docstatus == DocStatus.DRAFT and line().committed == D("500.00")


@pytest.mark.parametrize("year", [1900, YEAR - 1, YEAR + 73])
def test_a_requisition_dated_in_a_year_without_budget_is_refused(users, budgeted, year):
    """Dated in 1900 (or last year, before the school kept budgets), it drew on no budget at
    all and went through approval unchecked: what is approved now draws on a budget."""
    with pytest.raises(DocumentValidationError) as exc:
        requisition(users, "600", posting_date=f"{year}-01-01")
    assert exc.value.errors["posting_date"] == [
        f"语文组没有 {year} 年的预算，申请日期应在有预算的年度（{YEAR} 年）"
    ]
    assert not Document.objects.filter(doctype="Material Requisition").exists()
