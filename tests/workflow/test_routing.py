"""The route a requisition takes: conditions, department heads, self-approval and fallbacks."""

from decimal import Decimal

import pytest

from school_logistics.workflow.definition import FlowError, parse_flow
from school_logistics.workflow.routing import plan_route, role_holders
from tests.conftest import make_user

FIELDS = {"grand_total", "department", "purpose", "requested_by"}
REQUISITION_FLOW = {
    "doctype": "Material Requisition",
    "steps": [
        {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]},
        {
            "key": "purchasing",
            "label": "总务处审核",
            "approvers": [{"type": "role", "value": "purchaser"}],
        },
        {
            "key": "principal",
            "label": "校长审批",
            "approvers": [{"type": "role", "value": "principal"}],
            "condition": {"all": [{"field": "grand_total", "op": ">=", "value": "5000"}]},
        },
    ],
}


@pytest.fixture
def flow():
    return parse_flow(REQUISITION_FLOW, FIELDS, {"requested_by"})


@pytest.fixture
def chinese_group(departments, users):
    dept = departments["语文组"]
    dept.head = users["head"]
    dept.save()
    return dept


def route(flow, users, dept, total, requester="teacher"):
    return plan_route(
        flow,
        {"grand_total": Decimal(total)},
        requester=users[requester],
        school=users[requester].school,
        department=dept,
    )


def test_small_requisition_skips_principal_and_logs_why(flow, users, chinese_group):
    plan = route(flow, users, chinese_group, "4999.99")
    assert [p.status for p in plan] == ["active", "active", "skipped"]
    assert plan[0].approvers == [users["head"]]
    assert plan[1].approvers == [users["purchaser"]]
    assert "条件不满足" in plan[2].notes[0]


def test_requisition_at_threshold_goes_to_principal(flow, users, chinese_group):
    plan = route(flow, users, chinese_group, "5000")
    assert plan[2].status == "active"
    assert plan[2].approvers == [users["principal"]]


def test_head_cannot_approve_own_request_so_it_goes_to_admin(flow, users, chinese_group):
    plan = route(flow, users, chinese_group, "100", requester="head")
    assert plan[0].approvers == [users["admin"]]
    assert plan[0].notes == ["申请人不能审批自己的单据，转交管理员处理"]


def test_a_fallback_that_is_not_the_admin_role_is_not_called_the_admin(users, departments):
    """A 总务处 head asks on a flow that falls back to 总务处采购: the step goes to the other
    purchaser, and the note says so instead of naming the admin beside the purchaser's name."""
    office = departments["总务处"]
    office.head = users["purchaser"]
    office.save()
    users["colleague"].roles.add(*users["purchaser"].roles.all())
    flow = parse_flow({**REQUISITION_FLOW, "fallback_role": "purchaser"}, FIELDS, set())

    plan = route(flow, users, office, "100", requester="purchaser")

    assert plan[0].approvers == [users["colleague"]]
    assert plan[0].notes == ["申请人不能审批自己的单据，转交兜底审批人处理"]
    assert plan[1].approvers == [users["colleague"]]  # the requester is left out there too
    assert not any("管理员" in note for p in plan for note in p.notes)


def test_when_others_share_the_step_the_requester_is_left_out_without_a_fallback(
    users, chinese_group
):
    raw = {
        **REQUISITION_FLOW,
        "steps": [
            {
                "key": "office",
                "label": "总务处审核",
                "approvers": [{"type": "role", "value": "purchaser"}],
            }
        ],
    }
    users["colleague"].roles.add(*users["purchaser"].roles.all())

    plan = route(parse_flow(raw, FIELDS, set()), users, chinese_group, "10", requester="purchaser")

    assert plan[0].approvers == [users["colleague"]]
    assert plan[0].notes == ["申请人不能审批自己的单据"]


def test_a_step_nobody_can_take_says_so_rather_than_promising_the_admin(users, departments):
    flow = parse_flow({**REQUISITION_FLOW, "fallback_role": "principal"}, FIELDS, set())

    plan = route(flow, users, departments["食堂"], "10", requester="principal")

    assert plan[0].approvers == []  # 食堂 has no head; the only principal is the requester
    assert plan[0].notes == ["未找到审批人，也没有可转交的人：提交后此步无人审批，请联系管理员"]


def test_same_approver_twice_passes_second_step(users, chinese_group):
    raw = {
        **REQUISITION_FLOW,
        "steps": REQUISITION_FLOW["steps"][:1]
        + [
            {"key": "again", "label": "再审", "approvers": [{"type": "user", "value": "head"}]},
        ],
    }
    plan = route(parse_flow(raw, FIELDS, set()), users, chinese_group, "10")
    assert [p.status for p in plan] == ["active", "auto"]


