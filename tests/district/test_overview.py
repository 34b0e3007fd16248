"""学校后勤概览: a bureau user reads each of their schools' meal fee standard, last month's
canteen books, budget use, tenders, overdue hazards and repairs; nobody else reads it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, School
from school_logistics.district.overview import summaries
from tests.canteen.factories import make_classes
from tests.canteen.test_canteen_accounts import expense
from tests.canteen.test_meal_fee_collection import collection, standard
from tests.conftest import make_user
from tests.query_counts import page_statements
from tests.safety.test_inspections import inspect


@pytest.fixture
def bureau(school, other_school):
    user = make_user("bureau", school, "bureau")
    user.other_schools.set([other_school])
    return user


def overdue_hazard(users, dorm) -> None:
    today = timezone.localdate()
    doc = inspect(users, dorm, deadline_in=-3, inspection_date=today - dt.timedelta(days=10))
    services.submit_document("Safety Inspection", doc.name, actor=users["purchaser"])


def test_the_bureau_sees_each_schools_standard_books_and_overdue_hazards(
    users,
    students,
    dorm,
    bureau,
    school,
    other_school,
):
    standard(users)  # 5.00 a meal, the bureau's cap 6.00 (城区): 午餐 100.00 a month
    fees = collection(users)  # last month: 300 + 100 collected
    services.submit_document("Meal Fee Collection", fees.name, actor=users["finance"])
    expense(users, [("食材", "大米", "380.00")])
    overdue_hazard(users, dorm)
    ours, theirs = summaries([school, other_school], timezone.localdate())
    assert (ours.standard.meal_rate, ours.standard.cap, ours.standard.area) == (
        Decimal("5.00"), Decimal("6.00"), "城区",
    )  # fmt: skip
    assert (ours.canteen.income, ours.canteen.cost, ours.canteen.balance) == (
        Decimal("400.00"), Decimal("380.00"), Decimal("20.00"),
    )  # fmt: skip
    assert not ours.canteen.watch  # 5 % of income: at the line, not above it
    assert ours.overdue_hazards == 1
    assert theirs.standard is None and theirs.canteen.income == 0 and theirs.overdue_hazards == 0


def test_a_large_surplus_is_marked_for_a_look(users, students, bureau, school):
    standard(users)
    fees = collection(users)
    services.submit_document("Meal Fee Collection", fees.name, actor=users["finance"])
    expense(users, [("食材", "大米", "300.00")])  # 100 of 400 left: 25 %
    (ours,) = summaries([school], timezone.localdate())
    assert ours.canteen.watch


def test_only_a_bureau_user_reads_it_and_only_for_their_schools(client, users, bureau):
    School.objects.create(name="别区中学", code="elsewhere")
    client.force_login(bureau)
    page = client.get("/app/district/").content.decode()
    assert "测试第一中学" in page and "测试第二中学" in page and "别区中学" not in page
    assert "没有执行中的标准" in page
    client.force_login(users["principal"])
    assert client.get("/app/district/").status_code == 403


def test_the_overview_costs_the_same_as_schools_and_books_grow(
    client,
    users,
    students,
    bureau,
    school,
):
    client.force_login(bureau)
    page_statements(client, "/app/district/")
    before = page_statements(client, "/app/district/")
    standard(users)
    fees = collection(users)
    services.submit_document("Meal Fee Collection", fees.name, actor=users["finance"])
    expense(users, [("食材", "大米", "300.00"), ("维修", "灶台", "50.00")])
    for n in range(3):
        bureau.other_schools.add(School.objects.create(name=f"新校{n}", code=f"new-{n}"))
    assert page_statements(client, "/app/district/") == before


def test_boarders_need_a_life_teacher_for_every_150(users, bureau, school):
    for n in range(151):
        Document.objects.create(
            doctype="Student", name=f"B{n:03d}", school=school, owner=users["canteen"],
            modified_by=users["canteen"], title=f"住校生{n}",
            data={"student_no": f"B{n:03d}", "student_name": f"住校生{n}", "is_boarding": 1},
        )  # fmt: skip
    make_classes(users["canteen"], {"七年级(1)班": None})
    services.create_document(
        "Student",
        {"student_no": "D001", "student_name": "走读生", "class_name": "七年级(1)班"},
        actor=users["canteen"],
    )
    make_user("life1", school, "life_teacher")
    (ours,) = summaries([school], timezone.localdate())
    assert (ours.boarders, ours.life_teachers, ours.life_teachers_needed) == (151, 1, 2)
    assert ours.short_of_life_teachers
    make_user("life2", school, "life_teacher")
    (ours,) = summaries([school], timezone.localdate())
    assert not ours.short_of_life_teachers
