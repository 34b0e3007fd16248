"""A value with no break in it wraps inside its cell on paper; one that fits keeps its line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from school_logistics.core import services
from school_logistics.printing.services import print_document

A4_WIDTH_PT = 595.3
LONG_SPEC = "ABCDEFGHIJ0123456789" * 7  # 140 characters, as pasted from a supplier's sheet
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def words(pdf: bytes, tmp_path: Path) -> list[tuple[float, float, float, str]]:
    """Return each word pdftotext finds on the first page: (xMin, xMax, yMin, text)."""
    assert shutil.which("pdftotext"), "poppler-utils must be installed (see .ci/run)"
    path = tmp_path / "voucher.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(float(x0), float(x1), float(y0), text) for x0, y0, x1, _y1, text in WORD.findall(html)]


def test_a_long_specification_wraps_in_its_cell_and_a_short_one_stays_on_one_line(
    users, items, tmp_path
):
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": "期中考试用纸",
            "budget_line": "办公用品费",
            "items": [
                {"item": "A4-70", "qty": "10", "rate": "23.50", "specification": LONG_SPEC},
                {"item": "A4-70", "qty": "2", "rate": "23.50", "specification": "M404dn"},
            ],
        },
        actor=users["teacher"],
    )
    found = words(print_document(doc, actor=users["teacher"]).content, tmp_path)
    next_column = min(x0 for x0, _x1, _y, text in found if text == "数量")
    pieces = sorted(
        (y, x0, x1, text) for x0, x1, y, text in found if re.fullmatch(r"[A-J0-9]{8,}", text)
    )
    assert "".join(text for *_, text in pieces) == LONG_SPEC  # all of it, line after line
    # In its own cell over several lines: not over 数量, 单位, … nor past the paper's edge.
    assert len(pieces) >= 4
    assert max(x1 for _y, _x0, x1, _text in pieces) < next_column
    assert max(x1 for _x0, x1, _y, _text in found) < A4_WIDTH_PT
    # A model code that fits its column is printed whole, on one line.
    assert [text for *_, text in found if "M404" in text] == ["M404dn"]
