"""Every field type's validation and coercion, through the create/save services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.document import load
from school_logistics.core.models import Department, Document, User, Version
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import MAX_TABLE_ROWS, DocumentValidationError
from tests.conftest import make_user
from tests.core.doctypes import FIELD_TEST, LINK_TARGET, has_chinese, install_all, snapshot


@pytest.fixture(autouse=True)
def _doctypes(db: None) -> None:
    install_all()


def create(values: dict[str, Any], actor: User, **kwargs: Any) -> Document:
    return services.create_document(FIELD_TEST, {"title": "测试", **values}, actor=actor, **kwargs)


def refused(values: dict[str, Any], actor: User) -> dict[str, list[str]]:
    """Create with bad values; assert nothing was written and return the errors."""
    before = snapshot()
    with pytest.raises(DocumentValidationError) as exc:
        create(values, actor)
    assert snapshot() == before
    for messages in exc.value.errors.values():
        assert all(has_chinese(m) for m in messages), messages
    return exc.value.errors


def make_target(code: str, actor: User) -> Document:
    return services.create_document(LINK_TARGET, {"code": code}, actor=actor)


# --- good values are stored exactly -------------------------------------------------------


def test_every_field_type_is_stored_in_its_json_form(users):
    teacher = users["teacher"]
    make_target("T-1", teacher)
    doc = create(
        {
            "title": "  期中考试用纸  ",
            "small_text": "第一行\n第二行",
            "text": "长文本" * 1000,
            "qty": "12",
            "weight": "2.125",
            "price": "120.5",
            "discount": "12.50",
            "is_urgent": "1",
            "posting_date": "2026-03-02",
            "starts_at": "2026-03-02 08:30",
            "opens_at": "07:45",
            "color": "绿",
            "target": "T-1",
            "department": "语文组",
            "requested_by": "colleague",
            "rows": [{"item_label": "A4纸", "qty": 3, "amount": "10.10", "target": "T-1"}],
            "code": "C-001",
        },
        teacher,
    )
    data = Document.objects.get(pk=doc.pk).data
    assert data["title"] == "期中考试用纸"
    assert data["small_text"] == "第一行\n第二行"
    assert data["text"] == "长文本" * 1000
    assert data["qty"] == 12
    assert data["weight"] == "2.125"
    assert data["price"] == "120.50"
    assert data["discount"] == "12.50"
    assert data["is_urgent"] == 1
    assert data["posting_date"] == "2026-03-02"
    # Entered in Asia/Shanghai; stored with its offset so the instant is unambiguous.
    assert dt.datetime.fromisoformat(data["starts_at"]) == dt.datetime(
        2026, 3, 2, 0, 30, tzinfo=dt.UTC
    )
    assert data["opens_at"] == "07:45:00"
    assert data["color"] == "绿"
    assert data["target"] == "T-1"
    assert data["department"] == "语文组"
    assert data["requested_by"] == "colleague"
    [row] = data["rows"]
    assert row["idx"] == 1 and row["name"].isalnum()
    assert (row["item_label"], row["qty"], row["amount"], row["target"]) == (
        "A4纸",
        3,
        "10.10",
        "T-1",
    )
    # Promoted columns follow the DocType's title/total/date fields.
    assert doc.title == "期中考试用纸"
    assert doc.grand_total == Decimal("120.50")
    assert doc.posting_date == dt.date(2026, 3, 2)
    assert doc.department == Department.objects.get(school=teacher.school, name="语文组")


def test_typed_values_round_trip_through_load(users):
    doc = create(
        {"qty": 7, "price": "0.10", "weight": "0.2", "posting_date": "2026-01-05", "color": "红"},
        users["teacher"],
    )
    values = load(get_meta(FIELD_TEST), Document.objects.get(pk=doc.pk)).values
    assert values["qty"] == 7
    assert values["price"] == Decimal("0.10")
    assert values["weight"] == Decimal("0.200")
    assert values["posting_date"] == dt.date(2026, 1, 5)
    assert values["is_urgent"] == 0
    assert values["rows"] == []


def test_decimals_have_no_float_drift(users):
    teacher = users["teacher"]
    make_target("T-1", teacher)
    doc = create(
        {
            "price": 0.1,
            "weight": "0.3",
            "rows": [
                {"item_label": "a", "amount": "0.1"},
                {"item_label": "b", "amount": "0.2"},
            ],
        },
        teacher,
    )
    data = Document.objects.get(pk=doc.pk).data
    assert data["price"] == "0.10"
    assert data["weight"] == "0.300"
    rows = load(get_meta(FIELD_TEST), doc).values["rows"]
    assert rows[0]["amount"] + rows[1]["amount"] == Decimal("0.30")


def test_float_with_binary_noise_is_refused_not_rounded(users):
    errors = refused({"price": 0.1 + 0.2}, users["teacher"])
    assert list(errors) == ["price"]


def test_int_accepts_whole_number_text(users):
    doc = create({"qty": "3.0"}, users["teacher"])
    assert doc.data["qty"] == 3


@pytest.mark.parametrize(
    ("price", "qty", "stored_price", "stored_qty"),
    [
        ("1,250", "1,000", "1250.00", 1000),  # as the app prints money
        ("12,345.50", "12", "12345.50", 12),
        ("１，２５０．５", "１２", "1250.50", 12),  # full width, typed with a Chinese input method
        (".5", "+3", "0.50", 3),
    ],
)
def test_numbers_with_thousands_separators_are_read_as_written(
    users, price, qty, stored_price, stored_qty
):
    doc = create({"price": price, "qty": qty}, users["teacher"])
    assert (doc.data["price"], doc.data["qty"]) == (stored_price, stored_qty)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "12,5", "单价：“12,5”不是有效的数字；小数点请用“.”"),
        ("qty", "12,5", "数量：“12,5”不是有效的数字；小数点请用“.”"),
        (
            "price",
            "1,25,0",
            "单价：“1,25,0”不是有效的数字；千位分隔符“,”应每三位一个，如 12,345.50",
        ),
        (
            "price",
            "1234,567",
            "单价：“1234,567”不是有效的数字；千位分隔符“,”应每三位一个，如 12,345.50",
        ),
        (
            "price",
            "1,250,5",
            "单价：“1,250,5”不是有效的数字；千位分隔符“,”应每三位一个，如 12,345.50",
        ),
        ("price", "1e3", "单价：“1e3”不是有效的数字；请直接写出数字，不用科学计数法"),
        ("qty", "1E3", "数量：“1E3”不是有效的数字；请直接写出数字，不用科学计数法"),
        ("weight", "2.5e-1", "重量：“2.5e-1”不是有效的数字；请直接写出数字，不用科学计数法"),
    ],
)
def test_a_comma_that_is_no_thousands_separator_or_an_exponent_is_refused_and_says_why(
    users, field, value, message
):
    """Not guessed: "12,5" is 12.5 to some and 125 to others, and "1e3" is never meant."""
    assert refused({field: value}, users["teacher"]) == {field: [message]}


def test_rows_follow_the_same_number_rule(users):
    errors = refused(
        {"rows": [{"item_label": "a", "qty": "1,000", "amount": "12,5"}]}, users["teacher"]
    )
    assert errors == {"rows.1.amount": ["明细第 1 行：金额：“12,5”不是有效的数字；小数点请用“.”"]}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": "长" * 141}, "title", "标题：最多 140 个字（现在 141 个）"),
        ({"small_text": "x" * 2001}, "small_text", "简述：最多 2000 个字（现在 2001 个）"),
        ({"qty": "1,001"}, "qty", "数量：不能大于 1000"),
        ({"qty": "-1"}, "qty", "数量：不能小于 0"),
        ({"price": "-0.01"}, "price", "单价：不能小于 0"),
        ({"price": "100,000.01"}, "price", "单价：不能大于 100000"),
    ],
)
def test_limits_are_stated_in_plain_words(users, values, field, message):
    """Not Django's "确保该变量包含不超过 140 字符 (目前字符数 141)。"."""
    assert refused(values, users["teacher"]) == {field: [message]}


