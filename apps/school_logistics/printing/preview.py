"""Render an admin's draft print format against a sample document, writing nothing.

The live preview shows the result; saving a format (and making it the default) uses the same
rendering to refuse a format that could not print, before any user meets the error.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.printing.context import Verification
from school_logistics.printing.formats import FormatChoice
from school_logistics.printing.models import PageSize
from school_logistics.printing.render import render_voucher
from school_logistics.printing.sample import sample_document
from school_logistics.printing.sandbox import PrintTemplateError
from school_logistics.printing.template_check import NameWarning, unknown_names
from school_logistics.printing.verification import fingerprint, qr_data_uri, verify_url

# A code outside the alphabet of real codes (it has 0), so a preview can never verify as a print.
PREVIEW_CODE = "PREVIEW000"


@dataclass(frozen=True)
class Preview:
    html: str = ""
    error: str = ""
    lineno: int | None = None
    sample: str = ""  # the document name the preview used
    made_up: bool = False  # no document to read yet: the preview used sample values
    # Names the template reads that this DocType's voucher lacks: printed blank, said here.
    warnings: tuple[NameWarning, ...] = ()


def _render(
    user: User, document: Document, template: str, css: str, page_size: str, base_url: str = ""
) -> str:
    """Return the voucher as a print would make it, with the preview's code and address."""
    if page_size not in PageSize.values:
        page_size = PageSize.A4_PORTRAIT
    # The address a print carries, with the preview's code where a print's own code goes.
    url = verify_url(PREVIEW_CODE, base_url)
    verification = Verification(PREVIEW_CODE, url, qr_data_uri(url), fingerprint(document))
    fmt = FormatChoice("preview", template, css, page_size, False)
    # Prints are in the site's language whoever prints them; so is the trial render.
    with translation.override(settings.LANGUAGE_CODE):
        return render_voucher(
            document, fmt, verification=verification, printed_by=user, printed_at=timezone.now()
        )


def preview_format(
    user: User, meta: Meta, template: str, css: str, page_size: str, base_url: str = ""
) -> Preview:
    """Return the voucher a draft would print for a sample document, or the error and its line.

    `base_url` is the site's address as the admin reached it, as a print's QR code carries it.
    """
    document, made_up = sample_document(user, meta)
    try:
        html = _render(user, document, template, css, page_size, base_url)
    except PrintTemplateError as exc:
        return Preview(error=exc.display, lineno=exc.lineno, sample=document.name, made_up=made_up)
    warnings = tuple(unknown_names(meta, template))
    return Preview(html=html, sample=document.name, made_up=made_up, warnings=warnings)


def check_format_prints(user: User, meta: Meta, template: str, page_size: str) -> None:
    """Raise PrintTemplateError naming the sample when a format fails on it as a print would."""
    document, made_up = sample_document(user, meta)
    try:
        _render(user, document, template, "", page_size)
    except PrintTemplateError as exc:
        if made_up:
            where = _("用示例数据试印")
        else:
            where = _("用单据 %(name)s 试印") % {"name": document.name}
        raise PrintTemplateError(f"{exc.message}（{where}）", exc.lineno) from None
