"""Fixtures for purchasing tests: items, suppliers with certificates and a submitted requisition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.stores.factories import make_items, make_supplier


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Hash the fixture users' passwords cheaply; the default hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def items(users: dict[str, User]) -> dict[str, Document]:
    return make_items(users["storekeeper"])


@pytest.fixture
def suppliers(users: dict[str, User]) -> list[str]:
    """Four suppliers whose licences are valid for a year; returns their document names."""
    valid = timezone.localdate() + dt.timedelta(days=365)
    names = ["甲文具公司", "乙办公用品店", "丙纸业公司", "丁商贸公司"]
    return [make_supplier(users["purchaser"], n, valid_until=valid).name for n in names]


def make_requisition(user: User, qty: str = "10", rate: str = "23.5", submit: bool = True) -> str:
    doc = services.create_document(
        "Material Requisition",
        {"purpose": "期中考试用纸", "items": [{"item": "A4-70", "qty": qty, "rate": rate}]},
        actor=user,
    )
    if submit:
        services.submit_document("Material Requisition", doc.name, actor=user)
    return doc.name


@pytest.fixture
def requisition(users: dict[str, User], items: dict[str, Document]) -> str:
    """A submitted requisition of the teacher: 10 × 23.50 = 235.00."""
    return make_requisition(users["teacher"])
