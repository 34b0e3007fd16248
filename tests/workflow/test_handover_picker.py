"""转交 and 加签 name a person as the desk's User fields do: picked from a list of the school's
members, or typed as the name shown everywhere; an empty or ambiguous name is asked again."""

from __future__ import annotations

import pytest
from django.test import Client

from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions, handover
from school_logistics.workflow.models import ApprovalLog, ApprovalTask, TaskStatus
from tests.conftest import make_user
from tests.workflow.conftest import pending, requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"


@pytest.fixture
def waiting(users, item):
    """A requisition of the teacher's waiting for the head."""
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    return doc


def named(user: User, full_name: str) -> User:
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


def nothing_changed(doc, head_task: ApprovalTask) -> None:
    head_task.refresh_from_db()
    assert head_task.status == TaskStatus.PENDING
    assert ApprovalTask.objects.filter(document=doc).count() == 1
    assert not ApprovalLog.objects.filter(document=doc, action__in=["transfer", "add_approver"])


def test_transfer_takes_the_full_name_shown_everywhere(users, waiting):
    named(users["colleague"], "语文组教师乙（演示）")
    task = pending(waiting, users["head"])
    handover.transfer(task.pk, actor=users["head"], to_user=" 语文组教师乙（演示） ")
    assert pending(waiting, users["colleague"])


def test_add_approver_takes_the_full_name_too(users, waiting):
    named(users["colleague"], "语文组教师乙（演示）")
    task = pending(waiting, users["head"])
    handover.add_approver(
        task.pk, actor=users["head"], user="语文组教师乙（演示）", position="before"
    )
    assert pending(waiting, users["colleague"])


def test_two_members_of_one_name_are_asked_to_pick_from_the_list(users, waiting):
    named(users["colleague"], "王老师")
    named(users["storekeeper"], "王老师")
    task = pending(waiting, users["head"])
    with pytest.raises(DocumentValidationError) as refused:
        handover.transfer(task.pk, actor=users["head"], to_user="王老师")
    assert refused.value.messages() == ["本校有多位成员名为“王老师”，请从列表中选择"]
    nothing_changed(waiting, task)
    # Picked from the list, the username names one of them.
    handover.transfer(task.pk, actor=users["head"], to_user="storekeeper")
    assert pending(waiting, users["storekeeper"])


def test_a_username_wins_over_someone_elses_full_name(users, waiting):
    named(users["storekeeper"], "colleague")  # a full name that is another's username
    task = pending(waiting, users["head"])
    handover.transfer(task.pk, actor=users["head"], to_user="colleague")
    assert pending(waiting, users["colleague"])


@pytest.mark.parametrize(
    ("action", "fields", "asked"),
    [
        ("transfer", {"user": ""}, "请选择要转交的人"),
        ("add_approver", {"user": "  ", "position": "after"}, "请选择加签人"),
    ],
)
def test_an_empty_person_is_asked_for_and_nothing_changes(users, waiting, action, fields, asked):
    task = pending(waiting, users["head"])
    client = Client()
    client.force_login(users["head"])
    response = client.post(f"/app/approvals/task/{task.pk}/{action}", fields, follow=True)
    body = response.content.decode()
    assert asked in body and "找不到本校在职成员" not in body
    nothing_changed(waiting, task)


def test_a_member_of_another_school_is_not_found_by_name(users, waiting, outsider):
    named(outsider, "外校老师")
    task = pending(waiting, users["head"])
    with pytest.raises(DocumentValidationError, match="找不到本校在职成员“外校老师”"):
        handover.transfer(task.pk, actor=users["head"], to_user="外校老师")
    nothing_changed(waiting, task)


def picker(user: User, task: ApprovalTask, typed: str = "") -> dict:
    client = Client()
    client.force_login(user)
    response = client.get(f"/app/approvals/task/{task.pk}/people", {"target": "User", "q": typed})
    return response.json() if response.status_code == 200 else {"status": response.status_code}


def test_the_picker_lists_the_schools_active_members_by_name(users, waiting, outsider):
    named(users["colleague"], "语文组教师乙（演示）")
    make_user("gone", users["head"].school, "teacher", full_name="已离职老师")
    User.objects.filter(username="gone").update(is_active=False)
    task = pending(waiting, users["head"])

    found = picker(users["head"], task)["results"]
    usernames = [r["value"] for r in found]
    # Not the approver themselves, nor the requester (who may not approve their own), nor
    # anyone inactive or of another school.
    for absent in ("head", "teacher", "gone", "outsider"):
        assert absent not in usernames
    assert {"colleague", "purchaser", "principal"} <= set(usernames)
    [colleague] = [r for r in found if r["value"] == "colleague"]
    assert colleague == {
        "value": "colleague",
        "label": "语文组教师乙（演示）",
        "description": "语文组 · colleague",
    }

    assert [r["value"] for r in picker(users["head"], task, "教师乙")["results"]] == ["colleague"]
    assert [r["value"] for r in picker(users["head"], task, "purch")["results"]] == ["purchaser"]


def test_only_the_tasks_holder_may_search_its_people(users, waiting, outsider):
    task = pending(waiting, users["head"])
    assert picker(users["colleague"], task) == {"status": 403}  # a colleague
    assert picker(users["teacher"], task) == {"status": 403}  # the requester
    assert picker(outsider, task) == {"status": 403}  # another school's


def test_the_decision_form_offers_the_desks_person_picker(users, waiting):
    task = pending(waiting, users["head"])
    client = Client()
    client.force_login(users["head"])
    page = client.get(f"/app/material-requisition/{waiting.name}").content.decode()
    form = page[page.index('id="decision-form"') - 200 :]
    form = form[: form.index("</form>")]
    assert f'data-search-url="/app/approvals/task/{task.pk}/people"' in form
    assert 'class="link-field" data-target="User"' in form
    assert 'class="link-value" name="user"' in form
    assert "成员用户名" not in form


def test_a_name_typed_with_half_width_brackets_finds_the_person(users, waiting):
    named(users["colleague"], "语文组教师乙（演示）")
    task = pending(waiting, users["head"])
    assert [r["value"] for r in picker(users["head"], task, "教师乙(演")["results"]] == [
        "colleague"
    ]
    handover.transfer(task.pk, actor=users["head"], to_user="语文组教师乙(演示)")
    assert pending(waiting, users["colleague"])
