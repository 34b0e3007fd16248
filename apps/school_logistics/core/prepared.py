"""Querysets compiled to SQL once per database, then run with new arguments.

On the hot paths (the signed-in user of every request, the task an approver acts on) Django
spends more CPU building and compiling a queryset than the database spends running it, and
it does both again on every call. A prepared query builds its queryset once with marker
values in place of the arguments, keeps the SQL and the compiler that knows how rows become
model instances, and each call only puts the arguments where the markers were.

    @prepared
    def task_by_id(task_id: int) -> QuerySet[ApprovalTask]:
        return ApprovalTask.objects.select_related("process").filter(pk=task_id)

    tasks = task_by_id(42)  # a list, as list(queryset) would give

The builder must use its arguments only as filter values (no slicing, `in` lists or branches
on them) and nothing else that changes between calls: a value read at build time is kept.
Prefetching is refused; `select_related`, annotations, `values()` and `select_for_update`
work as in the queryset. Each compiled query is checked against the markers it was built
with, so a builder that breaks these rules fails loudly instead of binding the wrong value.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import inspect
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Field, Model, QuerySet
from django.db.transaction import TransactionManagementError

from school_logistics.core.write_batch import Waiting, batch_for, mark_inserted

M = TypeVar("M", bound=Model)
R = TypeVar("R")  # what a row becomes: an instance, a tuple, a value

_KINDS = (int, str, dt.datetime)


def _marker(kind: type, position: int) -> Any:
    """A value of the argument's type that no real call passes."""
    if kind is int:
        # Inside every integer column's range (smallint too): Django turns an out-of-range
        # lookup into "no rows" without a parameter to bind.
        return 30_011 + position
    if kind is str:
        return f"\x1fprepared-{position}\x1f"
    return dt.datetime(1901, 2, 3, 4, 5, 6, 100 + position, tzinfo=dt.UTC)


def _adapt(kind: type, value: Any, connection: Any) -> Any:
    """The parameter Django would send for this argument (datetimes are adapted per backend)."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    # (index in params, position of the argument, the parameter type Django wrapped it in)
    slots: tuple[tuple[int, int, type | None], ...]
    locks: bool


class _BoundQuery:
    """The compiled query as the iterable classes see it: the real query, our compiler."""

    def __init__(self, query: Any, compiler: Any) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, *args: Any, **kwargs: Any) -> Any:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class _Run:
    """What an iterable class reads off its queryset, with the bound query in place."""

    def __init__(self, queryset: QuerySet[Any], query: _BoundQuery, db: str) -> None:
        self._queryset = queryset
        self.query = query
        self.db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queryset, name)


class PreparedQuery(Generic[R]):
    """`build`'s queryset, compiled once per database, for arguments of the types `kinds`."""

    def __init__(self, build: Callable[..., QuerySet[Any, R]], kinds: tuple[type, ...]) -> None:
        if any(kind not in _KINDS for kind in kinds):
            raise TypeError(f"{build.__qualname__}: arguments are int, str or datetime")
        self._kinds = kinds
        self._build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._converters: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, build)

    def __call__(self, *args: Any) -> list[R]:
        if len(args) != len(self._kinds):
            raise TypeError(f"{self._build.__qualname__} takes {len(self._kinds)} arguments")
        for kind, value in zip(self._kinds, args, strict=True):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"{self._build.__qualname__}: {value!r} is not {kind.__name__}")
        compiled = self._compiled_for(DEFAULT_DB_ALIAS)
        connection = connections[DEFAULT_DB_ALIAS]
        if (
            compiled.locks
            and connection.features.has_select_for_update
            and connection.get_autocommit()
        ):
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for index, position, wrap in compiled.slots:
            value = _adapt(self._kinds[position], args[position], connection)
            params[index] = value if wrap is None else wrap(value)
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection  # connections are per thread
        bound = (compiled.sql, tuple(params))
        compiler.as_sql = lambda *a, **kw: bound
        # The row converters (dates, decimals, JSON) are the same for every call on a connection.
        converters = self._converters.get(connection)
        if converters is None:
            columns = [s[0] for s in compiler.select[0 : compiler.col_count]]
            converters = self._converters[connection] = compiler.get_converters(columns)
        compiler.get_converters = lambda expressions: converters
        queryset = compiled.queryset
        run = _Run(queryset, _BoundQuery(queryset.query, compiler), DEFAULT_DB_ALIAS)
        # The iterable class reads only what `_Run` gives it (duck-typed as a queryset); the
        # stubs' BaseIterable declares no __iter__, its subclasses do.
        rows = queryset._iterable_class(cast(QuerySet[Any, Any], run))
        return list(rows)  # type: ignore[call-overload]

    def _compiled_for(self, alias: str) -> _Compiled:
        key = (alias, connections[alias].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(alias)
        return compiled

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        markers = [_marker(kind, i) for i, kind in enumerate(self._kinds)]
        queryset = self._build(*markers)
        name = self._build.__qualname__
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise TypeError(f"{name}: prefetch_related cannot be prepared")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapted = [
            _adapt(kind, m, connection) for kind, m in zip(self._kinds, markers, strict=True)
        ]
        slots = []
        for index, param in enumerate(params):
            for position, value in enumerate(adapted):
                if isinstance(param, type(value)) and param == value:
                    # psycopg's typed ints (Int4 for an integer column) are kept as typed.
                    wrap = type(param) if type(param) is not type(value) else None
                    slots.append((index, position, wrap))
        found = {position for _, position, _wrap in slots}
        for position, value in enumerate(adapted):
            if position not in found or str(value) in sql:
                raise TypeError(f"{name}: argument {position + 1} is not a plain filter value")
        return _Compiled(
            queryset=queryset,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            locks=queryset.query.select_for_update,
        )


def prepared(build: Callable[..., QuerySet[Any, R]]) -> PreparedQuery[R]:
    """Compile `build`'s queryset once per database; each call binds only its arguments.

    The arguments' types come from `build`'s annotations.
    """
    parameters = inspect.signature(build, eval_str=True).parameters.values()
    return PreparedQuery(build, tuple(p.annotation for p in parameters))


def _column_field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


@functools.lru_cache(maxsize=256)
def _update_statement(
    model: type[Model], names: tuple[str, ...], rows: int, alias: str
) -> tuple[str, tuple]:
    opts = model._meta
    fields = tuple(_column_field(model, name) for name in names)
    quote = connections[alias].ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    which = "= %s" if rows == 1 else f"IN ({', '.join(['%s'] * rows)})"
    # Only the model's own table and column names, quoted by the backend; values are parameters.
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} {which}"  # noqa: S608
    return sql, fields


