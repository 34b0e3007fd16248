"""What the canteen's per-class, per-month documents share: class names, months, and the rule
that a class has one live document of a kind for a month (a meal is charged, and refunded, once)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus

# Meals a day each plan pays for; a missed meal is refunded at the standard's rate per meal.
MEALS_PER_DAY = {"午餐": 1, "三餐": 3}


def normalize_class_name(value: str | None) -> str | None:
    """Use ASCII brackets and no spaces, so 七年级（1）班 and 七年级(1)班 are the same class."""
    if not value:
        return value
    return value.replace("（", "(").replace("）", ")").replace(" ", "")


def one_per_class_month(doc: Doc, doctype: str, kind: str, errors: dict[str, list[str]]) -> None:
    """Refuse a second live document of `doctype` for the same class and month."""
    clash = (
        Document.objects.filter(
            doctype=doctype,
            school_id=doc.instance.school_id,
            docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
            data__class_name=doc.get("class_name"),
            data__month=doc.get("month"),
        )
        .exclude(pk=doc.instance.pk)
        .values_list("name", flat=True)
        .first()
    )
    if clash:
        errors["month"].append(
            _("%(c)s %(m)s 已有%(kind)s %(n)s，同一班级每月只有一份")
            % {"c": doc.get("class_name"), "m": doc.get("month"), "kind": kind, "n": clash}
        )
