"""SLA reminders and escalation with a controlled clock; one transition under concurrent approval."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from school_logistics.core.services import DocumentStateError
from school_logistics.notify.models import Notification
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalLog, ApprovalTask, TaskStatus
from school_logistics.workflow.sla import add_working_hours
from school_logistics.workflow.sweep import sweep_overdue_tasks
from tests.workflow.conftest import pending, requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ((2026, 11, 27, 16, 0), 4, (2026, 11, 30, 11, 0)),  # Friday afternoon → Monday
        ((2026, 11, 25, 10, 0), 16, (2026, 11, 26, 17, 0)),  # two working days
        ((2026, 11, 28, 10, 0), 1, (2026, 11, 30, 9, 0)),  # Saturday counts from Monday
        ((2026, 11, 25, 18, 0), 2, (2026, 11, 26, 10, 0)),  # after hours
    ],
)
def test_sla_counts_working_hours(start, hours, due):
    begin = dt.datetime(*start, tzinfo=SHANGHAI)
    assert add_working_hours(begin, hours) == dt.datetime(*due, tzinfo=SHANGHAI)


def test_overdue_head_is_reminded_once(users, item):
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    task = pending(doc, users["head"])
    later = task.due_at + dt.timedelta(minutes=1)
    assert sweep_overdue_tasks(task.due_at - dt.timedelta(minutes=1)) == 0
    assert sweep_overdue_tasks(later) == 1
    assert sweep_overdue_tasks(later) == 0  # a second sweep does nothing more
    assert Notification.objects.filter(user=users["head"], event="overdue").count() == 1
    assert ApprovalLog.objects.filter(document=doc, action="remind").count() == 1


def test_overdue_general_affairs_escalates_to_the_principal(users, item):
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    task = pending(doc, users["purchaser"])
    sweep_overdue_tasks(task.due_at + dt.timedelta(minutes=1))
    boss = pending(doc, users["principal"])
    assert boss.step == "general_affairs"
    assert Notification.objects.filter(user=users["principal"], event="escalated").exists()
    actions.approve(boss.pk, actor=users["principal"])
    doc.refresh_from_db()
    assert doc.workflow_state == "已通过"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_make_one_transition(users, item, departments):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    from school_logistics.core.models import Role

    second = users["storekeeper"]
    second.roles.add(Role.objects.get(code="purchaser"))
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    tasks = {
        t.assignee.username: t.pk
        for t in ApprovalTask.objects.filter(document=doc, status=TaskStatus.PENDING)
    }
    assert set(tasks) == {"purchaser", "storekeeper"}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(username: str) -> None:
        try:
            barrier.wait()
            actions.approve(tasks[username], actor=users[username])
            outcomes.append("ok")
        except DocumentStateError:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already", "ok"]
    assert ApprovalLog.objects.filter(document=doc, action="approve").count() == 2  # head + one
    doc.refresh_from_db()
    assert doc.workflow_state == "已通过"


def test_tasks_of_a_deactivated_head_move_to_the_head_above(users, item):
    from school_logistics.workflow.sweep import move_tasks_of_inactive_users

    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    users["head"].is_active = False
    users["head"].save()
    assert move_tasks_of_inactive_users() == 1
    assert move_tasks_of_inactive_users() == 0
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    assert pending(doc, users["purchaser"])
    note = ApprovalLog.objects.get(document=doc, action="transfer").comment
    assert "已停用" in note and users["principal"].display_name in note


def test_with_no_head_above_they_move_to_the_admin(users, item, departments):
    from school_logistics.workflow.sweep import move_tasks_of_inactive_users

    departments["语文组"].parent = None
    departments["语文组"].save()
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    users["head"].is_active = False
    users["head"].save()
    assert move_tasks_of_inactive_users() == 1
    actions.approve(pending(doc, users["admin"]).pk, actor=users["admin"])
    assert pending(doc, users["purchaser"])
    note = ApprovalLog.objects.get(document=doc, action="fallback").comment
    assert "已停用" in note and users["admin"].display_name in note


def test_a_returning_approver_sees_their_own_decisions_first_in_done(client, users, item):
    """Tasks moved off them while away carry no decision time: they come after real ones."""
    from school_logistics.workflow.sweep import move_tasks_of_inactive_users

    moved, decided = (requisition(users["teacher"], "100", item) for _ in range(2))
    actions.start_approval(MR, moved.name, actor=users["teacher"])
    users["head"].is_active = False
    users["head"].save()
    move_tasks_of_inactive_users()
    users["head"].is_active = True
    users["head"].save()
    actions.start_approval(MR, decided.name, actor=users["teacher"])
    actions.approve(pending(decided, users["head"]).pk, actor=users["head"])
    client.force_login(users["head"])

    body = client.get("/app/approvals/", {"tab": "done"}).content.decode()
    assert moved.name in body and decided.name in body
    assert body.index(decided.name) < body.index(moved.name)
