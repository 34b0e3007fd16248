"""Prepared queries give what the queryset gives, in one statement, and refuse what they can't bind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, QuerySet
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from school_logistics.core.auth import users_with_access
from school_logistics.core.models import Department, School, User
from school_logistics.core.prepared import insert_rows, prepared, save_fields, save_together


@prepared
def user_with_access(pk: int) -> QuerySet[User]:
    return users_with_access().filter(pk=pk)


@prepared
def department_of(school_id: int, name: str) -> QuerySet[Department]:
    return Department.objects.select_related("school").filter(school_id=school_id, name=name)


@prepared
def usernames_joined_since(after: dt.datetime) -> QuerySet[Any]:
    return User.objects.filter(date_joined__gt=after).order_by("username").values("username")


@prepared
def locked_school(pk: int) -> QuerySet[School]:
    return School.objects.select_for_update().filter(pk=pk)


def test_gives_the_same_users_with_roles_and_joins_as_the_queryset(users: dict[str, User]) -> None:
    for user in users.values():
        expected = users_with_access().get(pk=user.pk)
        [got] = user_with_access(user.pk)
        assert got == expected
        assert got.role_list == expected.role_list  # annotated subquery
        assert got.school.name == expected.school.name  # joined, not read again
        assert got.department.name == expected.department.name
    assert user_with_access(999_999) == []


def test_binds_each_call_its_own_arguments(departments: dict[str, Department]) -> None:
    school_id = departments["语文组"].school_id
    for name, department in departments.items():
        with CaptureQueriesContext(connection) as run:
            [got] = department_of(school_id, name)
        assert got == department and got.school.pk == school_id
        assert len(run) == 1
    assert department_of(school_id + 1, "语文组") == []
    assert department_of(school_id, "") == []


def test_datetime_arguments_are_adapted_as_the_orm_does(users: dict[str, User]) -> None:
    now = timezone.now()
    User.objects.filter(username="teacher").update(date_joined=now - dt.timedelta(days=3))
    User.objects.exclude(username="teacher").update(date_joined=now)
    recent = usernames_joined_since(now - dt.timedelta(days=1))
    assert [row["username"] for row in recent] == sorted(u for u in users if u != "teacher")
    assert len(usernames_joined_since(now - dt.timedelta(days=5))) == len(users)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has no row locks to refuse")
@pytest.mark.django_db(transaction=True)
def test_locks_only_inside_a_transaction(school: School) -> None:
    with pytest.raises(TransactionManagementError):
        locked_school(school.pk)
    with transaction.atomic():
        assert locked_school(school.pk) == [school]


def test_refuses_arguments_it_cannot_bind(db: None) -> None:
    def sliced(n: int) -> QuerySet[User]:
        return User.objects.all()[:n]

    def listed(pk: int) -> QuerySet[User]:
        return User.objects.filter(pk__in=[pk, 1])

    def grouped(name: str) -> QuerySet[Any]:
        return User.objects.values("school").annotate(n=Count("pk")).filter(username=name)

    with pytest.raises(TypeError, match="not a plain filter value"):
        prepared(sliced)(3)
    assert prepared(grouped)("nobody") == []  # a filter value in a grouped query is fine
    with pytest.raises(TypeError, match="arguments are int, str or datetime"):
        prepared(lambda pk: User.objects.filter(pk=pk))
    with pytest.raises(TypeError, match="is not int"):
        user_with_access("1")
    with pytest.raises(TypeError, match="takes 1 arguments"):
        user_with_access(1, 2)
    listed_users = prepared(listed)
    assert listed_users(1) == list(User.objects.filter(pk__in=[1]))


def test_binds_integer_columns_the_driver_types(users: dict[str, User]) -> None:
    """psycopg sends integer-column values typed (Int2 for docstatus); the bound ones too."""
    from school_logistics.core.models import Document

    teacher = users["teacher"]
    for n, status in enumerate([0, 1, 1]):
        Document.objects.create(
            doctype="ToDo",
            name=f"TD-{n}",
            docstatus=status,
            school=teacher.school,
            owner=teacher,
            modified_by=teacher,
        )

    @prepared
    def names_in(doctype: str, docstatus: int) -> QuerySet[Any]:
        return Document.objects.filter(doctype=doctype, docstatus=docstatus).values_list(
            "name", flat=True
        )

    assert sorted(names_in("ToDo", 1)) == ["TD-1", "TD-2"]
    assert names_in("ToDo", 0) == ["TD-0"]
    assert names_in("ToDo", 2) == []


def test_save_fields_writes_the_named_fields_and_fills_auto_now(users: dict[str, User]) -> None:
    from school_logistics.core.models import Document

    doc = Document.objects.create(
        doctype="ToDo",
        name="TD-1",
        school=users["teacher"].school,
        owner=users["teacher"],
        modified_by=users["teacher"],
    )
    before = doc.modified
    doc.title, doc.workflow_state = "新标题", "审批中"
    with CaptureQueriesContext(connection) as run:
        save_fields(doc, "title", "modified")
    assert len(run) == 1
    stored = Document.objects.get(pk=doc.pk)
    assert stored.title == "新标题" and stored.modified > before
    assert stored.workflow_state == ""  # not named, not written


def test_save_fields_takes_djangos_path_for_expressions_and_refuses_a_gone_row(
    users: dict[str, User],
) -> None:
    user = users["teacher"]
    user.first_name = F("username")
    save_fields(user, "first_name")
    assert User.objects.get(pk=user.pk).first_name == "teacher"
    gone = User(pk=999_999, username="gone")
    with pytest.raises(DatabaseError):
        save_fields(gone, "username")


def test_save_together_writes_rows_sharing_values_in_one_update(users: dict[str, User]) -> None:
    from school_logistics.core.models import Document

    owner = users["teacher"]
    docs = [
        Document.objects.create(
            doctype="ToDo", name=f"TD-{n}", school=owner.school, owner=owner, modified_by=owner
        )
        for n in range(3)
    ]
    for doc in docs[:2]:
        doc.workflow_state = "已关闭"
    with CaptureQueriesContext(connection) as run:
        save_together(docs[:2], "workflow_state", "modified")
    assert len(run) == 1
    stored = {d.name: d for d in Document.objects.all()}
    assert [stored[f"TD-{n}"].workflow_state for n in range(3)] == ["已关闭", "已关闭", ""]
    assert docs[1].modified == docs[0].modified == stored["TD-1"].modified  # one time for all
    with pytest.raises(DatabaseError):  # a row gone meanwhile fails the action, as save() does
        save_together([docs[2], Document(pk=999_999)], "workflow_state")


def test_insert_rows_returns_ids_in_order_and_fills_auto_fields(users: dict[str, User]) -> None:
    from school_logistics.notify.models import Notification

    people = list(users.values())
    rows = [Notification(user=u, event="task", subject=f"第{n}条") for n, u in enumerate(people)]
    with CaptureQueriesContext(connection) as run:
        insert_rows(rows)
    assert len(run) == 1
    stored = {n.pk: n for n in Notification.objects.all()}
    for n, row in enumerate(rows):
        assert stored[row.pk].subject == f"第{n}条" and stored[row.pk].user_id == people[n].pk
        assert stored[row.pk].created is not None and not row._state.adding


def test_insert_rows_refuses_an_unsaved_related_row_and_hands_big_batches_to_django(
    users: dict[str, User],
) -> None:
    from school_logistics.notify.models import Notification

    with pytest.raises(ValueError, match="unsaved related object"):
        insert_rows([Notification(user=User(username="new"), event="task", subject="x")])
    many = [Notification(user=users["teacher"], event="task", subject=str(n)) for n in range(300)]
    insert_rows(many)
    assert Notification.objects.count() == 300 and all(n.pk for n in many)
