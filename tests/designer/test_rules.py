"""Formulas and show/required-if rules in the engine's one save path, and the designer's checks."""

from __future__ import annotations

from typing import Any

import pytest

from school_logistics.core import extensions
from school_logistics.core import services as core
from school_logistics.core.models import DocType, Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import services

pytestmark = pytest.mark.django_db

ROW = "Loan Item"
LOAN = "Item Loan"


@pytest.fixture
def loan(admin: User) -> DocType:
    """物品借用 with a child table whose amount is qty × price and a total summed from it."""
    services.create_doctype(
        {"name": ROW, "label": "借用物品", "istable": 1, "module": "assets", "fields": [
            {"fieldname": "item", "fieldtype": "Data", "label": "物品", "reqd": 1},
            {"fieldname": "qty", "fieldtype": "Int", "label": "数量"},
            {"fieldname": "price", "fieldtype": "Currency", "label": "单价"},
            {"fieldname": "amount", "fieldtype": "Currency", "label": "金额",
             "formula": "qty * price"},
        ]},
        actor=admin,
    )  # fmt: skip
    return services.create_doctype(
        {"name": LOAN, "label": "物品借用", "module": "assets", "autoname": "LN-.####",
         "fields": [
            {"fieldname": "borrow_date", "fieldtype": "Date", "label": "借出日期", "reqd": 1},
            {"fieldname": "due_date", "fieldtype": "Date", "label": "应还日期", "reqd": 1},
            {"fieldname": "days", "fieldtype": "Int", "label": "借用天数",
             "formula": "days_between(borrow_date, due_date)"},
            {"fieldname": "items", "fieldtype": "Table", "label": "物品", "options": ROW},
            {"fieldname": "total", "fieldtype": "Currency", "label": "总价值",
             "formula": "sum(items.amount)"},
            {"fieldname": "returned", "fieldtype": "Check", "label": "已归还"},
            {"fieldname": "return_date", "fieldtype": "Date", "label": "归还日期", "reqd": 1,
             "depends_on": {"all": [{"field": "returned", "op": "==", "value": "1"}]}},
            {"fieldname": "damage", "fieldtype": "Select", "label": "损坏情况",
             "options": "完好\n损坏"},
            {"fieldname": "compensation", "fieldtype": "Currency", "label": "赔偿金额",
             "mandatory_depends_on": {"all": [{"field": "damage", "op": "==", "value": "损坏"}]}},
        ]},
        actor=admin,
    )  # fmt: skip


def _values(**extra: Any) -> dict[str, Any]:
    return {
        "borrow_date": "2026-03-02",
        "due_date": "2026-03-09",
        "items": [
            {"item": "投影仪", "qty": "2", "price": "1500.50"},
            {"item": "翻页笔", "qty": "3", "price": "45"},
        ],
        **extra,
    }


def test_formulas_compute_row_amounts_totals_and_date_spans_on_save(
    loan: DocType, users: dict[str, User]
) -> None:
    doc = core.create_document(LOAN, _values(), actor=users["teacher"])
    assert doc.data["days"] == 7
    assert [r["amount"] for r in doc.data["items"]] == ["3001.00", "135.00"]
    assert doc.data["total"] == "3136.00"


def test_typed_value_of_a_formula_field_is_ignored_and_the_server_value_wins(
    loan: DocType, users: dict[str, User]
) -> None:
    doc = core.create_document(LOAN, _values(total="1", days="99"), actor=users["teacher"])
    assert doc.data["total"] == "3136.00" and doc.data["days"] == 7
    doc = core.save_document(
        LOAN, doc.name, {"items": [{"item": "投影仪", "qty": "1", "price": "10"}]},
        actor=users["teacher"],
    )  # fmt: skip
    assert doc.data["total"] == "10.00"


def test_hidden_field_is_not_required_and_shown_one_is(
    loan: DocType, users: dict[str, User]
) -> None:
    doc = core.create_document(LOAN, _values(), actor=users["teacher"])
    assert doc.data.get("return_date") is None
    with pytest.raises(DocumentValidationError) as exc:
        core.save_document(LOAN, doc.name, {"returned": "1"}, actor=users["teacher"])
    assert "归还日期：此项为必填项" in exc.value.errors["return_date"][0]
    doc.refresh_from_db()
    assert not doc.data.get("returned")  # nothing changed
    core.save_document(
        LOAN, doc.name, {"returned": "1", "return_date": "2026-03-08"}, actor=users["teacher"]
    )
    doc.refresh_from_db()
    assert doc.data["return_date"] == "2026-03-08"


