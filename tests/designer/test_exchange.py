"""Export and import of forms as one JSON bundle: round trip, and a broken file changes nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from school_logistics.core.models import DocType, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import library, services
from school_logistics.designer.exchange import export_bundle, import_bundle, parse_bundle
from school_logistics.designer.models import CustomField, DocTypeVersion
from school_logistics.workflow.models import Workflow, WorkflowVersion

pytestmark = pytest.mark.django_db
LOAN = "Equipment Loan"


def _counts() -> tuple[int, ...]:
    return (
        DocType.objects.count(),
        DocTypeVersion.objects.count(),
        CustomField.objects.count(),
        Workflow.objects.count(),
        WorkflowVersion.objects.count(),
    )


@pytest.fixture
def exported(admin: User) -> dict[str, Any]:
    """The 物品借用 bundle exported after install, with a customised built-in alongside."""
    library.install("equipment_loan", actor=admin)
    services.add_field(
        "Material Requisition",
        {"fieldname": "budget_code", "fieldtype": "Data", "label": "预算编号"},
        actor=admin,
    )
    bundle = export_bundle([LOAN, "Material Requisition"], actor=admin)
    return json.loads(json.dumps(bundle, default=str))


def test_export_holds_child_first_doctypes_customisations_and_flow(
    exported: dict[str, Any],
) -> None:
    assert [d["name"] for d in exported["doctypes"]] == ["Equipment Loan Item", LOAN]
    assert exported["customisations"][0]["doctype"] == "Material Requisition"
    assert exported["customisations"][0]["custom_fields"][0]["fieldname"] == "budget_code"
    assert LOAN in [w["doctype"] for w in exported["workflows"]]


def test_import_updates_an_existing_custom_form_and_keeps_versions(
    exported: dict[str, Any], admin: User
) -> None:
    changed = copy.deepcopy(exported)
    changed["doctypes"][1]["label"] = "物品借还"
    report = import_bundle(parse_bundle(json.dumps(changed)), actor=admin)
    assert DocType.objects.get(name=LOAN).label == "物品借还"
    assert "物品借还" in report.summary()
    versions = WorkflowVersion.objects.filter(workflow__doctype=LOAN)
    assert versions.count() == 1  # the same flow comes back: no new version of it
    flow = next(w for w in changed["workflows"] if w["doctype"] == LOAN)
    flow["definition"]["label"] = "物品借还审批"
    import_bundle(parse_bundle(json.dumps(changed)), actor=admin)
    assert versions.count() == 2  # a changed one adds a version, the old one kept


def test_broken_bundle_changes_nothing_and_names_every_problem(
    exported: dict[str, Any], admin: User
) -> None:
    broken = copy.deepcopy(exported)
    broken["doctypes"][1]["label"] = "物品借还"  # a good change that must not land
    broken["doctypes"].append(
        {"name": "Bad Form", "label": "坏表单", "module": "custom",
         "fields": [{"fieldname": "x", "fieldtype": "Int", "label": "X", "formula": "().__class__"}]}
    )  # fmt: skip
    broken["workflows"][0]["definition"]["steps"][0]["approvers"] = [
        {"type": "role", "value": "ghost"}
    ]
    broken["print_formats"].append({"doctype": LOAN, "name": "坏格式", "template": "{% for %}"})
    before = _counts()
    with pytest.raises(DocumentValidationError) as exc:
        import_bundle(broken, actor=admin)
    assert set(exc.value.errors) == {
        "表单“坏表单”",
        "审批流程“Equipment Loan”",
        f"打印格式“{LOAN} · 坏格式”",
    }
    assert _counts() == before
    assert DocType.objects.get(name=LOAN).label == "物品借用"
    assert not DocType.objects.filter(name="Bad Form").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "不是有效的 JSON"),
        (b"[]", "不是表单交换文件"),
        (json.dumps({"format": "school-logistics-bundle", "version": 9}).encode(), "版本"),
        (json.dumps({"format": "school-logistics-bundle", "version": 1, "doctypes": "x"}).encode(),
         "doctypes"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(DocumentValidationError) as exc:
        parse_bundle(content)
    assert message in " ".join(exc.value.messages())


def test_built_in_doctype_cannot_be_replaced_by_a_full_definition(admin: User) -> None:
    row = DocType.objects.get(name="Material Requisition")
    bundle = {"format": "school-logistics-bundle", "version": 1, "doctypes": [row.definition]}
    with pytest.raises(DocumentValidationError) as exc:
        import_bundle(parse_bundle(json.dumps(bundle)), actor=admin)
    assert "内置单据类型" in " ".join(exc.value.messages())


def test_export_download_and_import_upload_through_the_pages(
    exported: dict[str, Any], admin: User, client: Any
) -> None:
    client.force_login(admin)
    response = client.get("/app/designer/export", {"doctype": LOAN})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert [d["name"] for d in data["doctypes"]] == ["Equipment Loan Item", LOAN]
    data["doctypes"][1]["label"] = "物品借还"
    upload = SimpleUploadedFile("forms.json", json.dumps(data).encode(), "application/json")
    response = client.post("/app/designer/import/", {"bundle": upload})
    assert response.status_code == 302
    assert DocType.objects.get(name=LOAN).label == "物品借还"


def test_import_page_lists_problems_with_400_and_changes_nothing(
    exported: dict[str, Any], admin: User, client: Any
) -> None:
    client.force_login(admin)
    bad = copy.deepcopy(exported)
    bad["doctypes"][1]["fields"][0]["fieldtype"] = "Nonsense"
    before = _counts()
    upload = SimpleUploadedFile("forms.json", json.dumps(bad).encode(), "application/json")
    response = client.post("/app/designer/import/", {"bundle": upload})
    assert response.status_code == 400
    assert "未导入，没有做任何修改" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("who", ["teacher", "colleague", "principal"])
def test_only_admins_export_or_import(who: str, users: dict[str, User], client: Any) -> None:
    client.force_login(users[who])
    before = _counts()
    assert client.get("/app/designer/export").status_code == 403
    upload = SimpleUploadedFile("f.json", b"{}", "application/json")
    assert client.post("/app/designer/import/", {"bundle": upload}).status_code == 403
    assert _counts() == before


def test_outsider_admin_of_a_district_site_may_not_import(admin: User, outsider: User) -> None:
    bundle = library.bundle("food_sample")
    with pytest.raises(Exception) as exc:
        import_bundle(bundle, actor=outsider)
    assert "区级管理员" in str(exc.value)
    assert not DocType.objects.filter(name="Food Sample Retention").exists()
