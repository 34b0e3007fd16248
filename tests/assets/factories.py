"""Builders for the asset tests: rooms with their keepers, and assets registered in them."""

from __future__ import annotations

from typing import Any

from school_logistics.core import services
from school_logistics.core.models import Document, User


def make_room(actor: User, name: str, custodian: User, purpose: str = "教室") -> Document:
    return services.create_document(
        "Location",
        {
            "location_name": name,
            "purpose": purpose,
            "custodian": custodian.username,
            "building": "明德楼",
        },
        actor=actor,
    )


def register_asset(
    actor: User, room: Document, name: str, qty: str, price: str, **values: Any
) -> Document:
    """Register an asset in a room and submit its card: it goes on the books."""
    card = services.create_document(
        "Asset",
        {
            "asset_name": name,
            "category": values.pop("category", "家具"),
            "qty": qty,
            "uom": values.pop("uom", "套"),
            "unit_price": price,
            "location": room.name,
            **values,
        },
        actor=actor,
    )
    return services.submit_document("Asset", card.name, actor=actor)


def move(actor: User, assets: list[str], room: Document, **values: Any) -> Document:
    doc = services.create_document(
        "Asset Movement",
        {
            "reason": values.pop("reason", "教室调整"),
            "target_location": room.name,
            "items": [{"asset": a} for a in assets],
            **values,
        },
        actor=actor,
    )
    return services.submit_document("Asset Movement", doc.name, actor=actor)


def disposal_draft(actor: User, lines: list[tuple[str, str]], **values: Any) -> Document:
    return services.create_document(
        "Asset Disposal",
        {
            "title": values.pop("title", "课桌椅损坏报废"),
            "reason": values.pop("reason", "自然损耗"),
            "description": values.pop("description", "使用多年，桌面开裂，无法修复"),
            "items": [{"asset": a, "qty": q} for a, q in lines],
            **values,
        },
        actor=actor,
    )
