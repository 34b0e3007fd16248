"""What a print template sees: a document's values formatted for paper, never model objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from school_logistics.core.document import Doc, load
from school_logistics.core.meta import DECIMAL_TYPES, DocField, Meta
from school_logistics.core.models import Document, School, User
from school_logistics.core.registry import get_meta, shows_title_in_link
from school_logistics.core.views.formatting import display_value, doc_status, money
from school_logistics.core.views.layout import LinkTitles
from school_logistics.printing.amount_in_words import amount_in_words
from school_logistics.printing.logo import data_uri
from school_logistics.printing.models import Letterhead
from school_logistics.printing.verification import VALUES_ONLY
from school_logistics.workflow.trail import TrailEntry, approval_rounds

# Signature lines of an approved voucher, in the order Chinese school vouchers list them.
APPROVAL_SIGNATURES = ("申请人", "部门负责人", "总务处", "校长", "经办人")
RECORD_SIGNATURES = ("经办人", "总务处")


def signatures(meta: Meta, skipped: Iterable[str] = ()) -> tuple[str, ...]:
    """Return who signs the paper: the DocType's `print_signatures`, else the usual ones,
    less those whose step the document's route skipped (no 校长 box under 5,000 元)."""
    own = meta.raw.get("print_signatures")
    if own:
        names: tuple[str, ...] = tuple(str(s) for s in own)
    else:
        names = APPROVAL_SIGNATURES if meta.is_submittable else RECORD_SIGNATURES
    passed = [label for label in skipped if label]
    return tuple(n for n in names if not any(n in label for label in passed))


def local_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class PrintDoc:
    """A read-only view of one document for templates: `doc.fmt('grand_total')`, `doc.rows('items')`."""

    def __init__(self, doc: Doc, titles: LinkTitles) -> None:
        self._doc = doc
        self._titles = titles
        instance = doc.instance
        self.name = instance.name
        self.doctype = doc.meta.name
        self.label = doc.meta.label
        self.title = instance.title
        self.docstatus = instance.docstatus
        # As the desk's badge shows it: a step in progress, where approval ended, or 已作废.
        self.status = doc_status(instance, doc.meta)[0]
        self.created = local_time(instance.created)
        self.modified = local_time(instance.modified)
        self.amended_from = instance.amended_from

    def _field(self, fieldname: str, meta: Meta | None = None) -> DocField | None:
        return (meta or self._doc.meta).get_field(fieldname)

    def value(self, fieldname: str) -> Any:
        """Return a field's typed value (Decimal, date, text) for arithmetic and comparisons."""
        return self._doc.get(fieldname)

    def label_of(self, fieldname: str) -> str:
        f = self._field(fieldname)
        return f.label if f else fieldname

    def fmt(self, fieldname: str) -> str:
        """Return a field's value as printed: money with separators, names of people, 是/否."""
        f = self._field(fieldname)
        return self._format(f, self._doc.get(fieldname)) if f else ""

    def _format(self, f: DocField, value: Any) -> str:
        text = display_value(f, value, self._titles.users)
        if f.fieldtype == "Link":
            title = self._titles.title(f, value)
            return f"{title}（{text}）" if title else text
        return text

    def rows(self, table: str) -> list[dict[str, Any]]:
        """Return a child table's rows as printed text, with `idx` numbering from 1."""
        f = self._field(table)
        if f is None or not f.is_table:
            return []
        child = self._doc.child_metas[f.options]
        out = []
        for idx, row in enumerate(self._doc.rows(table), start=1):
            cells: dict[str, Any] = {"idx": idx}
            for cf in child.value_fields:
                value = row.get(cf.fieldname)
                # Rows carry both the item code and its name; the code alone is what they print,
                # but a room or a supplier prints by its name, as the form shows it.
                titled = cf.fieldtype == "Link" and shows_title_in_link(cf.link_doctype)
                title = self._titles.title(cf, value) if titled else ""
                cells[cf.fieldname] = title or display_value(cf, value, self._titles.users)
            out.append(cells)
        return out

    def column_total(self, table: str, fieldname: str) -> str:
        """Return the printed sum of a money column of a child table."""
        total = sum(
            (Decimal(str(r.get(fieldname) or 0)) for r in self._doc.rows(table)), Decimal(0)
        )
        return money(total)


