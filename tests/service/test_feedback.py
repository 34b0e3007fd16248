"""意见箱: a teacher's view goes to 总务处, who must answer it; whoever raised it rates the answer,
or sends it back for a better one."""

from __future__ import annotations

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions
from tests.workflow.conftest import pending

FEEDBACK = "Feedback"
pytestmark = pytest.mark.workflows


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def raised(users) -> Document:
    doc = services.create_document(
        FEEDBACK,
        {"subject": "午餐菜品偏咸", "category": "食堂伙食", "on_behalf_of": "七年级(1)班学生",
         "content": "近两周午餐的炒菜普遍偏咸，学生剩菜多。"},
        actor=users["teacher"],
    )  # fmt: skip
    actions.start_approval(FEEDBACK, doc.name, actor=users["teacher"])
    return doc


def test_a_view_is_answered_and_rated_by_whoever_raised_it(users):
    doc = raised(users)
    assert doc.data["submitted_by"] == "teacher"
    office = pending(doc, users["purchaser"])
    with pytest.raises(Exception, match="答复与整改"):
        actions.approve(office.pk, actor=users["purchaser"])  # an answer must be written
    services.save_document(FEEDBACK, doc.name, {"reply": "已要求食堂减盐，下周起试行少盐菜谱。"},
                           actor=users["purchaser"])  # fmt: skip
    actions.approve(office.pk, actor=users["purchaser"])
    rate = pending(doc, users["teacher"])
    services.save_document(FEEDBACK, doc.name, {"satisfaction": "满意"}, actor=users["teacher"])
    actions.approve(rate.pk, actor=users["teacher"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state, doc.data["satisfaction"]) == (
        DocStatus.SUBMITTED, "已办结", "满意",
    )  # fmt: skip


def test_an_answer_not_good_enough_goes_back_to_the_office(users):
    doc = raised(users)
    services.save_document(FEEDBACK, doc.name, {"reply": "会关注。"}, actor=users["purchaser"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    actions.reject(pending(doc, users["teacher"]).pk, actor=users["teacher"],
                   comment="没有具体措施")  # fmt: skip
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.DRAFT, "总务处答复")
    assert pending(doc, users["purchaser"])


def test_the_asker_neither_answers_nor_rates_their_own_view(client, users):
    """答复 is 总务处's to write at its step and 评价 the asker's once answered: the new form
    shows neither, and the service refuses them from the drafter."""
    view = {"subject": "走廊灯", "category": "维修服务", "content": "走廊灯不亮"}
    for extra in ({"satisfaction": "满意"}, {"reply": "已修好"}):
        with pytest.raises(DocumentValidationError, match="在审批到相应步骤时填写"):
            services.create_document(FEEDBACK, {**view, **extra}, actor=users["teacher"])
    assert not Document.objects.filter(doctype=FEEDBACK).exists()
    client.force_login(users["teacher"])
    page = client.get("/app/feedback/new").content.decode()
    assert 'name="content"' in page
    assert ' name="reply"' not in page and ' name="satisfaction"' not in page
    assert "答复（总务处填写）" not in page  # the empty section is left out too
    doc = services.create_document(FEEDBACK, view, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match="答复与整改在审批到相应步骤时填写"):
        services.save_document(FEEDBACK, doc.name, {"reply": "已修好"}, actor=users["teacher"])
