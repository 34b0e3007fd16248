"""Month-end meal fee refunds (月底退还缺餐伙食费): amounts, class roll, plan caps, one per month."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core import permissions, services
from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError

DT = "Meal Fee Refund"


def last_month() -> str:
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def days_in(month: str) -> int:
    year, mon = map(int, month.split("-"))
    return calendar.monthrange(year, mon)[1]


def refund(users, rows, actor="teacher", **extra) -> Document:
    values = {
        "class_name": "七年级(1)班",
        "month": last_month(),
        "meal_rate": "6.50",
        "students": [{"student": s, "missed_meals": n} for s, n in rows],
        **extra,
    }
    return services.create_document(DT, values, actor=users[actor])


def test_refund_is_missed_meals_times_rate(users, students):
    doc = refund(users, [("S001", 5), ("S002", 2)])
    rows = doc.data["students"]
    assert [(r["student_name"], r["refund_amount"]) for r in rows] == [
        ("林一", "32.50"),
        ("林二", "13.00"),
    ]
    assert doc.data["total_refund"] == "45.50"
    assert doc.grand_total == Decimal("45.50")
    assert doc.name.startswith("MFR-")
    services.submit_document(DT, doc.name, actor=users["teacher"])
    assert Document.objects.get(pk=doc.pk).docstatus == 1


def test_class_name_in_fullwidth_brackets_is_the_same_class(users, students):
    doc = refund(users, [("S001", 1)], class_name="七年级（1）班")
    assert doc.data["class_name"] == "七年级(1)班"


@pytest.mark.parametrize(
    ("rows", "extra", "key", "message"),
    [
        ([("S001", 1)], {"month": "2026-3"}, "month", "YYYY-MM"),
        ([("S001", 1)], {"month": "2026-13"}, "month", "YYYY-MM"),
        ([("S001", 1)], {"month": "2999-01"}, "month", "未来"),
        ([("S001", 1)], {"meal_rate": "0"}, "meal_rate", "大于 0"),
        ([("S101", 1)], {}, "students.1.student", "不在七年级(1)班"),
        ([("S003", 1)], {}, "students.1.student", "不包餐"),
        ([("S001", 1), ("S001", 2)], {}, "students.2.student", "重复"),
        ([("S001", -1)], {}, "students.1.missed_meals", "缺餐次数"),
        ([("S404", 1)], {}, "students.1.student", "找不到"),
        ([], {}, "students", "至少需要一行"),
    ],
)
def test_bad_refunds_are_refused_and_nothing_saved(users, students, rows, extra, key, message):
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, rows, **extra)
    assert message in " ".join(exc.value.errors[key])
    assert not Document.objects.filter(doctype=DT).exists()


def test_missed_meals_are_capped_by_the_meal_plan(users, students):
    days = days_in(last_month())
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S001", 3 * days + 1), ("S002", days + 1)])
    assert f"不能超过 {3 * days}" in exc.value.errors["students.1.missed_meals"][0]
    assert f"不能超过 {days}" in exc.value.errors["students.2.missed_meals"][0]
    doc = refund(users, [("S001", 3 * days), ("S002", days)])
    assert doc.data["total_refund"] == str(Decimal("6.50") * 4 * days)


def test_a_class_is_refunded_once_a_month(users, students):
    first = refund(users, [("S001", 2)])
    services.submit_document(DT, first.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S002", 1)])
    assert first.name in exc.value.errors["month"][0]
    assert Document.objects.filter(doctype=DT).count() == 1
    # The class teacher cannot take back an approved refund alone: finance cancels it, and
    # then a corrected refund may be made.
    with pytest.raises(PermissionDenied):
        services.cancel_document(DT, first.name, actor=users["teacher"])
    services.cancel_document(DT, first.name, actor=users["finance"])
    refund(users, [("S002", 1)])


def test_class_teachers_see_their_own_refunds_and_the_canteen_reads_all(users, students, outsider):
    doc = refund(users, [("S001", 2)])
    meta = get_meta(DT)
    assert not permissions.readable(users["colleague"], meta).exists()
    assert permissions.readable(users["canteen"], meta).count() == 1
    assert permissions.readable(users["finance"], meta).count() == 1
    assert not permissions.readable(outsider, meta).exists()
    with pytest.raises(PermissionDenied):
        services.submit_document(DT, doc.name, actor=users["canteen"])
    with pytest.raises(PermissionDenied):
        refund(users, [("S002", 1)], actor="canteen", month="2020-01")


def test_a_rate_typed_without_a_standard_is_refused_when_unreasonable(users, students):
    """No standard anywhere: no more than any school canteen charges a meal."""
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S001", 2)], meal_rate="500")
    assert exc.value.errors["meal_rate"] == [
        "每餐标准 ¥500.00 过高（不能超过 ¥30.00），请核对该月实际收费标准"
    ]
    assert not Document.objects.filter(doctype=DT).exists()
    assert refund(users, [("S001", 2)], meal_rate="30.00").data["total_refund"] == "60.00"


def test_a_rate_typed_for_a_month_before_the_standards_keeps_to_the_bureaus_cap(users, students):
    """The school's standards start this month (cap 6.00): last month's rate is typed, within
    the highest cap they name."""
    from tests.canteen.test_meal_fee_collection import standard, this_month

    standard(users, month=this_month(), rate="5.00", cap="6.00")
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S001", 2)], meal_rate="6.50")
    assert exc.value.errors["meal_rate"] == [
        "每餐标准 ¥6.50 超过本校伙食费标准中教育局每餐上限 ¥6.00，请核对"
    ]
    assert not Document.objects.filter(doctype=DT).exists()
    assert refund(users, [("S001", 2)], meal_rate="6.00").data["total_refund"] == "12.00"


def on(monkeypatch, day: dt.date) -> None:
    """Let the school's calendar read `day` as today."""
    real = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, *a, **kw: day if value is None else real(value, *a, **kw),
    )