@pytest.mark.parametrize(
    ("value", "stored"),
    [("1", 1), (1, 1), (True, 1), ("0", 0), (0, 0), ("false", 0), ("", 0), (None, 0)],
)
def test_check_is_stored_as_zero_or_one(users, value, stored):
    doc = create({"is_urgent": value}, users["teacher"])
    assert doc.data["is_urgent"] == stored


def test_empty_optional_values_are_stored_as_null(users):
    doc = create(
        {"qty": "", "price": None, "color": "", "target": "", "starts_at": ""}, users["teacher"]
    )
    for fieldname in ["qty", "price", "color", "target", "starts_at", "file", "code"]:
        assert doc.data[fieldname] is None


def test_layout_fields_are_not_stored(users):
    doc = create({}, users["teacher"])
    assert "section_numbers" not in doc.data
    assert "column_break_1" not in doc.data


# --- bad values: a Chinese message keyed to the field, nothing saved -----------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("qty", "abc"),
        ("qty", "1e999"),
        ("qty", "3.5"),
        ("qty", float("inf")),
        ("qty", "-1"),
        ("qty", 1001),
        ("price", "1e999"),
        ("price", "abc"),
        ("price", "NaN"),
        ("price", "Infinity"),
        ("price", "-0.01"),
        ("price", "100000.01"),
        ("price", "12.345"),
        ("weight", "1.0001"),
        ("weight", "1" * 20),
        ("discount", "%"),
        ("posting_date", "2026-13-40"),
        ("posting_date", "2026-02-30"),
        ("posting_date", "明天"),
        ("posting_date", True),  # JSON bodies send any type
        ("posting_date", 20260101),
        ("starts_at", False),
        ("opens_at", 9),
        ("starts_at", "2026-03-02 25:00"),
        ("opens_at", "24:61"),
        ("color", "紫"),
        ("color", "红\n绿"),
        ("title", "长" * 141),
        ("small_text", "x" * 2001),
        ("title", "含有\x00空字符"),
        ("qty", {"value": 1}),
        ("title", ["a", "b"]),
        ("price", [1]),
        ("is_urgent", {"a": 1}),
    ],
)
def test_bad_scalar_value_is_refused_and_nothing_saved(users, field, value):
    errors = refused({field: value}, users["teacher"])
    assert list(errors) == [field]


