"""维修统计: each worker's month in numbers (量化考核), the kinds of faults, and the places and
assets that keep breaking named with advice (根据维修情况，提出校产维护意见)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.repairs import stats
from school_logistics.workflow import actions
from tests.repairs.test_repair_flow import complete, dispatch, iso, pending, report

DT = "Repair Ticket"


def ticket(users, classroom, *, hours_ago: int, took: int | None, category="水电", worker="worker",
           labour="30", asset=None, satisfaction=None):  # fmt: skip
    """A ticket reported `hours_ago`, done `took` hours later by `worker` (None: not yet)."""
    now = timezone.now()
    values = {
        "subject": "故障", "location": classroom, "category": category, "urgency": "一般",
        "description": "故障", "reported_on": iso(now - dt.timedelta(hours=hours_ago)),
        "assigned_to": worker, "asset": asset,
    }  # fmt: skip
    if took is not None:
        done = now - dt.timedelta(hours=hours_ago - took)
        values.update(completed_on=iso(done), labour_cost=labour, satisfaction=satisfaction)
    doc = services.create_document(DT, values, actor=users["purchaser"])
    return services.submit_document(DT, doc.name, actor=users["purchaser"])


def month_window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.localtime()
    return now - dt.timedelta(days=20), now + dt.timedelta(hours=1)


def test_each_workers_month_is_counted(users, classroom):
    ticket(users, classroom, hours_ago=50, took=6, satisfaction="满意")
    ticket(users, classroom, hours_ago=40, took=30, category="门窗", labour="50",
           satisfaction="基本满意")  # fmt: skip
    ticket(users, classroom, hours_ago=10, took=None)
    services.create_document(DT, {  # a draft its teacher never sent: no report yet
        "subject": "门锁坏了", "location": classroom, "category": "门窗", "urgency": "一般",
        "description": "门锁坏了", "reported_on": iso(timezone.now() - dt.timedelta(hours=3)),
    }, actor=users["teacher"])  # fmt: skip
    found = stats.tickets(users["purchaser"].school_id, *month_window())
    (load,) = stats.worker_loads(users["purchaser"].school_id, found)
    assert (load.worker, load.assigned, load.done, load.prompt) == ("worker", 3, 2, 1)
    assert load.average_hours == pytest.approx(18.0) and load.cost == Decimal("80.00")
    assert (load.rated, load.satisfied, load.satisfied_share) == (2, 1, 0.5)
    assert [(c.category, c.reported, c.done) for c in stats.categories(found)] == [
        ("水电", 2, 1), ("门窗", 1, 1),
    ]  # fmt: skip


def test_places_and_assets_that_keep_breaking_get_advice(users, classroom):
    for hours in (2000, 900, 30):  # within 90 days
        ticket(users, classroom, hours_ago=hours, took=5)
    ticket(users, classroom, hours_ago=24 * 120, took=5)  # too long ago to count
    found = stats.advice(users["purchaser"].school_id, timezone.now())
    assert [(a.what, a.count, a.detail) for a in found] == [("七年级(1)班教室", 3, "水电 3")]
    assert "全面检查" in found[0].advice


@pytest.mark.workflows
def test_a_repair_the_reporter_reopens_counts_against_it(users, items, classroom):
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    actions.reject(pending(doc, users["teacher"]).pk, actor=users["teacher"], comment="还是不亮")
    found = stats.tickets(users["purchaser"].school_id, *month_window())
    assert [t.reopened for t in found] == [1]
    assert stats.worker_loads(users["purchaser"].school_id, found)[0].reopened == 1


def test_the_office_reads_the_page_and_a_teacher_may_not(client, users, classroom):
    ticket(users, classroom, hours_ago=30, took=4)
    client.force_login(users["purchaser"])
    page = client.get("/app/repair-stats/").content.decode()
    assert 'id="worker-worker"' in page and "维修人员工作量" in page
    client.force_login(users["teacher"])
    assert client.get("/app/repair-stats/").status_code == 403
    assert "/app/repair-stats/" not in client.get("/app/").content.decode()


def test_tickets_saved_before_they_were_dated_get_their_reported_day(users, classroom):
    """The migration that dates old tickets by 报修时间, as 维修统计 now reads them."""
    from django.apps import apps

    migration = importlib.import_module(
        "school_logistics.repairs.migrations.0001_reported_on_dates"
    )
    doc = ticket(users, classroom, hours_ago=24 * 40, took=3)
    Document.objects.filter(pk=doc.pk).update(posting_date=None)
    migration.date_tickets(apps, None)
    reported = dt.datetime.fromisoformat(doc.data["reported_on"])
    assert Document.objects.get(pk=doc.pk).posting_date == timezone.localtime(reported).date()
    found = stats.tickets(users["purchaser"].school_id, *window_around(reported))
    assert [t.name for t in found] == [doc.name]


def window_around(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return moment - dt.timedelta(hours=1), moment + dt.timedelta(hours=1)
