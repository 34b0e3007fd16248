"""The PDF's HTML parser finds its cached patterns again, and parses vouchers as before."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import tinyhtml5
from tinyhtml5 import inputstream

from school_logistics.printing import pdf
from school_logistics.printing.services import prepare_voucher
from tests.printing.conftest import approved_requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads", "items")]


def test_the_parser_reuses_its_patterns_and_builds_the_same_tree(users, monkeypatch):
    html, _log = prepare_voucher(approved_requisition(users, rows=5), actor=users["teacher"])
    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    as_shipped = ElementTree.tostring(tinyhtml5.parse(html))

    pdf.mend_html_parser.cache_clear()
    pdf.mend_html_parser()
    patterns = inputstream.characters_until_regex
    assert isinstance(patterns, pdf._CharactersPatterns)
    assert ElementTree.tostring(tinyhtml5.parse(html)) == as_shipped
    # The parser looked its patterns up here (by the characters it stops at), and a second
    # page finds them all: nothing is built again.
    learned = dict(patterns)
    assert learned and all(not hasattr(chars, "match") for chars, _opposite in learned)
    tinyhtml5.parse(html)
    assert patterns == learned