def test_all_problems_are_reported_at_once(users):
    errors = refused({"qty": "abc", "posting_date": "2026-13-40", "color": "紫"}, users["teacher"])
    assert set(errors) == {"qty", "posting_date", "color"}
    assert "数量" in errors["qty"][0]


def test_unknown_field_is_refused(users):
    errors = refused({"owner": "admin"}, users["teacher"])
    assert list(errors) == ["owner"]
    assert "未知字段" in errors["owner"][0]


def test_unknown_field_in_a_child_row_is_refused(users):
    errors = refused({"rows": [{"item_label": "a", "secret": 1}]}, users["teacher"])
    assert list(errors) == ["rows.1.secret"]


def test_required_field_missing_is_refused(users):
    before = snapshot()
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(FIELD_TEST, {"title": "   "}, actor=users["teacher"])
    assert list(exc.value.errors) == ["title"]
    assert "标题" in exc.value.errors["title"][0]
    assert snapshot() == before


@pytest.mark.parametrize("blank", ["\u3000\u3000", "\u200b", "\ufeff \u200d", "\u2060"])
def test_required_text_of_only_invisible_characters_is_missing(users, blank):
    """Full-width spaces and zero-width characters, pasted from chat, show nothing."""
    errors = refused({"title": blank}, users["teacher"])
    assert list(errors) == ["title"]


def test_invisible_characters_at_the_ends_of_text_are_trimmed(users):
    doc = create({"title": "\u200b期中考试用纸\ufeff\u3000"}, users["teacher"])
    assert doc.data["title"] == "期中考试用纸"


def test_bad_child_cell_is_keyed_by_row_and_field(users):
    errors = refused(
        {"rows": [{"item_label": "a", "qty": 2}, {"item_label": "", "qty": 0}]}, users["teacher"]
    )
    assert set(errors) == {"rows.2.item_label", "rows.2.qty"}
    assert "第 2 行" in errors["rows.2.qty"][0]


@pytest.mark.parametrize("value", ["abc", {"item_label": "a"}, 5, ["not a row"]])
def test_table_that_is_not_a_list_of_rows_is_refused(users, value):
    errors = refused({"rows": value}, users["teacher"])
    assert list(errors) == ["rows"]


def test_table_with_more_than_the_row_limit_is_refused(users):
    rows = [{"item_label": f"第{i}项"} for i in range(MAX_TABLE_ROWS + 1)]
    errors = refused({"rows": rows}, users["teacher"])
    assert list(errors) == ["rows"]
    assert str(MAX_TABLE_ROWS) in errors["rows"][0]


def test_table_at_the_row_limit_is_accepted(users):
    rows = [{"item_label": f"第{i}项"} for i in range(MAX_TABLE_ROWS)]
    doc = create({"rows": rows}, users["teacher"])
    assert [r["idx"] for r in doc.data["rows"]] == list(range(1, MAX_TABLE_ROWS + 1))


def test_duplicate_row_names_from_input_are_replaced(users):
    doc = create(
        {"rows": [{"name": "abc", "item_label": "a"}, {"name": "abc", "item_label": "b"}]},
        users["teacher"],
    )
    names = [r["name"] for r in doc.data["rows"]]
    assert len(set(names)) == 2


# --- links -------------------------------------------------------------------------------


def test_link_to_missing_document_is_refused(users):
    errors = refused({"target": "NOPE"}, users["teacher"])
    assert list(errors) == ["target"]
    assert "NOPE" in errors["target"][0]