def save_fields(obj: Model, *names: str) -> None:
    """`obj.save(update_fields=names)`, its UPDATE statement made once per model and fields.

    Like `save`, fields fill themselves in first (`auto_now`); values that are expressions
    (`F(...)`) take Django's own path. The models saved this way have no save signals.
    """
    save_together([obj], *names)


def save_together(objs: Sequence[Model], *names: str) -> None:
    """`save_fields` for rows of one model whose `names` hold the same values: one UPDATE.

    The values are the first row's (e.g. the open tasks of a step, all closed at once).
    Inside `writes_together` the UPDATE waits to go out with the action's other writes.
    """
    if not objs:
        return
    first = objs[0]
    alias = first._state.db or DEFAULT_DB_ALIAS
    connection = connections[alias]
    batch = batch_for(connection)
    if batch is not None and batch.points_to_waiting(objs):
        batch.send()  # their INSERT first, for their ids
    sql, fields = _update_statement(type(first), names, len(objs), alias)
    params = []
    for field in fields:
        value = field.pre_save(first, False)
        if hasattr(value, "resolve_expression"):
            for obj in objs:
                obj.save(update_fields=names)
            return
        for obj in objs[1:]:
            setattr(obj, field.attname, value)  # as stored, e.g. an `auto_now` time
        params.append(field.get_db_prep_save(value, connection))
    params.extend(first._meta.pk.get_db_prep_value(obj.pk, connection) for obj in objs)
    if batch is not None:
        batch.update(sql, params, objs)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(objs):
            raise DatabaseError("Save with update_fields did not affect any rows.")


# SQLite allows 32,766 parameters per statement (999 before 3.32); larger batches go to Django.
_MAX_PARAMS = 900


@functools.lru_cache(maxsize=256)
def _insert_statement(model: type[Model], rows: int, alias: str) -> tuple[str, tuple]:
    opts = model._meta
    fields = tuple(f for f in opts.concrete_fields if f is not opts.auto_field)
    quote = connections[alias].ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(f.column) for f in fields)
    # Only the model's own table and column names, quoted by the backend; values are parameters.
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608
        f"{', '.join([row] * rows)} RETURNING {quote(opts.pk.column)}"
    )
    return sql, fields


def insert_rows(objs: Iterable[M], *, defer: bool = False) -> list[M]:
    """`bulk_create(objs)` for new rows of one model, its INSERT made once per row count.

    Fields fill themselves in as on a save (`auto_now_add`); the ids come back with RETURNING
    (SQLite ≥ 3.35, PostgreSQL). The models inserted this way have no save signals.
    `defer`: the caller does not need the ids now, so inside `writes_together` the INSERT
    waits to go out with the action's other writes (the ids are set when it does).
    """
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = DEFAULT_DB_ALIAS
    connection = connections[alias]
    by_django = len(objs) * len(model._meta.concrete_fields) > _MAX_PARAMS
    by_django = by_django or not model._meta.auto_field
    batch = batch_for(connection)
    if batch is not None and (by_django or not defer) and batch.points_to_waiting(objs):
        batch.send()  # the rows they point to first, for their ids
    if by_django:
        return model._default_manager.bulk_create(objs)

    def statement() -> tuple[str, list]:
        sql, fields = _insert_statement(model, len(objs), alias)
        params = []
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="insert_rows")  # type: ignore[attr-defined]
            for field in fields:
                value = field.pre_save(obj, True)
                # A link to a row waiting in the batch is filled in there.
                waiting = isinstance(value, Waiting)
                params.append(value if waiting else field.get_db_prep_save(value, connection))
        return sql, params

    if batch is not None and defer:
        batch.insert(objs, statement)
        return objs
    sql, params = statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    mark_inserted(objs, [pk for (pk,) in ids], alias)
    return objs
