"""Builders for master data used across domain tests, all through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from school_logistics.core import services
from school_logistics.core.models import Document, User

ITEMS = [
    # code, name, category, spec, uom, price
    ("A4-70", "A4复印纸", "办公用品", "70g 500张/包", "包", "23.50"),
    ("LAMP-T8", "日光灯管", "水电材料", "T8 LED 1.2m 18W", "支", "16.00"),
    ("TAP-15", "水龙头", "水电材料", "铜芯 4分", "个", "38.00"),
    ("DESK-1", "学生课桌椅", "家具", "单人 升降式", "套", "280.00"),
]


def make_items(actor: User) -> dict[str, Document]:
    """Create a few Items; return them by code."""
    return {
        code: services.create_document(
            "Item",
            {
                "item_code": code,
                "item_name": name,
                "category": category,
                "specification": spec,
                "uom": uom,
                "reference_price": price,
            },
            actor=actor,
        )
        for code, name, category, spec, uom, price in ITEMS
    }


DESK_ITEMS = [
    # code, name, category, uom, price: the three a teacher's first requisition uses
    ("P-A4", "A4复印纸", "办公用品", "箱", "120"),
    ("P-PEN", "红色水笔", "办公用品", "盒", "18"),
    ("C-MOP", "拖把", "清洁用品", "把", "25"),
]


def make_desk_items(actor: User) -> list[str]:
    """Create the paper, pen and mop Items; return their codes."""
    for code, name, category, uom, price in DESK_ITEMS:
        services.create_document(
            "Item",
            {
                "item_code": code,
                "item_name": name,
                "category": category,
                "uom": uom,
                "reference_price": price,
            },
            actor=actor,
        )
    return [row[0] for row in DESK_ITEMS]


def make_supplier(
    actor: User, name: str, *, valid_until: dt.date | None = None, **extra: Any
) -> Document:
    """Create a supplier with one business licence valid until `valid_until` (none if None)."""
    certificates = (
        [{"cert_type": "营业执照", "cert_no": "B-" + name[:2], "valid_until": valid_until}]
        if valid_until
        else []
    )
    return services.create_document(
        "Supplier",
        {"supplier_name": name, "category": "办公", "certificates": certificates, **extra},
        actor=actor,
    )
