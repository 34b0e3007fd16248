"""A voucher of a document sent more than once groups its trail by submission, as its page does;
a document sent once prints its trail as before, without headings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from school_logistics.printing.default_format import standard_template
from school_logistics.printing.services import print_document, save_print_format
from school_logistics.printing.template_check import unknown_names
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.printing.conftest import approved_requisition, make_requisition, pdf_text, squeeze

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads", "items")]
MR = "Material Requisition"


def task_of(doc: Document, user) -> ApprovalTask:
    return ApprovalTask.objects.get(document=doc, assignee=user, status=TaskStatus.PENDING)


def returned_then_approved(users) -> Document:
    """The head returns the teacher's requisition; sent again, the head and 总务处 approve."""
    doc = make_requisition(users["teacher"])
    actions.start_approval(MR, doc.name, actor=users["teacher"], comment="请审批")
    actions.return_for_revision(
        task_of(doc, users["head"]).pk, actor=users["head"], comment="请写明用途"
    )
    services.save_document(MR, doc.name, {"purpose": "期中考试用纸"}, actor=users["teacher"])
    actions.start_approval(MR, doc.name, actor=users["teacher"], comment="已补充用途")
    for who in ("head", "purchaser"):
        actions.approve(task_of(doc, users[who]).pk, actor=users[who], comment="同意")
    doc.refresh_from_db()
    return doc


def test_a_resubmitted_voucher_heads_each_submission_in_its_trail(users, tmp_path):
    doc = returned_then_approved(users)
    today = timezone.localdate().isoformat()
    flat = squeeze(pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path))
    first = flat.index(f"第1次提交·{today}·已退回")
    second = flat.index(f"第2次提交·{today}·已通过")
    # Each submission's own lines under its heading, in order.
    assert first < flat.index("请审批") < flat.index("请写明用途") < second
    assert second < flat.index("重新提交") < flat.index("已补充用途")


def test_a_voucher_sent_once_prints_its_trail_without_headings(users, tmp_path):
    doc = approved_requisition(users, big=False)
    html = print_document(doc, actor=users["teacher"], output="html").content
    assert 'class="round"' not in html and "次提交" not in html
    flat = squeeze(pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path))
    assert "次提交" not in flat and "同意，按预算执行" in flat


def test_an_admins_format_reads_the_rounds_as_plain_values(users):
    doc = returned_then_approved(users)
    template = (
        "{% for r in trail_rounds %}<h3>{{ r.number }}/{{ r.status }}/{{ r.submitted_at }}"
        "{% if r.current %}/最新{% endif %}</h3>"
        "{% for e in r.entries %}<p>{{ e.actor }}:{{ e.action }}</p>{% endfor %}{% endfor %}"
    )
    meta = get_meta(MR)
    assert unknown_names(meta, template) == []
    save_print_format(MR, "按提交分组", template, actor=users["admin"], is_default=True)
    html = print_document(doc, actor=users["teacher"], output="html").content
    assert "<h3>1/已退回/" in html and "<h3>2/已通过/" in html and "/最新</h3>" in html
    assert html.count(f"<p>{users['head'].display_name}:同意</p>") == 1


def test_a_misspelt_round_or_entry_key_is_named_before_printing(db):
    meta = get_meta(MR)
    template = (
        "{% for r in trail_rounds %}{{ r.numbr }}\n"
        "{% for e in r.entries %}{{ e.actr }}{% endfor %}{% endfor %}"
    )
    warnings = [(w.lineno, w.message) for w in unknown_names(meta, template)]
    assert warnings == [
        (1, "子表行没有“numbr”（r.numbr），打印为空白"),
        (2, "子表行没有“actr”（e.actr），打印为空白"),
    ]
    assert unknown_names(meta, standard_template(meta)) == []
