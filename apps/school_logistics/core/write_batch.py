"""An action's INSERTs and UPDATEs sent to PostgreSQL as one statement.

An approval decision writes six rows or so (the task, its trail line, the process, the
document, the next step's tasks, their notices), each its own round trip. Inside
`writes_together()`, the writes made by `prepared.save_fields`/`save_together` and by
`prepared.insert_rows(..., defer=True)` wait, and go out together as one data-modifying
`WITH` when anything else is sent, or when the block ends:

    with transaction.atomic(), writes_together():
        ...

Order is kept as if each write had been sent at once: anything that could see or depend on
a waiting write makes the batch go first. That is every statement but a plain SELECT, and a
SELECT that names a table with a waiting write or locks rows. A batch holds at most one write
per row, and at most one statement per table that has unique constraints, because the parts
of one statement share a snapshot and run in no set order. Rows inserted with `defer=True`
get their ids when the batch is sent (`send_now()` sends it).

On other databases (SQLite has no data-modifying WITH) every write is sent at once.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import ForeignObject, Model, UniqueConstraint

_active: weakref.WeakKeyDictionary[Any, _Batch] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Waiting:
    """The id of a row whose INSERT waits in the batch: the write's and the row's numbers.

    Rows that point to it are inserted in the same statement, the id read from that write.
    Used anywhere else, the value cannot be sent (psycopg refuses it): a loud error.
    """

    write: int
    row: int


@dataclass
class _Write:
    sql: str
    params: Sequence[Any]
    table: str
    inserted: Sequence[Model] = ()  # an INSERT ... RETURNING pk
    updated: int = 0  # an UPDATE: the rows it must find
    # (row, foreign key attribute, the waiting row it points to): set once that has its id
    links: list[tuple[Model, str, Model]] = field(default_factory=list)


@functools.cache
def _has_unique(model: type[Model]) -> bool:
    opts = model._meta
    return (
        bool(opts.unique_together)
        or any(f.unique and not f.primary_key for f in opts.local_concrete_fields)
        or any(isinstance(c, UniqueConstraint) for c in opts.constraints)
    )


class _Batch:
    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.writes: list[_Write] = []
        self.tables: set[str] = set()
        self.rows: set[tuple[str, Any]] = set()  # (table, pk) updated
        self.sending = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.writes and not self.sending and self._must_go_first(sql):
            self.send()
        return execute(sql, params, many, context)

    def _must_go_first(self, sql: str) -> bool:
        head = sql.lstrip()[:6].upper()
        if head != "SELECT" or " FOR UPDATE" in sql or " FOR NO KEY UPDATE" in sql:
            return True
        return any(table in sql for table in self.tables)

    def _room_for(self, model: type[Model], table: str, pks: Sequence[Any] = ()) -> None:
        """Send what waits first when this write could not share a statement with it."""
        if (table in self.tables and _has_unique(model)) or any(
            (table, pk) in self.rows for pk in pks
        ):
            self.send()

    def insert(self, objs: Sequence[Model], statement: Callable[[], tuple[str, list]]) -> None:
        """Queue the INSERT of `objs` that `statement()` makes (once there is room for it)."""
        model = type(objs[0])
        table = model._meta.db_table
        self._room_for(model, table)
        sql, params = statement()
        links = [
            (obj, f.attname, target)
            for obj in objs
            for f in model._meta.concrete_fields
            if isinstance(f, ForeignObject)
            and isinstance(getattr(obj, f.attname), Waiting)
            and (target := f.get_cached_value(obj)) is not None
        ]
        number = len(self.writes)
        self.writes.append(_Write(sql, params, table, inserted=objs, links=links))
        self.tables.add(table)
        for row, obj in enumerate(objs):
            obj.pk = Waiting(number, row)

    def update(self, sql: str, params: Sequence[Any], objs: Sequence[Model]) -> None:
        model = type(objs[0])
        table = model._meta.db_table
        self._room_for(model, table, [obj.pk for obj in objs])
        self.writes.append(_Write(sql, params, table, updated=len(objs)))
        self.tables.add(table)
        self.rows.update((table, obj.pk) for obj in objs)

    def points_to_waiting(self, objs: Sequence[Model]) -> bool:
        """Whether any of these rows is, or links to, a row whose INSERT waits here."""
        if not any(write.inserted for write in self.writes):
            return False
        if any(isinstance(obj.pk, Waiting) for obj in objs):
            return True
        links = [f for f in objs[0]._meta.concrete_fields if isinstance(f, ForeignObject)]
        return any(
            f.is_cached(obj) and isinstance(getattr(f.get_cached_value(obj), "pk", None), Waiting)
            for obj in objs
            for f in links
        )

    def send(self) -> None:
        writes = self.writes
        self.writes, self.tables, self.rows = [], set(), set()
        if not writes:
            return
        sql, params = _one_statement(writes, self.connection.ops.quote_name)
        self.sending = True
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
                if len(writes) == 1:
                    outcome = [
                        [pk for (pk,) in cursor.fetchall()]
                        if writes[0].inserted
                        else cursor.rowcount
                    ]
                else:
                    outcome = list(cursor.fetchone())
        finally:
            self.sending = False
        for write, result in zip(writes, outcome, strict=True):
            if write.inserted:
                mark_inserted(write.inserted, result or [], self.connection.alias)
                for obj, attname, target in write.links:
                    setattr(obj, attname, target.pk)
            elif result != write.updated:
                raise DatabaseError("Save with update_fields did not affect any rows.")


def _one_statement(writes: list[_Write], quote: Any) -> tuple[str, list[Any]]:
    """The writes as one statement: a WITH part each, answering the ids or rows each touched."""
    if len(writes) == 1:
        return writes[0].sql, list(writes[0].params)
    # Every part is a statement `prepared` made from model metadata; values stay parameters.
    # One multi-row INSERT takes its ids from the sequence in row order.
    pks = [quote(w.inserted[0]._meta.pk.column) if w.inserted else "" for w in writes]
    parts, results, params = [], [], []
    for i, write in enumerate(writes):
        sql = write.sql
        if any(isinstance(value, Waiting) for value in write.params):
            # A link to a row inserted above: its id read from that part.
            pieces = sql.split("%s")
            sql = pieces[0]
            for value, piece in zip(write.params, pieces[1:], strict=True):
                if isinstance(value, Waiting):
                    pk = pks[value.write]
                    sql += f"(SELECT {pk} FROM w{value.write} ORDER BY {pk} OFFSET {value.row} LIMIT 1)"  # noqa: S608, E501
                else:
                    sql += "%s"
                    params.append(value)
                sql += piece
        else:
            params.extend(write.params)
        if write.inserted:
            parts.append(f"w{i} AS ({sql})")
            results.append(f"(SELECT array_agg({pks[i]} ORDER BY {pks[i]}) FROM w{i})")  # noqa: S608
        else:
            parts.append(f"w{i} AS ({sql} RETURNING 1)")
            results.append(f"(SELECT count(*) FROM w{i})")  # noqa: S608
    return f"WITH {', '.join(parts)} SELECT {', '.join(results)}", params


def mark_inserted(objs: Sequence[Model], ids: Sequence[Any], alias: str) -> None:
    """Give inserted rows their ids and mark them stored, as a save would."""
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def batch_for(connection: Any) -> _Batch | None:
    """The batch collecting writes on this connection, if a `writes_together` block is open."""
    return _active.get(connection)


@contextlib.contextmanager
def writes_together(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Collect the block's batchable writes and send them as one statement (PostgreSQL).

    Use it inside the transaction (`with transaction.atomic(), writes_together():`): when the
    block raises, what still waits is dropped with the rolled-back transaction.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection in _active:
        yield
        return
    batch = _active[connection] = _Batch(connection)
    try:
        with connection.execute_wrapper(batch):
            yield
            batch.send()
    finally:
        del _active[connection]


def send_now(using: str = DEFAULT_DB_ALIAS) -> None:
    """Send the writes waiting on this connection (so deferred rows have their ids)."""
    batch = _active.get(connections[using])
    if batch is not None:
        batch.send()
