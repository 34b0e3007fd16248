"""招标备案: 总务处 files a decided tender with the bureau; a bureau user who looks after the
school reads its papers and accepts it or sends it back to be corrected and filed again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.district import filings
from school_logistics.district.models import FilingStatus, TenderFiling
from school_logistics.notify.models import Notification
from tests.conftest import make_user
from tests.purchasing.test_tender import tender_values
from tests.query_counts import page_statements
from tests.stores.factories import make_supplier


@pytest.fixture
def bureau(school, other_school):
    user = make_user("bureau", school, "bureau")
    user.other_schools.set([other_school])
    return user


@pytest.fixture
def decided(users) -> Document:
    valid = timezone.localdate() + dt.timedelta(days=365)
    names = [
        make_supplier(users["purchaser"], f"文具{n}", valid_until=valid).name for n in range(3)
    ]
    doc = services.create_document("Tender", tender_values(names), actor=users["purchaser"])
    services.submit_document("Tender", doc.name, actor=users["purchaser"])
    return doc


def test_a_decided_tender_is_filed_reviewed_returned_and_filed_again(users, bureau, decided):
    filing = filings.file_tender(decided.name, actor=users["purchaser"])
    assert filing.status == FilingStatus.FILED
    assert Notification.objects.filter(user=bureau, event="filing").count() == 1
    with pytest.raises(DocumentStateError, match="已报送备案"):
        filings.file_tender(decided.name, actor=users["purchaser"])
    with pytest.raises(DocumentValidationError) as exc:
        filings.review(filing.pk, actor=bureau, accept=False)
    assert "补正" in exc.value.errors["note"][0]
    filings.review(filing.pk, actor=bureau, accept=False, note="缺纪检监督人签字的开标记录")
    note = Notification.objects.get(user=users["purchaser"], event="filing_reviewed")
    assert "退回补正：缺纪检监督人签字的开标记录" in note.subject
    again = filings.file_tender(decided.name, actor=users["purchaser"])
    assert (again.pk, again.status) == (filing.pk, FilingStatus.FILED)
    filings.review(filing.pk, actor=bureau, accept=True)
    assert TenderFiling.objects.get().status == FilingStatus.ACCEPTED
    with pytest.raises(DocumentStateError, match="已处理"):
        filings.review(filing.pk, actor=bureau, accept=True)
    # Every turn stays on the tender's timeline, read by the school and the bureau alike.
    assert list(decided.comments.values_list("actor__username", "content")) == [
        ("purchaser", "报送教育局备案"),
        ("bureau", "教育局退回补正：缺纪检监督人签字的开标记录"),
        ("purchaser", "补正后再次报送教育局备案"),
        ("bureau", "教育局同意备案"),
    ]


def test_only_decided_tenders_of_schools_with_a_bureau_by_their_office(users, school, decided):
    with pytest.raises(DocumentStateError, match="没有负责本校的教育局账号"):
        filings.file_tender(decided.name, actor=users["purchaser"])
    make_user("bureau", school, "bureau")
    draft = services.create_document(
        "Tender", {"subject": "草稿询价", "method": "询价"}, actor=users["purchaser"]
    )
    with pytest.raises(DocumentStateError, match="定标后"):
        filings.file_tender(draft.name, actor=users["purchaser"])
    with pytest.raises(PermissionDenied):
        filings.file_tender(decided.name, actor=users["storekeeper"])  # reads, may not file
    assert not TenderFiling.objects.exists()


def test_a_bureau_user_reviews_only_their_schools(users, bureau, decided, other_school):
    filing = filings.file_tender(decided.name, actor=users["purchaser"])
    stranger = make_user("bureau2", other_school, "bureau")  # looks after the other school only
    with pytest.raises(PermissionDenied):
        filings.review(filing.pk, actor=stranger, accept=True)
    with pytest.raises(PermissionDenied):
        filings.review(filing.pk, actor=users["principal"], accept=True)
    assert TenderFiling.objects.get().status == FilingStatus.FILED


def test_the_pages_of_the_school_and_of_the_bureau(client, users, bureau, decided):
    client.force_login(users["purchaser"])
    page = client.get(f"/app/tender/{decided.name}").content.decode()
    assert 'id="btn-file-tender"' in page
    client.post(f"/app/district/file/{decided.name}")
    page = client.get(f"/app/tender/{decided.name}").content.decode()
    assert 'id="filing-status"' in page and "待备案" in page and 'id="btn-file-tender"' not in page
    client.force_login(bureau)
    overview = client.get("/app/district/").content.decode()
    assert 'id="filings-link"' in overview and "text-bg-danger" in overview
    listing = client.get("/app/district/filings/").content.decode()
    filing = TenderFiling.objects.get()
    assert f'id="filing-{filing.pk}"' in listing and decided.name in listing
    assert client.get(f"/app/tender/{decided.name}").status_code == 200  # reads the papers
    pdf = client.get(f"/app/tender/{decided.name}/print.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    # A school's tender still being drafted is its own business, page and print alike.
    draft = services.create_document(
        "Tender", {"subject": "草稿询价", "method": "询价"}, actor=users["purchaser"]
    )
    assert client.get(f"/app/tender/{draft.name}").status_code == 404
    assert client.get(f"/app/tender/{draft.name}/print.pdf").status_code == 404
    response = client.post("/app/district/filings/", {"filing": filing.pk, "decision": "return"})
    assert response.status_code == 302
    assert TenderFiling.objects.get().status == FilingStatus.FILED  # a return needs a reason
    client.post("/app/district/filings/", {"filing": filing.pk, "decision": "accept"})
    assert TenderFiling.objects.get().status == FilingStatus.ACCEPTED
    client.force_login(users["teacher"])
    assert client.get("/app/district/filings/").status_code == 403


def test_the_filings_page_costs_the_same_as_filings_grow(client, users, bureau, decided):
    client.force_login(bureau)
    filings.file_tender(decided.name, actor=users["purchaser"])
    before = page_statements(client, "/app/district/filings/")
    for n in range(3):
        values = tender_values(
            [s["supplier"] for s in decided.data["suppliers"]], subject=f"询价{n}"
        )
        more = services.create_document("Tender", values, actor=users["purchaser"])
        services.submit_document("Tender", more.name, actor=users["purchaser"])
        filings.file_tender(more.name, actor=users["purchaser"])
    assert page_statements(client, "/app/district/filings/") == before