def test_required_if_refuses_a_save_with_a_per_field_message(
    loan: DocType, users: dict[str, User]
) -> None:
    with pytest.raises(DocumentValidationError) as exc:
        core.create_document(LOAN, _values(damage="损坏"), actor=users["teacher"])
    assert list(exc.value.errors) == ["compensation"]
    assert not Document.objects.filter(doctype=LOAN).exists()
    doc = core.create_document(
        LOAN, _values(damage="损坏", compensation="80"), actor=users["teacher"]
    )
    assert doc.data["compensation"] == "80.00"


def test_required_when_shown_is_what_the_engine_sees_for_a_depends_on_field(loan: DocType) -> None:
    field = get_meta(LOAN).get_field("return_date")
    assert field is not None and not field.reqd and field.raw["reqd_when_shown"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"formula": "qty * "}, "公式写法有误"),
        ({"formula": "().__class__"}, "只有子表"),
        ({"formula": "nothing + 1"}, "字段“nothing”不存在"),
        ({"formula": "total + 1"}, "引用字段自己"),
        ({"formula": "open('x')"}, "不支持的函数"),
        ({"depends_on": {"all": [{"field": "ghost", "op": "==", "value": "1"}]}}, "ghost"),
        ({"mandatory_depends_on": {"all": [{"field": "damage", "op": "~", "value": "1"}]}},
         "不支持的比较方式"),
    ],
)  # fmt: skip
def test_designer_refuses_bad_formulas_and_rules_and_changes_nothing(
    loan: DocType, admin: User, change: dict[str, Any], message: str
) -> None:
    before = DocType.objects.get(name=LOAN).definition
    with pytest.raises(DocumentValidationError) as exc:
        services.update_field(LOAN, "total", change, actor=admin)
    assert message in " ".join(exc.value.messages())
    assert DocType.objects.get(name=LOAN).definition == before


def test_formulas_that_read_each_other_in_a_cycle_are_refused(loan: DocType, admin: User) -> None:
    services.update_field(LOAN, "compensation", {"formula": "total * 0.1"}, actor=admin)
    with pytest.raises(DocumentValidationError) as exc:
        services.update_field(LOAN, "total", {"formula": "compensation + 1"}, actor=admin)
    assert "互相引用" in " ".join(exc.value.messages())


def test_a_formula_field_is_stored_read_only(loan: DocType) -> None:
    total = get_meta(LOAN).get_field("total")
    assert total is not None and total.read_only and total.raw["formula"] == "sum(items.amount)"


def test_formula_division_by_zero_refuses_the_save_naming_the_field(
    loan: DocType, admin: User, users: dict[str, User]
) -> None:
    services.update_field(LOAN, "compensation", {"formula": "total / days"}, actor=admin)
    with pytest.raises(DocumentValidationError) as exc:
        core.create_document(LOAN, _values(due_date="2026-03-02"), actor=users["teacher"])
    assert "除数为零" in exc.value.errors["compensation"][0]
    assert not Document.objects.filter(doctype=LOAN).exists()


def test_desk_form_gets_formulas_and_rules_of_a_designed_form(
    loan: DocType, users: dict[str, User], client: Any
) -> None:
    client.force_login(users["teacher"])
    data = client.get("/app/designer/rules/item-loan").json()
    assert data["fields"]["total"]["formula"] == "sum(items.amount)"
    assert data["fields"]["return_date"]["reqd_when_shown"] == 1
    assert data["tables"]["items"]["amount"]["formula"] == "qty * price"
    assert data["table_types"]["items"]["qty"] == "Int"
    assert data["script"].endswith("designer/form_rules.js")


def test_form_rules_are_empty_for_a_form_without_any(
    loan: DocType, users: dict[str, User], client: Any
) -> None:
    client.force_login(users["teacher"])
    assert client.get("/app/designer/rules/item").json() == {}


def test_form_rules_need_a_right_on_the_doctype(
    loan: DocType, users: dict[str, User], outsider: User, client: Any
) -> None:
    outsider.roles.clear()
    client.force_login(outsider)
    assert client.get("/app/designer/rules/item-loan").status_code == 403
    client.logout()
    assert client.get("/app/designer/rules/item-loan").status_code == 302


def test_an_approver_reading_the_document_by_a_grant_gets_its_rules(
    loan: DocType, users: dict[str, User], client: Any, monkeypatch: Any
) -> None:
    """An approver filling in fields at their step holds no role right on the DocType."""
    doc = core.create_document(LOAN, _values(), actor=users["teacher"])
    approver = users["worker"]  # repair_worker: no right on 物品借用
    monkeypatch.setattr(extensions, "read_grants", [
        lambda user: [Document.objects.filter(pk=doc.pk).values("pk")] if user == approver else []
    ])  # fmt: skip
    client.force_login(approver)
    assert client.get("/app/designer/rules/item-loan").status_code == 403
    data = client.get(f"/app/designer/rules/item-loan?doc={doc.name}").json()
    assert data["fields"]["total"]["formula"] == "sum(items.amount)"
    client.force_login(users["canteen"])  # granted nothing: still refused
    assert client.get(f"/app/designer/rules/item-loan?doc={doc.name}").status_code == 403


