"""The desk pages through Django's test client: lists, forms, actions, link search and files."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from school_logistics.core import registry, services
from school_logistics.core.models import Attachment, DocType, Document, User, Version
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import clear_meta_cache
from school_logistics.core.views import list_query
from tests.canteen.factories import make_classes
from tests.conftest import make_user
from tests.stores.factories import make_desk_items

LIST = "/app/material-requisition/"
NEW = "/app/material-requisition/new"


def form_url(name: str) -> str:
    return f"/app/material-requisition/{name}"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Hash the fixture users' passwords cheaply; the real hasher takes most of a test's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def items(users: dict[str, User]) -> list[str]:
    """Three catalogue items of the test school."""
    return make_desk_items(users["storekeeper"])


def make_requisition(
    user: User, purpose: str = "期中考试用纸", qty: str = "2", rate: str = "120"
) -> Document:
    return services.create_document(
        "Material Requisition",
        {"purpose": purpose, "items": [{"item": "P-A4", "qty": qty, "rate": rate}]},
        actor=user,
    )


@pytest.fixture
def requisition(users: dict[str, User], items: list[str]) -> Document:
    return make_requisition(users["teacher"])


def login(client: Any, user: User) -> Any:
    client.force_login(user)
    return client


def post_data(
    rows: list[tuple[str, str, str]],
    *,
    purpose: str = "期中考试用纸",
    names: list[str] | None = None,
) -> dict[str, str]:
    """Return what the browser posts for a requisition form with these (item, qty, rate) rows."""
    data = {
        "department": "语文组",
        "requested_by": "teacher",
        "posting_date": timezone.localdate().isoformat(),
        "required_by": "",
        "purpose": purpose,
        "budget_line": "办公用品费",
        "remarks": "",
        "items-present": "1",
    }
    for i, (item, qty, rate) in enumerate(rows):
        data[f"items-{i}-name"] = (names or [""] * len(rows))[i]
        data[f"items-{i}-item"] = item
        data[f"items-{i}-specification"] = ""
        data[f"items-{i}-qty"] = qty
        data[f"items-{i}-uom"] = ""
        data[f"items-{i}-rate"] = rate
    return data


# ---------- sign-in, home, errors ----------


def test_pages_ask_anonymous_visitors_to_sign_in(client, requisition):
    for url in ["/app/", LIST, NEW, form_url(requisition.name)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_root_redirects_to_the_desk(client, users):
    login(client, users["teacher"])
    assert client.get("/")["Location"] == "/app/"


def test_login_page_signs_in_with_a_chinese_error_for_a_wrong_password(client, users):
    response = client.post("/login/", {"username": "teacher", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/login/", {"username": "teacher", "password": "pass12345"})
    assert response["Location"] == "/app/"


def test_home_shows_the_users_school_roles_and_what_they_may_create(client, users, requisition):
    body = login(client, users["teacher"]).get("/app/").content.decode()
    assert "测试第一中学" in body and "语文组" in body and "申请人/教师" in body
    assert "物资申购单" in body
    assert 'href="/app/material-requisition/new"' in body
    assert "/app/item/new" not in body  # teachers read the catalogue but do not add to it
    assert requisition.name in body  # recent documents


def test_home_offers_storekeeper_to_add_items(client, users):
    body = login(client, users["storekeeper"]).get("/app/").content.decode()
    assert 'href="/app/item/new"' in body


def test_unknown_doctype_is_a_friendly_404(client, users):
    response = login(client, users["teacher"]).get("/app/no-such-thing/")
    assert response.status_code == 404
    assert "没有这种单据类型" in response.content.decode()


def test_child_table_doctype_has_no_page(client, users):
    response = login(client, users["teacher"]).get("/app/material-requisition-item/")
    assert response.status_code == 404


def test_doctype_name_with_space_works_as_well_as_slug(client, users, requisition):
    login(client, users["teacher"])
    assert client.get("/app/Material%20Requisition/").status_code == 200
    assert client.get(f"/app/Material%20Requisition/{requisition.name}").status_code == 200


def test_forbidden_page_names_the_missing_right(client, users):
    response = login(client, users["worker"]).get(LIST)
    assert response.status_code == 403
    body = response.content.decode()
    assert "没有权限" in body and "查看 物资申购单" in body


# ---------- list view ----------


def test_teacher_list_shows_own_requisitions_only(client, users, items):
    mine = make_requisition(users["teacher"], "我的申购")
    theirs = make_requisition(users["colleague"], "同事的申购")
    body = login(client, users["teacher"]).get(LIST).content.decode()
    assert mine.name in body
    assert theirs.name not in body


def test_purchaser_sees_every_requisition_of_the_school(client, users, items):
    a = make_requisition(users["teacher"])
    b = make_requisition(users["colleague"])
    body = login(client, users["purchaser"]).get(LIST).content.decode()
    assert a.name in body and b.name in body


def test_outsider_sees_no_requisition_of_our_school(client, users, outsider, requisition):
    response = login(client, outsider).get(LIST)
    assert response.status_code == 200
    assert requisition.name not in response.content.decode()


def test_list_search_matches_purpose_and_name(client, users, items):
    paper = make_requisition(users["teacher"], "期中考试用纸")
    mop = make_requisition(users["teacher"], "卫生大扫除")
    login(client, users["teacher"])
    body = client.get(LIST, {"q": "考试"}).content.decode()
    assert paper.name in body and mop.name not in body
    body = client.get(LIST, {"q": mop.name.lower()}).content.decode()
    assert mop.name in body and paper.name not in body


def test_list_filters_by_status(client, users, items):
    draft = make_requisition(users["teacher"], "草稿单")
    done = make_requisition(users["teacher"], "已提交单")
    services.submit_document("Material Requisition", done.name, actor=users["teacher"])
    body = login(client, users["teacher"]).get(LIST, {"docstatus": "1"}).content.decode()
    assert done.name in body and draft.name not in body
    assert "已提交" in body


def test_list_filters_by_link_field_text(client, users, items):
    mine = make_requisition(users["teacher"])
    math_teacher = make_user("math", users["teacher"].school, "teacher")
    math_teacher.department = users["teacher"].department.__class__.objects.get(name="数学组")
    math_teacher.save()
    other = make_requisition(math_teacher)
    body = login(client, users["purchaser"]).get(LIST, {"department": "语文"}).content.decode()
    assert mine.name in body and other.name not in body


@pytest.mark.parametrize("named_limit", [100, 0], ids=["few-named", "too-many-named"])
def test_list_filters_a_user_field_by_the_name_people_see(
    client, users, items, named_limit, monkeypatch
):
    """Pages show 申请人 by full name, the document stores the username: either finds it,
    whether the text names few users (compared one by one) or many (every document read)."""
    monkeypatch.setattr(list_query, "NAMED_LIMIT", named_limit)
    school = users["teacher"].school
    alice = make_user("t-wang", school, "teacher", full_name="示例王老师")
    alice.department = users["teacher"].department
    alice.save()
    bob = make_user("t-zhao", school, "teacher", full_name="示例赵老师")
    bob.department = users["teacher"].department
    bob.save()
    hers, his = make_requisition(alice), make_requisition(bob)
    login(client, users["purchaser"])
    for typed in ("王老师", "示例王", "t-wang", "T-WANG"):
        body = client.get(LIST, {"requested_by": typed}).content.decode()
        assert hers.name in body and his.name not in body, typed
    body = client.get(LIST, {"requested_by": "示例"}).content.decode()
    assert hers.name in body and his.name in body
    body = client.get(LIST, {"requested_by": "无此人"}).content.decode()
    assert hers.name not in body and his.name not in body


def test_a_picked_user_filters_by_that_user_only(client, users, items):
    """Picking 示例赵老师 from the menu puts the stored username in the filter: it finds that
    teacher's requisitions, not those of a longer username holding it, and the box shows the
    name people know, the username riding beside it."""
    school, dept = users["teacher"].school, users["teacher"].department
    zhao = make_user("t-zhao", school, "teacher", department=dept, full_name="示例赵老师")
    zhao2 = make_user(
        "t-zhao2", school, "teacher", department=dept, full_name="示例赵老师（体育组）"
    )
    his, other = make_requisition(zhao), make_requisition(zhao2)
    login(client, users["purchaser"])

    body = client.get(LIST, {"requested_by": "t-zhao"}).content.decode()
    assert his.name in body and other.name not in body
    assert 'class="link-value" name="requested_by" value="t-zhao"' in body
    assert 'value="示例赵老师" class="form-control link-input"' in body
    body = client.get(LIST, {"requested_by": "示例赵"}).content.decode()  # typed: both hold it
    assert his.name in body and other.name in body
    assert 'value="示例赵" class="form-control link-input"' in body

    sheet = client.get("/app/print-lists/material-requisition", {"requested_by": "t-zhao"})
    sheet = sheet.content.decode()
    assert "申请人：示例赵老师" in sheet and "含“t-zhao”" not in sheet
    assert his.name in sheet and other.name not in sheet


def test_bad_dates_and_page_numbers_are_ignored_with_a_message(client, users, requisition):
    login(client, users["teacher"])
    response = client.get(LIST, {"date_from": "2026-13-45", "page": "abc", "sort": "data;drop"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "格式不正确，已忽略该条件" in body
    assert requisition.name in body
    assert client.get(LIST, {"page": "-3"}).status_code == 200
    assert client.get(LIST, {"page": "99999"}).status_code == 200


def test_list_date_range_narrows_by_posting_date(client, users, items):
    old = services.create_document(
        "Material Requisition",
        {
            "purpose": "上学期",
            "posting_date": "2025-03-01",
            "items": [{"item": "P-A4", "qty": "1", "rate": "1"}],
        },
        actor=users["teacher"],
    )
    new = make_requisition(users["teacher"], "本学期")
    login(client, users["teacher"])
    body = client.get(LIST, {"date_to": "2025-12-31"}).content.decode()
    assert old.name in body and new.name not in body


def test_list_sorts_by_total(client, users, items):
    small = make_requisition(users["teacher"], "少", qty="1", rate="1")
    big = make_requisition(users["teacher"], "多", qty="9", rate="100")
    login(client, users["teacher"])
    body = client.get(LIST, {"sort": "grand_total", "order": "asc"}).content.decode()
    assert body.index(small.name) < body.index(big.name)
    body = client.get(LIST, {"sort": "grand_total", "order": "desc"}).content.decode()
    assert body.index(big.name) < body.index(small.name)


def test_list_pages_by_twenty(client, users, items):
    docs = [make_requisition(users["teacher"], f"用途{i}") for i in range(23)]
    login(client, users["teacher"])
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": "2"}).content.decode()
    assert docs[-1].name in first and docs[0].name not in first
    assert docs[0].name in second
    assert "第 2 / 2 页" in second


def test_htmx_search_returns_only_the_results_partial(client, users, requisition):
    login(client, users["teacher"])
    response = client.get(LIST, {"q": "考试"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert requisition.name in body
    assert "<html" not in body and 'id="list-q"' not in body
    assert "HX-Request" in response["Vary"]


def _list_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(
    client, users, items, monkeypatch, django_assert_max_num_queries
):
    # The registry re-checks DocType edits once a second; keep that out of the count.
    monkeypatch.setattr(registry, "RECHECK_SECONDS", 3600)
    login(client, users["purchaser"])
    for i in range(5):
        make_requisition(users["teacher"], f"五{i}")
    _list_queries(client)  # warm caches
    with_five = _list_queries(client)
    for i in range(25):
        make_requisition(users["colleague"], f"三十{i}")
    with django_assert_max_num_queries(with_five):
        assert client.get(LIST).status_code == 200
    assert with_five <= 12


# ---------- form view: create and save ----------


def test_new_form_has_defaults_and_one_empty_row(client, users, items):
    body = login(client, users["teacher"]).get(NEW).content.decode()
    # The teacher's own department, shown, not asked for (permissions.own_name_fields).
    shown = r'data-fieldname="department">\s*<label[^>]*>申请部门</label>\s*<div class="readonly-value">\s*语文组'
    assert re.search(shown, body)
    assert f'value="{timezone.localdate().isoformat()}"' in body
    assert 'name="items-0-item"' in body
    assert 'inputmode="decimal"' in body
    assert "新建物资申购单" in body


class _Controls(HTMLParser):
    """Collect the form controls of a page with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"input", "select", "textarea"}:
            self.controls.append(dict(attrs))


