"""Links to people and rooms show their names, and a name typed instead of picked is taken."""

from __future__ import annotations

import re
from typing import Any

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.validation import DocumentValidationError
from tests.conftest import make_user

NEW = "/app/repair-ticket/new"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ticket(location: str, reported_by: str = "") -> dict[str, str]:
    data = {
        "subject": "三楼男厕水龙头漏水",
        "location": location,
        "category": "水电",
        "urgency": "一般",
        "description": "水龙头关不紧",
    }
    return data | ({"reported_by": reported_by} if reported_by else {})


def inputs(html: str, fieldname: str) -> tuple[str, str]:
    """The hidden code and the text shown of a link field on a rendered form."""
    hidden = re.search(
        rf'<input type="hidden" class="link-value" name="{fieldname}" value="([^"]*)"', html
    )
    shown = re.search(rf'id="f-{fieldname}"[^>]*value="([^"]*)"', html)
    assert hidden and shown, fieldname
    return hidden.group(1), shown.group(1)


def test_the_form_shows_the_room_and_the_person_by_name_and_posts_their_codes(
    client: Any, users: dict[str, User], classroom: str
) -> None:
    teacher = users["teacher"]
    teacher.full_name = "语文组教师（测试）"
    teacher.save()
    doc = services.create_document("Repair Ticket", ticket(classroom), actor=teacher)
    client.force_login(teacher)
    html = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert inputs(html, "location") == (classroom, "七年级(1)班教室")
    assert classroom not in re.findall(r'class="link-hint">([^<]*)<', html)
    # Their own ticket is reported by them: their name, not an input.
    assert "语文组教师（测试）" in html and ' name="reported_by"' not in html
    client.force_login(users["admin"])  # who may file for anyone
    html = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert inputs(html, "reported_by") == ("teacher", "语文组教师（测试）")


def test_a_name_typed_into_a_link_is_saved_as_its_record(
    client: Any, users: dict[str, User], classroom: str
) -> None:
    client.force_login(users["purchaser"])
    users["worker"].full_name = "维修工（测试）"
    users["worker"].save()
    response = client.post(NEW, ticket("七年级(1)班教室", reported_by="维修工（测试）"))
    assert response.status_code == 302
    doc = Document.objects.get(doctype="Repair Ticket")
    assert doc.data["location"] == classroom
    assert doc.data["reported_by"] == "worker"
    assert doc.data["location_name"] == "七年级(1)班教室"  # fetched from the room it names


def test_a_name_two_people_share_is_refused_and_nothing_is_saved(
    users: dict[str, User], classroom: str
) -> None:
    for user in (users["teacher"], users["colleague"]):
        user.full_name = "同名教师"
        user.save()
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Repair Ticket", ticket(classroom, reported_by="同名教师"), actor=users["purchaser"]
        )
    assert exc.value.errors["reported_by"] == ["报修人：有 2 个“同名教师”，请从列表中选择"]
    assert not Document.objects.filter(doctype="Repair Ticket").exists()


def test_a_name_from_another_school_names_nobody(
    users: dict[str, User], classroom: str, other_school: Any
) -> None:
    make_user("elsewhere", other_school, "teacher", full_name="外校教师")
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Repair Ticket", ticket(classroom, reported_by="外校教师"), actor=users["purchaser"]
        )
    assert exc.value.errors["reported_by"] == ["报修人：找不到“外校教师”"]
