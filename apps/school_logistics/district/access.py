"""Who works for the district bureau, and which schools each of them looks after."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from school_logistics.core.models import Document, School, User
from school_logistics.core.models.document import DocStatus

BUREAU = "bureau"


def schools_of(user: User) -> list[School]:
    """The schools a bureau user looks after: their own and those they work for."""
    if BUREAU not in user.role_codes():
        return []
    return list(
        School.objects.filter(Q(pk=user.school_id) | Q(guest_users=user))
        .distinct()
        .order_by("name")
    )


def bureau_users(school_id: int) -> QuerySet[User]:
    """The active bureau users who look after a school."""
    return (
        User.objects.filter(is_active=True, roles__code=BUREAU)
        .filter(Q(school_id=school_id) | Q(other_schools=school_id))
        .distinct()
    )


def decided_tenders(user: User) -> list[QuerySet[Any]]:
    """A bureau user reads the decided tenders of the schools they look after (to check a
    filing, to print its papers), never a school's drafts or tenders still in approval."""
    if BUREAU not in user.role_codes():
        return []
    return [
        Document.objects.filter(
            doctype="Tender", docstatus=DocStatus.SUBMITTED, school_id__in=user.school_ids()
        ).values("pk")
    ]
