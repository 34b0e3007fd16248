"""Material requisitions: totals from the rows, item details from the master, disabled items,
whose name and department they are filed in, and who reads them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from school_logistics.core import permissions, services
from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from tests.conftest import make_user


def test_requisition_fills_item_details_and_totals(users, items):
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": "教室照明维护",
            "items": [
                {"item": "A4-70", "qty": "4", "rate": "23.50"},
                {"item": "LAMP-T8", "qty": "12", "rate": "16"},
            ],
        },
        actor=users["teacher"],
    )
    assert doc.grand_total == Decimal("286.00")
    row = doc.data["items"][1]
    assert (row["item_name"], row["specification"], row["uom"], row["amount"]) == (
        "日光灯管",
        "T8 LED 1.2m 18W",
        "支",
        "192.00",
    )


def test_amounts_round_half_up_per_row_before_the_total(users, items):
    """四舍五入 to the fen on each row, as a clerk rounds by hand; the total adds what the rows show."""
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": "实验室耗材",
            "items": [
                {"item": "A4-70", "qty": "0.5", "rate": "12.25"},  # 6.125
                {"item": "LAMP-T8", "qty": "2.5", "rate": "0.05"},  # 0.125
                {"item": "LAMP-T8", "qty": "0.333", "rate": "10.01"},  # 3.33333
            ],
        },
        actor=users["teacher"],
    )
    assert [r["amount"] for r in doc.data["items"]] == ["6.13", "0.13", "3.33"]
    assert doc.grand_total == Decimal("9.59")


def test_disabled_item_cannot_be_requested(users, items):
    services.save_document("Item", "A4-70", {"disabled": 1}, actor=users["storekeeper"])
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Material Requisition",
            {"purpose": "期中考试用纸", "items": [{"item": "A4-70", "qty": "1", "rate": "23.5"}]},
            actor=users["teacher"],
        )
    assert "已停用" in exc.value.errors["items.1.item"][0]
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def test_zero_quantity_is_refused(users, items):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Material Requisition",
            {"purpose": "期中考试用纸", "items": [{"item": "A4-70", "qty": "0", "rate": "23.5"}]},
            actor=users["teacher"],
        )
    assert "数量必须大于 0" in exc.value.errors["items.1.qty"][0]


def test_a_submitted_requisition_echoed_back_without_its_worked_out_cells_is_unchanged(
    users, items
):
    """A client sends the rows as typed (no fetched item name, no amount): not a change."""
    doc = services.create_document(
        "Material Requisition",
        {"purpose": "教室照明维护", "items": [{"item": "LAMP-T8", "qty": "12", "rate": "16"}]},
        actor=users["teacher"],
    )
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    stored = Document.objects.get(pk=doc.pk).data
    typed = [
        {k: row[k] for k in ("item", "specification", "uom", "qty", "rate")}
        for row in stored["items"]
    ]
    services.save_document(
        "Material Requisition",
        doc.name,
        {"purpose": "教室照明维护", "items": typed},
        actor=users["teacher"],
    )
    assert Document.objects.get(pk=doc.pk).data == stored


ROW = {"item": "A4-70", "qty": "1", "rate": "23.5"}


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"department": "数学组"}, "department", "申请部门只能是您所在的部门“语文组”"),
        ({"requested_by": "colleague"}, "requested_by", "申请人只能是您本人"),
    ],
)
def test_a_teacher_files_in_their_own_name_for_their_own_department(
    users, items, values, key, message
):
    """Another department would route to its head and draw on its budget; another person's
    name would file in theirs. Both are refused, and nothing is stored."""
    teacher = users["teacher"]
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Material Requisition", {"purpose": "办公用纸", "items": [ROW], **values}, actor=teacher
        )
    assert exc.value.errors[key] == [message]
    assert not Document.objects.filter(doctype="Material Requisition").exists()

    doc = services.create_document(
        "Material Requisition", {"purpose": "办公用纸", "items": [ROW]}, actor=teacher
    )
    assert (doc.department.name, doc.data["requested_by"]) == ("语文组", "teacher")
    with pytest.raises(DocumentValidationError):
        services.save_document("Material Requisition", doc.name, values, actor=teacher)
    doc.refresh_from_db()
    assert (doc.department.name, doc.data["requested_by"]) == ("语文组", "teacher")


def test_the_purchasing_office_files_for_any_department_and_person(users, items):
    doc = services.create_document(
        "Material Requisition",
        {"purpose": "办公用纸", "items": [ROW], "department": "数学组", "requested_by": "teacher"},
        actor=users["purchaser"],
    )
    assert (doc.department.name, doc.data["requested_by"]) == ("数学组", "teacher")


def test_a_department_head_reads_their_departments_requisitions_not_the_others(
    users, departments, items, client
):
    """Drafts included: a head follows their department's requests, not the whole school's."""
    maths = make_user("maths", users["teacher"].school, "teacher", department=departments["数学组"])
    ours = services.create_document(
        "Material Requisition", {"purpose": "作文纸", "items": [ROW]}, actor=users["teacher"]
    )
    theirs = services.create_document(
        "Material Requisition", {"purpose": "坐标纸", "items": [ROW]}, actor=maths
    )
    head = users["head"]
    meta = get_meta("Material Requisition")
    assert set(permissions.readable(head, meta).values_list("name", flat=True)) == {ours.name}
    assert permissions.has_permission(head, meta, "read", ours)
    assert not permissions.has_permission(head, meta, "read", theirs)
    assert not permissions.has_permission(head, meta, "write", ours)  # reading is all it gives
    assert permissions.readable(users["purchaser"], meta).count() == 2  # the office reads all

    client.force_login(head)
    assert client.get(f"/app/material-requisition/{ours.name}").status_code == 200
    assert client.get(f"/app/material-requisition/{theirs.name}").status_code == 404
    listed = client.get("/app/material-requisition/").content.decode()
    assert ours.name in listed and theirs.name not in listed


def test_the_teachers_form_shows_their_name_and_department_not_inputs_for_them(
    client, users, items
):
    client.force_login(users["teacher"])
    page = client.get("/app/material-requisition/new").content.decode()
    assert 'name="purpose"' in page
    assert ' name="department"' not in page and ' name="requested_by"' not in page
    assert "语文组" in page
    client.force_login(users["purchaser"])
    page = client.get("/app/material-requisition/new").content.decode()
    assert ' name="department"' in page and ' name="requested_by"' in page


def test_after_a_refused_save_the_form_still_shows_whose_it_is(client, users, items):
    """The fields are not posted: the redrawn form shows the teacher's own, not a blank or
    a value forged into the post."""
    client.force_login(users["teacher"])
    page = client.post(
        "/app/material-requisition/new",
        {"purpose": "", "department": "数学组", "items-0-item": "A4-70", "items-0-qty": "1"},
    ).content.decode()
    assert "请填写" in page or "必填" in page  # refused: no purpose
    assert re.search(r'data-fieldname="department">\s*<label[^>]*>[^<]*</label>\s*'
                     r'<div class="readonly-value">\s*语文组', page)  # fmt: skip
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def test_someone_of_no_department_is_not_shown_a_placeholder_as_department(
    client, users, items, school
):
    roaming = make_user("roaming", school, "purchaser")
    client.force_login(roaming)
    page = client.get("/app/material-requisition/new").content.decode()
    assert "__department" not in page