def test_outsider_with_role_is_never_an_approver(flow, users, chinese_group, outsider):
    plan = route(flow, users, chinese_group, "9000")
    assert all(outsider not in p.approvers for p in plan)


def test_role_holders_reads_every_role_at_once_per_person_and_school(
    school, users, other_school, outsider, django_assert_num_queries
):
    """A person with two roles is under both; a member from another school counts; a user who
    left, or another school's holder, does not."""
    helper = make_user("helper", other_school, "purchaser", "principal")
    helper.other_schools.add(school)
    users["colleague"].roles.add(*users["purchaser"].roles.all())
    gone = make_user("gone", school, "purchaser")
    gone.is_active = False
    gone.save()
    with django_assert_num_queries(1):
        found = role_holders(school, ["principal", "purchaser", "principal", "finance"])
    names = {code: [u.username for u in holders] for code, holders in found.items()}
    assert names == {
        "finance": ["finance"],
        "principal": ["principal", "helper"],
        "purchaser": ["colleague", "purchaser", "helper"],
    }


def test_a_routes_role_holders_and_department_head_come_in_one_query(
    flow, school, users, chinese_group, django_assert_num_queries
):
    """Planning reads the head with the roles, with whether each is away now, so opening the
    first step asks nothing more; a head who left is still read, and never routed to."""
    import datetime as dt

    from django.utils import timezone

    from school_logistics.core.models import Department
    from school_logistics.workflow.models import Delegation

    now = timezone.now()
    Delegation.objects.create(
        user=users["head"],
        delegate=users["colleague"],
        starts=now - dt.timedelta(hours=1),
        ends=now + dt.timedelta(days=1),
    )
    dept = Department.objects.get(pk=chinese_group.pk)  # its head not loaded
    with django_assert_num_queries(1):
        plan = plan_route(
            flow, {"grand_total": Decimal("9000")},
            requester=users["teacher"], school=school, department=dept,
        )  # fmt: skip
    head, purchaser, principal = (p.approvers for p in plan)
    assert head == [users["head"]] and head[0].is_away
    assert purchaser == [users["purchaser"]] and not purchaser[0].is_away
    assert principal == [users["principal"]]

    users["head"].is_active = False
    users["head"].save()
    dept = Department.objects.get(pk=chinese_group.pk)
    plan = plan_route(
        flow, {"grand_total": Decimal("100")},
        requester=users["teacher"], school=school, department=dept,
    )  # fmt: skip
    assert users["head"] not in plan[0].approvers


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "至少需要一个审批步骤"),
        ([{"key": "a", "label": "A", "approvers": []}], "没有审批人"),
        ([{"key": "a", "label": "A", "approvers": [{"type": "role"}]}], "需要填写具体的值"),
        (
            [{"key": "a", "label": "A", "approvers": [{"type": "field", "value": "purpose"}]}],
            "不是成员字段",
        ),
        (
            [{"key": "a", "label": "A", "approvers": [{"type": "department_head"}]}] * 2,
            "步骤编码重复",
        ),
        (
            [
                {
                    "key": "a",
                    "label": "A",
                    "approvers": [{"type": "department_head"}],
                    "overdue": "escalate",
                }
            ],
            "上报角色",
        ),
    ],
)
def test_bad_flows_are_refused_with_a_reason(steps, message):
    with pytest.raises(FlowError, match=message):
        parse_flow({"steps": steps}, FIELDS, {"requested_by"})


# ---- a department head's own request goes to the head above them ------------------------------

SUPERIOR = "申请人是本部门负责人，改由上级部门负责人审批"


@pytest.fixture
def academic_office(school, users, chinese_group):
    """As in the demo school: 语文组 under 教务处, whose head (教务处主任) is the groups' superior."""
    from school_logistics.core.models import Department

    office = Department.objects.create(school=school, name="教务处")
    users["academic"] = make_user("academic", school, "teacher", "dept_head", department=office)
    office.head = users["academic"]
    office.save()
    chinese_group.parent = office
    chinese_group.save()
    return office


def fresh_department(dept):
    from school_logistics.core.models import Department

    return Department.objects.get(pk=dept.pk)  # as a document reads it: no parent loaded


def test_a_heads_own_request_goes_to_the_head_of_the_department_above(
    flow, school, users, academic_office, chinese_group, django_assert_num_queries
):
    dept = fresh_department(chinese_group)
    with django_assert_num_queries(2):  # the route's one read, and the department above
        plan = plan_route(
            flow, {"grand_total": Decimal("100")},
            requester=users["head"], school=school, department=dept,
        )  # fmt: skip
    assert plan[0].approvers == [users["academic"]]
    assert plan[0].notes == [SUPERIOR]
    assert plan[1].approvers == [users["purchaser"]] and plan[1].notes == []


