"""The library of ready forms: one-click install with default flows, refused twice, admins only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from school_logistics.core import services as core
from school_logistics.core.models import DocType, Document, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import library
from school_logistics.designer.models import DocTypeVersion
from school_logistics.workflow.models import Workflow

pytestmark = pytest.mark.django_db
FOOD = "Food Sample Retention"


def test_every_library_form_installs_with_its_default_flow(admin: User) -> None:
    for form in library.forms():
        doctype, report = library.install(form.key, actor=admin)
        assert doctype == form.doctype
        assert set(form.doctypes) <= set(DocType.objects.values_list("name", flat=True))
        assert bool(report.workflows) == form.has_flow
    assert Workflow.objects.filter(doctype="Student Leave", school=admin.school).exists()
    assert DocTypeVersion.objects.filter(doctype=FOOD, action="create").count() == 1


def test_installing_twice_is_refused_clearly_and_changes_nothing(admin: User) -> None:
    library.install("food_sample", actor=admin)
    versions = DocTypeVersion.objects.count()
    with pytest.raises(DocumentValidationError) as exc:
        library.install("food_sample", actor=admin)
    assert "已安装过" in " ".join(exc.value.messages())
    assert DocTypeVersion.objects.count() == versions


def test_food_sample_computes_discard_time_and_refuses_small_samples(
    admin: User, users: dict[str, User]
) -> None:
    library.install("food_sample", actor=admin)
    values: dict[str, Any] = {"meal": "午餐", "dish": "番茄炒蛋", "weight_g": "130",
                              "sampled_at": "2026-03-02 11:30"}  # fmt: skip
    doc = core.create_document(FOOD, values, actor=users["canteen"])
    assert doc.data["discard_after"].startswith("2026-03-04T")
    assert doc.data["sampler"] == "canteen"
    with pytest.raises(DocumentValidationError) as exc:
        core.create_document(FOOD, {**values, "weight_g": "100"}, actor=users["canteen"])
    assert "125" in exc.value.errors["weight_g"][0]
    assert Document.objects.filter(doctype=FOOD).count() == 1
    # 留样 48 小时: destroyed the next morning is refused, on the third day it is kept.
    early = {"discarded_at": "2026-03-03 08:00", "discarded_by": "canteen"}
    with pytest.raises(DocumentValidationError) as exc:
        core.save_document(FOOD, doc.name, early, actor=users["canteen"])
    assert "不能小于 48" in exc.value.errors["kept_hours"][0]
    kept = core.save_document(
        FOOD, doc.name, {**early, "discarded_at": "2026-03-04 12:00"}, actor=users["canteen"]
    )
    assert kept.data["kept_hours"] == "48.500"


def test_equipment_loan_requires_compensation_only_when_damaged(
    admin: User, users: dict[str, User]
) -> None:
    library.install("equipment_loan", actor=admin)
    doc = core.create_document(
        "Equipment Loan",
        {"purpose": "公开课", "loan_date": "2026-03-02", "due_date": "2026-03-05",
         "items": [{"item": "投影仪", "qty": "1"}, {"item": "音箱", "qty": "2"}]},
        actor=users["teacher"],
    )  # fmt: skip
    assert doc.data["loan_days"] == 3 and doc.data["total_qty"] == 3
    with pytest.raises(DocumentValidationError) as exc:
        core.save_document(
            "Equipment Loan", doc.name,
            {"returned": "1", "return_date": "2026-03-05", "damage": "有损坏"},
            actor=users["teacher"],
        )  # fmt: skip
    assert list(exc.value.errors) == ["compensation"]
    core.save_document(
        "Equipment Loan", doc.name,
        {"returned": "1", "return_date": "2026-03-05", "damage": "有损坏", "compensation": "50"},
        actor=users["teacher"],
    )  # fmt: skip
    doc.refresh_from_db()
    assert Decimal(doc.data["compensation"]) == Decimal("50")


def test_library_page_lists_forms_and_install_opens_the_designer(
    admin: User, users: dict[str, User], client: Any
) -> None:
    client.force_login(admin)
    page = client.get("/app/designer/library/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("外来人员登记", "学生离校登记", "安全检查记录", "食品留样登记", "物品借用"):
        assert label in html
    response = client.post("/app/designer/library/food_sample/install")
    assert response.status_code == 302
    assert response["Location"] == "/app/designer/food-sample-retention/"
    again = client.post("/app/designer/library/food_sample/install", follow=True)
    assert "已安装过" in again.content.decode()


@pytest.mark.parametrize("who", ["teacher", "principal"])
def test_only_admins_see_or_install_library_forms(
    who: str, users: dict[str, User], client: Any
) -> None:
    client.force_login(users[who])
    assert client.get("/app/designer/library/").status_code == 403
    assert client.post("/app/designer/library/food_sample/install").status_code == 403
    assert not DocType.objects.filter(name=FOOD).exists()


def test_unknown_library_form_is_not_found(admin: User, client: Any) -> None:
    client.force_login(admin)
    assert client.post("/app/designer/library/nothing/install").status_code == 404