def test_each_control_of_a_row_is_named_by_its_column(client, users, items):
    """On a phone the column headers are gone, and a screen reader never read them as labels."""
    parser = _Controls()
    parser.feed(login(client, users["teacher"]).get(NEW).content.decode())
    row = [
        c
        for c in parser.controls
        if (c.get("name") or "").startswith("items-0-") and c.get("type") != "hidden"
    ]
    assert {c["name"]: c.get("aria-label") for c in row} == {
        "items-0-item": "物资",
        "items-0-specification": "规格型号",
        "items-0-qty": "数量",
        "items-0-uom": "单位",
        "items-0-rate": "预估单价",
    }


def test_a_total_that_is_a_field_is_shown_once_not_again_under_the_rows(client, users, items):
    login(client, users["purchaser"])
    requisition = client.get(NEW).content.decode()
    assert requisition.count("合计金额") == 1  # grand_total = sum(items.amount): the field only
    assert 'data-total-for="amount"' not in requisition
    # A ticket's total adds labour to the parts, so the parts keep their own footer total.
    ticket = client.get("/app/repair-ticket/new").content.decode()
    assert 'data-total-for="amount"' in ticket
    assert "维修费用合计" in ticket


def test_teacher_creates_requisition_with_three_rows(client, users, items):
    login(client, users["teacher"])
    data = post_data([("P-A4", "2", "120"), ("P-PEN", "3", "18"), ("C-MOP", "1", "25")])
    response = client.post(NEW, data)
    assert response.status_code == 302
    doc = Document.objects.get(doctype="Material Requisition")
    assert response["Location"] == form_url(doc.name)
    assert doc.grand_total == Decimal("319.00")
    assert [r["item"] for r in doc.data["items"]] == ["P-A4", "P-PEN", "C-MOP"]
    assert doc.data["items"][1]["item_name"] == "红色水笔"
    page = client.get(response["Location"]).content.decode()
    assert "已保存" in page and "319.00" in page


