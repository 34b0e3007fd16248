"""The public verification page: genuine, cancelled since printing, changed, unknown, rate-limited."""

from __future__ import annotations

import uuid

import pytest

from school_logistics.core import services
from school_logistics.printing.services import print_document
from school_logistics.printing.verification import RATE_LIMIT, display_code


@pytest.fixture
def ip() -> str:
    """A fresh client address per test, so rate-limit counters in a shared Redis never collide."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def ticket(users, classroom, items):
    doc = services.create_document(
        "Repair Ticket",
        {
            "subject": "302 教室日光灯不亮",
            "location": classroom.name,
            "category": "水电",
            "description": "前排两支灯管不亮",
        },
        actor=users["teacher"],
    )
    return services.submit_document("Repair Ticket", doc.name, actor=users["teacher"])


def check(client, code: str, ip: str):
    return client.get(f"/verify/{code}", REMOTE_ADDR=ip)


def test_fresh_voucher_verifies_as_genuine_and_shows_only_what_paper_shows(
    client, users, ticket, ip
):
    log = print_document(ticket, actor=users["teacher"]).log
    response = check(client, log.code, ip)
    page = response.content.decode()
    assert response.status_code == 200
    assert "真实有效" in page and "报修单" in page and ticket.name in page
    assert log.fingerprint in page and "已提交" in page
    # The page answers "is this paper genuine", not "what is in the system".
    assert "前排两支灯管不亮" not in page and users["teacher"].username not in page


def test_voucher_printed_then_cancelled_verifies_as_cancelled(client, users, ticket, ip):
    log = print_document(ticket, actor=users["teacher"]).log
    services.cancel_document("Repair Ticket", ticket.name, actor=users["purchaser"])
    page = check(client, display_code(log.code).lower(), ip).content.decode()
    assert "单据已作废，此纸质单据已失效" in page and "打印时为“已提交”" in page


def test_a_voucher_printed_after_the_cancel_is_not_called_genuine(client, users, ticket, ip):
    services.cancel_document("Repair Ticket", ticket.name, actor=users["purchaser"])
    ticket.refresh_from_db()
    printed = print_document(ticket, actor=users["purchaser"], output="html")
    page = check(client, printed.log.code, ip).content.decode()
    assert "真实有效" not in page and "单据已作废，此纸质单据已失效" in page
    assert 'id="void-mark"' in printed.content


def test_voucher_changed_after_printing_no_longer_matches(client, users, ticket, ip):
    log = print_document(ticket, actor=users["teacher"]).log
    services.save_document(
        "Repair Ticket",
        ticket.name,
        {"assigned_to": users["worker"].username},
        actor=users["purchaser"],
    )
    page = check(client, log.code, ip).content.decode()
    assert "不一致" in page and "内容在打印后已修改" in page


def test_unknown_code_says_not_printed_here(client, db, ip):
    response = check(client, "ABCDE-FGHJK", ip)
    assert response.status_code == 404
    assert "查无此验证码" in response.content.decode()


def test_verification_is_rate_limited_per_client(client, db, ip):
    for _ in range(RATE_LIMIT):
        assert check(client, "ABCDEFGHJK", ip).status_code == 404
    response = check(client, "ABCDEFGHJK", ip)
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    # Another client is not held back by the first one's guessing.
    other = f"{ip}-other"
    assert check(client, "ABCDEFGHJK", other).status_code == 404


def test_a_form_changed_in_the_designer_leaves_its_vouchers_genuine(client, users, ticket, ip):
    """Renaming a field moves its stored value under the new name: the paper still says what
    the document says."""
    from school_logistics.core.models import Document

    log = print_document(ticket, actor=users["teacher"]).log
    doc = Document.objects.get(pk=ticket.pk)
    data = dict(doc.data)
    data["fault_description"] = data.pop("description")
    data["added_since"] = None
    Document.objects.filter(pk=doc.pk).update(data=data)
    page = check(client, log.code, ip).content.decode()
    assert "真实有效" in page


def test_a_voucher_printed_before_values_only_fingerprints_still_verifies(
    client, users, ticket, ip
):
    from school_logistics.printing.models import PrintLog
    from school_logistics.printing.verification import _keyed_fingerprint

    log = print_document(ticket, actor=users["teacher"]).log
    PrintLog.objects.filter(pk=log.pk).update(fingerprint=_keyed_fingerprint(ticket))
    assert "真实有效" in check(client, log.code, ip).content.decode()


def test_the_page_says_where_the_approval_stands_as_the_voucher_does(client, users, ticket, ip):
    from school_logistics.core.models import Document

    log = print_document(ticket, actor=users["teacher"]).log
    Document.objects.filter(pk=ticket.pk).update(workflow_state="已修好")
    page = check(client, log.code, ip).content.decode()
    assert "已提交（已修好）" in page and "真实有效" in page
