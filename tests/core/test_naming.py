"""Document names: naming series, per-year reset, amendments, and creation under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection

from school_logistics.core import services
from school_logistics.core.models import Document, NamingSeries, User
from school_logistics.core.naming import amended_name, parse_series
from school_logistics.core.validation import DocumentValidationError
from tests.core.doctypes import LINK_TARGET, NAMING, install_all, snapshot

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture(autouse=True)
def _doctypes(db: None) -> None:
    install_all()


def create(actor: User, posting_date: str = "2026-03-02", subject: str = "办公用纸") -> Document:
    return services.create_document(
        NAMING, {"subject": subject, "posting_date": posting_date}, actor=actor
    )


def cancel_and_amend(name: str, actor: User) -> Document:
    services.submit_document(NAMING, name, actor=actor)
    services.cancel_document(NAMING, name, actor=actor)
    return services.amend_document(NAMING, name, actor=actor)


def test_series_splits_into_a_dated_prefix_and_digits():
    assert parse_series("REQ-.YYYY.-.####", dt.date(2026, 3, 2)) == ("REQ-2026-", 4)
    assert parse_series("RT-.YY.MM.-.###", dt.date(2026, 3, 2)) == ("RT-2603-", 3)
    assert parse_series("PT-", dt.date(2026, 3, 2)) == ("PT-", 5)


def test_series_gives_consecutive_names(users):
    names = [create(users["teacher"]).name for _ in range(3)]
    assert names == ["REQ-2026-0001", "REQ-2026-0002", "REQ-2026-0003"]
    assert NamingSeries.objects.get(prefix="REQ-2026-").current == 3


def test_series_restarts_each_year_by_the_documents_date(users):
    teacher = users["teacher"]
    assert create(teacher, "2025-12-31").name == "REQ-2025-0001"
    assert create(teacher, "2026-01-01").name == "REQ-2026-0001"
    assert create(teacher, "2025-12-30").name == "REQ-2025-0002"
    assert create(teacher, "2026-01-02").name == "REQ-2026-0002"


def test_refused_creation_takes_no_number(users):
    teacher = users["teacher"]
    create(teacher)
    before = snapshot()
    with pytest.raises(DocumentValidationError):
        create(teacher, subject="")
    assert snapshot() == before
    assert create(teacher).name == "REQ-2026-0002"


def test_amend_adds_dash_one_and_amending_that_gives_dash_two(users):
    teacher = users["teacher"]
    original = create(teacher)
    first = cancel_and_amend(original.name, teacher)
    assert first.name == "REQ-2026-0001-1"
    second = cancel_and_amend(first.name, teacher)
    assert second.name == "REQ-2026-0001-2"
    assert second.amended_from == "REQ-2026-0001-1"
    # Amendments take no number from the series.
    assert create(teacher).name == "REQ-2026-0002"


def test_amended_name_counts_on_from_the_base_name(users):
    original = create(users["teacher"])
    assert amended_name(original.name, NAMING) == "REQ-2026-0001-1"
    # The amendment of an amendment counts on from the base; the first free number is taken.
    assert amended_name("REQ-2026-0001-1", NAMING) == "REQ-2026-0001-1"
    # A name that only looks like an amendment keeps its own base.
    assert amended_name("REQ-2026", NAMING) == "REQ-2026-1"


def test_field_naming_uses_the_value_and_refuses_a_duplicate(users):
    teacher = users["teacher"]
    doc = services.create_document(LINK_TARGET, {"code": "JX-01"}, actor=teacher)
    assert doc.name == "JX-01"
    before = snapshot()
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(LINK_TARGET, {"code": "JX-01"}, actor=teacher)
    assert exc.value.errors == {"name": ["编号“JX-01”已存在"]}
    assert snapshot() == before


# --- concurrency (PostgreSQL: SQLite serialises writers and ignores row locks) ---------------

PARALLEL = 50


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass")
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_creations_get_fifty_distinct_consecutive_names(users):
    install_all()
    teacher = users["teacher"]
    barrier = threading.Barrier(PARALLEL)
    names: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            doc = create(teacher, subject=f"并发申购 {n}")
            with lock:
                names.append(doc.name)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    expected = [f"REQ-2026-{n:04d}" for n in range(1, PARALLEL + 1)]
    assert sorted(names) == expected
    stored = Document.objects.filter(doctype=NAMING).values_list("name", flat=True)
    assert sorted(stored) == expected
    assert NamingSeries.objects.get(prefix="REQ-2026-").current == PARALLEL