def _titles_for(doc: Doc) -> LinkTitles:
    titles = LinkTitles(doc.instance.school_id)
    for f in doc.meta.value_fields:
        if f.is_table:
            child = doc.child_metas[f.options]
            for row in doc.rows(f.fieldname):
                for cf in child.value_fields:
                    titles.want(cf, row.get(cf.fieldname))
        else:
            titles.want(f, doc.get(f.fieldname))
    titles.fetch()
    return titles


@dataclass(frozen=True)
class Verification:
    """What the paper carries so anyone can check it: the code, its URL and a QR image."""

    code: str
    url: str
    qr: str  # a data: URI of an SVG QR code
    fingerprint: str  # full SHA-256 hex of the content as printed

    @property
    def short_fingerprint(self) -> str:
        digits = self.fingerprint.removeprefix(VALUES_ONLY)
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4)).upper()


def total_of(meta: Meta, doc: Doc) -> dict[str, str] | None:
    """Return the voucher's total in figures and in 大写, when the DocType names a money total."""
    f = meta.get_field(meta.total_field) if meta.total_field else None
    if f is None or f.fieldtype not in DECIMAL_TYPES:
        return None
    value = doc.get(f.fieldname) or Decimal(0)
    return {"label": f.label, "figure": money(value), "words": amount_in_words(value)}


def school_heading(school: School) -> dict[str, str]:
    """Return the school as its vouchers head it: name, address, logo (data: URI) and letterhead.

    A logo or line the school chose not to print is empty, so templates test them with `if`.
    """
    letterhead = Letterhead.objects.filter(school_id=school.pk).first()
    logo = text = ""
    if letterhead is not None:
        if letterhead.show_logo and letterhead.logo:
            logo = data_uri(bytes(letterhead.logo), letterhead.logo_type)
        if letterhead.show_text:
            text = letterhead.text
    return {"name": school.name, "address": school.address, "logo": logo, "letterhead": text}


def _trail_row(e: TrailEntry) -> dict[str, Any]:
    return {
        # A stepless line is the requester's (formats print 发起 there), but a cancel of the
        # approved document is whoever cancelled it: no step.
        "step": e.step or ("—" if e.code == "cancel" else ""),
        "skipped": e.code == "skip",
        "actor": f"{e.actor}（代 {e.on_behalf_of}）" if e.on_behalf_of else e.actor,
        "action": e.action,
        "at": local_time(e.at),
        "comment": e.comment,
    }


def trail_context(instance: Document) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Return the voucher's trail as rows, and the same rows grouped by submission.

    Plain strings, numbers and lists only, as everything a sandboxed template reads. A made-up
    sample (trying a format before any document exists) has no trail to read.
    """
    trail: list[dict[str, str]] = []
    rounds: list[dict[str, Any]] = []
    for r in approval_rounds(instance) if instance.pk else []:
        submitted = timezone.localtime(r.started)
        entries = [_trail_row(e) for e in r.entries]
        trail += entries
        rounds.append(
            {
                "number": r.number,
                "status": r.status,
                "current": r.current,
                "submitted_on": submitted.strftime("%Y-%m-%d"),
                "submitted_at": submitted.strftime("%Y-%m-%d %H:%M"),
                "entries": entries,
            }
        )
    return trail, rounds


def build_context(
    instance: Document,
    *,
    verification: Verification,
    printed_by: User,
    printed_at: dt.datetime,
) -> dict[str, Any]:
    """Return the template context of a document's voucher."""
    meta = get_meta(instance.doctype)
    doc = load(meta, instance)
    titles = _titles_for(doc)
    trail, trail_rounds = trail_context(instance)
    return {
        "school": school_heading(instance.school),
        "title": meta.label,
        "doc": PrintDoc(doc, titles),
        "department": instance.department.name if instance.department else "",
        "owner": instance.owner.display_name,
        "trail": trail,
        # The trail by submission (第 2 次提交 …), for a document returned and sent again.
        "trail_rounds": trail_rounds,
        "total": total_of(meta, doc),
        "signatures": signatures(meta, (r["step"] for r in trail if r["skipped"])),
        "verify": verification,
        "printed_at": local_time(printed_at),
        "printed_by": printed_by.display_name,
    }
