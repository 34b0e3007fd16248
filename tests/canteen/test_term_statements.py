"""学期末学生费用结算清单: each student of a class, the term's months, what is still owed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.canteen.statements import Term, class_statements
from school_logistics.core import services
from tests.canteen.test_meal_fee_collection import collection, standard
from tests.canteen.test_meal_fee_refund import last_month, refund
from tests.printing.conftest import pdf_text, squeeze, voucher_fonts  # noqa: F401


@pytest.mark.parametrize(
    ("month", "term"),
    [
        ("2026-09", ("2026-09", "2027-01", "2026 年秋季学期")),
        ("2027-01", ("2026-09", "2027-01", "2026 年秋季学期")),
        ("2027-03", ("2027-02", "2027-08", "2027 年春季学期")),
    ],
)
def test_a_month_falls_in_its_term(month, term):
    found = Term.of(month)
    assert (found.first, found.last, found.label) == term


@pytest.fixture
def charged(users, students) -> None:
    """Last month: 七年级(1)班 charged, S002 paid 60 of 100 and was refunded one meal."""
    standard(users)
    doc = collection(users)
    rows = doc.data["students"]
    rows[1].update(amount_paid="60.00", note="家长下周补交")
    services.save_document("Meal Fee Collection", doc.name, {"students": rows},
                           actor=users["finance"])  # fmt: skip
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    back = refund(users, [("S002", 1)], meal_rate=None)
    services.submit_document("Meal Fee Refund", back.name, actor=users["teacher"])


def test_each_student_of_the_class_gets_the_terms_statement(users, charged):
    school = users["finance"].school_id
    found = class_statements(school, "七年级(1)班", Term.of(last_month()))
    assert [(s.student, s.student_name) for s in found] == [("S001", "林一"), ("S002", "林二")]
    s002 = found[1].total
    assert (s002.charged, s002.collected, s002.refund, s002.arrears, s002.net_paid) == (
        Decimal("100.00"), Decimal("60.00"), Decimal("5.00"), Decimal("40.00"), Decimal("55.00"),
    )  # fmt: skip
    assert class_statements(school, "七年级(2)班", Term.of(last_month())) == []


def test_finance_prints_the_classs_statements_to_pdf(client, users, charged, tmp_path):
    client.force_login(users["finance"])
    query = {"class_name": "七年级(1)班", "month": last_month()}
    page = client.get("/app/meal-fees/statements/", query)
    assert page.status_code == 200 and 'id="statement-S002"' in page.content.decode()
    pdf = client.get("/app/meal-fees/statements.pdf", query)
    assert pdf["Content-Type"] == "application/pdf"
    text = squeeze(pdf_text(pdf.content, tmp_path))
    assert text.count("学生费用结算清单") == 2
    assert "林二" in text and "尚欠伙食费¥40.00" in text and "本学期伙食费已结清" in text
    assert "家长签字" in text


def test_only_the_fee_books_readers_print_statements(client, users, charged):
    client.force_login(users["teacher"])
    query = {"class_name": "七年级(1)班", "month": last_month()}
    assert client.get("/app/meal-fees/statements/", query).status_code == 403
    client.force_login(users["finance"])
    assert (
        client.get("/app/meal-fees/statements/", {"class_name": "七年级(1)班"}).status_code == 404
    )
