"""The library of ready forms drawn from the schools' own rules, installed with one click.

Each form is a bundle file under `library/` (the same format as export/import): DocTypes and,
where one fits, a default approval flow. Installing adds them as the admin's own DocTypes, to
adapt in the designer afterwards; a form already installed is refused, never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from school_logistics.core.models import DocType, User
from school_logistics.designer.exchange import ImportReport, import_bundle, main_doctype

LIBRARY = Path(__file__).resolve().parent / "library"
# The order the library page shows: gate and safety, canteen, the office, loans and bookings.
ORDER = (
    "visitor_registration",
    "student_leave",
    "dorm_duty",
    "fire_drill",
    "food_sample",
    "disinfection",
    "accompany_meal",
    "canteen_supervision",
    "logistics_work_log",
    "venue_booking",
    "vehicle_request",
    "equipment_loan",
)


@dataclass(frozen=True)
class LibraryForm:
    key: str
    label: str
    description: str
    icon: str
    doctype: str  # the form a user fills in
    doctypes: tuple[str, ...]  # with its child tables
    has_flow: bool

    @property
    def installed(self) -> bool:
        return DocType.objects.filter(name=self.doctype).exists()


@cache
def _bundle(key: str) -> dict[str, Any]:
    with (LIBRARY / f"{key}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def bundle(key: str) -> dict[str, Any]:
    """Return a fresh copy of one library bundle, or raise Http404."""
    if key not in ORDER:
        raise Http404(_("表单库中没有“%(k)s”") % {"k": key})
    return json.loads(json.dumps(_bundle(key)))


def forms() -> list[LibraryForm]:
    """Return the library's forms in page order."""
    found = []
    for key in ORDER:
        data = _bundle(key)
        found.append(
            LibraryForm(
                key=key,
                label=data["label"],
                description=data.get("description", ""),
                icon=data.get("icon", "fa-file-lines"),
                doctype=main_doctype(data),
                doctypes=tuple(d["name"] for d in data["doctypes"]),
                has_flow=bool(data.get("workflows")),
            )
        )
    return found


def install(key: str, *, actor: User) -> tuple[str, ImportReport]:
    """Install one library form (its DocTypes and default flow); refuse one already there."""
    data = bundle(key)
    report = import_bundle(data, actor=actor, install=True)
    return main_doctype(data), report