def test_blank_rows_the_user_never_filled_are_dropped(client, users, items):
    login(client, users["teacher"])
    data = post_data([("P-A4", "1", "120"), ("", "", "")])
    assert client.post(NEW, data).status_code == 302
    assert len(Document.objects.get(doctype="Material Requisition").data["items"]) == 1


@pytest.mark.parametrize(
    ("qty", "message"),
    [("-1", "数量必须大于 0"), ("abc", "数量"), ("0", "数量必须大于 0")],
)
def test_bad_quantity_shows_chinese_message_keeps_input_and_saves_nothing(
    client, users, items, qty, message
):
    login(client, users["teacher"])
    response = client.post(NEW, post_data([("P-A4", qty, "120")], purpose="保留我的输入"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "未保存，请修改以下问题" in body
    assert message in body
    assert f'value="{qty}"' in body  # the user's input is kept
    assert 'value="保留我的输入"' in body
    assert Document.objects.filter(doctype="Material Requisition").count() == 0


def test_a_rate_written_as_the_app_prints_money_is_saved(client, users, items):
    login(client, users["teacher"])
    response = client.post(NEW, post_data([("P-A4", "2", "1,250")]))
    assert response.status_code == 302
    doc = Document.objects.get(doctype="Material Requisition")
    assert doc.data["items"][0]["rate"] == "1250.00"
    assert doc.grand_total == Decimal("2500.00")


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("12,5", "物资明细第 1 行：预估单价：“12,5”不是有效的数字；小数点请用“.”"),
        ("1,25,0", "物资明细第 1 行：预估单价：“1,25,0”不是有效的数字；千位分隔符“,”应每三位一个"),
        ("1e3", "物资明细第 1 行：预估单价：“1e3”不是有效的数字；请直接写出数字，不用科学计数法"),
    ],
)
def test_a_rate_that_is_not_a_number_as_written_is_refused_with_the_reason(
    client, users, items, rate, message
):
    login(client, users["teacher"])
    response = client.post(NEW, post_data([("P-A4", "2", rate)]))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{rate}"' in body  # kept as typed, to be corrected
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def item_name_cells(body: str) -> list[str]:
    """The 品名 each row of the form shows (read-only, fetched from the row's item)."""
    rows = re.sub(r"<template .*?</template>", "", body, flags=re.S)  # not the blank new row's
    cells = re.findall(r'data-field="item_name">\s*<span class="cell-value">([^<]*)</span>', rows)
    return [c.strip() for c in cells]


