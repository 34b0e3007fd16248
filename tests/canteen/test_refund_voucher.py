"""The 伙食费退费单 prints the signature boxes of those who ask for and approve it."""

from __future__ import annotations

from school_logistics.printing.services import print_document
from tests.canteen.test_meal_fee_refund import refund
from tests.printing.conftest import pdf_text, squeeze, voucher_fonts  # noqa: F401


def test_the_refund_voucher_is_signed_by_those_who_approve_it(users, students, tmp_path):
    """Class teacher, then 食堂管理员审核 → 财务复核 → 校长审批: no 部门负责人 or 总务处 box."""
    doc = refund(users, [("S001", 2)])
    text = squeeze(pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path))
    signs = text[text.rindex("班主任") :]
    for label in ("班主任", "食堂管理员", "财务", "校长"):
        assert label in signs
    for label in ("申请人", "部门负责人", "总务处", "经办人"):
        assert label not in text
