"""An action's writes go out together on PostgreSQL, and nothing reads or writes out of order."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from school_logistics.core.models import Comment, Document, User, Version
from school_logistics.core.prepared import insert_rows, save_fields
from school_logistics.core.write_batch import writes_together

pytestmark = pytest.mark.django_db
batches = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL sends writes as one statement"
)


def draft(user: User, name: str) -> Document:
    return Document(doctype="Note", name=name, school=user.school, owner=user, modified_by=user)


def statements(ctx: CaptureQueriesContext) -> list[str]:
    """The statements sent, savepoints left out."""
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_rows_linked_to_each_other_are_stored_with_the_right_ids(users: dict[str, User]) -> None:
    teacher = users["teacher"]
    with transaction.atomic(), writes_together():
        first, second = insert_rows([draft(teacher, "N-1"), draft(teacher, "N-2")], defer=True)
        versions = insert_rows(
            [Version(document=d, actor=teacher, action="create") for d in (second, first)],
            defer=True,
        )
    assert [v.document_id for v in versions] == [second.pk, first.pk]
    stored = Version.objects.filter(pk__in=[v.pk for v in versions]).order_by("pk")
    assert [(v.document.name, v.action) for v in stored] == [("N-2", "create"), ("N-1", "create")]


@batches
def test_the_writes_of_a_block_go_out_as_one_statement(users: dict[str, User]) -> None:
    teacher = users["teacher"]
    doc = insert_rows([draft(teacher, "N-1")])[0]
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), writes_together():
        doc.title = "投影仪"
        save_fields(doc, "title")
        version = insert_rows([Version(document=doc, actor=teacher, action="save")], defer=True)
        insert_rows([Comment(document=doc, actor=teacher, content="请尽快")], defer=True)
        assert statements(ctx) == []  # nothing sent yet
    sent = statements(ctx)
    assert len(sent) == 1 and sent[0].startswith("WITH")
    assert Document.objects.get(pk=doc.pk).title == "投影仪"
    assert Version.objects.get(pk=version[0].pk).action == "save"
    assert Comment.objects.get(document=doc).content == "请尽快"


@batches
def test_a_read_of_a_waiting_table_sees_the_writes_and_other_reads_do_not_wait(
    users: dict[str, User],
) -> None:
    teacher = users["teacher"]
    doc = insert_rows([draft(teacher, "N-1")])[0]
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), writes_together():
        doc.title = "新标题"
        save_fields(doc, "title")
        assert User.objects.filter(pk=teacher.pk).exists()  # another table: the UPDATE waits
        assert statements(ctx)[-1].startswith("SELECT")
        assert Document.objects.get(pk=doc.pk).title == "新标题"  # sent before this read
    sent = statements(ctx)
    assert [s.split()[0] for s in sent] == ["SELECT", "UPDATE", "SELECT"]


def test_the_same_row_updated_twice_keeps_the_last_value(users: dict[str, User]) -> None:
    doc = insert_rows([draft(users["teacher"], "N-1")])[0]
    with transaction.atomic(), writes_together():
        for title in ("一", "二", "三"):
            doc.title = title
            save_fields(doc, "title")
    assert Document.objects.get(pk=doc.pk).title == "三"


def test_an_update_that_finds_no_row_fails_and_stores_nothing(users: dict[str, User]) -> None:
    teacher = users["teacher"]
    gone = insert_rows([draft(teacher, "N-1")])[0]
    Document.objects.filter(pk=gone.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), writes_together():
        insert_rows([draft(teacher, "N-2")], defer=True)
        gone.title = "不存在"
        save_fields(gone, "title")
    assert not Document.objects.filter(name="N-2").exists()


def test_an_error_in_the_block_drops_what_waits(users: dict[str, User]) -> None:
    teacher = users["teacher"]
    with pytest.raises(ValueError), transaction.atomic(), writes_together():
        insert_rows([draft(teacher, "N-1")], defer=True)
        raise ValueError("审批人已停用")
    assert not Document.objects.filter(name="N-1").exists()


@batches
def test_a_taken_name_is_refused_when_the_batch_goes_out(users: dict[str, User]) -> None:
    """A unique constraint still holds: one statement per such table, checked as it is sent."""
    from django.db import IntegrityError

    teacher = users["teacher"]
    insert_rows([draft(teacher, "N-1")])
    with pytest.raises(IntegrityError), transaction.atomic(), writes_together():
        insert_rows([draft(teacher, "N-2")], defer=True)
        insert_rows([draft(teacher, "N-1")], defer=True)
    assert not Document.objects.filter(name="N-2").exists()
