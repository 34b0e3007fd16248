"""Customising a built-in DocType: records on top of its JSON that survive a re-sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from school_logistics.core import services
from school_logistics.core.doctype_sync import sync_doctypes
from school_logistics.core.models import DocType, Document
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import services as designer
from school_logistics.designer.models import CustomField, DocTypeVersion, PropertySetter

LOC = "Location"
SHIPPED = (
    Path(__file__).resolve().parents[2] / "apps/school_logistics/assets/doctypes/location.json"
)


def new_location(user, **values):
    return services.create_document(
        LOC,
        {"location_name": "物理实验室", "purpose": "功能室", "building": "实验楼", **values},
        actor=user,
    )


@pytest.fixture
def customised(users):
    """Location with a custom field, a new label, a hidden field, a default and a new order."""
    admin = users["admin"]
    designer.add_field(
        LOC,
        {"fieldname": "area_sqm", "fieldtype": "Float", "label": "面积（平方米）", "min_value": 0},
        actor=admin,
        after="building",
    )
    designer.update_field(LOC, "room", {"label": "门牌号"}, actor=admin)
    designer.update_field(LOC, "floor", {"hidden": 1}, actor=admin)
    designer.update_field(LOC, "purpose", {"default": "教室"}, actor=admin)
    designer.move_field(LOC, "custodian", 0, actor=admin)
    return admin


def check_customised() -> None:
    meta = get_meta(LOC)
    names = [f.fieldname for f in meta.fields]
    assert names[0] == "custodian"
    assert names.index("area_sqm") == names.index("building") + 1
    assert meta.get_field("room").label == "门牌号"
    assert meta.get_field("floor").hidden
    assert meta.get_field("purpose").default == "教室"
    assert meta.get_field("area_sqm").min_value == 0


def test_customisations_apply_on_top_of_the_shipped_definition(customised, users):
    check_customised()
    doc = new_location(users["storekeeper"], area_sqm="86.5")
    assert Document.objects.get(pk=doc.pk).data["area_sqm"] == "86.500"
    # The shipped definition is untouched; the changes are separate records.
    assert DocType.objects.get(name=LOC).definition == {
        **json.loads(SHIPPED.read_text(encoding="utf-8")),
        "module": "assets",
    }
    assert CustomField.objects.filter(doctype=LOC, fieldname="area_sqm").exists()
    assert PropertySetter.objects.filter(doctype=LOC, fieldname="room", property="label").exists()
    latest = DocTypeVersion.objects.filter(doctype=LOC).first()
    assert latest.action == "customize" and latest.actor == customised
    assert any(f["fieldname"] == "area_sqm" for f in latest.definition["fields"])


def test_customisations_survive_a_resync_of_the_shipped_json(customised):
    sync_doctypes()
    check_customised()


def test_shipped_field_type_cannot_be_changed(customised):
    before = (list(PropertySetter.objects.values_list("fieldname", "property", "value")),
              DocTypeVersion.objects.count())  # fmt: skip
    with pytest.raises(DocumentValidationError) as exc:
        designer.update_field(LOC, "room", {"fieldtype": "Int"}, actor=customised)
    assert "只能修改标签" in exc.value.messages()[0]
    after = (list(PropertySetter.objects.values_list("fieldname", "property", "value")),
             DocTypeVersion.objects.count())  # fmt: skip
    assert after == before


def test_a_required_shipped_field_cannot_be_hidden(customised):
    with pytest.raises(DocumentValidationError) as exc:
        designer.update_field(LOC, "building", {"hidden": 1}, actor=customised)
    assert "必填的，不能隐藏" in exc.value.messages()[0]


def test_removing_a_custom_field_keeps_its_values(customised, users):
    doc = new_location(users["storekeeper"], area_sqm="40")
    designer.remove_field(LOC, "area_sqm", actor=customised)
    assert get_meta(LOC).get_field("area_sqm").hidden
    assert Document.objects.get(pk=doc.pk).data["area_sqm"] == "40.000"
    services.save_document(LOC, doc.name, {"room": "201"}, actor=users["storekeeper"])


def test_custom_field_type_change_is_refused_with_the_blocking_document(customised, users):
    designer.add_field(LOC, {"fieldname": "seats", "fieldtype": "Data", "label": "座位"},
                       actor=customised)  # fmt: skip
    doc = new_location(users["storekeeper"], seats="约四十")
    with pytest.raises(DocumentValidationError) as exc:
        designer.update_field(LOC, "seats", {"fieldtype": "Int"}, actor=customised)
    assert doc.name in exc.value.messages()[0]
    assert CustomField.objects.get(doctype=LOC, fieldname="seats").definition["fieldtype"] == "Data"


def test_built_in_fields_cannot_be_renamed(customised):
    with pytest.raises(DocumentValidationError):
        designer.rename_field(LOC, "room", "room_no", actor=customised)


def test_label_and_permission_changes_of_the_doctype_are_kept(customised, users):
    designer.save_doctype(
        LOC, {**designer.editable_definition(LOC), "label": "场所登记"}, actor=customised
    )
    designer.set_permissions(LOC, [{"role": "teacher", "read": 1, "create": 1}], actor=customised)
    sync_doctypes()
    meta = get_meta(LOC)
    assert meta.label == "场所登记"
    assert [p.role for p in meta.permissions] == ["teacher"]


def test_restoring_the_shipped_order_and_labels_leaves_no_setters(customised):
    definition = designer.editable_definition(LOC)
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    by_name = {f["fieldname"]: f for f in definition["fields"]}
    definition["fields"] = [dict(f) for f in shipped["fields"]] + [by_name["area_sqm"]]
    designer.save_doctype(LOC, definition, actor=customised)
    assert not PropertySetter.objects.filter(doctype=LOC).exclude(property="field_order").exists()
