"""Print pages: the `print` right is checked on the server, every print is logged, errors are clear."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from school_logistics.printing import pdf
from school_logistics.printing.models import PrintFormat, PrintLog
from school_logistics.printing.pdf import CJKFontMissing, check_cjk_font
from school_logistics.printing.sandbox import PrintTemplateError
from school_logistics.printing.services import save_print_format
from tests.printing.conftest import make_requisition


def pdf_url(doc) -> str:
    return f"/app/material-requisition/{doc.name}/print.pdf"


@pytest.fixture
def draft(users, items):
    return make_requisition(users["teacher"])


def test_owner_downloads_pdf_and_the_print_is_logged(client, users, draft):
    client.force_login(users["teacher"])
    response = client.get(pdf_url(draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    log = PrintLog.objects.get(document=draft)
    assert (log.printed_by, log.output, log.format_name) == (users["teacher"], "pdf", "标准格式")
    assert len(log.code) == 10 and len(log.fingerprint) == 64


def test_browser_print_view_shows_voucher_with_toolbar_and_is_logged(client, users, draft):
    client.force_login(users["head"])
    response = client.get(f"/app/material-requisition/{draft.name}/print")
    assert response.status_code == 200
    page = response.content.decode()
    assert "物资申购单" in page and "data-print" in page and "肆佰贰拾柒元整" in page
    log = PrintLog.objects.get(document=draft)
    assert log.output == "html" and log.code[:5] in page


def test_an_english_speaking_user_prints_the_schools_chinese_voucher(client, users, draft):
    """The voucher is the school's paper record: no half-English labels on it."""
    users["head"].language = "en"
    users["head"].save(update_fields=["language"])
    client.force_login(users["head"])
    assert "Material Requisition" in client.get("/app/").content.decode()  # the desk is English
    page = client.get(f"/app/material-requisition/{draft.name}/print").content.decode()
    assert "物资申购单" in page and "申请部门" in page and "申购明细" in page
    assert "Department" not in page and "Requested By" not in page


def test_colleague_and_outsider_cannot_print_and_nothing_is_logged(client, users, outsider, draft):
    # Documents a user may not read answer 404, as everywhere in the desk: existence stays hidden.
    for user in (users["colleague"], outsider):
        client.force_login(user)
        assert client.get(pdf_url(draft)).status_code == 404
        assert client.get(f"/app/material-requisition/{draft.name}/print").status_code == 404
    assert not PrintLog.objects.exists()


def test_reader_without_print_right_is_refused_403_and_nothing_is_logged(client, users, classroom):
    client.force_login(users["teacher"])  # teachers read locations but may not print them
    assert client.get(f"/app/location/{classroom.name}").status_code == 200
    response = client.get(f"/app/location/{classroom.name}/print.pdf")
    assert response.status_code == 403
    assert not PrintLog.objects.exists()


def test_anonymous_user_is_sent_to_login(client, draft):
    response = client.get(pdf_url(draft))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not PrintLog.objects.exists()


def test_missing_cjk_font_is_reported_instead_of_printing_boxes(client, users, draft, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_families", lambda fc_list="fc-list": ())
    client.force_login(users["teacher"])
    response = client.get(pdf_url(draft))
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()
    assert not PrintLog.objects.exists()


def test_font_check_fails_clearly_without_fontconfig():
    with pytest.raises(CJKFontMissing, match="中文字体"):
        check_cjk_font("no-such-fc-list")


def test_broken_school_format_shows_its_line_and_logs_nothing(client, users, draft):
    # Saving refuses such a format now; one saved before that check (or broken since by a change
    # to the DocType) still stops at print time, naming its line.
    PrintFormat.objects.create(
        school=users["admin"].school,
        doctype="Material Requisition",
        name="总务处格式",
        template="<h1>{{ title }}</h1>\n<p>{{ doc.fmt('purpose') }}</p>\n{{ 1 / 0 }}",
        is_default=True,
        modified_by=users["admin"],
    )
    client.force_login(users["teacher"])
    response = client.get(pdf_url(draft))
    assert response.status_code == 422
    assert "打印模板第 3 行出错" in response.content.decode()
    assert not PrintLog.objects.exists()


def test_school_default_format_is_used_and_standard_stays_selectable(client, users, draft):
    save_print_format(
        "Material Requisition",
        "简版",
        "<h1>简版 {{ title }}</h1>{{ total.words }}",
        actor=users["admin"],
        is_default=True,
    )
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{draft.name}/print").content.decode()
    assert "简版 物资申购单" in page and "肆佰贰拾柒元整" in page
    page = client.get(
        f"/app/material-requisition/{draft.name}/print?format=标准格式"
    ).content.decode()
    assert "暂无审批记录" in page
    assert client.get(pdf_url(draft) + "?format=没有这个").status_code == 404


def test_only_admins_save_formats_and_bad_templates_are_not_saved(users):
    with pytest.raises(PermissionDenied):
        save_print_format("Material Requisition", "x", "<p></p>", actor=users["purchaser"])
    with pytest.raises(PrintTemplateError) as exc:
        save_print_format("Material Requisition", "x", "<p>\n{% if %}", actor=users["admin"])
    assert exc.value.lineno == 2
    assert not PrintFormat.objects.exists()


def test_form_page_print_button_opens_the_print_view(client, users, draft):
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{draft.name}").content.decode()
    assert f'href="/app/material-requisition/{draft.name}/print"' in page
