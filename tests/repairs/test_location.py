"""Locations (场所): registered by logistics, each with a custodian (保管责任到人)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from school_logistics.core import permissions, services
from school_logistics.core.models import Document
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
