"""Documents due by a date, as a home page card lists them: the soonest first, overdue marked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from school_logistics.core.meta import Meta
from school_logistics.core.models import Document
from school_logistics.core.views.doctypes import form_url


@dataclass(frozen=True)
class DueList:
    count: int
    overdue: int
    rows: list[tuple[Document, str, bool]]  # the document, its page, whether it is overdue


def due_list(documents: Iterable[Document], meta: Meta, field: str, shown: int) -> DueList:
    """Sort by the date in `field` (ISO text), count what is past it, keep the first `shown`."""
    today = timezone.localdate().isoformat()
    docs = sorted(documents, key=lambda d: (d.data.get(field) or "", d.name))
    late = [(d.data.get(field) or "") < today for d in docs]
    return DueList(
        len(docs),
        sum(late),
        [(d, form_url(meta, d.name), is_late) for d, is_late in zip(docs, late, strict=False)][
            :shown
        ],
    )