def test_link_to_other_schools_document_is_refused(users, other_school):
    stranger = make_user("stranger", other_school, "teacher")
    make_target("FOREIGN", stranger)
    errors = refused({"target": "FOREIGN"}, users["teacher"])
    assert list(errors) == ["target"]


def test_link_to_cancelled_document_is_refused(users):
    teacher = users["teacher"]
    make_target("T-OLD", teacher)
    services.submit_document(LINK_TARGET, "T-OLD", actor=teacher)
    services.cancel_document(LINK_TARGET, "T-OLD", actor=teacher)
    errors = refused({"target": "T-OLD"}, teacher)
    assert list(errors) == ["target"]


def test_link_in_child_row_is_checked(users):
    errors = refused({"rows": [{"item_label": "a", "target": "NOPE"}]}, users["teacher"])
    assert list(errors) == ["rows.1.target"]


def test_link_to_other_schools_department_is_refused(users, other_school):
    Department.objects.create(school=other_school, name="外校部门")
    errors = refused({"department": "外校部门"}, users["teacher"])
    assert list(errors) == ["department"]


def test_user_field_refuses_unknown_inactive_and_other_school_users(users, outsider):
    teacher = users["teacher"]
    users["colleague"].is_active = False
    users["colleague"].save()
    for username in ["nobody", "colleague", outsider.username]:
        errors = refused({"requested_by": username}, teacher)
        assert list(errors) == ["requested_by"], username


def test_user_field_accepts_district_staff_serving_the_school(users, other_school):
    visitor = make_user("district", other_school, "teacher")
    visitor.other_schools.add(users["teacher"].school)
    doc = create({"requested_by": "district"}, users["teacher"])
    assert doc.data["requested_by"] == "district"


# --- defaults, read-only, unique -----------------------------------------------------------


def test_defaults_fill_today_and_current_user(users):
    doc = create({}, users["teacher"])
    assert doc.data["posting_date"] == timezone.localdate().isoformat()
    assert doc.data["requested_by"] == "teacher"


def test_explicit_value_overrides_default(users):
    doc = create({"posting_date": "2025-09-01", "requested_by": "head"}, users["teacher"])
    assert doc.data["posting_date"] == "2025-09-01"
    assert doc.data["requested_by"] == "head"


def test_read_only_fields_ignore_input(users):
    doc = create({"note": "我自己写的", "computed": "999"}, users["teacher"])
    assert doc.data["note"] is None
    assert doc.data["computed"] is None


def test_read_only_values_survive_a_save_that_sends_other_values(users):
    teacher = users["teacher"]
    doc = create({}, teacher)
    # A controller-set value, written as a controller would have.
    Document.objects.filter(pk=doc.pk).update(data={**doc.data, "computed": "5.00"})
    services.save_document(FIELD_TEST, doc.name, {"computed": "1.00", "qty": 2}, actor=teacher)
    data = Document.objects.get(pk=doc.pk).data
    assert (data["computed"], data["qty"]) == ("5.00", 2)


def test_read_only_field_gets_its_default(users):
    from tests.core.doctypes import FIELD_TEST_DEF, install

    definition = {
        **FIELD_TEST_DEF,
        "fields": [
            {**f, "default": "系统生成"} if f["fieldname"] == "note" else f
            for f in FIELD_TEST_DEF["fields"]
        ],
    }
    install(definition)
    doc = create({"note": "用户输入"}, users["teacher"])
    assert doc.data["note"] == "系统生成"


def test_unique_value_is_refused_twice_in_one_school(users):
    create({"code": "U-1"}, users["teacher"])
    errors = refused({"code": "U-1"}, users["colleague"])
    assert list(errors) == ["code"]
    assert "U-1" in errors["code"][0]


def test_unique_value_may_repeat_in_another_school(users, other_school):
    create({"code": "U-1"}, users["teacher"])
    stranger = make_user("stranger", other_school, "teacher")
    doc = create({"code": "U-1"}, stranger)
    assert doc.school == other_school


def test_saving_a_document_keeps_its_own_unique_value(users):
    doc = create({"code": "U-1"}, users["teacher"])
    services.save_document(FIELD_TEST, doc.name, {"code": "U-1", "qty": 1}, actor=users["teacher"])
    assert Document.objects.get(pk=doc.pk).data["qty"] == 1


def test_bad_save_changes_nothing(users):
    teacher = users["teacher"]
    doc = create({"qty": 1}, teacher)
    before = snapshot()
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(FIELD_TEST, doc.name, {"qty": "abc", "color": "红"}, actor=teacher)
    assert list(exc.value.errors) == ["qty"]
    assert snapshot() == before
    assert Version.objects.filter(document=doc).count() == 1
