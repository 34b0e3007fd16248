"""An approved requisition prints its approval trail; printed then cancelled, it verifies as 已作废."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.printing.context import trail_context
from school_logistics.printing.models import PrintLog
from school_logistics.printing.services import print_document
from tests.printing.conftest import approved_requisition, pdf_text, squeeze

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads", "items")]
MR = "Material Requisition"
NAMES = {
    "teacher": "示例教师甲",
    "head": "示例组长乙",
    "purchaser": "示例采购丙",
    "principal": "示例校长丁",
}


@pytest.fixture(autouse=True)
def named_users(users) -> None:
    """Give the people on the route fictional Chinese names, so the trail shows who acted."""
    for key, full_name in NAMES.items():
        users[key].full_name = full_name
        users[key].save(update_fields=["full_name"])


def test_approved_requisition_prints_every_trail_row_with_names_actions_and_comments(
    users, tmp_path
):
    doc = approved_requisition(users)
    assert doc.workflow_state == "已通过" and doc.docstatus == DocStatus.SUBMITTED
    text = pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path)
    flat = squeeze(text)
    assert "暂无审批记录" not in flat
    for label in ["审批记录", "步骤", "审批人", "操作", "时间", "意见"]:
        assert label in flat
    # One row per decision, in order: who, what, and what they wrote.
    rows = [
        ("发起", NAMES["teacher"], "提交", "请审批"),
        ("部门负责人", NAMES["head"], "同意", "同意，按预算执行"),
        ("总务处", NAMES["purchaser"], "同意", "库存不足，同意采购"),
        ("校长", NAMES["principal"], "同意", ""),
    ]
    trail = text[text.index("审批记录") :].splitlines()
    positions = []
    for step, name, action, comment in rows:
        line = next((ln for ln in trail if name in ln and action in ln), None)
        assert line is not None, f"no trail row for {name} {action}"
        assert step in squeeze(line) or step == "发起"
        assert comment in squeeze(line)
        positions.append(flat.index(squeeze(line)))
    assert positions == sorted(positions)
    assert "状态：已通过" in flat  # where its approval ended, as the desk's badge says
    assert "壹万肆仟壹佰元整" in flat  # 2 rows × 300 × 23.50


def test_four_row_trail_renders_to_a_single_readable_a4_page(users, tmp_path):
    doc = approved_requisition(users, rows=20)
    pdf = print_document(doc, actor=users["teacher"]).content
    text = pdf_text(pdf, tmp_path)
    assert "共1页" in squeeze(text), "a 20-row approved requisition fits one A4 sheet"
    assert shutil.which("pdftoppm")
    path = tmp_path / "voucher.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 5_000


def test_approved_requisition_printed_then_cancelled_verifies_as_cancelled(client, users):
    doc = approved_requisition(users, big=False)
    log = print_document(doc, actor=users["teacher"]).log
    assert log.docstatus == DocStatus.SUBMITTED
    services.cancel_document(MR, doc.name, actor=users["purchaser"])
    page = client.get(f"/verify/{log.code}", REMOTE_ADDR=f"test-{uuid.uuid4().hex}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "单据已作废，此纸质单据已失效" in html and "打印时为“已提交”" in html
    assert doc.name in html and "物资申购单" in html
    # The page shows what paper shows: no purpose, no comments from the trail.
    assert "期中考试用纸" not in html and "库存不足" not in html
    assert PrintLog.objects.filter(document=doc).count() == 1
    # A reprint's trail shows the cancel, by whoever made it, under no step (not 发起).
    rows, _rounds = trail_context(Document.objects.get(pk=doc.pk))
    assert (rows[-1]["step"], rows[-1]["action"]) == ("—", "作废")  # last: after the skips


@pytest.mark.parametrize(("big", "principal_signs"), [(True, True), (False, False)])
def test_the_principal_signs_only_what_went_to_the_principal(users, big, principal_signs):
    """Under 5,000 元 the route skips 校长审批: no empty 校长 box waits on the paper."""
    doc = approved_requisition(users, big=big)
    html = print_document(doc, actor=users["teacher"], output="html").content
    boxes = re.findall(r'<div class="sign-label">([^<]*)</div>', html)
    assert ("校长" in boxes) is principal_signs and "申请人" in boxes and "总务处" in boxes
