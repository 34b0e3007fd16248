"""A print format is tried on a sample before it is saved or made the default; names stay unique."""

from __future__ import annotations

import re

import pytest

from school_logistics.core.models import DocType
from school_logistics.core.registry import get_meta
from school_logistics.printing import services
from school_logistics.printing.default_format import STANDARD_NAME, page_size_for, standard_template
from school_logistics.printing.jinja_errors import describe
from school_logistics.printing.models import PrintFormat
from school_logistics.printing.preview import check_format_prints
from school_logistics.printing.sandbox import PrintTemplateError, render
from school_logistics.printing.services import print_document

BASE = "/app/print-formats/"
MR = "material-requisition"
# Jinja's own English must not reach the page: these words start its messages.
ENGLISH = re.compile(r"undefined|unsafe|unexpected|expected|attribute|object|Error", re.I)
CANNOT_PRINT = [
    ("<p>{{ ''.__class__ }}</p>", "不允许访问", "__class__"),
    ("{{ cycler.__init__.__globals__ }}", "不允许访问", "__init__"),
    ("<p>\n{{ doc.nope.nope }}", "没有属性", "nope"),
    ("{% for i in range(100000000) %}{{ i }}{% endfor %}", "循环次数过多", "range"),
]


def form(name: str, template: str, **extra: str) -> dict[str, str]:
    return {"name": name, "template": template, "page_size": "A4 portrait", **extra}


@pytest.mark.parametrize(("template", "says", "name"), CANNOT_PRINT)
def test_a_format_that_cannot_print_is_refused_at_save_and_nothing_is_saved(
    client, users, requisition, template, says, name
):
    client.force_login(users["admin"])
    response = client.post(f"{BASE}{MR}/new", form("坏格式", template, is_default="1"))
    html = response.content.decode()
    assert response.status_code == 422
    error = re.search(r'id="save-error">(.*?)</div>', html, re.S)
    assert error and "未保存" in error[1] and says in error[1] and name in error[1]
    assert requisition.name in error[1]  # which document it was tried on
    assert not ENGLISH.search(error[1]), error[1]
    assert not PrintFormat.objects.exists()
    # Every user still prints with the standard format.
    assert print_document(requisition, actor=users["teacher"], output="html").log.format_name == (
        STANDARD_NAME
    )


def test_editing_a_format_into_one_that_cannot_print_keeps_the_old_template(
    client, users, requisition
):
    fmt = services.save_print_format(
        "Material Requisition", "简版", "<h1>{{ doc.name }}</h1>", actor=users["admin"]
    )
    client.force_login(users["admin"])
    response = client.post(f"{BASE}{MR}/简版", form("简版", "<h1>{{ doc.nope.nope }}</h1>"))
    assert response.status_code == 422 and "第 1 行" in response.content.decode()
    fmt.refresh_from_db()
    assert fmt.template == "<h1>{{ doc.name }}</h1>"


def test_without_any_document_the_format_is_tried_on_made_up_values(users):
    with pytest.raises(PrintTemplateError) as exc:
        services.save_print_format(
            "Material Requisition", "坏格式", "{{ doc.nope.nope }}", actor=users["admin"]
        )
    assert "示例数据" in exc.value.display and "nope" in exc.value.display
    assert not PrintFormat.objects.exists()


def test_every_standard_format_prints_on_made_up_values(users):
    """No false refusals: the made-up sample fills every field type the standard format shows."""
    for name in DocType.objects.filter(istable=False).values_list("name", flat=True):
        meta = get_meta(name)
        check_format_prints(users["admin"], meta, standard_template(meta), page_size_for(meta))


def test_made_up_rows_reach_a_format_that_loops_over_them(users):
    template = '{% for row in doc.rows("items") %}<p>{{ row.idx }} {{ row.qty }}</p>{% endfor %}'
    fmt = services.save_print_format("Material Requisition", "行", template, actor=users["admin"])
    assert fmt.pk is not None


def test_a_stored_format_that_cannot_print_is_not_made_the_default(client, users, requisition):
    good = services.save_print_format(
        "Material Requisition",
        "简版",
        "<h1>{{ doc.name }}</h1>",
        actor=users["admin"],
        is_default=True,
    )
    # Saved before saving checked templates (or broken since): the default stays as it was.
    PrintFormat.objects.create(
        school=users["admin"].school,
        doctype="Material Requisition",
        name="旧格式",
        template="<p>{{ ''.__class__ }}</p>",
        modified_by=users["admin"],
    )
    client.force_login(users["admin"])
    response = client.post(f"{BASE}{MR}/default", {"name": "旧格式"})
    html = response.content.decode()
    assert response.status_code == 422
    error = re.search(r'id="default-error">(.*?)</div>', html, re.S)
    assert error and "旧格式" in error[1] and "不允许访问" in error[1] and "__class__" in error[1]
    assert 'id="format-list"' in html  # the list again, not a page saying 无法打印
    good.refresh_from_db()
    assert good.is_default
    assert not PrintFormat.objects.get(name="旧格式").is_default


