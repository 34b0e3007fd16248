"""Labels people choose by: one per form among forms, one per field within a form, short enough."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from school_logistics.core.models import DocType, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import services as designer
from school_logistics.designer.definition import DOCTYPE_LABEL_MAX, FIELD_LABEL_MAX
from school_logistics.designer.models import DocTypeVersion
from tests.designer.conftest import VR


def snapshot() -> tuple[Any, ...]:
    return (
        list(DocType.objects.order_by("name").values_list("name", "label", "definition")),
        DocTypeVersion.objects.count(),
    )


def refusal(call: Any, *args: Any, **kwargs: Any) -> dict[str, list[str]]:
    """Run a designer service that must refuse; return its messages and check nothing changed."""
    before = snapshot()
    with pytest.raises(DocumentValidationError) as exc:
        call(*args, **kwargs)
    assert snapshot() == before
    return exc.value.errors


def with_field(label: str, **more: Any) -> dict[str, Any]:
    definition = designer.editable_definition(VR)
    definition["fields"].append({"fieldname": "extra", "fieldtype": "Data", "label": label, **more})
    return definition


def test_a_new_doctype_may_not_take_the_label_of_a_built_in_one(admin: User) -> None:
    errors = refusal(
        designer.create_doctype, {"name": "School Asset", "label": "校产"}, actor=admin
    )
    assert errors["label"] == ["已有表单叫“校产”（系统名称 Asset），请换一个中文名称"]


def test_a_new_doctype_may_not_take_the_label_of_a_designed_one(vehicle_request, admin) -> None:
    values = {"name": "Car Request", "label": " 用车申请 "}  # spaces do not make it another
    errors = refusal(designer.create_doctype, values, actor=admin)
    assert "用车申请" in errors["label"][0] and "Vehicle Request" in errors["label"][0]


def test_saving_a_doctype_under_its_own_label_is_not_a_clash(vehicle_request, admin) -> None:
    designer.update_field(VR, "note", {"description": "如：需要儿童座椅"}, actor=admin)
    assert get_meta(VR).label == "用车申请"


def test_a_built_in_doctype_may_not_be_relabelled_as_another(vehicle_request, admin) -> None:
    definition = designer.editable_definition("Location")
    definition["label"] = "用车申请"
    errors = refusal(designer.save_doctype, "Location", definition, actor=admin)
    assert "已有表单叫“用车申请”" in errors["label"][0]


def test_a_new_doctype_may_not_take_a_customised_built_in_label(admin) -> None:
    definition = designer.editable_definition("Location")
    definition["label"] = "功能室"
    designer.save_doctype("Location", definition, actor=admin)
    errors = refusal(designer.create_doctype, {"name": "Room", "label": "功能室"}, actor=admin)
    assert "系统名称 Location" in errors["label"][0]


def test_two_fields_with_one_label_are_refused_naming_the_label(vehicle_request, admin) -> None:
    errors = refusal(designer.save_doctype, VR, with_field("用车日期"), actor=admin)
    assert errors["fields.extra"] == [
        "有两个字段的标签都是“用车日期”，填写时分不清，请改掉其中一个"
    ]


def test_a_new_field_may_take_the_label_of_a_removed_one(vehicle_request, admin) -> None:
    designer.remove_field(VR, "note", actor=admin)
    designer.save_doctype(VR, with_field("备注"), actor=admin)
    assert get_meta(VR).get_field("extra").label == "备注"


def test_overlong_doctype_labels_are_refused(admin) -> None:
    long = "校" * (DOCTYPE_LABEL_MAX + 1)
    errors = refusal(designer.create_doctype, {"name": "Long", "label": long}, actor=admin)
    assert errors["label"] == [f"中文名称最长 40 个字，现在有 {DOCTYPE_LABEL_MAX + 1} 个字"]
    values = {"name": "Long", "label": "长表单", "label_en": "x" * 200}
    assert (
        "英文名称最长 80 个字符"
        in refusal(designer.create_doctype, values, actor=admin)["label_en"][0]
    )
    designer.create_doctype({"name": "Long", "label": "校" * DOCTYPE_LABEL_MAX}, actor=admin)


def test_overlong_field_labels_are_refused(vehicle_request, admin) -> None:
    long = "借用说明" * 50  # 200 characters
    errors = refusal(designer.save_doctype, VR, with_field(long), actor=admin)
    assert errors["fields.extra"] == [
        "字段“借用说明借用说明借用…”：标签最长 60 个字，现在有 200 个字"
    ]
    errors = refusal(designer.save_doctype, VR, with_field("说明", label_en="x" * 121), actor=admin)
    assert "英文标签最长 120 个字符" in errors["fields.extra"][0]
    designer.save_doctype(VR, with_field("说" * FIELD_LABEL_MAX), actor=admin)


def test_the_list_page_shows_a_label_clash_and_makes_nothing(vehicle_request, users) -> None:
    client = Client()
    client.force_login(users["admin"])
    response = client.post("/app/designer/", {"name": "Car Trip", "label": "用车申请"})
    assert response.status_code == 400
    assert "已有表单叫“用车申请”（系统名称 Vehicle Request）" in response.content.decode()
    assert not DocType.objects.filter(name="Car Trip").exists()