def test_a_refused_save_shows_the_fetched_item_names_again(client, users, items):
    """Read-only cells are not posted; the form shown again fetches them for the posted items."""
    login(client, users["teacher"])
    rows = [("P-A4", "2", "120"), ("P-PEN", "abc", "18"), ("C-MOP", "1", "25")]
    response = client.post(NEW, post_data(rows))
    assert response.status_code == 400
    assert item_name_cells(response.content.decode()) == ["A4复印纸", "红色水笔", "拖把"]


def test_a_refused_save_of_a_draft_names_the_item_newly_picked_not_the_stored_one(
    client, users, requisition
):
    login(client, users["teacher"])
    row = requisition.data["items"][0]["name"]
    response = client.post(
        form_url(requisition.name), post_data([("P-PEN", "abc", "18")], names=[row])
    )
    assert response.status_code == 400
    assert item_name_cells(response.content.decode()) == ["红色水笔"]
    stored = client.get(form_url(requisition.name)).content.decode()
    assert item_name_cells(stored) == ["A4复印纸"]  # the draft itself is unchanged


def test_fetched_names_after_a_refused_save_cost_no_query_per_row(
    client, users, items, monkeypatch
):
    monkeypatch.setattr(registry, "RECHECK_SECONDS", 3600)
    login(client, users["teacher"])

    def refused_post(rows: list[tuple[str, str, str]]) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.post(NEW, post_data(rows)).status_code == 400
        return len(queries)

    refused_post([("P-A4", "abc", "120")])  # warm caches
    one_row = refused_post([("P-A4", "abc", "120")])
    three_rows = [("P-A4", "abc", "120"), ("P-PEN", "1", "18"), ("C-MOP", "1", "25")]
    assert refused_post(three_rows) == one_row


