"""Designer services: make a DocType, change its fields, and never lose stored values."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from school_logistics.core import permissions, services
from school_logistics.core.meta import FIELD_TYPES, LAYOUT_TYPES
from school_logistics.core.models import Department, DocType, Document, School, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import services as designer
from school_logistics.designer.models import DocTypeVersion
from tests.conftest import make_user
from tests.designer.conftest import PASSENGER, VR


def request_by(user: User, **values: Any) -> Document:
    return services.create_document(
        VR, {"destination": "区教育局", "trip_date": "2026-03-02", **values}, actor=user
    )


def stored(doc: Document) -> dict[str, Any]:
    return Document.objects.get(pk=doc.pk).data


def versions() -> int:
    return DocTypeVersion.objects.filter(doctype=VR).count()


def test_admin_creates_a_doctype_that_teachers_can_fill_in_at_once(vehicle_request, users):
    meta = get_meta(VR)
    assert meta.label == "用车申请" and meta.is_submittable and meta.icon == "fa-car"
    assert [f.fieldname for f in meta.value_fields] == [
        "destination", "trip_date", "vehicle", "seats", "note"
    ]  # fmt: skip
    doc = request_by(users["teacher"], vehicle="商务车")
    assert doc.name.startswith("VR-2026-") and doc.title == "区教育局"
    assert vehicle_request.custom
    version = DocTypeVersion.objects.get(doctype=VR)
    assert (version.action, version.actor) == ("create", users["admin"])
    assert version.definition["fields"][0]["fieldname"] == "destination"


def test_every_field_type_can_be_added_with_its_properties(vehicle_request, admin, users):
    designer.create_doctype(
        {"name": PASSENGER, "label": "乘车人", "module": "safety", "istable": 1,
         "fields": [{"fieldname": "person", "fieldtype": "Data", "label": "姓名", "reqd": 1},
                    {"fieldname": "fare", "fieldtype": "Currency", "label": "费用"}]},
        actor=admin,
    )  # fmt: skip
    options = {"Select": "是\n否", "Link": "Location", "Table": PASSENGER}
    for ftype in sorted(FIELD_TYPES - LAYOUT_TYPES):
        name = "f_" + ftype.lower().replace(" ", "_")
        designer.add_field(
            VR,
            {"fieldname": name, "fieldtype": ftype, "label": f"测试{ftype}",
             "options": options.get(ftype, ""), "description": "说明文字",
             "in_list_view": ftype != "Table", "allow_on_submit": 1},
            actor=admin,
        )  # fmt: skip
    designer.add_field(VR, {"fieldname": "sec_x", "fieldtype": "Section Break"}, actor=admin)
    designer.update_field(
        VR, "f_int", {"min_value": "1", "max_value": "60", "default": "5", "reqd": 1,
                      "unique": 1, "read_only": 0, "in_standard_filter": 1}, actor=admin
    )  # fmt: skip
    meta = get_meta(VR)
    got = {f.fieldtype for f in meta.fields}
    assert FIELD_TYPES <= got | {"Column Break"}
    seats = meta.get_field("f_int")
    assert (seats.min_value, seats.max_value, seats.default, seats.reqd, seats.unique) == (
        1, 60, "5", True, True
    )  # fmt: skip
    assert seats.in_standard_filter and meta.get_field("f_data").allow_on_submit
    assert meta.get_field("f_data").description == "说明文字"
    doc = request_by(
        users["teacher"],
        f_int="7",
        f_select="是",
        f_link="",
        f_table=[{"person": "示例乘客甲", "fare": "12.50"}],
    )
    assert stored(doc)["f_int"] == 7 and stored(doc)["f_table"][0]["fare"] == "12.50"
    assert versions() == 1 + len(FIELD_TYPES - LAYOUT_TYPES) + 2


def test_reorder_moves_a_field_and_records_a_version(vehicle_request, admin):
    designer.move_field(VR, "note", 0, actor=admin)
    assert get_meta(VR).fields[0].fieldname == "note"
    latest = DocTypeVersion.objects.filter(doctype=VR).first()
    assert latest.action == "save" and latest.actor == admin
    assert latest.definition["fields"][0]["fieldname"] == "note"


def test_rename_keeps_every_documents_value(vehicle_request, admin, users):
    docs = [request_by(users["teacher"], seats="7"), request_by(users["colleague"], seats="45")]
    designer.rename_field(VR, "seats", "seat_count", actor=admin)
    assert [stored(d).get("seat_count") for d in docs] == ["7", "45"]
    assert all("seats" not in stored(d) for d in docs)
    meta = get_meta(VR)
    assert meta.get_field("seats") is None and meta.get_field("seat_count").label == "座位数"
    # The documents still save: the stored key matches the form.
    services.save_document(VR, docs[0].name, {"note": "早八点出发"}, actor=users["teacher"])
    assert "英文字段名 seats → seat_count" in DocTypeVersion.objects.filter(doctype=VR)[0].summary


def test_a_renamed_field_keeps_its_label_in_the_documents_history(vehicle_request, admin, users):
    teacher = users["teacher"]
    doc = request_by(teacher, seats="7")
    services.save_document(VR, doc.name, {"seats": "9"}, actor=teacher)
    designer.create_doctype(
        {"name": PASSENGER, "label": "乘车人", "module": "safety", "istable": 1,
         "fields": [{"fieldname": "person", "fieldtype": "Data", "label": "姓名"}]},
        actor=admin,
    )  # fmt: skip
    designer.add_field(
        VR, {"fieldname": "passengers", "fieldtype": "Table", "label": "乘车人",
             "options": PASSENGER}, actor=admin
    )  # fmt: skip
    row = {"person": "示例乘客甲"}
    services.save_document(VR, doc.name, {"passengers": [row]}, actor=teacher)
    saved = stored(doc)["passengers"]
    services.save_document(
        VR, doc.name, {"passengers": [{**saved[0], "person": "示例乘客乙"}]}, actor=teacher
    )
    designer.rename_field(VR, "seats", "seat_count", actor=admin)
    designer.rename_field(PASSENGER, "person", "full_name", actor=admin)

    client = Client()
    client.force_login(teacher)
    page = client.get(f"/app/vehicle-request/{doc.name}").content.decode()
    history = page.split('id="timeline"')[1] if 'id="timeline"' in page else page
    assert "座位数" in history and "姓名" in history
    assert "seats" not in history and "person" not in history


def test_renaming_the_title_field_keeps_the_title_setting(vehicle_request, admin):
    designer.rename_field(VR, "destination", "place", actor=admin)
    assert get_meta(VR).title_field == "place"


def test_remove_hides_the_field_and_keeps_stored_values(vehicle_request, admin, users):
    doc = request_by(users["teacher"], note="需要儿童座椅")
    designer.remove_field(VR, "note", actor=admin)
    note = get_meta(VR).get_field("note")
    assert note.hidden and note.raw.get("removed")
    assert stored(doc)["note"] == "需要儿童座椅"
    services.save_document(VR, doc.name, {"destination": "市博物馆"}, actor=users["teacher"])
    assert stored(doc)["note"] == "需要儿童座椅"
    # Bringing it back shows the old value again.
    designer.update_field(VR, "note", {"hidden": 0, "removed": 0}, actor=admin)
    assert not get_meta(VR).get_field("note").hidden


def test_removing_a_required_field_does_not_block_later_saves(vehicle_request, admin, users):
    designer.remove_field(VR, "destination", actor=admin)
    doc = request_by(users["teacher"], destination="")
    assert stored(doc)["destination"] is None


def test_text_to_number_converts_when_every_value_is_a_number(vehicle_request, admin, users):
    doc = request_by(users["teacher"], seats="7")
    designer.update_field(VR, "seats", {"fieldtype": "Int"}, actor=admin)
    assert stored(doc)["seats"] == 7


def test_text_to_number_is_refused_naming_the_blocking_document(vehicle_request, admin, users):
    good = request_by(users["teacher"], seats="7")
    bad = request_by(users["colleague"], seats="七座")
    before = (DocType.objects.get(name=VR).definition, stored(good), stored(bad), versions())
    with pytest.raises(DocumentValidationError) as exc:
        designer.update_field(VR, "seats", {"fieldtype": "Int"}, actor=admin)
    message = exc.value.messages()[0]
    assert bad.name in message and "七座" in message and good.name not in message
    assert "“单行文本”改为“整数”" in message
    after = (DocType.objects.get(name=VR).definition, stored(good), stored(bad), versions())
    assert after == before


def test_dropping_a_select_option_in_use_is_refused(vehicle_request, admin, users):
    doc = request_by(users["teacher"], vehicle="大客车")
    with pytest.raises(DocumentValidationError) as exc:
        designer.update_field(VR, "vehicle", {"options": "轿车\n商务车"}, actor=admin)
    assert doc.name in exc.value.messages()[0]
    designer.update_field(VR, "vehicle", {"options": "轿车\n商务车\n大客车\n面包车"}, actor=admin)
    assert "面包车" in get_meta(VR).get_field("vehicle").select_options


def test_making_a_field_unique_with_duplicates_is_refused(vehicle_request, admin, users):
    a = request_by(users["teacher"], seats="7")
    b = request_by(users["colleague"], seats="7")
    with pytest.raises(DocumentValidationError) as exc:
        designer.update_field(VR, "seats", {"unique": 1}, actor=admin)
    assert a.name in exc.value.messages()[0] and b.name in exc.value.messages()[0]
    assert not get_meta(VR).get_field("seats").unique


def test_child_table_fields_rename_and_convert_inside_rows(vehicle_request, admin, users):
    designer.create_doctype(
        {"name": PASSENGER, "label": "乘车人", "module": "safety", "istable": 1,
         "fields": [{"fieldname": "person", "fieldtype": "Data", "label": "姓名"},
                    {"fieldname": "age", "fieldtype": "Data", "label": "年龄"}]},
        actor=admin,
    )  # fmt: skip
    designer.add_field(
        VR, {"fieldname": "passengers", "fieldtype": "Table", "label": "乘车人",
             "options": PASSENGER}, actor=admin
    )  # fmt: skip
    doc = request_by(users["teacher"], passengers=[{"person": "示例乘客甲", "age": "35"}])
    designer.rename_field(PASSENGER, "person", "full_name", actor=admin)
    designer.update_field(PASSENGER, "age", {"fieldtype": "Int"}, actor=admin)
    row = stored(doc)["passengers"][0]
    assert (row["full_name"], row["age"]) == ("示例乘客甲", 35) and "person" not in row


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"fieldname": "Bad Name"}, "fields.Bad Name", "字段名只能用小写英文字母"),
        ({"fieldtype": "Select", "options": ""}, "fields.seats", "下拉选项至少要有一项"),
        ({"fieldtype": "Link", "options": "Nowhere"}, "fields.seats", "“Nowhere”不存在"),
        ({"fieldtype": "Int", "min_value": "9", "max_value": "1"}, "fields.seats", "最小值大于"),
        ({"fieldname": "name"}, "fields.name", "系统保留"),
        ({"fieldtype": "Date", "default": "明天"}, "fields.seats", "默认值“明天”不合适"),
    ],
)
def test_bad_field_settings_are_refused_in_chinese_and_change_nothing(
    vehicle_request, admin, change, key, words
):
    before = (DocType.objects.get(name=VR).definition, versions())
    definition = designer.editable_definition(VR)
    seats = next(f for f in definition["fields"] if f["fieldname"] == "seats")
    seats.update(change)
    with pytest.raises(DocumentValidationError) as exc:
        designer.save_doctype(VR, definition, actor=admin)
    assert key in exc.value.errors and words in " ".join(exc.value.errors[key])
    assert (DocType.objects.get(name=VR).definition, versions()) == before


def test_bad_doctype_settings_are_refused(admin, school):
    cases = [
        ({"name": "Vehicle/Request"}, "name"),
        ({"name": "designer"}, "name"),
        ({"autoname": "VR-.YYYY"}, "autoname"),
        ({"title_field": "nowhere"}, "title_field"),
        ({"label": ""}, "label"),
    ]
    for change, key in cases:
        values = {"name": "Trip", "label": "出行", "module": "safety", **change}
        with pytest.raises(DocumentValidationError) as exc:
            designer.create_doctype(values, actor=admin)
        assert key in exc.value.errors, change
    assert not DocType.objects.filter(custom=True).exists()


def test_a_second_doctype_with_the_same_name_is_refused(vehicle_request, admin):
    with pytest.raises(DocumentValidationError) as exc:
        designer.create_doctype({"name": "vehicle request", "label": "x"}, actor=admin)
    assert "已有同名" in exc.value.messages()[0]


@pytest.fixture
def plain_outsider(other_school: School) -> User:
    dept = Department.objects.create(school=other_school, name="总务处")
    return make_user("plain_outsider", other_school, "purchaser", department=dept)


def test_only_system_admins_design_forms_and_a_refusal_changes_nothing(
    vehicle_request, users, plain_outsider
):
    before = (DocType.objects.get(name=VR).definition, versions(), DocType.objects.count())
    for who in (users["teacher"], users["colleague"], users["principal"], plain_outsider):
        assert not permissions.is_admin(who)
        with pytest.raises(PermissionDenied):
            designer.add_field(VR, {"fieldname": "x", "label": "x"}, actor=who)
        with pytest.raises(PermissionDenied):
            designer.create_doctype({"name": "Trip", "label": "出行"}, actor=who)
        with pytest.raises(PermissionDenied):
            designer.set_permissions(VR, [], actor=who)
    after = (DocType.objects.get(name=VR).definition, versions(), DocType.objects.count())
    assert after == before


def test_permissions_grid_decides_who_may_create(vehicle_request, admin, users):
    designer.set_permissions(
        VR, [{"role": "repair_worker", "read": 1, "create": 1, "write": 1}], actor=admin
    )
    meta = get_meta(VR)
    assert permissions.has_permission(users["worker"], meta, "create")
    assert not permissions.has_permission(users["teacher"], meta, "create")
    with pytest.raises(DocumentValidationError):
        designer.set_permissions(VR, [{"role": "nobody", "read": 1}], actor=admin)


def test_on_a_district_site_only_the_district_administrator_designs_forms(
    client, admin, other_school
):
    """Forms are shared by every school, so one school's admin may not change them for all,
    and the user menu does not offer them 表单设计."""
    values = {"name": "Visitor Log", "label": "外来人员登记", "module": "safety", "fields": []}
    with pytest.raises(PermissionDenied, match="全区"):
        designer.create_doctype(values, actor=admin)
    assert not DocType.objects.filter(name="Visitor Log").exists()
    client.force_login(admin)
    assert 'id="link-designer"' not in client.get("/app/").content.decode()
    district = User.objects.create_superuser("district", password="x", school=other_school)
    designer.create_doctype(values, actor=district)
    assert DocType.objects.filter(name="Visitor Log").exists()
    client.force_login(district)
    assert 'id="link-designer"' in client.get("/app/").content.decode()


def test_a_field_marked_not_copied_is_left_blank_when_a_document_is_amended(vehicle_request, admin):
    designer.update_field(VR, "note", {"no_copy": 1}, actor=admin)
    assert get_meta(VR).get_field("note").no_copy
    doc = request_by(admin, seats="7", note="司机已签到")
    services.submit_document(VR, doc.name, actor=admin)
    services.cancel_document(VR, doc.name, actor=admin)
    amended = services.amend_document(VR, doc.name, actor=admin)
    assert amended.data["seats"] == "7"  # copied as every other field is
    assert not amended.data.get("note")


def test_a_select_option_given_twice_is_refused(vehicle_request, admin):
    with pytest.raises(DocumentValidationError) as refused:
        designer.update_field(VR, "vehicle", {"options": "轿车\n轿车\n商务车"}, actor=admin)
    assert "下拉选项“轿车”重复" in " ".join(refused.value.messages())