def test_a_designed_form_fetches_from_the_record_its_link_names(
    admin: User, users: dict[str, User]
) -> None:
    """An admin's 领用登记 takes the item's name and reference price when an item is picked;
    a fetch_from that names no link field, or a field the item lacks, is refused."""
    from tests.stores.factories import make_items

    make_items(users["storekeeper"])
    fields = [
        {"fieldname": "item", "fieldtype": "Link", "label": "物资", "options": "Item", "reqd": 1},
        {"fieldname": "item_name", "fieldtype": "Data", "label": "品名", "read_only": 1,
         "fetch_from": "item.item_name"},
        {"fieldname": "price", "fieldtype": "Currency", "label": "单价",
         "fetch_from": "item.reference_price"},
    ]  # fmt: skip
    definition = {"name": "Item Pickup", "label": "领用登记", "module": "stores", "fields": fields}
    for bad, message in (
        ("items.reference_price", "本表单没有名为“items”的链接字段"),
        ("item.price_tag", "“物资”没有字段“price_tag”"),
        ("reference_price", "应写成“链接字段.字段”"),
    ):
        broken = [*fields[:2], {**fields[2], "fetch_from": bad}]
        with pytest.raises(DocumentValidationError) as exc:
            services.create_doctype({**definition, "fields": broken}, actor=admin)
        assert message in str(exc.value.errors), bad
    assert not DocType.objects.filter(name="Item Pickup").exists()

    services.create_doctype(definition, actor=admin)
    doc = core.create_document("Item Pickup", {"item": "TAP-15"}, actor=users["teacher"])
    assert (doc.data["item_name"], doc.data["price"]) == ("水龙头", "38.00")


def test_a_row_formulas_parent_fields_are_checked_where_the_table_is_used(admin: User) -> None:
    """A row's `parent.x` names a typed field of every form its table serves: a form without it,
    or a table saved later with a misspelt one, is refused with the field named."""
    row = {"name": "Duty Row", "label": "值班安排", "istable": 1, "module": "assets", "fields": [
        {"fieldname": "hours", "fieldtype": "Float", "label": "时长"},
        {"fieldname": "pay", "fieldtype": "Currency", "label": "补贴",
         "formula": "hours * parent.hourly_rate"},
    ]}  # fmt: skip
    services.create_doctype(row, actor=admin)
    form = {"name": "Duty Roster", "label": "值班表", "module": "assets", "fields": [
        {"fieldname": "rate", "fieldtype": "Currency", "label": "每小时补贴"},
        {"fieldname": "rows", "fieldtype": "Table", "label": "安排", "options": "Duty Row"},
    ]}  # fmt: skip
    with pytest.raises(DocumentValidationError) as exc:
        services.create_doctype(form, actor=admin)
    assert "parent.hourly_rate" in str(exc.value.errors) and "值班表" in str(exc.value.errors)
    assert not DocType.objects.filter(name="Duty Roster").exists()

    form["fields"][0]["fieldname"] = "hourly_rate"
    services.create_doctype(form, actor=admin)
    doc = core.create_document(
        "Duty Roster", {"hourly_rate": "20", "rows": [{"hours": "2.5"}]}, actor=admin
    )
    assert doc.data["rows"][0]["pay"] == "50.00"

    row["fields"][1]["formula"] = "hours * parent.hourly_pay"
    with pytest.raises(DocumentValidationError) as exc:
        services.save_doctype("Duty Row", row, actor=admin)
    assert "parent.hourly_pay" in str(exc.value.errors["fields.pay"])


def test_a_field_a_formula_reads_cannot_be_removed_before_the_formula(loan, admin):
    """借用天数 counts from 借出日期: removing that field first is refused with the reason, as
    the formula would otherwise stay blank on every new loan."""
    with pytest.raises(DocumentValidationError) as refused:
        services.remove_field(LOAN, "borrow_date", actor=admin)
    assert "公式中的字段“borrow_date”不存在" in " ".join(refused.value.messages())
    assert not get_meta(LOAN).get_field("borrow_date").hidden  # type: ignore[union-attr]
    services.update_field(LOAN, "days", {"formula": ""}, actor=admin)
    services.remove_field(LOAN, "borrow_date", actor=admin)


def test_a_table_a_formula_sums_cannot_be_removed_and_the_refusal_names_it(loan, admin):
    with pytest.raises(DocumentValidationError) as refused:
        services.remove_field(LOAN, "items", actor=admin)
    assert "公式中的子表“items”不存在" in " ".join(refused.value.messages())
    assert not get_meta(LOAN).get_field("items").hidden  # type: ignore[union-attr]