def test_a_refused_save_shows_the_fields_fetched_from_the_picked_record_again(client, users):
    """Above the rows too: an aid shows the picked student's class after a refused save."""
    make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})
    services.create_document(
        "Student",
        {
            "student_no": "S001",
            "student_name": "林一",
            "class_name": "七年级(1)班",
            "meal_plan": "午餐",
        },
        actor=users["canteen"],
    )
    login(client, users["teacher"])
    data = {"student": "S001", "from_month": "2026-03", "to_month": "2026-06"}
    response = client.post("/app/student-aid/new", {**data, "monthly_waiver": "12,5"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "“12,5”不是有效的数字" in body
    assert re.search(
        r'data-fieldname="class_name".*?readonly-value[^>]*>\s*七年级\(1\)班', body, re.S
    )


def test_missing_required_purpose_is_reported_next_to_the_field(client, users, items):
    login(client, users["teacher"])
    response = client.post(NEW, post_data([("P-A4", "1", "1")], purpose=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "用途" in body and "is-invalid" in body
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def test_unknown_item_is_reported_on_its_row(client, users, items):
    login(client, users["teacher"])
    response = client.post(NEW, post_data([("P-A4", "1", "1"), ("NOPE", "1", "1")]))
    assert response.status_code == 400
    assert "找不到“NOPE”" in response.content.decode()


def test_owner_edits_draft_and_timeline_shows_the_change(client, users, requisition):
    login(client, users["teacher"])
    row = requisition.data["items"][0]["name"]
    data = post_data([("P-A4", "3", "120")], names=[row])
    assert client.post(form_url(requisition.name), data).status_code == 302
    requisition.refresh_from_db()
    assert requisition.grand_total == Decimal("360.00")
    body = client.get(form_url(requisition.name)).content.decode()
    assert "数量: 2 → 3" in body
    assert "金额: 240.00 → 360.00" in body
    assert "修改了单据" in body


def test_removing_and_adding_rows_shows_in_the_timeline(client, users, requisition):
    login(client, users["teacher"])
    data = post_data([("P-PEN", "1", "18")])
    assert client.post(form_url(requisition.name), data).status_code == 302
    body = client.get(form_url(requisition.name)).content.decode()
    assert "物资明细 添加第 1 行 P-PEN" in body
    assert "物资明细 删除第 1 行 P-A4" in body


def test_colleague_cannot_open_or_save_teachers_requisition(client, users, requisition):
    login(client, users["colleague"])
    assert client.get(form_url(requisition.name)).status_code == 404
    response = client.post(form_url(requisition.name), post_data([("P-A4", "9", "1")]))
    assert response.status_code == 404
    requisition.refresh_from_db()
    assert requisition.data["items"][0]["qty"] == "2.000"


def test_outsider_gets_404_for_our_requisition(client, outsider, requisition):
    assert login(client, outsider).get(form_url(requisition.name)).status_code == 404


def test_department_head_reads_but_cannot_edit_colleagues_requisition(client, users, requisition):
    login(client, users["head"])
    response = client.get(form_url(requisition.name))
    assert response.status_code == 200
    body = response.content.decode()
    assert ' name="purpose"' not in body and 'id="btn-save"' not in body
    response = client.post(form_url(requisition.name), post_data([("P-A4", "9", "1")]))
    assert response.status_code == 403
    assert Version.objects.filter(document=requisition).count() == 1


def test_read_only_user_field_names_the_person_once(client, users, requisition):
    users["teacher"].full_name = "示例老师甲"
    users["teacher"].save(update_fields=["full_name"])
    login(client, users["head"])
    body = client.get(form_url(requisition.name)).content.decode()
    field = re.search(r'data-fieldname="requested_by".*?</div>', body, re.S)
    assert field, "the requester is shown on the page"
    # The name is the value itself: no grey repeat of it as a title beside it.
    assert field.group(0).count("示例老师甲") == 1


# ---------- actions ----------


def test_submit_makes_the_form_read_only_and_lists_as_submitted(client, users, requisition):
    login(client, users["teacher"])
    response = client.post(form_url(requisition.name) + "/submit")
    assert response.status_code == 302
    requisition.refresh_from_db()
    assert requisition.docstatus == DocStatus.SUBMITTED
    body = client.get(form_url(requisition.name)).content.decode()
    assert ' name="purpose"' not in body
    assert "作废" in body and 'id="btn-submit"' not in body
    listing = client.get(LIST).content.decode()
    assert "已提交" in listing


def test_submitting_twice_answers_409_with_the_reason(client, users, requisition):
    login(client, users["teacher"])
    client.post(form_url(requisition.name) + "/submit")
    response = client.post(form_url(requisition.name) + "/submit")
    assert response.status_code == 409
    assert "只有草稿可以提交" in response.content.decode()


def test_saving_a_submitted_document_answers_409(client, users, requisition):
    login(client, users["teacher"])
    services.submit_document("Material Requisition", requisition.name, actor=users["teacher"])
    response = client.post(form_url(requisition.name), {"purpose": "改一下"})
    assert response.status_code == 409
    requisition.refresh_from_db()
    assert requisition.data["purpose"] == "期中考试用纸"


def test_cancel_then_amend_goes_to_the_new_draft(client, users, requisition):
    login(client, users["teacher"])
    client.post(form_url(requisition.name) + "/submit")
    assert client.post(form_url(requisition.name) + "/cancel").status_code == 302
    requisition.refresh_from_db()
    assert requisition.docstatus == DocStatus.CANCELLED
    response = client.post(form_url(requisition.name) + "/amend")
    assert response["Location"] == form_url(f"{requisition.name}-1")
    body = client.get(response["Location"]).content.decode()
    assert "修订自" in body and requisition.name in body
    cancelled = client.get(form_url(requisition.name)).content.decode()
    assert "已修订为" in cancelled


def test_actions_need_post(client, users, requisition):
    login(client, users["teacher"])
    opened = client.get(form_url(requisition.name) + "/submit")
    assert opened.status_code == 405 and "请在页面上操作" in opened.content.decode()


def test_colleague_cannot_submit_or_delete(client, users, requisition):
    login(client, users["colleague"])
    assert client.post(form_url(requisition.name) + "/submit").status_code == 404
    assert client.post(form_url(requisition.name) + "/delete").status_code == 404
    requisition.refresh_from_db()
    assert requisition.docstatus == DocStatus.DRAFT


def test_delete_draft_goes_back_to_the_list(client, users, requisition):
    login(client, users["teacher"])
    response = client.post(form_url(requisition.name) + "/delete")
    assert response["Location"] == LIST
    assert not Document.objects.filter(pk=requisition.pk).exists()


def test_deleting_a_submitted_document_is_refused(client, users, requisition):
    login(client, users["teacher"])
    client.post(form_url(requisition.name) + "/submit")
    response = client.post(form_url(requisition.name) + "/delete")
    assert response.status_code == 409
    assert Document.objects.filter(pk=requisition.pk).exists()


def test_comment_via_htmx_returns_the_timeline(client, users, requisition):
    login(client, users["teacher"])
    response = client.post(
        form_url(requisition.name) + "/comment", {"content": "请尽快采购"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="timeline"' in body and "请尽快采购" in body and "<html" not in body


def test_empty_comment_is_refused_with_a_message(client, users, requisition):
    login(client, users["teacher"])
    response = client.post(
        form_url(requisition.name) + "/comment", {"content": "  "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "评论不能为空" in response.content.decode()
    assert not requisition.comments.exists()


def test_plain_comment_post_redirects_back(client, users, requisition):
    login(client, users["head"])
    response = client.post(form_url(requisition.name) + "/comment", {"content": "同意"})
    assert response["Location"] == form_url(requisition.name) + "#timeline"
    assert requisition.comments.get().content == "同意"


# ---------- link search ----------


def _search(client: Any, target: str, q: str = "") -> Any:
    return client.get("/app/material-requisition/search-link", {"target": target, "q": q})


def test_link_search_returns_items_of_the_users_school_only(client, users, outsider, items):
    services.create_document(
        "Item",
        {"item_code": "X-A4", "item_name": "A4复印纸(外校)", "category": "办公用品", "uom": "箱"},
        actor=outsider,
    )
    login(client, users["teacher"])
    results = _search(client, "Item", "复印").json()["results"]
    assert [r["value"] for r in results] == ["P-A4"]
    assert results[0]["label"] == "A4复印纸"
    assert {r["value"] for r in _search(client, "Item").json()["results"]} == set(items)


def test_link_search_brings_what_the_form_fetches_and_nothing_else(client, users, items):
    """A requisition row takes an item's name, specification, unit and reference price: those
    come with each match, so the row fills as soon as an item is picked; other fields do not."""
    login(client, users["teacher"])
    (paper,) = _search(client, "Item", "复印").json()["results"]
    assert paper["fetch"] == {
        "item_name": "A4复印纸",
        "reference_price": "120.00",
        "specification": None,
        "uom": "箱",
    }
    (department,) = _search(client, "Department", "语文").json()["results"]
    assert "fetch" not in department
    response = client.get("/app/material-requisition/new")
    assert 'data-fetch="{&quot;item_name&quot;: &quot;item_name&quot;' in response.text


def test_link_search_finds_departments_and_users_of_the_school(client, users, outsider):
    login(client, users["teacher"])
    departments = [r["value"] for r in _search(client, "Department", "组").json()["results"]]
    assert departments == ["数学组", "语文组"]
    people = {r["value"] for r in _search(client, "User", "").json()["results"]}
    assert "colleague" in people and "outsider" not in people


def test_link_search_refuses_targets_the_form_does_not_use(client, users):
    login(client, users["teacher"])
    response = _search(client, "School")
    assert response.status_code == 400


def test_link_search_needs_a_right_on_the_form(client, users):
    login(client, users["worker"])
    assert _search(client, "Item").status_code == 403


# ---------- files ----------


PHOTO_NOTE = {
    "name": "Photo Note",
    "label": "照片记录",
    "module": "repairs",
    "autoname": "hash",
    "title_field": "note",
    "fields": [
        {"fieldname": "note", "fieldtype": "Data", "label": "说明"},
        {"fieldname": "photo", "fieldtype": "Attach Image", "label": "照片"},
    ],
    "permissions": [
        {"role": "teacher", "read": 1, "write": 1, "create": 1, "if_owner": 1},
        {"role": "purchaser", "read": 1},
    ],
}


@pytest.fixture
def photo_note() -> str:
    """A DocType with an attachment field, made the way an admin would make one."""
    DocType.objects.create(
        name="Photo Note", module="repairs", label="照片记录", custom=True, definition=PHOTO_NOTE
    )
    clear_meta_cache()
    return "/app/photo-note/"


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def _upload(client: Any, photo_note: str, name: str = "漏水.png") -> str:
    upload = SimpleUploadedFile(name, PNG, content_type="image/png")
    return client.post(photo_note + "upload", {"file": upload}).json()["url"]


def test_unattached_upload_is_served_to_its_uploader_only(
    client, users, outsider, photo_note, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = _upload(login(client, users["teacher"]), photo_note)
    assert url.startswith("/files/") and url.endswith("/漏水.png")
    served = client.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PNG
    assert served["Content-Security-Policy"] == "sandbox"
    for other in (users["colleague"], users["purchaser"], outsider):
        assert login(client, other).get(url).status_code == 404


def test_attached_file_is_served_only_to_readers_of_its_document(
    client, users, outsider, photo_note, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = _upload(login(client, users["teacher"]), photo_note)
    doc = services.create_document("Photo Note", {"note": "三楼水管漏水"}, actor=users["teacher"])
    # Claim the file for the document directly: the Attach-field path is tested below.
    Attachment.objects.update(document=doc)
    assert client.get(url).status_code == 200
    assert "漏水.png" in client.get(f"{photo_note}{doc.name}").content.decode()
    assert login(client, users["purchaser"]).get(url).status_code == 200
    for other in (users["colleague"], outsider):
        assert login(client, other).get(url).status_code == 404
    login(client, users["teacher"])
    assert client.get(url.rsplit("/", 1)[0] + "/other.png").status_code == 404
    assert client.get("/files/0123456789abcdef/漏水.png").status_code == 404


def test_attach_field_saves_the_uploaded_file_with_the_document(
    client, users, photo_note, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = _upload(login(client, users["teacher"]), photo_note)
    response = client.post(photo_note + "new", {"note": "三楼水管漏水", "photo": url})
    assert response.status_code == 302
    doc = Document.objects.get(doctype="Photo Note")
    assert Attachment.objects.get().document == doc
    assert "漏水.png" in client.get(response["Location"]).content.decode()


def test_upload_refuses_wrong_types_with_a_chinese_message(client, users, photo_note):
    login(client, users["teacher"])
    upload = SimpleUploadedFile("run.sh", b"echo hi", content_type="application/x-sh")
    response = client.post(photo_note + "upload", {"file": upload})
    assert response.status_code == 400
    assert "不支持的文件类型" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_upload_needs_a_right_to_create_or_write(client, users, photo_note):
    login(client, users["purchaser"])
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    assert client.post(photo_note + "upload", {"file": upload}).status_code == 403
    assert not Attachment.objects.exists()


def test_upload_without_a_file_is_a_clear_400(client, users, photo_note):
    login(client, users["teacher"])
    response = client.post(photo_note + "upload", {})
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "请选择要上传的文件"


def test_pages_name_the_app_icon_so_phones_and_tabs_show_it(client, users):
    from django.contrib.staticfiles import finders

    page = login(client, users["teacher"]).get("/app/").content.decode()
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="/static/([^"]+)">', page)
    assert icon is not None
    path = finders.find(icon.group(1))
    assert path is not None and "<svg" in open(path, encoding="utf-8").read()
