"""Fixtures for printing: one document of every built-in DocType, built through the services."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from school_logistics.core import services
from school_logistics.core.models import Department, Document, Role, School, User
from school_logistics.core.roles import ensure_default_roles
from school_logistics.printing import fonts
from tests.stores.factories import make_items, make_supplier


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """Return the text pdftotext extracts from a PDF (layout kept, so columns stay apart)."""
    assert shutil.which("pdftotext"), "poppler-utils must be installed (see .ci/run)"
    path = tmp_path / "voucher.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squeeze(text: str) -> str:
    """Drop all whitespace: letter-spaced titles and table columns come back spaced apart."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session", autouse=True)
def voucher_fonts() -> None:
    """Make the voucher font subsets before printing: once per machine, half a minute."""
    fonts.build()


@pytest.fixture
def items(users: dict[str, User]) -> dict[str, Document]:
    return make_items(users["storekeeper"])


def make_bench_teacher() -> User:
    """A school, 语文组 and a teacher who may buy, with the item catalogue: the print benchmarks'."""
    ensure_default_roles()
    school = School.objects.create(name="示例实验中学", code="bench")
    dept = Department.objects.create(school=school, name="语文组")
    user = User.objects.create_user(
        username="bench", password="x", school=school, department=dept, full_name="示例老师甲"
    )
    user.roles.set(Role.objects.filter(code__in=["teacher", "storekeeper", "purchaser"]))
    make_items(user)
    return user


def make_requisition(user: User, rows: int = 2, submit: bool = False) -> Document:
    """A draft requisition (it is submitted through its approval flow); 2 rows: 427.00."""
    lines = [
        {"item": "A4-70", "qty": "10", "rate": "23.50"}
        if i % 2 == 0
        else {"item": "LAMP-T8", "qty": "12", "rate": "16"}
        for i in range(rows)
    ]
    doc = services.create_document(
        "Material Requisition",
        {"purpose": "期中考试用纸及教室照明", "budget_line": "办公用品费", "items": lines},
        actor=user,
    )
    if submit:
        doc = services.submit_document("Material Requisition", doc.name, actor=user)
    return doc


@pytest.fixture
def requisition(users: dict[str, User], items: dict[str, Document]) -> Document:
    return make_requisition(users["teacher"])


@pytest.fixture
def classroom(users: dict[str, User]) -> Document:
    return services.create_document(
        "Location",
        {
            "location_name": "七年级(1)班教室",
            "purpose": "教室",
            "building": "明德楼",
            "floor": "3",
            "room": "302",
            "custodian": users["teacher"].username,
        },
        actor=users["storekeeper"],
    )


@pytest.fixture
def supplier(users: dict[str, User]) -> Document:
    import datetime as dt

    return make_supplier(
        users["purchaser"], "甲文具公司", valid_until=dt.date.today() + dt.timedelta(days=365)
    )


def approved_requisition(users: dict[str, User], rows: int = 2, big: bool = True) -> Document:
    """Run a requisition through the shipped flow to 已通过; `big` (≥ 5,000) asks the principal too.

    Needs the `workflows` marker and the `heads` and `items` fixtures.
    """
    from school_logistics.workflow import actions
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    teacher = users["teacher"]
    qty = "300" if big else "1"
    doc = services.create_document(
        "Material Requisition",
        {
            "department": teacher.department.name if teacher.department else "",
            "purpose": "期中考试用纸及教室照明",
            "budget_line": "办公用品费",
            "items": [
                {"item": "A4-70" if i % 2 == 0 else "LAMP-T8", "qty": qty, "rate": "23.50"}
                for i in range(rows)
            ],
        },
        actor=teacher,
    )
    actions.start_approval("Material Requisition", doc.name, actor=teacher, comment="请审批")
    comments = {"head": "同意，按预算执行", "purchaser": "库存不足，同意采购", "principal": "同意"}
    for who in ("head", "purchaser", "principal") if big else ("head", "purchaser"):
        task = ApprovalTask.objects.get(
            document=doc, assignee=users[who], status=TaskStatus.PENDING
        )
        actions.approve(task.pk, actor=users[who], comment=comments[who])
    doc.refresh_from_db()
    return doc


def make_students(canteen: User, class_name: str = "七年级(1)班") -> list[str]:
    """Two fictional boarders of one class, the class made first with `teacher` its 班主任
    (who files `make_refund`); the canteen manager keeps both."""
    services.create_document(
        "School Class", {"class_name": class_name, "class_teacher": "teacher"}, actor=canteen
    )
    return [
        services.create_document(
            "Student",
            {"student_no": no, "student_name": name, "class_name": class_name, "meal_plan": "三餐"},
            actor=canteen,
        ).name
        for no, name in [(f"{class_name}-1", "林一"), (f"{class_name}-2", "林二")]
    ]


def make_refund(
    teacher: User, students: list[str], month: str, class_name: str = "七年级(1)班"
) -> Document:
    """A 伙食费退费单 of one class and month: 5 + 2 missed meals at 6.50 = 45.50."""
    return services.create_document(
        "Meal Fee Refund",
        {
            "class_name": class_name,
            "month": month,
            "meal_rate": "6.50",
            "students": [
                {"student": students[0], "missed_meals": 5},
                {"student": students[1], "missed_meals": 2},
            ],
        },
        actor=teacher,
    )
