"""Put a rendered print template into the voucher page: paper size, fonts, QR code, page numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from django.template.loader import render_to_string
from markupsafe import Markup

from school_logistics.core.models import Document, User
from school_logistics.printing import sandbox
from school_logistics.printing.context import Verification, build_context
from school_logistics.printing.formats import FormatChoice
from school_logistics.printing.models import PageSize
from school_logistics.printing.verification import display_code

# Under templates/ so that package data (pyproject) ships it with the templates.
BASE_CSS = (Path(__file__).parent / "templates" / "printing" / "voucher.css").read_text(
    encoding="utf-8"
)

PAGE_CSS: dict[str, str] = {
    PageSize.A4_PORTRAIT: "@page { size: A4 portrait; margin: 12mm 14mm 14mm 14mm; }",
    PageSize.A5_LANDSCAPE: "@page { size: A5 landscape; margin: 8mm 11mm 11mm 11mm; }\n"
    "body { font-size: 8.5pt; line-height: 1.2; }",
}


def safe_css(css: str) -> str:
    """Keep admin CSS inside its <style> element (a `</style>` would end it early)."""
    return css.replace("</", "<\\/")


def page_css(page_size: str, code: str) -> str:
    """Return the @page rules: size, margins and the footer with page numbers and the code."""
    # The code is from a fixed alphabet, so it is safe inside a CSS string.
    return (
        PAGE_CSS.get(page_size, PAGE_CSS[PageSize.A4_PORTRAIT])
        + '\n@page { @bottom-left { content: "验证码 '
        + display_code(code)
        + '"; } @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; } }'
    )


def render_voucher(
    document: Document,
    fmt: FormatChoice,
    *,
    verification: Verification,
    printed_by: User,
    printed_at: dt.datetime,
    screen: bool = False,
    toolbar: Mapping[str, object] | None = None,
) -> str:
    """Return the whole voucher page: the sandboxed body inside the trusted frame."""
    context = build_context(
        document, verification=verification, printed_by=printed_by, printed_at=printed_at
    )
    body = sandbox.render(fmt.template, context)
    return render_to_string(
        "printing/voucher.html",
        {
            "body": body,
            "base_css": Markup(BASE_CSS),
            "page_css": Markup(page_css(fmt.page_size, verification.code)),
            "format_css": Markup(safe_css(fmt.css)),
            "page_size": fmt.page_size,
            "a5": fmt.page_size == PageSize.A5_LANDSCAPE,
            "verify": verification,
            "code": display_code(verification.code),
            "context": context,
            "screen": screen,
            "toolbar": toolbar or {},
            "title": f"{context['title']} {document.name}",
            "cancelled": document.docstatus == 2,
        },
    )
