"""Designer pages: admins only; a saved DocType has its list, form and API resource at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from school_logistics.api.keys import issue_api_key
from school_logistics.core import services
from school_logistics.core.models import DocType, User
from school_logistics.core.registry import get_meta
from school_logistics.designer import services as designer
from school_logistics.designer.models import DocTypeVersion
from tests.designer.conftest import VR

EDITOR = "/app/designer/vehicle-request/"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def snapshot() -> tuple[Any, ...]:
    return (
        list(DocType.objects.order_by("name").values_list("name", "definition")),
        DocTypeVersion.objects.count(),
    )


def test_non_admins_get_403_on_every_designer_page_and_nothing_changes(vehicle_request, users):
    definition = designer.editable_definition(VR)
    before = snapshot()
    for who in ("teacher", "colleague", "principal"):
        client = client_for(users[who])
        assert client.get("/app/designer/").status_code == 403
        assert client.post("/app/designer/", {"name": "Trip", "label": "出行"}).status_code == 403
        assert client.get(EDITOR).status_code == 403
        assert post_json(client, EDITOR + "save", {"definition": definition}).status_code == 403
        assert post_json(client, EDITOR + "preview", {"definition": definition}).status_code == 403
    assert snapshot() == before
    assert Client().get("/app/designer/").status_code == 302  # signed out: to the login page


def test_admin_sees_built_in_and_designed_doctypes(vehicle_request, users):
    page = client_for(users["admin"]).get("/app/designer/").content.decode()
    assert "用车申请" in page and "物资申购单" in page and "自建" in page and "内置" in page


def test_admin_creates_a_doctype_from_the_list_page(users):
    client = client_for(users["admin"])
    response = client.post(
        "/app/designer/",
        {"label": "场地借用", "name": "Venue Booking", "module": "custom", "is_submittable": "1"},
    )
    assert response.status_code == 302 and response.url == "/app/designer/venue-booking/"
    assert get_meta("Venue Booking").is_submittable
    page = client.get(response.url).content.decode()
    assert "场地借用" in page and 'id="designer-config"' in page


def test_a_designed_form_sits_under_a_translated_heading_in_the_sidebar(users):
    admin = client_for(users["admin"])
    admin.post("/app/designer/", {"label": "场地借用", "name": "Venue Booking"})
    admin.post("/app/designer/venue-booking/state", {"disabled": "0"})
    teacher = client_for(users["teacher"])
    page = teacher.get("/app/").content.decode()
    assert '<div class="nav-group">自定义</div>' in page and "场地借用" in page
    english = teacher.get("/app/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div class="nav-group">Custom</div>' in english
    assert '<div class="nav-group">custom</div>' not in page + english


def test_create_with_a_bad_name_shows_the_reason_and_makes_nothing(users):
    before = snapshot()
    response = client_for(users["admin"]).post(
        "/app/designer/", {"label": "场地借用", "name": "a/b", "module": "custom"}
    )
    assert response.status_code == 400
    assert "名称只能包含文字" in response.content.decode()
    assert snapshot() == before


def test_save_from_the_page_adds_fields_and_keeps_renamed_values(vehicle_request, users):
    doc = services.create_document(
        VR, {"destination": "区教育局", "trip_date": "2026-03-02", "seats": "7"},
        actor=users["teacher"],
    )  # fmt: skip
    client = client_for(users["admin"])
    definition = designer.editable_definition(VR)
    for f in definition["fields"]:
        if f["fieldname"] == "seats":
            f["fieldname"] = "seat_count"
    definition["fields"].append({"fieldname": "driver", "fieldtype": "User", "label": "司机"})
    response = post_json(
        client, EDITOR + "save", {"definition": definition, "renames": {"seats": "seat_count"}}
    )
    assert response.status_code == 200 and response.json() == {"ok": True, "redirect": EDITOR}
    doc.refresh_from_db()
    assert doc.data["seat_count"] == "7"
    assert get_meta(VR).get_field("driver").label == "司机"


def test_save_refusal_answers_400_with_the_messages(vehicle_request, users):
    services.create_document(
        VR, {"destination": "区教育局", "trip_date": "2026-03-02", "seats": "七座"},
        actor=users["teacher"],
    )  # fmt: skip
    client = client_for(users["admin"])
    definition = designer.editable_definition(VR)
    next(f for f in definition["fields"] if f["fieldname"] == "seats")["fieldtype"] = "Int"
    before = snapshot()
    response = post_json(client, EDITOR + "save", {"definition": definition})
    assert response.status_code == 400
    assert "七座" in json.dumps(response.json()["errors"], ensure_ascii=False)
    for body in ("not json", json.dumps({"definition": "x"}), json.dumps([1])):
        bad = client.post(EDITOR + "save", body, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["ok"] is False
    assert snapshot() == before


def test_preview_renders_the_draft_form_and_its_problems(vehicle_request, users):
    client = client_for(users["admin"])
    definition = designer.editable_definition(VR)
    definition["fields"].append(
        {"fieldname": "purpose", "fieldtype": "Select", "label": "用途", "options": ""}
    )
    html = post_json(client, EDITOR + "preview", {"definition": definition}).content.decode()
    assert "目的地" in html and 'name="trip_date"' in html and "下拉选项至少要有一项" in html
    broken = post_json(client, EDITOR + "preview", {"definition": {"fields": "x"}})
    assert broken.status_code == 200 and "字段格式不正确" in broken.content.decode()


def test_preview_carries_the_drafts_formulas_and_rules_for_the_browser(vehicle_request, users):
    """What the admin types in the preview computes with the unsaved formulas, not the stored."""
    client = client_for(users["admin"])
    definition = designer.editable_definition(VR)
    definition["fields"].append(
        {
            "fieldname": "fare",
            "fieldtype": "Currency",
            "label": "车费",
            "formula": "passengers * 12",
        }
    )
    html = post_json(client, EDITOR + "preview", {"definition": definition}).content.decode()
    rules = json.loads(html.split('id="draft-rules" type="application/json">')[1].split("<")[0])
    assert rules["fields"]["fare"]["formula"] == "passengers * 12"
    assert rules["script"].endswith("designer/form_rules.js") and "designer/preview.js" in html
    assert get_meta(VR).get_field("fare") is None  # previewing saved nothing


def test_a_new_doctype_has_its_list_form_and_api_resource_at_once(vehicle_request, users):
    teacher = client_for(users["teacher"])
    assert teacher.get("/app/vehicle-request/").status_code == 200
    form = teacher.get("/app/vehicle-request/new")
    assert form.status_code == 200 and 'name="destination"' in form.content.decode()
    response = teacher.post(
        "/app/vehicle-request/new",
        {"destination": "市科技馆", "trip_date": "2026-04-01", "vehicle": "大客车"},
    )
    assert response.status_code == 302
    issued = issue_api_key(users["teacher"], actor=users["teacher"])
    api = Client(headers={"Authorization": f"token {issued.key}:{issued.secret}"})
    listed = api.get("/api/resource/Vehicle Request", {"fields": '["name", "destination"]'})
    assert listed.status_code == 200
    assert [d["destination"] for d in listed.json()["data"]] == ["市科技馆"]


@pytest.mark.parametrize("path", ["", "vehicle-request/"])
def test_admin_pages_render(vehicle_request, users, path):
    assert client_for(users["admin"]).get("/app/designer/" + path).status_code == 200


def test_editor_names_the_module_and_the_linkable_forms_in_chinese(vehicle_request, users):
    admin = users["admin"]
    designer.create_doctype({"name": "Trip Item", "label": "出行明细", "istable": 1}, actor=admin)
    designer.create_doctype({"name": "Trip", "label": "出行"}, actor=admin)
    response = client_for(admin).get("/app/designer/trip/")
    page = response.content.decode()
    assert '<option value="custom" selected>自定义</option>' in page  # stored as "custom"
    assert DocType.objects.get(name="Trip").module == "custom"
    config = response.context["config"]
    assert "User" in config["links"] and VR in config["links"]  # the stored values stay names
    labels = config["choiceLabels"]
    assert labels["User"] == "用户（User）" and labels["Department"] == "部门（Department）"
    assert labels[VR] == "用车申请（Vehicle Request）"
    assert labels["Trip Item"] == "出行明细（Trip Item）"


def test_a_date_filter_picks_one_day_and_says_when_typed_text_is_no_date(
    client: Client, users: dict[str, User], admin: User, vehicle_request: DocType
) -> None:
    designer.update_field(VR, "trip_date", {"in_standard_filter": 1}, actor=admin)
    for day, place in (("2026-05-12", "区青少年活动中心"), ("2026-05-13", "区体育馆")):
        services.create_document(
            VR, {"destination": place, "trip_date": day}, actor=users["teacher"]
        )
    client.force_login(users["teacher"])
    page = client.get("/app/vehicle-request/?trip_date=2026-05-12").content.decode()
    assert 'type="date" name="trip_date" value="2026-05-12"' in page
    assert "区青少年活动中心" in page and "区体育馆" not in page
    page = client.get("/app/vehicle-request/?trip_date=abc").content.decode()
    assert "日期“abc”格式不正确，已忽略该条件" in page
    assert "区青少年活动中心" in page and "区体育馆" in page
