"""到期提醒: an admin names a date field and how far ahead; the scheduler reminds the people it
concerns once a date — a canteen worker's health certificate (持证上岗), a loan's due date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.notify.models import Notification
from school_logistics.notify.reminders import remind_due_dates, rules, save_reminder
from tests.assets.test_asset_loan import lent, projector  # noqa: F401  (a fixture)

STAFF = "Canteen Staff"


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def worker(users, name: str, expires_in: int) -> Document:
    today = timezone.localdate()
    return services.create_document(
        STAFF,
        {"staff_name": name, "post": "厨师", "health_cert_no": f"JK-{name}",
         "health_cert_issued": today - dt.timedelta(days=300),
         "health_cert_expiry": today + dt.timedelta(days=expires_in)},
        actor=users["canteen"],
    )  # fmt: skip


def health_rule(users, **values) -> None:
    save_reminder(
        users["admin"].school,
        {"date": f"{STAFF}|health_cert_expiry", "days_before": "30", "role": "canteen_manager",
         **values},
        actor=users["admin"],
    )  # fmt: skip


def subjects(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user, event="date_due")
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def test_a_certificate_ending_within_the_days_is_reminded_once(users):
    soon = worker(users, "食堂丙", 20)
    worker(users, "食堂甲", 45)
    health_rule(users)
    assert remind_due_dates() == 1
    expiry = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    assert subjects(users["canteen"]) == [
        f"到期提醒：食堂从业人员 {soon.name}（食堂丙） 健康证有效期至 {expiry}，还有 20 天"
    ]
    assert remind_due_dates() == 0  # the next hour's run: already reminded of this date
    assert subjects(users["purchaser"]) == []


def test_a_renewed_certificate_is_reminded_again_for_its_new_date(users):
    doc = worker(users, "食堂丙", 20)
    health_rule(users)
    remind_due_dates()
    later = timezone.localdate() + dt.timedelta(days=25)
    services.save_document(STAFF, doc.name, {"health_cert_expiry": later}, actor=users["canteen"])
    assert remind_due_dates() == 1
    assert subjects(users["canteen"])[-1].endswith("还有 25 天")


def test_a_date_already_passed_says_how_long_ago(users):
    worker(users, "食堂丁", -5)
    worker(users, "食堂戊", -40)  # long past: not news any more
    health_rule(users)
    now = timezone.now()
    assert remind_due_dates(now) == 1
    assert subjects(users["canteen"])[0].endswith("已过期 5 天")


def test_the_person_a_field_names_is_reminded_of_a_submitted_document(users, projector):  # noqa: F811
    loan = lent(users, [projector.name], due_in=2)
    save_reminder(
        users["admin"].school,
        {"date": "Asset Loan|due_date", "days_before": "3", "user_field": "Asset Loan|borrower"},
        actor=users["admin"],
    )
    assert remind_due_dates() == 1
    assert subjects(users["teacher"]) == [
        f"到期提醒：校产借用单 {loan.name}（{loan.title}） 应还日期 {loan.data['due_date']}，还有 2 天"
    ]


def test_bad_reminders_are_refused_and_only_an_admin_sets_them(users):
    school = users["admin"].school
    with pytest.raises(DocumentValidationError) as refused:
        save_reminder(
            school,
            {"date": f"{STAFF}|staff_name", "days_before": "400",
             "user_field": "Asset Loan|borrower"},
            actor=users["admin"],
        )  # fmt: skip
    assert refused.value.messages() == [
        "请选择要提醒的日期",
        "提前天数应为 0 到 365 之间的整数",
        "提醒的人员字段须是所选单据的字段",
    ]
    with pytest.raises(DocumentValidationError, match="请至少选择一类提醒对象"):
        save_reminder(school, {"date": f"{STAFF}|health_cert_expiry", "days_before": "30"},
                      actor=users["admin"])  # fmt: skip
    with pytest.raises(PermissionDenied):
        save_reminder(
            school, {"date": f"{STAFF}|health_cert_expiry", "days_before": "30", "role": "finance"},
            actor=users["canteen"],
        )  # fmt: skip


def test_the_admin_adds_and_deletes_a_reminder_on_the_settings_page(client, users):
    client.force_login(users["admin"])
    page = client.get("/app/notifications/settings").content.decode()
    assert 'value="Canteen Staff|health_cert_expiry"' in page
    response = client.post(
        "/app/notifications/settings",
        {"form": "reminder", "date": f"{STAFF}|health_cert_expiry", "days_before": "30",
         "role": "canteen_manager", "repeat_days": "7"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get("/app/notifications/settings").content.decode()
    assert "食堂从业人员的“健康证有效期至”前 30 天提醒食堂管理员，之后每 7 天再提醒" in page
    refused = client.post(
        "/app/notifications/settings",
        {"form": "reminder", "date": "", "days_before": "x"},
    )
    assert refused.status_code == 400 and "请选择要提醒的日期" in refused.content.decode()


def test_a_repeating_reminder_comes_back_every_few_days_until_renewed(users):
    doc = worker(users, "食堂丙", 20)  # reminding began ten days ago (30 days before)
    health_rule(users, repeat_days="7")
    now = timezone.now()
    assert remind_due_dates(now) == 1  # turn 1 (days 7–13 of the 30)
    assert remind_due_dates(now + dt.timedelta(days=3)) == 0  # still the same turn
    assert remind_due_dates(now + dt.timedelta(days=4)) == 1  # day 14: turn 2
    later = timezone.localdate() + dt.timedelta(days=400)
    services.save_document(STAFF, doc.name, {"health_cert_expiry": later}, actor=users["canteen"])
    assert remind_due_dates(now + dt.timedelta(days=11)) == 0  # renewed: nothing due
    assert len(subjects(users["canteen"])) == 2
    assert "之后每 7 天再提醒" in rules(users["admin"].school)[0].repeats


def test_a_repeating_rule_reminds_of_a_certificate_that_lapsed_long_ago_until_renewed(users):
    """Entered already two months out of date: a one-off rule lets it be, a weekly one nags."""
    worker(users, "食堂戊", -60)
    health_rule(users)
    assert remind_due_dates() == 0
    health_rule(users, repeat_days="7")
    assert remind_due_dates() == 1
    assert subjects(users["canteen"])[-1].endswith("已过期 60 天")


def test_a_repeat_of_more_than_90_days_is_refused(users):
    with pytest.raises(DocumentValidationError) as exc:
        health_rule(users, repeat_days="120")
    assert "0 为只提醒一次" in exc.value.errors["repeat_days"][0]
