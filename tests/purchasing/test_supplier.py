"""Suppliers: certificates (索证登记), earliest expiry, unique names, who may keep the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from school_logistics.core import permissions, services
from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from tests.stores.factories import make_supplier


def test_earliest_expiry_is_the_first_certificate_to_expire(users):
    doc = services.create_document(
        "Supplier",
        {
            "supplier_name": "清河粮油配送有限公司",
            "category": "食品",
            "in_supplier_pool": 1,
            "license_no": "91330100mA2b3c4d5e",
            "certificates": [
                {"cert_type": "营业执照", "valid_until": "2030-12-31"},
                {"cert_type": "食品经营许可证", "valid_until": "2027-03-31"},
            ],
        },
        actor=users["purchaser"],
    )
    assert doc.data["earliest_expiry"] == "2027-03-31"
    assert doc.data["license_no"] == "91330100MA2B3C4D5E"
    assert doc.title == "清河粮油配送有限公司"


def test_earliest_expiry_follows_a_renewed_certificate(users):
    doc = make_supplier(users["purchaser"], "甲文具公司", valid_until=dt.date(2026, 1, 31))
    rows = [{**doc.data["certificates"][0], "valid_until": "2029-01-31"}]
    services.save_document("Supplier", doc.name, {"certificates": rows}, actor=users["purchaser"])
    assert Document.objects.get(pk=doc.pk).data["earliest_expiry"] == "2029-01-31"


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"phone": "电话12"}, "phone", "联系电话：请填写正确的电话号码"),
        ({"license_no": "12345"}, "license_no", "统一社会信用代码应为 18 位"),
        ({"certificates": [{"cert_type": "营业执照"}]}, "certificates.1.valid_until", "有效期至"),
        ({"category": "家电"}, "category", "供应类别"),
    ],
)
def test_bad_supplier_input_is_refused_and_nothing_saved(users, values, key, message):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Supplier",
            {"supplier_name": "乙办公用品店", "category": "办公", **values},
            actor=users["purchaser"],
        )
    assert message in " ".join(exc.value.errors[key])
    assert not Document.objects.filter(doctype="Supplier").exists()


def test_supplier_name_is_unique_within_the_school(users, outsider):
    make_supplier(users["purchaser"], "丙纸业公司")
    with pytest.raises(DocumentValidationError) as exc:
        make_supplier(users["purchaser"], "丙纸业公司")
    assert "已被使用" in exc.value.errors["supplier_name"][0]
    make_supplier(outsider, "丙纸业公司")  # another school keeps its own list
    assert Document.objects.filter(doctype="Supplier").count() == 2


def test_teacher_cannot_add_a_supplier(users):
    with pytest.raises(PermissionDenied):
        make_supplier(users["teacher"], "丁商贸公司")
    assert not Document.objects.filter(doctype="Supplier").exists()


def test_outsider_cannot_see_our_suppliers(users, outsider):
    doc = make_supplier(users["purchaser"], "丁商贸公司")
    meta = get_meta("Supplier")
    assert not permissions.readable(outsider, meta).exists()
    assert permissions.readable(users["canteen"], meta).count() == 1
    with pytest.raises(Http404):
        permissions.get_document(outsider, meta, doc.name)


@pytest.mark.parametrize(
    ("days", "status"),
    [(None, "未索证"), (-1, "证照过期"), (0, "即将到期"), (30, "即将到期"), (31, "证照有效")],
)
def test_a_suppliers_page_says_whether_its_certificates_are_valid(client, users, days, status):
    today = timezone.localdate()
    valid_until = None if days is None else today + dt.timedelta(days=days)
    doc = make_supplier(users["purchaser"], "甲文具公司", valid_until=valid_until)
    client.force_login(users["storekeeper"])  # who checks them when goods arrive
    page = client.get(f"/app/supplier/{doc.name}").content.decode()
    assert f'id="certificate-status">{status}</span>' in page
    if valid_until:
        assert f"有效期至 {valid_until.isoformat()}" in page


def test_the_supplier_list_shows_each_ones_certificates(client, users):
    """The 状态 column was blank for every supplier; a 停用 one still says 停用."""
    today = timezone.localdate()
    make_supplier(users["purchaser"], "甲文具公司", valid_until=today - dt.timedelta(days=1))
    make_supplier(users["purchaser"], "乙印刷厂", valid_until=today + dt.timedelta(days=90))
    make_supplier(users["purchaser"], "丙商贸公司")
    client.force_login(users["purchaser"])
    page = client.get("/app/supplier/").content.decode()
    for label in ("证照过期", "证照有效", "未索证"):
        assert f">{label}</span>" in page
