"""Locations (场所): registered by logistics, each with a custodian (保管责任到人)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from school_logistics.core import permissions, services
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError


def test_location_names_are_unique_in_the_school(users, classroom):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Location",
            {"location_name": "七年级(1)班教室", "purpose": "教室", "building": "明德楼"},
            actor=users["storekeeper"],
        )
    assert "已被使用" in exc.value.errors["location_name"][0]
    assert Document.objects.filter(doctype="Location").count() == 1


def test_custodian_must_be_a_user(users):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Location",
            {
                "location_name": "物理实验室",
                "purpose": "功能室",
                "building": "格致楼",
                "custodian": "nobody",
            },
            actor=users["storekeeper"],
        )
    assert "找不到" in exc.value.errors["custodian"][0]


def test_teachers_read_locations_but_only_logistics_registers_them(users, classroom, outsider):
    meta = get_meta("Location")
    assert permissions.readable(users["teacher"], meta).count() == 1
    assert not permissions.readable(outsider, meta).exists()
    with pytest.raises(PermissionDenied):
        services.create_document(
            "Location",
            {"location_name": "音乐室", "purpose": "功能室", "building": "艺术楼"},
            actor=users["teacher"],
        )


def test_the_ticket_list_filters_by_the_location_name_people_see(
    client, users: dict[str, User], classroom: str
) -> None:
    """Tickets store the location's code (LOC-0001); the list's filter takes its name too."""
    office = services.create_document(
        "Location",
        {"location_name": "总务处办公室", "purpose": "办公室", "building": "行政楼"},
        actor=users["storekeeper"],
    ).name

    def ticket(location: str, subject: str) -> str:
        values = {
            "subject": subject,
            "location": location,
            "category": "水电",
            "description": "坏了",
        }
        return services.create_document("Repair Ticket", values, actor=users["teacher"]).name

    lamp, door = ticket(classroom, "日光灯不亮"), ticket(office, "门锁坏了")
    client.force_login(users["purchaser"])
    for typed in ("七年级(1)", classroom, classroom.lower()):
        body = client.get("/app/repair-ticket/", {"location": typed}).content.decode()
        assert lamp in body and door not in body, typed
    body = client.get("/app/repair-ticket/", {"location": "办公室"}).content.decode()
    assert door in body and lamp not in body
