"""The 修改记录 line of a save names what changed: labels, required, added and removed fields."""

from __future__ import annotations

from typing import Any

from school_logistics.core.models import User
from school_logistics.designer import services as designer
from school_logistics.designer.models import DocTypeVersion
from tests.designer.conftest import VR


def last_summary(doctype: str = VR) -> str:
    return DocTypeVersion.objects.filter(doctype=doctype)[0].summary


def field(definition: dict[str, Any], fieldname: str) -> dict[str, Any]:
    return next(f for f in definition["fields"] if f["fieldname"] == fieldname)


def test_a_relabelled_field_and_an_added_one_are_both_named(vehicle_request, admin: User) -> None:
    definition = designer.editable_definition(VR)
    field(definition, "note")["label"] = "借用用途"
    definition["fields"].append({"fieldname": "phone", "fieldtype": "Data", "label": "联系电话"})
    designer.save_doctype(VR, definition, actor=admin)
    assert last_summary() == "新增字段“联系电话”；“备注”改名为“借用用途”"


def test_required_and_optional_changes_are_named(vehicle_request, admin) -> None:
    definition = designer.editable_definition(VR)
    field(definition, "vehicle")["reqd"] = 1
    field(definition, "seats")["reqd"] = 1
    field(definition, "trip_date").pop("reqd")
    designer.save_doctype(VR, definition, actor=admin)
    assert last_summary() == "“车型”、“座位数”改为必填；“用车日期”改为选填"


def test_a_field_removed_in_the_designer_and_restored_is_named(vehicle_request, admin) -> None:
    definition = designer.editable_definition(VR)
    field(definition, "note").update(removed=1, hidden=1)  # as the designer's 删除 sends it
    designer.save_doctype(VR, definition, actor=admin)
    assert last_summary() == "删除字段“备注”（数据保留）"
    designer.update_field(VR, "note", {"removed": 0, "hidden": 0}, actor=admin)
    assert last_summary() == "恢复字段“备注”"


def test_a_field_taken_out_of_the_definition_is_named_as_removed(vehicle_request, admin) -> None:
    designer.remove_field(VR, "seats", actor=admin)
    assert last_summary() == "删除字段“座位数”（数据保留）"  # not also "moved" to the end


def test_order_rights_and_other_settings_are_named_briefly(vehicle_request, admin) -> None:
    designer.move_field(VR, "note", 0, actor=admin)
    assert last_summary() == "调整字段顺序"
    designer.update_field(VR, "note", {"description": "如：需要儿童座椅"}, actor=admin)
    assert last_summary() == "修改设置"
    designer.add_field(VR, {"fieldname": "trip", "fieldtype": "Section Break"}, actor=admin)
    assert last_summary() == "调整分节、分栏"
    designer.set_permissions(VR, [{"role": "teacher", "read": 1}], actor=admin)
    assert last_summary() == "修改权限"
    definition = designer.editable_definition(VR)
    definition["label"] = "派车申请"
    designer.save_doctype(VR, definition, actor=admin)
    assert last_summary() == "表单名称改为“派车申请”"


def test_a_built_in_doctypes_customisation_is_named_the_same_way(admin) -> None:
    designer.update_field("Location", "room", {"label": "门牌号"}, actor=admin)
    assert last_summary("Location") == "“房间号”改名为“门牌号”"
    designer.update_field("Location", "floor", {"hidden": 1}, actor=admin)
    assert last_summary("Location") == "隐藏“楼层”"