def test_a_months_refund_is_filed_from_its_last_day(users, students, monkeypatch):
    """月底退还: filed mid-month and approved, it would stand in the way of the month-end one."""
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    last_day = dt.date(today.year, today.month, days_in(month))
    on(monkeypatch, last_day - dt.timedelta(days=1))
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S001", 2)], month=month)
    assert exc.value.errors["month"] == [
        f"缺餐伙食费在月底退还：{month} 的退费单 {last_day.isoformat()}（月底）起才能填报，"
        "到时按全月缺餐一次填报"
    ]
    assert not Document.objects.filter(doctype=DT).exists()
    on(monkeypatch, last_day)
    doc = refund(users, [("S001", 2)], month=month)
    services.submit_document(DT, doc.name, actor=users["teacher"])
    assert Document.objects.get(pk=doc.pk).docstatus == 1


def test_a_draft_of_this_month_is_not_submitted_before_its_last_day(users, students, monkeypatch):
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    last_day = dt.date(today.year, today.month, days_in(month))
    on(monkeypatch, last_day)
    doc = refund(users, [("S001", 2)], month=month)
    on(monkeypatch, last_day - dt.timedelta(days=1))  # saved on a clock a day fast
    with pytest.raises(DocumentValidationError) as exc:
        services.submit_document(DT, doc.name, actor=users["teacher"])
    assert "（月底）起才能填报" in exc.value.errors["month"][0]
    assert Document.objects.get(pk=doc.pk).docstatus == 0


def test_missed_meals_are_capped_by_the_days_the_fee_paid_for(users, students):
    """A month's fee pays for its standard's billing days (20 a month), not every day of it."""
    from tests.canteen.test_meal_fee_collection import standard

    standard(users, days=20)
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S001", 61), ("S002", 21)], meal_rate=None)
    assert exc.value.errors == {
        "students.1.missed_meals": [
            "缺餐学生第 1 行：缺餐次数不能超过 60（该月按 20 个计费日 × 每天 3 餐收费）"
        ],
        "students.2.missed_meals": [
            "缺餐学生第 2 行：缺餐次数不能超过 20（该月按 20 个计费日 × 每天 1 餐收费）"
        ],
    }
    doc = refund(users, [("S001", 60), ("S002", 20)], meal_rate=None)
    assert doc.data["total_refund"] == "400.00"