def test_a_new_format_with_a_name_in_use_is_refused_and_the_old_one_kept(
    client, users, requisition
):
    services.save_print_format(
        "Material Requisition", "简版", "<h1>旧 {{ doc.name }}</h1>", actor=users["admin"]
    )
    client.force_login(users["admin"])
    response = client.post(f"{BASE}{MR}/new", form(" 简版 ", "<h1>新</h1>"))
    assert response.status_code == 422
    assert "名称“简版”已被本校的另一个打印格式使用" in response.content.decode()
    assert PrintFormat.objects.get().template == "<h1>旧 {{ doc.name }}</h1>"


def test_renaming_a_format_renames_it_but_not_onto_another(client, users, requisition):
    for name in ("甲", "乙"):
        services.save_print_format(
            "Material Requisition", name, f"<h1>{name}</h1>", actor=users["admin"]
        )
    client.force_login(users["admin"])
    refused = client.post(f"{BASE}{MR}/甲", form("乙", "<h1>甲改</h1>"))
    assert refused.status_code == 422 and "已被" in refused.content.decode()
    assert dict(PrintFormat.objects.values_list("name", "template")) == {
        "甲": "<h1>甲</h1>",
        "乙": "<h1>乙</h1>",
    }
    renamed = client.post(f"{BASE}{MR}/甲", form("丙", "<h1>丙</h1>"))
    assert renamed.status_code == 302 and renamed["Location"].endswith("?saved=1")
    assert dict(PrintFormat.objects.values_list("name", "template")) == {
        "丙": "<h1>丙</h1>",
        "乙": "<h1>乙</h1>",
    }


def test_the_same_name_may_be_used_for_another_doctype_or_school(users, outsider):
    services.save_print_format("Material Requisition", "简版", "<p></p>", actor=users["admin"])
    services.save_print_format("Repair Ticket", "简版", "<p></p>", actor=users["admin"])
    services.save_print_format("Material Requisition", "简版", "<p></p>", actor=outsider)
    assert PrintFormat.objects.filter(name="简版").count() == 3


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ x }", "第 1 行出错：语法错误：多余的“}”"),
        ("<p>\n{{ x", "第 2 行出错：语法错误：模板在此处提前结束，缺少“}}”"),
        ("{% for x in y %}", "“for”块没有结束，缺少“endfor”或“else”"),
        ("{% if x %}{% endfor %}", "此处不能用“endfor”，“if”块还没有结束"),
        ("{% bogus %}", "不认识的标签“bogus”"),
        ("{{ x|bogus }}", "没有过滤器“bogus”"),
        ("{{ a b }}", "此处应为“}}”，却是“b”"),
        ("{{ foo.bar }}", "没有变量“foo”"),
        ("{{ doc.nope.nope }}", "“doc”没有属性“nope”"),
        ("{{ 1 / 0 }}", "不能除以零"),
    ],
)
def test_jinja_errors_read_in_chinese_keeping_line_and_name(source, expected, doc_stub):
    with pytest.raises(PrintTemplateError) as exc:
        render(source, {"doc": doc_stub})
    assert expected in exc.value.display
    assert not ENGLISH.search(exc.value.display), exc.value.display


def test_an_unknown_jinja_message_is_kept_rather_than_lost():
    from jinja2 import TemplateSyntaxError

    assert "something new" in describe(TemplateSyntaxError("something new", 1))


def test_preview_footer_shows_the_verification_address_not_about_blank(client, users, requisition):
    client.force_login(users["admin"])
    response = client.post(
        f"{BASE}{MR}/preview",
        {"template": "<h1>{{ doc.name }}</h1>", "page_size": "A4 portrait"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "about:blank" not in html
    # The address a print made from this page would carry, with the preview's code.
    assert "验真：http://testserver/verify/PREVIEW000" in html


def test_preview_without_documents_uses_made_up_values(client, users):
    client.force_login(users["admin"])
    response = client.post(
        f"{BASE}{MR}/preview",
        {"template": "<h1>{{ doc.fmt('purpose') }}</h1>", "page_size": "A4 portrait"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "以下用示例数据预览" in html and "<iframe" in html


def test_setting_the_default_asks_for_confirmation(client, users):
    client.force_login(users["admin"])
    html = client.get(BASE).content.decode()
    forms = re.findall(r'<form method="post" action="/app/print-formats/[^"]+/default"[^>]*>', html)
    assert forms and all("data-confirm=" in f for f in forms)
    assert "都将改用所选格式" in html


def test_admins_find_print_formats_in_the_sidebar_and_on_notification_settings(
    client, users, outsider
):
    client.force_login(users["admin"])
    home = client.get("/app/").content.decode()
    assert 'href="/app/print-formats/"' in home
    settings_page = client.get("/app/notifications/settings").content.decode()
    assert 'href="/app/print-formats/" id="link-print-formats"' in settings_page
    client.force_login(users["teacher"])
    assert 'href="/app/print-formats/"' not in client.get("/app/").content.decode()


@pytest.fixture
def doc_stub():
    from school_logistics.printing.context import PrintDoc

    return PrintDoc.__new__(PrintDoc)
