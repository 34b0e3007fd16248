"""Admins' notification wording is tried on sample values at save: a bad box is named and kept."""

from __future__ import annotations

import re

import pytest

from school_logistics.core.validation import DocumentValidationError
from school_logistics.notify import admin_services, messages
from school_logistics.notify.models import MessageTemplate, Notification
from school_logistics.workflow import actions
from tests.workflow.conftest import requisition

SETTINGS = "/app/notifications/settings"
# Jinja's own English must not reach the page: these words start its messages.
ENGLISH = re.compile(r"undefined|unsafe|unexpected|expected|attribute|object", re.I)


def boxes(**custom: str) -> dict[str, str]:
    """Return the templates form as posted: every box, empty unless given."""
    return {"form": "templates", **{f"t_{e}": custom.get(e, "") for e in messages.EVENTS}}


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("{{ ''.__class__ }}", "不允许访问“__class__”"),
        ("待审批：{{ reqester }}", "没有变量“reqester”"),
        ("{{ name }", "第 1 行语法错误：多余的“}”"),
        ("{{ name.nope }}", "没有属性“nope”"),
        ("{{ cycler.__init__.__globals__ }}", "不允许访问“__init__”"),
        ("{% if False %}x{% endif %}", "空白"),
    ],
)
def test_wording_that_would_send_a_blank_or_broken_notice_is_refused_in_chinese(
    users, source, says
):
    school = users["admin"].school
    with pytest.raises(DocumentValidationError) as exc:
        admin_services.save_template(school, "task", source, actor=users["admin"])
    message = " ".join(exc.value.messages())
    assert says in message
    assert not ENGLISH.search(message), message
    assert not MessageTemplate.objects.exists()


def test_every_shipped_wording_passes_the_strict_check():
    for _what, shipped in messages.EVENTS.values():
        messages.check(shipped)


def test_settings_page_names_and_highlights_each_bad_box_and_saves_none(client, users):
    client.force_login(users["admin"])
    response = client.post(
        SETTINGS,
        boxes(
            task="{{ ''.__class__ }}",
            urge="{{ reqester }}催办：{{ name }}",
            cc="【抄送】{{ doctype }} {{ name }}",  # fine, but not saved with the others refused
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    # Each message sits under its own box, which is marked invalid, and names the box's label.
    task = re.search(r'<div class="invalid-feedback" id="t_task-error">(.*?)</div>', html)
    urge = re.search(r'<div class="invalid-feedback" id="t_urge-error">(.*?)</div>', html)
    assert task and "有待我审批的单据" in task[1] and "不允许访问“__class__”" in task[1]
    assert urge and "申请人催办" in urge[1] and "没有变量“reqester”" in urge[1]
    assert 'id="t_task" name="t_task"' in html and html.count("is-invalid") == 2
    assert 'aria-describedby="t_urge-error"' in html
    assert 'class="invalid-feedback" id="t_cc-error"' not in html
    # What the admin typed stays in the boxes to be corrected.
    assert "【抄送】{{ doctype }} {{ name }}" in html
    assert not ENGLISH.search(task[1] + urge[1])
    assert not MessageTemplate.objects.exists()


def test_settings_page_saves_all_good_boxes_together(client, users):
    client.force_login(users["admin"])
    response = client.post(SETTINGS, boxes(task="【请审批】{{ name }}", cc="【抄送】{{ name }}"))
    assert response.status_code == 302
    saved = dict(MessageTemplate.objects.values_list("event", "subject"))
    assert saved == {"task": "【请审批】{{ name }}", "cc": "【抄送】{{ name }}"}


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_a_stored_wording_that_renders_blank_falls_back_to_the_shipped_one(users, item):
    """Wording saved before the check existed must not send a notice with no text to click."""
    school = users["admin"].school
    MessageTemplate.objects.create(school=school, event="task", subject="{{ ''.__class__ }}")
    school.refresh_from_db()
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval("Material Requisition", doc.name, actor=users["teacher"])
    subject = Notification.objects.get(user=users["head"], event="task").subject
    assert subject.startswith("待您") and doc.name in subject
