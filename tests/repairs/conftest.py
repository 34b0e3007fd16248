"""Fixtures for repair tests: items for parts, and a classroom with a custodian."""

from __future__ import annotations

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.stores.factories import make_items


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Hash the fixture users' passwords cheaply; the default hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def items(users: dict[str, User]) -> dict[str, Document]:
    return make_items(users["storekeeper"])


@pytest.fixture
def classroom(users: dict[str, User]) -> str:
    doc = services.create_document(
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
    return doc.name
