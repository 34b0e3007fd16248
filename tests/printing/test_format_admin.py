"""Admins edit print formats in the browser: list, copy the standard, live preview (with what
would print blank), default."""

from __future__ import annotations

import pytest

from school_logistics.core.doctype_sync import shipped_definitions
from school_logistics.core.registry import get_meta
from school_logistics.printing import services
from school_logistics.printing.default_format import STANDARD_NAME, standard_template
from school_logistics.printing.models import PrintFormat
from school_logistics.printing.services import print_document
from school_logistics.printing.template_check import unknown_names

BASE = "/app/print-formats/"
MR = "material-requisition"
BROKEN = "<p>第一行</p>\n<p>{{ doc.name }}</p>\n<p>{{ ''.__class__ }}</p>\n"


@pytest.fixture
def own_format(users):
    return services.save_print_format(
        "Material Requisition", "简版", "<h1>简版 {{ doc.name }}</h1>", actor=users["admin"]
    )


def login(client, user):
    client.force_login(user)
    return client


def test_admin_lists_doctypes_with_their_formats_and_the_standard(client, users, own_format):
    page = login(client, users["admin"]).get(BASE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "物资申购单" in html and "报修单" in html and "简版" in html and STANDARD_NAME in html
    assert "复制标准格式" in html


@pytest.mark.parametrize("who", ["teacher", "head", "purchaser"])
def test_non_admins_may_not_open_or_change_print_formats(client, users, own_format, who):
    c = login(client, users[who])
    assert c.get(BASE).status_code == 403
    assert c.get(f"{BASE}{MR}/new").status_code == 403
    response = c.post(
        f"{BASE}{MR}/new", {"name": "偷改", "template": "x", "page_size": "A4 portrait"}
    )
    assert response.status_code == 403
    assert c.post(f"{BASE}{MR}/default", {"name": "简版"}).status_code == 403
    assert c.post(f"{BASE}{MR}/preview", {"template": "x"}).status_code == 403
    assert not PrintFormat.objects.filter(name="偷改").exists()
    own_format.refresh_from_db()
    assert own_format.is_default is False


def test_admin_of_another_school_neither_sees_nor_edits_our_format(
    client, users, outsider, own_format
):
    c = login(client, outsider)
    assert "简版" not in c.get(BASE).content.decode()
    assert c.get(f"{BASE}{MR}/简版").status_code == 404
    c.post(f"{BASE}{MR}/default", {"name": "简版"})
    own_format.refresh_from_db()
    assert own_format.is_default is False and own_format.school_id == users["admin"].school_id


def test_new_format_starts_as_a_copy_of_the_standard_template(client, users):
    html = login(client, users["admin"]).get(f"{BASE}{MR}/new").content.decode()
    assert "doc.rows(&quot;items&quot;)" in html and "审批记录" in html
    assert "物资申购单（本校）" in html


def test_admin_saves_a_copy_and_makes_it_the_default(client, users, requisition):
    c = login(client, users["admin"])
    response = c.post(
        f"{BASE}{MR}/new",
        {
            "name": "本校申购单",
            "template": "<h1>本校 {{ doc.name }}</h1>",
            "css": "h1{color:red}",
            "page_size": "A5 landscape",
            "is_default": "1",
        },
    )
    assert response.status_code == 302
    fmt = PrintFormat.objects.get(name="本校申购单")
    assert fmt.is_default and fmt.page_size == "A5 landscape" and fmt.modified_by == users["admin"]
    html = print_document(requisition, actor=users["teacher"], output="html").content
    assert f"本校 {requisition.name}" in html


def test_saving_a_broken_template_names_the_line_and_saves_nothing(client, users):
    response = login(client, users["admin"]).post(
        f"{BASE}{MR}/new",
        {"name": "坏格式", "template": "<p>\n{% for x in %}\n</p>", "page_size": "A4 portrait"},
    )
    assert response.status_code == 422
    assert "第 2 行" in response.content.decode()
    assert not PrintFormat.objects.filter(name="坏格式").exists()


def test_live_preview_renders_the_draft_for_the_newest_document(client, users, requisition):
    response = login(client, users["admin"]).post(
        f"{BASE}{MR}/preview",
        {"template": "<h1>草稿 {{ doc.name }}</h1>", "css": "", "page_size": "A4 portrait"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<iframe" in html and 'sandbox=""' in html and "<html" not in html.split("srcdoc")[0]
    assert f"草稿 {requisition.name}" in html  # escaped inside srcdoc, still readable
    # The whole page stays inside the attribute: its first quote would otherwise end srcdoc.
    assert 'srcdoc="&lt;!doctype html&gt;' in html and '<html lang="zh-hans">' not in html
    assert "<!doctype" not in html.lower().split("<iframe")[0]


def test_live_preview_of_a_broken_template_shows_line_and_message_not_an_error_page(
    client, users, requisition
):
    response = login(client, users["admin"]).post(
        f"{BASE}{MR}/preview",
        {"template": BROKEN, "page_size": "A4 portrait"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行" in html and "安全限制" in html and "__class__" in html
    assert "<iframe" not in html


def test_preview_without_any_document_says_to_create_one(client, users):
    response = login(client, users["admin"]).post(
        f"{BASE}{MR}/preview", {"template": "x", "page_size": "A4 portrait"}, HTTP_HX_REQUEST="true"
    )
    assert "还没有可用于预览" in response.content.decode()


def test_choosing_the_standard_as_default_clears_the_school_default(client, users, own_format):
    c = login(client, users["admin"])
    assert c.post(f"{BASE}{MR}/default", {"name": "简版"}).status_code == 302
    own_format.refresh_from_db()
    assert own_format.is_default
    c.post(f"{BASE}{MR}/default", {"name": STANDARD_NAME})
    own_format.refresh_from_db()
    assert not own_format.is_default


def test_unknown_default_is_refused_and_changes_nothing(client, users, own_format):
    response = login(client, users["admin"]).post(f"{BASE}{MR}/default", {"name": "没有这个"})
    assert response.status_code == 422
    assert PrintFormat.objects.filter(is_default=True).count() == 0


MISNAMED = """<h1>{{ doc.name }} {{ doc.fmt("purpose") }}</h1>
<p>{{ doc.fmt("purpse") }} {{ doc.grand_total }} {{ shcool }}</p>
{% for row in doc.rows("items") %}<td>{{ row.item_name }} {{ row.prce }}</td>{% endfor %}
{% for e in trail %}{{ e.actor }}{% endfor %}
{{ doc.column_total("itmes", "amount") }}
"""


def test_live_preview_names_what_would_print_blank(client, users, requisition):
    """A misspelt field prints nothing without an error: the preview says which, by line."""
    response = login(client, users["admin"]).post(
        f"{BASE}{MR}/preview",
        {"template": MISNAMED, "page_size": "A4 portrait"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<iframe" in html  # it still prints: a warning, not a refusal
    warnings = html[html.index('id="preview-warnings"') : html.index("<iframe")]
    assert "第 2 行：表单“物资申购单”没有字段“purpse”" in warnings
    assert "“doc.grand_total”打印为空白：字段的值请写 doc.fmt(&quot;grand_total&quot;)" in warnings
    assert "第 2 行：没有“shcool”" in warnings
    assert "第 3 行：子表行没有“prce”（row.prce）" in warnings
    assert "第 5 行：表单没有子表“itmes”" in warnings
    for fine in ("purpose", "item_name", "actor", "doc.name"):
        assert f"“{fine}”" not in warnings

    standard = login(client, users["admin"]).get(f"{BASE}{MR}/new")
    template = standard.context["data"]["template"]
    response = client.post(
        f"{BASE}{MR}/preview", {"template": template, "page_size": "A4 portrait"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert "preview-warnings" not in response.content.decode()  # the standard format is clean


def test_every_shipped_forms_standard_format_reads_only_what_its_voucher_has(db):
    names = [d["name"] for d in shipped_definitions() if not d.get("istable")]
    assert len(names) > 20
    for name in names:
        meta = get_meta(name)
        assert unknown_names(meta, standard_template(meta)) == [], name
