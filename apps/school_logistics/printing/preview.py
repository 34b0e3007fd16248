"""Render an admin's draft print format against a sample document, writing nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.printing.context import Verification
from school_logistics.printing.formats import FormatChoice
from school_logistics.printing.models import PageSize
from school_logistics.printing.render import render_voucher
from school_logistics.printing.sandbox import PrintTemplateError
from school_logistics.printing.verification import fingerprint, qr_data_uri

# A code outside the alphabet of real codes, so a preview can never verify as a print.
PREVIEW_CODE = "PREVIEW000"


@dataclass(frozen=True)
class Preview:
    html: str = ""
    error: str = ""
    lineno: int | None = None
    sample: str = ""  # the document name the preview used


def sample_document(user: User, meta: Meta) -> Document | None:
    """Return the newest document of a DocType the admin may read in their school."""
    if user.school_id is None:
        return None
    return (
        permissions.readable(user, meta)
        .filter(school_id=user.school_id)
        .order_by("-modified", "-pk")
        .first()
    )


def preview_format(user: User, meta: Meta, template: str, css: str, page_size: str) -> Preview:
    """Return the voucher a draft would print for a sample document, or the error and its line."""
    document = sample_document(user, meta)
    if document is None:
        return Preview(
            error=_("还没有可用于预览的“%(label)s”单据，请先新建一张") % {"label": meta.label}
        )
    if page_size not in PageSize.values:
        page_size = PageSize.A4_PORTRAIT
    url = "about:blank"
    verification = Verification(PREVIEW_CODE, url, qr_data_uri(url), fingerprint(document))
    fmt = FormatChoice("preview", template, css, page_size, False)
    try:
        html = render_voucher(
            document, fmt, verification=verification, printed_by=user, printed_at=timezone.now()
        )
    except PrintTemplateError as exc:
        return Preview(error=exc.display, lineno=exc.lineno, sample=document.name)
    return Preview(html=html, sample=document.name)
