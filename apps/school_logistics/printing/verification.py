"""Verification codes, content fingerprints, QR codes and the public check's rate limit."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from school_logistics.core.models import Document
from school_logistics.core.views.formatting import status_label
from school_logistics.printing.models import PrintLog

# No 0/O, 1/I/L: codes are typed in from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# Checks one address may make per window before it is refused (guessing codes is pointless).
RATE_LIMIT = 30
RATE_WINDOW_SECONDS = 60


def verify_url(code: str, base_url: str = "") -> str:
    """Return the absolute address printed under the QR code."""
    base = base_url or getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + reverse("printing:verify", args=[code])


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalize_code(text: str) -> str:
    """Return a code as stored, from what a person typed (dashes, spaces, lower case)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


# Fingerprints of this kind say so; older ones (bare hex) hashed the stored JSON with its keys.
VALUES_ONLY = "v2:"


def _canonical(value: object) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )


def _said(value: object) -> bool:
    return value not in (None, "", [], {})


def _what_it_says(data: dict[str, object]) -> list[str]:
    """A document's values without the names the form gives them, empty ones left out: a field
    renamed, removed (its value is kept) or added in the designer changes nothing printed."""
    said: list[str] = []
    for value in data.values():
        if not _said(value):
            continue
        if isinstance(value, list):  # a table: its rows in order, each as what it says
            value = [
                sorted(_canonical(v) for k, v in row.items() if k != "name" and _said(v))
                for row in value
                if isinstance(row, dict)
            ]
        said.append(_canonical(value))
    return sorted(said)


def fingerprint(document: Document) -> str:
    """Return the SHA-256 of what a document says (the same on SQLite and PostgreSQL)."""
    payload = [document.doctype, document.name, _what_it_says(document.data)]
    return VALUES_ONLY + hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()[:61]


def _keyed_fingerprint(document: Document) -> str:
    """The fingerprint printed before VALUES_ONLY: the stored JSON, keys and all."""
    payload = {"doctype": document.doctype, "name": document.name, "data": document.data}
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def still_says(document: Document, printed: str) -> bool:
    """Whether the document still says what the paper with this fingerprint said."""
    now = fingerprint(document) if printed.startswith(VALUES_ONLY) else _keyed_fingerprint(document)
    return now == printed


def qr_data_uri(url: str) -> str:
    """Return an SVG QR code of a URL as a data: URI (WeasyPrint and browsers both show it)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=1)


def allow_check(client: str) -> bool:
    """Count one verification by a client; False once it went over the limit in this window."""
    key = f"printing:verify:{client}"
    # add() is atomic: only the first request of a window creates the counter.
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count <= RATE_LIMIT


@dataclass(frozen=True)
class VerifyResult:
    """Only what the paper itself showed, plus whether it still holds."""

    code: str
    doctype_label: str
    document_name: str
    printed_at: object
    printed_status: str
    current_status: str
    current_state: str  # the approval's state now (已通过), when a flow governs the document
    exists: bool
    fingerprint: str
    matches: bool
    status_changed: bool
    cancelled: bool  # a paper printed after, or before, the cancel holds nothing either way


def verify(code: str) -> VerifyResult | None:
    """Return what the verification page shows for a code, or None when no print has it."""
    from school_logistics.core.registry import get_meta

    log = PrintLog.objects.select_related("document").filter(code=normalize_code(code)).first()
    if log is None:
        return None
    try:
        label = get_meta(log.doctype).label
    except Exception:  # a DocType since removed: the number is still worth showing
        label = log.doctype
    document = log.document
    current = status_label(document.docstatus) if document else "已删除"
    # The voucher shows where its approval stands (已通过): the page says it too.
    state = document.workflow_state if document and document.docstatus != 2 else ""
    return VerifyResult(
        code=display_code(log.code),
        doctype_label=label,
        document_name=log.document_name,
        printed_at=log.printed_at,
        printed_status=status_label(log.docstatus),
        current_status=current,
        current_state=state or "",
        exists=document is not None,
        fingerprint=log.fingerprint,
        matches=document is not None and still_says(document, log.fingerprint),
        status_changed=document is None or document.docstatus != log.docstatus,
        cancelled=document is not None and document.docstatus == 2,
    )
