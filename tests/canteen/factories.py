"""Builders for the classes the students and the per-class documents name, through the
services as the canteen manager keeps them."""

from __future__ import annotations

from school_logistics.core import services
from school_logistics.core.models import Document, User


def make_classes(canteen: User, teachers: dict[str, User | None]) -> dict[str, Document]:
    """Create a 班级 for each name with its 班主任 (None: none on record); return them by name."""
    return {
        name: services.create_document(
            "School Class",
            {"class_name": name, "class_teacher": teacher.username if teacher else None},
            actor=canteen,
        )
        for name, teacher in teachers.items()
    }
