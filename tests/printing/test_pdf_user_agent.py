"""Vouchers lay out with a user-agent sheet minus the note pseudo-elements; notes still print."""

from __future__ import annotations

from typing import Any

import pytest
from weasyprint import HTML

from school_logistics.printing import pdf
from school_logistics.printing.services import prepare_voucher, print_document
from tests.printing.conftest import approved_requisition, pdf_text, squeeze

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads", "items")]


def box_tree(document: Any) -> list[tuple[object, ...]]:
    """Return every laid-out box of every page: kind, position, size and text."""
    rows = []
    for page in document.pages:
        for box in page._page_box.descendants():
            rows.append(
                (
                    type(box).__name__,
                    round(box.position_x, 3),
                    round(box.position_y, 3),
                    round(box.width or 0, 3),
                    round(box.height or 0, 3),
                    getattr(box, "text", None),
                )
            )
    return rows


def test_voucher_lays_out_the_same_without_the_note_pseudo_elements(users, monkeypatch):
    doc = approved_requisition(users, rows=20)
    html, _log = prepare_voucher(doc, actor=users["teacher"])
    # The installed WeasyPrint's sheet was recognised and trimmed, so vouchers get the speed-up.
    assert pdf.html_without_notes() is not HTML
    assert not pdf.uses_notes(html)

    trimmed = box_tree(pdf.render_document(html))
    monkeypatch.setattr(pdf, "uses_notes", lambda page: True)
    whole = box_tree(pdf.render_document(html))
    assert len(trimmed) > 500
    assert trimmed == whole


def test_a_school_format_with_a_footnote_prints_its_call_and_note(users, tmp_path):
    from school_logistics.printing.services import save_print_format

    doc = approved_requisition(users)
    save_print_format(
        "Material Requisition",
        "带脚注",
        "<h1>{{ doc.name }}<span class='fn'>以学校财务制度为准</span></h1>",
        actor=users["admin"],
        css=".fn { float: footnote; }",
        is_default=True,
    )
    text = squeeze(pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path))
    # The call after the name and the numbered note at the foot of the page come from the
    # user-agent sheet's ::footnote-call and ::footnote-marker.
    assert f"{doc.name}1" in text
    assert "1.以学校财务制度为准" in text
