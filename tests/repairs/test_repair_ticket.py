"""Repair tickets without a flow: report, assign, record parts and cost, complete, and confirm."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, Version
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError

DT = "Repair Ticket"


def iso(when: dt.datetime) -> str:
    return when.replace(microsecond=0).isoformat()


def report(users, classroom, **extra) -> Document:
    values = {
        "subject": "302 教室日光灯不亮",
        "location": classroom,
        "category": "水电",
        "description": "讲台上方两支灯管不亮，晚自习看不清黑板。",
        "asset_item": "LAMP-T8",
        **extra,
    }
    return services.create_document(DT, values, actor=users["teacher"])


def submitted(users, classroom) -> Document:
    doc = report(users, classroom, reported_on=iso(timezone.now() - dt.timedelta(hours=5)))
    services.submit_document(DT, doc.name, actor=users["teacher"])
    return doc


def fresh(doc: Document) -> Document:
    return Document.objects.get(pk=doc.pk)


def test_report_fills_reporter_time_and_place(users, items, classroom):
    doc = report(users, classroom)
    assert doc.name.startswith("REP-")
    assert doc.data["reported_by"] == "teacher"
    assert doc.data["reported_on"] is not None
    assert doc.data["location_name"] == "七年级(1)班教室"
    assert doc.data["urgency"] == "一般"
    assert doc.title == "302 教室日光灯不亮"


def test_total_cost_is_parts_plus_labour(users, items, classroom):
    doc = submitted(users, classroom)
    services.save_document(
        DT,
        doc.name,
        {
            "assigned_to": "worker",
            "labour_cost": "30",
            "parts": [
                {"item": "LAMP-T8", "qty": "2"},  # rate from the item's reference price: 16.00
                {"item": "TAP-15", "qty": "1", "rate": "42.5"},
            ],
        },
        actor=users["worker"],
    )
    doc = fresh(doc)
    parts = doc.data["parts"]
    assert [(p["item_name"], p["rate"], p["amount"]) for p in parts] == [
        ("日光灯管", "16.00", "32.00"),
        ("水龙头", "42.50", "42.50"),
    ]
    assert doc.data["total_cost"] == "104.50"
    assert doc.grand_total == Decimal("104.50")
    assert Version.objects.filter(document=doc, action="update_after_submit").count() == 1


def test_full_repair_is_confirmed_by_the_reporter(users, items, classroom):
    doc = submitted(users, classroom)
    services.save_document(DT, doc.name, {"assigned_to": "worker"}, actor=users["purchaser"])
    services.save_document(
        DT,
        doc.name,
        {
            "parts": [{"item": "LAMP-T8", "qty": "2"}],
            "completed_on": iso(timezone.now() - dt.timedelta(hours=1)),
        },
        actor=users["worker"],
    )
    services.save_document(
        DT,
        doc.name,
        {"reporter_confirmed": 1, "confirmation_note": "灯已修好，谢谢！"},
        actor=users["teacher"],
    )
    data = fresh(doc).data
    assert data["reporter_confirmed"] == 1
    assert data["total_cost"] == "32.00"


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"parts": [{"item": "LAMP-T8", "qty": "0"}]}, "parts.1.qty", "数量必须大于 0"),
        ({"parts": [{"item": "LAMP-T8", "qty": "-1"}]}, "parts.1.qty", "数量必须大于 0"),
        ({"completed_on": "2000-01-01T08:00:00+08:00"}, "completed_on", "不能早于报修时间"),
        ({"completed_on": iso(timezone.now() + dt.timedelta(days=2))}, "completed_on", "晚于现在"),
        ({"assigned_to": "teacher"}, "assigned_to", "不是本校的维修工"),
        ({"labour_cost": "-5"}, "labour_cost", "人工费"),
    ],
)
def test_bad_repair_records_are_refused_and_nothing_changes(
    users, items, classroom, values, key, message
):
    doc = submitted(users, classroom)
    services.save_document(DT, doc.name, {"assigned_to": "worker"}, actor=users["purchaser"])
    before = fresh(doc).data
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(DT, doc.name, values, actor=users["worker"])
    assert message in " ".join(exc.value.errors[key])
    assert fresh(doc).data == before


def test_completion_needs_an_assigned_worker(users, items, classroom):
    doc = submitted(users, classroom)
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(
            DT, doc.name, {"completed_on": iso(timezone.now())}, actor=users["worker"]
        )
    assert "请先指派维修人员" in exc.value.errors["assigned_to"][0]


def test_confirmation_only_after_completion(users, items, classroom):
    doc = submitted(users, classroom)
    before = fresh(doc).data
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(DT, doc.name, {"reporter_confirmed": 1}, actor=users["teacher"])
    assert "完工后" in exc.value.errors["reporter_confirmed"][0]
    assert fresh(doc).data == before


def test_reporter_cannot_fill_in_the_repair_record(users, items, classroom):
    doc = submitted(users, classroom)
    before = fresh(doc).data
    with pytest.raises(PermissionDenied):
        services.save_document(DT, doc.name, {"labour_cost": "500"}, actor=users["teacher"])
    with pytest.raises(PermissionDenied):
        report(users, classroom, subject="另一张", parts=[{"item": "LAMP-T8", "qty": "1"}])
    assert fresh(doc).data == before
    assert Document.objects.filter(doctype=DT).count() == 1


def test_only_the_reporter_confirms(users, items, classroom):
    doc = submitted(users, classroom)
    services.save_document(
        DT,
        doc.name,
        {"assigned_to": "worker", "completed_on": iso(timezone.now())},
        actor=users["worker"],
    )
    before = fresh(doc).data
    with pytest.raises(PermissionDenied):
        services.save_document(DT, doc.name, {"reporter_confirmed": 1}, actor=users["worker"])
    # The colleague cannot even open it; the department head may read but not write it.
    with pytest.raises(Http404):
        services.save_document(DT, doc.name, {"reporter_confirmed": 1}, actor=users["colleague"])
    with pytest.raises(PermissionDenied):
        services.save_document(DT, doc.name, {"reporter_confirmed": 1}, actor=users["head"])
    assert fresh(doc).data == before


def test_submitted_ticket_keeps_its_report(users, items, classroom):
    doc = submitted(users, classroom)
    with pytest.raises(DocumentStateError):
        services.save_document(DT, doc.name, {"subject": "改个标题"}, actor=users["teacher"])


def test_location_is_required_and_must_exist(users, items, outsider):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            DT,
            {
                "subject": "门锁坏了",
                "category": "门窗",
                "description": "锁芯卡住",
                "location": "LOC-9999",
            },
            actor=users["teacher"],
        )
    assert "找不到" in exc.value.errors["location"][0]
    assert not Document.objects.filter(doctype=DT).exists()