def test_the_ordinary_route_does_not_read_the_department_above(
    flow, school, users, academic_office, chinese_group, django_assert_num_queries
):
    dept = fresh_department(chinese_group)
    with django_assert_num_queries(1):
        plan = plan_route(
            flow, {"grand_total": Decimal("100")},
            requester=users["teacher"], school=school, department=dept,
        )  # fmt: skip
    assert plan[0].approvers == [users["head"]] and plan[0].notes == []


def test_a_head_of_both_levels_goes_to_the_next_head_up(
    flow, users, departments, academic_office, chinese_group
):
    academic_office.head = users["head"]
    academic_office.parent = departments["校长室"]
    academic_office.save()
    departments["校长室"].head = users["principal"]
    departments["校长室"].save()

    plan = route(flow, users, fresh_department(chinese_group), "100", requester="head")

    assert plan[0].approvers == [users["principal"]] and plan[0].notes == [SUPERIOR]


@pytest.mark.parametrize("above", ["no head", "head left"])
def test_with_nobody_heading_the_department_above_it_falls_back_as_before(
    flow, users, academic_office, chinese_group, above
):
    if above == "no head":
        academic_office.head = None
        academic_office.save()
    else:
        users["academic"].is_active = False
        users["academic"].save()

    plan = route(flow, users, fresh_department(chinese_group), "100", requester="head")

    assert plan[0].approvers == [users["admin"]]
    assert plan[0].notes == ["申请人不能审批自己的单据，转交管理员处理"]


def test_a_step_that_allows_self_approval_keeps_the_head(users, academic_office, chinese_group):
    raw = {
        **REQUISITION_FLOW,
        "steps": [{**REQUISITION_FLOW["steps"][0], "allow_self_approval": True}],
    }
    plan = route(
        parse_flow(raw, FIELDS, set()), users, fresh_department(chinese_group), "10", "head"
    )
    assert plan[0].approvers == [users["head"]] and plan[0].notes == []


# ---- the head of a department the flow names (政教处 signs every student's early leave) --------

AFFAIRS_FLOW = {
    "doctype": "Student Leave",
    "steps": [
        {
            "key": "affairs",
            "label": "政教处签字",
            "approvers": [{"type": "named_department_head", "value": "政教处"}],
        }
    ],
}


@pytest.fixture
def affairs_office(school, users, departments):
    from school_logistics.core.models import Department

    office = Department.objects.create(school=school, name="政教处", parent=departments["校长室"])
    users["affairs"] = make_user("affairs", school, "teacher", "dept_head", department=office)
    office.head = users["affairs"]
    office.save()
    departments["校长室"].head = users["principal"]
    departments["校长室"].save()
    return office


def test_the_named_departments_head_signs_whatever_the_requesters_department(
    users, affairs_office, chinese_group
):
    flow = parse_flow(AFFAIRS_FLOW, FIELDS, set())
    for requester in ("teacher", "purchaser"):
        plan = route(flow, users, chinese_group, "0", requester=requester)
        assert plan[0].approvers == [users["affairs"]] and plan[0].notes == []


def test_the_named_departments_head_asking_goes_to_the_head_above(users, affairs_office):
    plan = route(parse_flow(AFFAIRS_FLOW, FIELDS, set()), users, affairs_office, "0", "affairs")
    assert plan[0].approvers == [users["principal"]] and plan[0].notes == [SUPERIOR]


@pytest.mark.parametrize("office", ["none of that name", "no head", "head left"])
def test_with_nobody_heading_the_named_department_the_step_falls_back(
    users, affairs_office, chinese_group, office
):
    if office == "none of that name":
        affairs_office.name = "学生处"
        affairs_office.save()
    elif office == "no head":
        affairs_office.head = None
        affairs_office.save()
    else:
        users["affairs"].is_active = False
        users["affairs"].save()
    plan = route(parse_flow(AFFAIRS_FLOW, FIELDS, set()), users, chinese_group, "0")
    assert plan[0].approvers == [users["admin"]]
    assert plan[0].notes == ["未找到审批人，转交管理员处理"]


def test_a_named_department_head_needs_the_departments_name():
    steps = [{"key": "a", "label": "A", "approvers": [{"type": "named_department_head"}]}]
    with pytest.raises(FlowError, match="指定部门的负责人需要填写具体的值"):
        parse_flow({"steps": steps}, FIELDS, set())
