"""水电抄表: each month's reading of each meter, its use since the last one times the meter's
multiplier, its cost at the meter's price; a month read once, in order; use by building."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.meters import latest, monthly_use
from school_logistics.ledger.models import MeterReadingEntry
from tests.concurrency import submit_at_once

METER = "Meter"
READING = "Meter Reading"


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def months_ago(n: int) -> str:
    day = timezone.localdate().replace(day=1)
    for _i in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day.strftime("%Y-%m")


@pytest.fixture
def meters(users) -> list[str]:
    specs = [
        ("DB-01", "明德楼总电表", "电表", "明德楼", "0.65", "1000", "1"),
        ("DB-02", "食堂电表", "电表", "学生食堂", "0.65", "200", "10"),
        ("SB-01", "宿舍水表", "水表", "男生宿舍1号楼", "4.20", "500", "1"),
    ]
    return [
        services.create_document(
            METER,
            {"meter_no": no, "title": title, "kind": kind, "building": building,
             "unit_price": price, "start_reading": start, "multiplier": multiplier},
            actor=users["purchaser"],
        ).name
        for no, title, kind, building, price, start, multiplier in specs
    ]  # fmt: skip


def reading(users, month: str, currents: dict[str, str] | None = None) -> Document:
    doc = services.create_document(READING, {"month": month}, actor=users["worker"])
    if currents is not None:
        rows = [{**r, "current": currents.get(r["meter"])} for r in doc.data["readings"]]
        doc = services.save_document(READING, doc.name, {"readings": rows}, actor=users["worker"])
    return doc


def submit(users, doc: Document) -> Document:
    return services.submit_document(READING, doc.name, actor=users["worker"])


def refused(call, *args, **kwargs) -> list[str]:
    with pytest.raises(DocumentValidationError) as exc:
        call(*args, **kwargs)
    return exc.value.messages()


def test_a_new_reading_lists_every_meter_from_its_starting_reading(users, meters):
    doc = reading(users, months_ago(1))
    rows = doc.data["readings"]
    # Building by building, as the reader walks round.
    assert [(r["meter"], r["building"], r["previous"], r["current"]) for r in rows] == [
        ("DB-02", "学生食堂", "200.000", None),
        ("DB-01", "明德楼", "1000.000", None),
        ("SB-01", "男生宿舍1号楼", "500.000", None),
    ]
    assert refused(submit, users, doc)[0] == (
        "读数第 1 行（DB-02）：请填写本次读数，不抄的表请删除该行"
    )


def test_use_is_the_difference_times_the_multiplier_and_cost_is_at_the_price(users, meters):
    doc = reading(users, months_ago(1), {"DB-01": "1500", "DB-02": "230.5", "SB-01": "620"})
    rows = {r["meter"]: (r["usage"], r["amount"]) for r in doc.data["readings"]}
    assert rows == {
        "DB-01": ("500.000", "325.00"),
        "DB-02": ("305.000", "198.25"),  # (230.5 − 200) × 10
        "SB-01": ("120.000", "504.00"),
    }
    assert doc.data["total_amount"] == "1027.25"
    submit(users, doc)
    assert latest(doc.school_id, meters)["DB-02"] == (months_ago(1), Decimal("230.50"))


def test_a_cost_of_half_a_fen_rounds_up_as_people_round(users, meters):
    """四舍五入: 160.5 度 at ¥0.65 is ¥104.325, billed ¥104.33 (not rounded to even, ¥104.32)."""
    doc = reading(users, months_ago(1), {"DB-01": "1160.5", "DB-02": "200", "SB-01": "500"})
    rows = {r["meter"]: (r["usage"], r["amount"]) for r in doc.data["readings"]}
    assert rows["DB-01"] == ("160.500", "104.33")
    assert doc.data["total_amount"] == "104.33"


def test_a_reading_below_the_last_one_is_refused(users, meters):
    messages = refused(
        reading, users, months_ago(1), {"DB-01": "900", "DB-02": "200", "SB-01": "500"}
    )
    assert messages == ["读数第 2 行：本次读数 900 小于上次读数 1,000；如已换表，请勾选“本月换表”"]


def test_months_follow_each_other_from_the_last_reading(users, meters):
    submit(users, reading(users, months_ago(2), {"DB-01": "1100", "DB-02": "210", "SB-01": "550"}))
    later = reading(users, months_ago(1), {"DB-01": "1250", "DB-02": "215", "SB-01": "700"})
    assert [r["previous"] for r in later.data["readings"]] == ["210.000", "1100.000", "550.000"]
    submit(users, later)
    # The month before is not read again once a later month is on the books.
    messages = refused(reading, users, months_ago(3), {"DB-01": "1050", "DB-02": "205",
                                                       "SB-01": "520"})  # fmt: skip
    assert messages[0] == f"读数第 1 行：DB-02 已抄到 {months_ago(1)}"
    uses = {(u.building, u.month): u.usage for u in monthly_use(later.school_id,
                                                               [months_ago(1), months_ago(2)])}  # fmt: skip
    assert uses[("男生宿舍1号楼", months_ago(1))] == Decimal("150.000")
    assert uses[("学生食堂", months_ago(2))] == Decimal("100.000")


def test_a_month_is_read_once(users, meters):
    first = reading(users, months_ago(1), {"DB-01": "1100", "DB-02": "210", "SB-01": "550"})
    second = reading(users, months_ago(1), {"DB-01": "1100", "DB-02": "210", "SB-01": "550"})
    submit(users, first)
    messages = refused(submit, users, second)
    assert messages[0].startswith(f"读数第 1 行：DB-02 已抄到 {months_ago(1)}")
    assert not MeterReadingEntry.objects.filter(voucher=second).exists()


def test_only_the_latest_month_is_cancelled_and_then_read_again(users, meters):
    earlier = submit(users, reading(users, months_ago(2), {"DB-01": "1100", "DB-02": "210",
                                                           "SB-01": "550"}))  # fmt: skip
    later = submit(users, reading(users, months_ago(1), {"DB-01": "1250", "DB-02": "215",
                                                         "SB-01": "700"}))  # fmt: skip
    messages = refused(services.cancel_document, READING, earlier.name, actor=users["purchaser"])
    assert messages == [f"之后月份的用量是从这次读数算起的，请先作废：{later.name}"]
    services.cancel_document(READING, later.name, actor=users["purchaser"])
    assert latest(later.school_id, meters)["DB-01"] == (months_ago(2), Decimal("1100.00"))
    again = reading(users, months_ago(1), {"DB-01": "1240", "DB-02": "215", "SB-01": "700"})
    assert again.data["readings"][1]["usage"] == "140.000"
    submit(users, again)
    total = monthly_use(later.school_id, [months_ago(1)])
    assert {u.building: u.usage for u in total}["明德楼"] == Decimal("140.000")


def test_the_office_reads_use_by_building_and_a_rise_is_flagged(client, users, meters):
    submit(users, reading(users, months_ago(2), {"DB-01": "1100", "DB-02": "210", "SB-01": "600"}))
    submit(users, reading(users, months_ago(1), {"DB-01": "1205", "DB-02": "220", "SB-01": "740"}))
    client.force_login(users["purchaser"])
    page = client.get("/app/energy/", {"month": months_ago(1)}).content.decode()
    flagged = re.findall(r'class="small loss fw-semibold">([^<]*)<', page)
    assert [f.strip() for f in flagged] == [
        "上月 100，+40%"
    ]  # the dormitory's water: 140 after 100
    assert "上月 100，+5%" in page  # 明德楼's electricity: 105 after 100, not flagged
    client.force_login(users["teacher"])
    assert client.get("/app/energy/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_readings_of_a_new_meters_first_month_at_once_post_one(users, meters):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    values = {"DB-01": "1100", "DB-02": "210", "SB-01": "550"}
    drafts = [reading(users, months_ago(1), values) for _ in range(2)]
    assert submit_at_once(READING, [d.name for d in drafts], users["worker"]) == [
        "refused",
        "submitted",
    ]
    assert MeterReadingEntry.objects.filter(reverses=None).count() == 3


def test_a_meter_replaced_this_month_counts_the_old_ones_end_and_the_new_ones_start(users, meters):
    doc = reading(users, months_ago(1))
    rows = doc.data["readings"]
    # 明德楼's meter (from 1000) was replaced at 1180; the new one ran from 0 to 40.
    rows[1].update(current="40", replaced=1, old_final="1180", new_start="0")
    rows[0].update(current="200")
    rows[2].update(current="500")
    doc = services.save_document(READING, doc.name, {"readings": rows}, actor=users["worker"])
    assert doc.data["readings"][1]["usage"] == "220.000"  # 180 on the old, 40 on the new
    submit(users, doc)
    later = reading(users, months_ago(0), {"DB-01": "90", "DB-02": "200", "SB-01": "500"})
    assert later.data["readings"][1]["previous"] == "40.000"  # the new meter's reading
    bad = services.create_document(READING, {"month": months_ago(0)}, actor=users["worker"])
    bad_rows = bad.data["readings"]
    bad_rows[1].update(current="10", replaced=1, old_final="30", new_start="20")
    assert refused(services.save_document, READING, bad.name, {"readings": bad_rows},
                   actor=users["worker"]) == [
        "读数第 2 行：旧表止码 30 小于上次读数 40",
        "读数第 2 行：本次读数 10 小于新表起码 20",
    ]  # fmt: skip


def test_a_replaced_meter_needs_both_readings(users, meters):
    doc = reading(users, months_ago(1))
    rows = doc.data["readings"]
    rows[1].update(current="40", replaced=1)
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(READING, doc.name, {"readings": rows}, actor=users["worker"])
    assert set(exc.value.errors) == {"readings.2.old_final", "readings.2.new_start"}
