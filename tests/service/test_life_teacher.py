"""A 生活老师 raises a view (意见建议) like any member of staff and rates the answer; their
views are their own."""

from __future__ import annotations

from typing import Any

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow import actions
from tests.conftest import make_user
from tests.workflow.conftest import pending

FEEDBACK = "Feedback"
pytestmark = pytest.mark.workflows


def test_a_life_teacher_raises_a_view_and_only_they_and_the_office_read_it(
    client: Any, school: School, users: dict[str, User], outsider: User
) -> None:
    life = make_user("life", school, "life_teacher", full_name="生活老师甲")
    colleague = make_user("life2", school, "life_teacher", full_name="生活老师乙")
    client.force_login(life)
    assert client.get("/app/feedback/new").status_code == 200
    response = client.post(
        "/app/feedback/new",
        {"subject": "宿舍热水供应时间太短", "category": "宿舍管理",
         "content": "晚上九点半热水就停了，学生洗不上澡。"},
    )  # fmt: skip
    assert response.status_code == 302
    doc = Document.objects.get(doctype=FEEDBACK)
    assert doc.data["submitted_by"] == "life"
    for other in (colleague, outsider):
        client.force_login(other)
        assert client.get(f"/app/feedback/{doc.name}").status_code in (403, 404)

    actions.start_approval(FEEDBACK, doc.name, actor=life)
    services.save_document(
        FEEDBACK, doc.name, {"reply": "热水延长到晚上十点半。"}, actor=users["purchaser"]
    )
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    services.save_document(FEEDBACK, doc.name, {"satisfaction": "满意"}, actor=life)
    actions.approve(pending(doc, life).pk, actor=life)
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已办结")
