"""The admin's flow editor: saving versions, refusing bad flows, trying routes, and its pages."""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation

from school_logistics.core.models import Role, User
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.workflow import actions, editor, flows
from school_logistics.workflow.definition import FlowError
from school_logistics.workflow.flows import workflow_for
from school_logistics.workflow.models import (
    ApprovalProcess,
    ApprovalTask,
    Workflow,
    WorkflowVersion,
)
from school_logistics.workflow.sync import sync_flows
from tests.core.test_i18n import english_catalogue  # noqa: F401  (compiles the .mo when stale)
from tests.workflow.conftest import pending, requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
EDITOR_URL = "/app/approvals/flows/material-requisition/"


def default_flow() -> dict[str, Any]:
    """Return a copy of the shared default requisition flow as an admin would start from it."""
    workflow = Workflow.objects.get(doctype=MR, school__isnull=True)
    return copy.deepcopy(workflow.latest().definition)


def with_threshold(raw: dict[str, Any], amount: str) -> dict[str, Any]:
    principal = next(s for s in raw["steps"] if s["key"] == "principal")
    principal["condition"] = {"all": [{"field": "grand_total", "op": ">=", "value": amount}]}
    return raw


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Return every workflow and version row, to assert that a refused save changed nothing."""
    flows = list(
        Workflow.objects.order_by("pk").values_list("pk", "school_id", "is_active", "shipped")
    )
    versions = list(WorkflowVersion.objects.order_by("pk").values_list("pk", "number"))
    return flows, versions


def route_keys(plan: list[Any]) -> dict[str, str]:
    return {p.step.key: p.status for p in plan}


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", password="pass12345", full_name="区级超级管理员")


@pytest.fixture(autouse=True)
def fresh_parsed_flows() -> Iterator[None]:
    """Forget parsed versions around each test: rolled-back ids come back with other flows."""
    flows._parsed.cache_clear()
    yield
    flows._parsed.cache_clear()


# ---- saving ---------------------------------------------------------------------------------


def test_first_school_save_creates_its_own_flow_and_later_saves_add_versions(users, school):
    first = editor.save_flow(
        MR, with_threshold(default_flow(), "3000"), actor=users["admin"], school=school
    )
    second = editor.save_flow(
        MR, with_threshold(default_flow(), "2000"), actor=users["admin"], school=school
    )

    assert first.workflow == second.workflow
    assert first.workflow.school == school and first.workflow.shipped is False
    assert (first.number, second.number) == (1, 2)
    assert second.created_by == users["admin"] and second.created is not None
    first.refresh_from_db()
    assert first.definition["steps"][2]["condition"]["all"][0]["value"] == "3000"  # never edited
    assert workflow_for(MR, school.pk) == first.workflow


def test_superuser_save_of_the_default_adds_version_n_plus_one_and_sync_keeps_it(superuser):
    default = Workflow.objects.get(doctype=MR, school__isnull=True)
    before = default.latest().number

    version = editor.save_flow(MR, with_threshold(default_flow(), "3000"), actor=superuser)

    assert version.workflow == default and version.number == before + 1
    default.refresh_from_db()
    assert default.shipped is False
    sync_flows()  # the shipped file differs now, yet the admin's version stays the latest
    assert default.latest() == version


def test_running_document_keeps_its_version_while_new_ones_take_the_new_flow(users, item, school):
    running = requisition(users["teacher"], "4000", item)
    process = actions.start_approval(MR, running.name, actor=users["teacher"])
    old_version = process.version

    editor.save_flow(
        MR, with_threshold(default_flow(), "3000"), actor=users["admin"], school=school
    )

    for who in ("head", "purchaser"):
        actions.approve(pending(running, users[who]).pk, actor=users[who])
    process.refresh_from_db()
    assert process.version == old_version and process.status == "approved"
    assert not ApprovalTask.objects.filter(document=running, assignee=users["principal"]).exists()

    fresh = requisition(users["teacher"], "4000", item)
    new_process = actions.start_approval(MR, fresh.name, actor=users["teacher"])
    assert new_process.version != old_version
    assert {s["key"]: s["status"] for s in new_process.route}["principal"] == "active"


@pytest.mark.parametrize("who", ["teacher", "purchaser", "principal"])
def test_non_admins_of_the_school_are_refused_and_nothing_changes(users, school, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        editor.save_flow(MR, default_flow(), actor=users[who], school=school)
    with pytest.raises(PermissionDenied):
        editor.set_flow_active(MR, False, actor=users[who], school=school)
    assert snapshot() == before


def test_admin_of_another_school_is_refused_and_nothing_changes(outsider, school):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="本校的系统管理员"):
        editor.save_flow(MR, default_flow(), actor=outsider, school=school)
    assert snapshot() == before


def test_school_admin_cannot_change_the_shared_default(users):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="超级管理员"):
        editor.save_flow(MR, default_flow(), actor=users["admin"], school=None)
    assert snapshot() == before


def test_school_copy_leaves_other_schools_on_the_shared_default(users, school, other_school):
    default = Workflow.objects.get(doctype=MR, school__isnull=True)
    default_versions = list(default.versions.values_list("pk", "definition"))

    editor.save_flow(
        MR, with_threshold(default_flow(), "3000"), actor=users["admin"], school=school
    )

    assert workflow_for(MR, other_school.pk) == default
    assert list(default.versions.values_list("pk", "definition")) == default_versions
    assert workflow_for(MR, school.pk) != default


def test_a_save_from_a_stale_page_is_refused(users, school):
    stale = Workflow.objects.get(doctype=MR, school__isnull=True).latest().pk
    editor.save_flow(MR, default_flow(), actor=users["admin"], school=school, base_version=stale)
    before = snapshot()
    with pytest.raises(DocumentStateError, match="已被他人修改"):
        editor.save_flow(
            MR, default_flow(), actor=users["admin"], school=school, base_version=stale
        )
    assert snapshot() == before


# ---- refusing bad flows ---------------------------------------------------------------------


def _break(change: str, raw: dict[str, Any]) -> dict[str, Any]:
    steps = raw["steps"]
    if change == "unknown field":
        steps[2]["condition"] = {"all": [{"field": "budget_amount", "op": ">=", "value": "1"}]}
    elif change == "duplicate key":
        steps[1]["key"] = "dept_head"
    elif change == "escalate without role":
        steps[1].pop("escalate_to_role")
    elif change == "unknown role":
        steps[2]["approvers"] = [{"type": "role", "value": "vice_principal"}]
    elif change == "user of another school":
        steps[2]["approvers"] = [{"type": "user", "value": "outsider"}]
    elif change == "threshold not a number":
        steps[2]["condition"] = {"all": [{"field": "grand_total", "op": ">=", "value": "五千"}]}
    elif change == "empty value":
        steps[2]["condition"] = {"all": [{"field": "grand_total", "op": ">=", "value": ""}]}
    elif change == "no approvers":
        steps[2]["approvers"] = []
    elif change == "bad hours":
        steps[2]["sla_hours"] = "两天"
    elif change == "bad key":
        steps[2]["key"] = "校长"
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown field", "第 3 步“校长审批”：条件中的字段不存在：budget_amount"),
        ("duplicate key", "第 2 步“总务处审核”：步骤编码重复"),
        ("escalate without role", "第 2 步“总务处审核”：超时上报需要指定上报角色"),
        ("unknown role", "第 3 步“校长审批”：角色“vice_principal”不存在"),
        ("user of another school", "第 3 步“校长审批”：成员“outsider”不存在或不属于本校"),
        ("threshold not a number", "第 3 步“校长审批”：条件“合计金额”的值“五千”不是数字"),
        ("empty value", "第 3 步“校长审批”：条件“合计金额”需要填写比较的值"),
        ("no approvers", "第 3 步“校长审批”：没有审批人"),
        ("bad hours", "第 3 步“校长审批”：时限应为 0 到 720 小时"),
        ("bad key", "第 3 步“校长审批”：步骤编码只能用字母"),
    ],
)
def test_bad_flows_are_refused_naming_the_step(users, school, outsider, change, message):
    before = snapshot()
    with pytest.raises(FlowError) as refused:
        editor.save_flow(MR, _break(change, default_flow()), actor=users["admin"], school=school)
    assert message in str(refused.value)
    assert snapshot() == before


def test_a_step_nobody_in_the_school_can_act_on_is_refused(users, school):
    Role.objects.create(code="nurse", label="校医")
    raw = default_flow()
    raw["fallback_role"] = "nurse"
    raw["steps"][0]["approvers"] = [{"type": "role", "value": "dept_head"}]
    raw["steps"][2]["approvers"] = [{"type": "role", "value": "nurse"}]
    with pytest.raises(FlowError, match="第 3 步“校长审批”：审批人在本校没有任何成员"):
        editor.save_flow(MR, raw, actor=users["admin"], school=school)
    raw["fallback_role"] = "sys_admin"  # the school's admin picks it up: acceptable
    assert editor.save_flow(MR, raw, actor=users["admin"], school=school).number == 1


def test_a_department_head_step_without_any_fallback_member_is_refused(users, school):
    Role.objects.create(code="nurse", label="校医")
    raw = default_flow()
    raw["fallback_role"] = "nurse"
    with pytest.raises(FlowError, match="第 1 步“部门负责人审批”：审批人可能为空"):
        editor.save_flow(MR, raw, actor=users["admin"], school=school)


def test_unknown_or_unsubmittable_doctypes_are_refused(users, school):
    with pytest.raises(FlowError, match="没有这种单据类型"):
        editor.save_flow("Spaceship", default_flow(), actor=users["admin"], school=school)
    with pytest.raises(FlowError, match="不需要提交"):
        editor.save_flow("Item", default_flow(), actor=users["admin"], school=school)


# ---- switching on and off, trying -----------------------------------------------------------


def test_deactivating_the_school_flow_returns_the_school_to_the_default(users, school):
    own = editor.save_flow(MR, default_flow(), actor=users["admin"], school=school).workflow
    editor.set_flow_active(MR, False, actor=users["admin"], school=school)
    own.refresh_from_db()
    assert own.is_active is False
    assert workflow_for(MR, school.pk).school is None
    editor.set_flow_active(MR, True, actor=users["admin"], school=school)
    assert workflow_for(MR, school.pk) == own


def test_switching_a_flow_the_school_never_saved_is_refused(users, school):
    before = snapshot()
    with pytest.raises(FlowError, match="还没有自己的流程"):
        editor.set_flow_active(MR, False, actor=users["admin"], school=school)
    assert snapshot() == before


@pytest.mark.parametrize(("amount", "principal"), [("2999.99", "skipped"), ("3000", "active")])
def test_preview_shows_the_route_of_an_unsaved_flow(users, school, amount, principal):
    before = snapshot()
    plan = editor.preview_route(
        MR,
        with_threshold(default_flow(), "3000"),
        {"grand_total": Decimal(amount), "department": "语文组"},
        school=school,
        requester=users["teacher"],
    )
    assert route_keys(plan) == {
        "dept_head": "active",
        "general_affairs": "active",
        "principal": principal,
    }
    assert [u.username for u in plan[0].approvers] == ["head"]
    assert snapshot() == before  # trying saves nothing


# ---- pages ----------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_flow_pages_are_refused_to_non_admins_and_other_schools_admins(users, outsider):
    before = snapshot()
    for who in (users["teacher"], users["principal"]):
        client = client_for(who)
        assert client.get("/app/approvals/flows/").status_code == 403
        assert client.get(EDITOR_URL).status_code == 403
        posted = client.post(EDITOR_URL, {"flow": json.dumps(default_flow())})
        assert posted.status_code == 403
    default = Workflow.objects.get(doctype=MR, school__isnull=True)
    default_versions = list(default.versions.values_list("pk", flat=True))
    # The other school's admin edits their own school's flow, never ours nor the default.
    client_for(outsider).post(EDITOR_URL, {"flow": json.dumps(default_flow())})
    assert not Workflow.objects.filter(school=users["admin"].school).exists()
    assert list(default.versions.values_list("pk", flat=True)) == default_versions
    assert snapshot()[0][: len(before[0])] == before[0]


def test_admin_sees_the_flows_list_and_the_editor(users):
    client = client_for(users["admin"])
    listing = client.get("/app/approvals/flows/")
    assert listing.status_code == 200
    assert "物资申购单" in listing.content.decode() and EDITOR_URL in listing.content.decode()
    page = client.get(EDITOR_URL)
    body = page.content.decode()
    assert page.status_code == 200
    for text in ("部门负责人审批", "总务处审核", "校长审批", "合计金额 大于等于 5000", "试一试"):
        assert text in body


def test_inbox_links_the_flows_only_for_admins(users):
    assert "link-flows" in client_for(users["admin"]).get("/app/approvals/").content.decode()
    assert "link-flows" not in client_for(users["teacher"]).get("/app/approvals/").content.decode()


@pytest.mark.parametrize("posted", ["{not json", "", json.dumps([1, 2])])
def test_posting_malformed_flow_data_answers_400_and_saves_nothing(users, posted):
    before = snapshot()
    response = client_for(users["admin"]).post(EDITOR_URL, {"flow": posted})
    assert response.status_code == 400
    assert "flow-errors" in response.content.decode()
    assert snapshot() == before


def test_posting_a_bad_flow_shows_the_error_in_place_and_keeps_the_admins_edits(users):
    raw = _break("threshold not a number", default_flow())
    raw["steps"][0]["label"] = "组长审批"
    before = snapshot()
    response = client_for(users["admin"]).post(EDITOR_URL, {"flow": json.dumps(raw)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "条件“合计金额”的值“五千”不是数字" in body
    assert 'value="组长审批"' in body and 'value="五千"' in body
    assert body.count("step-invalid") == 1  # the named step is marked where it stands
    assert snapshot() == before


@pytest.fixture
def english_admin(users) -> Iterator[User]:
    admin = users["admin"]
    admin.language = "en"
    admin.save()
    yield admin
    translation.deactivate()  # the request left English active in this thread


@pytest.mark.parametrize(
    ("change", "step", "message"),
    [
        (
            "loop",
            1,
            "Step 1 “部门负责人审批”: approving goes round in a loop "
            "(部门负责人审批 → 总务处审核 → 部门负责人审批) with no way out",
        ),
        ("threshold not a number", 3, "Step 3 “校长审批”: the value “五千” in the condition"),
        ("unknown role", 3, "Step 3 “校长审批”: the role “vice_principal” does not exist"),
        ("bad hours", 3, "Step 3 “校长审批”: the time limit must be 0 to 720 hours"),
    ],
)
def test_a_bad_flow_is_refused_in_english_for_an_english_speaking_admin(
    english_admin, change, step, message
):
    raw = default_flow()
    if change == "loop":
        raw["steps"][1]["on_approve"] = "dept_head"
    else:
        raw = _break(change, raw)
    before = snapshot()
    response = client_for(english_admin).post(EDITOR_URL, {"flow": json.dumps(raw)})
    body = response.content.decode()
    assert response.status_code == 400
    errors = body[body.index('id="flow-errors"') :]
    errors = html.unescape(errors[: errors.index("</div>")])
    assert message in errors
    assert "未保存" not in errors and "步" not in errors
    assert body.count("step-invalid") == 1  # the step is found without reading Chinese
    assert body[: body.index("step-invalid")].count('class="card flow-step') == step
    assert snapshot() == before


def test_an_english_speaking_admin_sees_roles_by_their_english_names(english_admin):
    body = client_for(english_admin).get(EDITOR_URL).content.decode()
    assert "Purchasing (General Affairs)" in body and "总务处采购" not in body


def test_posting_a_good_flow_saves_a_version_and_redirects(users, school):
    response = client_for(users["admin"]).post(
        EDITOR_URL, {"flow": json.dumps(with_threshold(default_flow(), "3000"))}
    )
    assert response.status_code == 302
    version = Workflow.objects.get(doctype=MR, school=school).latest()
    assert version.number == 1 and version.created_by == users["admin"]


def test_try_it_answers_the_route_as_a_partial(users):
    response = client_for(users["admin"]).post(
        "/app/approvals/flows/material-requisition/try",
        {
            "flow": json.dumps(with_threshold(default_flow(), "3000")),
            "amount": "4000",
            "department": "语文组",
            "requester": "teacher",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="try-route"' in body and "校长审批" in body and "<html" not in body
    route = body[body.index('id="try-route"') : body.index("</ol>")]
    assert "跳过" not in route
    assert route.count('class="step-label"') == 3
    assert "草稿（尚未保存）" in body  # the flow tried differs from the one in force


def test_trying_the_flow_in_force_does_not_mark_it_a_draft(users, school):
    admin = client_for(users["admin"])
    admin.post(EDITOR_URL, {"flow": json.dumps(with_threshold(default_flow(), "3000"))})
    saved = Workflow.objects.get(doctype=MR, school=school).latest().definition
    body = admin.post(
        "/app/approvals/flows/material-requisition/try",
        {"flow": json.dumps(saved), "amount": "4000", "department": "语文组"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'id="try-route"' in body and "草稿（尚未保存）" not in body


def test_try_it_with_an_unknown_department_says_so(users):
    response = client_for(users["admin"]).post(
        "/app/approvals/flows/material-requisition/try",
        {"flow": json.dumps(default_flow()), "amount": "1", "department": "火星部"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "本校没有部门“火星部”" in response.content.decode()


def test_editor_refuses_a_doctype_without_submission(users):
    assert client_for(users["admin"]).get("/app/approvals/flows/item/").status_code == 403


def test_processes_are_not_touched_by_an_edit(users, item, school):
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    before = list(ApprovalProcess.objects.values_list("pk", "version_id", "route"))
    editor.save_flow(MR, with_threshold(default_flow(), "50"), actor=users["admin"], school=school)
    assert list(ApprovalProcess.objects.values_list("pk", "version_id", "route")) == before


def test_a_doctype_without_any_flow_gets_its_first_one_from_the_editor(users, school):
    Workflow.objects.filter(doctype="Repair Ticket").delete()  # as a school that ships none
    client = client_for(users["admin"])
    page = client.get("/app/approvals/flows/repair-ticket/")
    assert page.status_code == 200 and "还没有审批流程" in page.content.decode()
    raw = {
        "label": "报修审批",
        "steps": [
            {
                "key": "assign",
                "label": "总务处派工",
                "approvers": [{"type": "role", "value": "purchaser"}],
                "condition": {"any": [{"field": "urgency", "op": "==", "value": "紧急"}]},
                "sla_hours": 4,
                "overdue": "escalate",
                "escalate_to_role": "principal",
            },
            {
                "key": "repair",
                "label": "维修人员完工",
                "approvers": [{"type": "field", "value": "assigned_to"}],
            },
        ],
    }
    assert (
        client.post("/app/approvals/flows/repair-ticket/", {"flow": json.dumps(raw)}).status_code
        == 302
    )
    own = workflow_for("Repair Ticket", school.pk)
    assert own is not None and own.school == school and own.latest().number == 1
    assert own.label == "报修审批"


@pytest.mark.parametrize("amount", ["abc", "12元", "NaN", "Infinity"])
def test_try_it_refuses_an_amount_that_is_not_a_number(users, amount):
    """Compared as text, "abc" ≥ "3000" held: the sample went to the principal."""
    response = client_for(users["admin"]).post(
        "/app/approvals/flows/material-requisition/try",
        {"flow": json.dumps(with_threshold(default_flow(), "3000")), "amount": amount},
        headers={"HX-Request": "true"},
    )
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert 'id="try-error"' in body and "不是数字，请填写如 1200 或 1200.50" in body
    assert 'id="try-route"' not in body


def test_try_it_reads_an_amount_with_thousands_separators(users):
    response = client_for(users["admin"]).post(
        "/app/approvals/flows/material-requisition/try",
        {"flow": json.dumps(with_threshold(default_flow(), "3000")), "amount": " 2,999.99 "},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "校长审批 · 跳过" in body


def test_the_diagram_names_members_by_their_names(users, school):
    users["finance"].full_name = "王会计"
    users["finance"].save()
    raw = default_flow()
    raw["steps"][-1]["cc"] = [{"type": "user", "value": "finance"}]
    raw["steps"][0]["approvers"] = [{"type": "user", "value": "head"}]
    flow = editor.check_flow(get_meta(MR), editor.normalize(raw, MR), school)

    boxes = editor.diagram(get_meta(MR), flow)

    assert boxes[0]["approvers"] == [f"成员：{users['head'].display_name}"]
    assert boxes[-1]["cc"] == ["成员：王会计"]


def test_saving_an_unchanged_flow_adds_no_version(users, school):
    admin = client_for(users["admin"])
    admin.post(EDITOR_URL, {"flow": json.dumps(with_threshold(default_flow(), "3000"))})
    own = Workflow.objects.get(doctype=MR, school=school)
    first = own.latest()
    # The editor posts every key, defaults spelled out: still the same flow.
    posted = editor.normalize(copy.deepcopy(first.definition), MR)
    for step in posted["steps"]:
        step.setdefault("cc", [])
        step.setdefault("allow_self_approval", False)
        step.setdefault("mode", "any")
    posted["label"] = ""
    before = snapshot()

    response = admin.post(
        EDITOR_URL, {"flow": json.dumps(posted), "base_version": str(first.pk)}, follow=True
    )

    assert snapshot() == before
    assert "流程没有改动，仍为第 1 版" in response.content.decode()
    changed = with_threshold(copy.deepcopy(posted), "4000")
    assert editor.save_flow(MR, changed, actor=users["admin"], school=school).number == 2


def test_a_step_without_reject_saves_reads_back_and_shows_in_the_diagram(users, school):
    raw = default_flow()
    raw["steps"][1]["allow_reject"] = False
    version = editor.save_flow(MR, raw, actor=users["admin"], school=school)
    steps = version.definition["steps"]
    assert steps[1]["allow_reject"] is False
    assert all("allow_reject" not in st for i, st in enumerate(steps) if i != 1)  # the default

    body = client_for(users["admin"]).get(EDITOR_URL).content.decode()
    boxes = body[body.index('id="flow-diagram"') :]
    assert boxes.count("不可拒绝") == 1 and boxes.count("拒绝 → 结束（已拒绝）") == 2
    cards = body[body.index('id="steps"') : body.index('id="tpl-step"')]
    ticks = re.findall(
        r'class="form-check-input step-allow-reject me-1" type="checkbox"( checked)?', cards
    )
    assert ticks == [" checked", "", " checked"]
    assert "允许拒绝" in cards


def test_a_step_without_reject_is_a_change_and_its_default_is_not(users, school):
    first = editor.save_flow(MR, default_flow(), actor=users["admin"], school=school)
    spelled_out = default_flow()
    for step in spelled_out["steps"]:
        step["allow_reject"] = True  # as the editor posts a ticked box
    assert editor.save_flow(MR, spelled_out, actor=users["admin"], school=school) == first
    unticked = default_flow()
    unticked["steps"][0]["allow_reject"] = False
    assert editor.save_flow(MR, unticked, actor=users["admin"], school=school).number == 2
