"""A 生活老师 reports a fault in the dormitory like any member of staff: their own tickets only."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from school_logistics.core import services
from school_logistics.core.models import Document, School, User
from school_logistics.core.permissions import PermissionDenied
from tests.conftest import make_user

NEW = "/app/repair-ticket/new"


@pytest.fixture
def life(school: School, users: dict[str, User]) -> dict[str, User]:
    """A life teacher, a colleague in the same job, as the shared users' school has them."""
    return {
        "owner": make_user("life", school, "life_teacher", full_name="生活老师甲"),
        "colleague": make_user("life2", school, "life_teacher", full_name="生活老师乙"),
    }


def test_a_life_teacher_reports_a_fault_and_only_they_and_the_office_read_it(
    client: Any, life: dict[str, User], users: dict[str, User], classroom: str, outsider: User
) -> None:
    client.force_login(life["owner"])
    assert client.get(NEW).status_code == 200
    response = client.post(
        NEW,
        {"subject": "宿舍 101 门锁坏了", "location": "七年级(1)班教室", "category": "门窗",
         "urgency": "一般", "description": "门锁转不动，学生进不去"},
    )  # fmt: skip
    assert response.status_code == 302
    ticket = Document.objects.get(doctype="Repair Ticket")
    assert (ticket.data["reported_by"], ticket.owner_id) == ("life", life["owner"].pk)
    assert client.get(f"/app/repair-ticket/{ticket.name}").status_code == 200
    for other in (life["colleague"], outsider):
        client.force_login(other)
        assert client.get(f"/app/repair-ticket/{ticket.name}").status_code in (403, 404)
    with pytest.raises((PermissionDenied, Http404)):
        services.save_document(
            "Repair Ticket", ticket.name, {"subject": "改了"}, actor=life["colleague"]
        )
    ticket.refresh_from_db()
    assert ticket.data["subject"] == "宿舍 101 门锁坏了"
    client.force_login(users["purchaser"])  # 总务处 sees every ticket
    assert client.get(f"/app/repair-ticket/{ticket.name}").status_code == 200


def test_a_life_teacher_finds_the_room_to_report_in_the_picker(
    client: Any, life: dict[str, User], classroom: str
) -> None:
    """The 报修地点 picker searches the rooms: a life teacher reads them as a teacher does."""
    client.force_login(life["owner"])
    page = "/app/repair-ticket/search-link"
    found = client.get(page, {"target": "Location", "q": "七年级"}).json()["results"]
    assert classroom in [r["value"] for r in found]
