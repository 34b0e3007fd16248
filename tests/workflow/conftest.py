"""Workflow fixtures: the demo-like school with department heads, and helpers to act on tasks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from school_logistics.core import services
from school_logistics.core.models import Department, Document, User
from school_logistics.workflow.models import ApprovalTask, TaskStatus

pytestmark = pytest.mark.workflows


@pytest.fixture
def heads(departments: dict[str, Department], users: dict[str, User]) -> None:
    """语文组 is headed by `head`; its parent 教务 office is headed by the principal."""
    office = departments["校长室"]
    office.head = users["principal"]
    office.save()
    chinese = departments["语文组"]
    chinese.head = users["head"]
    chinese.parent = office
    chinese.save()


@pytest.fixture
def item(users: dict[str, User]) -> Document:
    return services.create_document(
        "Item",
        {"item_code": "P-A4", "item_name": "A4复印纸", "uom": "箱", "category": "办公用品"},
        actor=users["admin"],
    )


def requisition(user: User, amount: str, item: Document, **extra: Any) -> Document:
    """Create a draft requisition of one row worth `amount`."""
    return services.create_document(
        "Material Requisition",
        {
            "department": user.department.name if user.department else "",
            "purpose": "教学用纸",
            "items": [{"item": item.name, "qty": "1", "rate": amount}],
            **extra,
        },
        actor=user,
    )


def pending(document: Document, user: User) -> ApprovalTask:
    return ApprovalTask.objects.get(document=document, assignee=user, status=TaskStatus.PENDING)


def total(document: Document) -> Decimal:
    document.refresh_from_db()
    return document.grand_total or Decimal(0)
