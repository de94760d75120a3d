"""The ORM's statements, compiled once per connection instead of on every call.

On the desk's and the kiosks' hottest paths, building a statement through the ORM (cloning
the queryset for each filter, resolving lookups, compiling the SELECT list and its converters,
composing an INSERT or UPDATE inside `Model.save()`) costs several times what the database
spends answering it: ~0.7 ms of CPU for a row lock read with two joins against ~0.2 ms for
the statement. The statements themselves never change between calls, only the values. So:

- `CompiledQuery(build, **placeholders)`: `build(**values)` returns the queryset as written
  anywhere else (select_related, defer, select_for_update and all). The first call on a
  connection builds it once with stand-in values, lets Django compile it, and keeps the SQL,
  where each value goes, the converters and the row-to-model mapping. Later calls send that
  SQL with the new values and build the same model instances Django would (`from_db`, the
  select_related objects, annotations). If the stand-ins cannot be found again in the
  compiled parameters (a value Django transforms, a list whose length changes the SQL), the
  query is simply run through the ORM every time: never wrong, only not faster.
- `insert(obj)` and `update(obj, fields)`: what `obj.save()` and `obj.save(update_fields=…)`
  do for a model without parents: `pre_save` of each field (`auto_now`), the same conversion
  of values, `pre_save`/`post_save` signals, the primary key and `_state` set, "did not
  affect any rows" raised as Django does. Any field with its own placeholder or a value that
  is an expression falls back to `save()`.

Plans live on the connection object (one per thread), so nothing is shared between threads.
Django's query logging and `assertNumQueries` see these statements like any other.

On PostgreSQL with `prepare_threshold` set (config/settings/base.py; the default there), these
statements go through a cursor that binds values on the server, so PostgreSQL prepares each
one after a few runs and stops parsing and planning it; constant strings in them (the loan
states of `state IN (…)`) are written into the SQL so that the prepared plan can still use the
partial indexes those constants select. The rest of Django keeps client-side binding.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError

_PLANS = "_pustaka_compiled"
_counter = itertools.count(1)


def _prepares(connection) -> bool:
    """True when PostgreSQL keeps prepared statements for this connection."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


def cursor(connection):
    """A cursor for a statement sent again and again: one that binds on the server where
    PostgreSQL prepares statements (`_prepares`), else Django's own. Wrapped as Django wraps
    every cursor (query logging, execute wrappers, database errors)."""
    if (
        not _prepares(connection)
        or connection.settings_dict["OPTIONS"].get("server_side_binding")
        or connection.queries_logged  # DEBUG, assertNumQueries: Django logs the SQL it binds
    ):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def execute(sql: str, params: list, using: str = "default") -> list[tuple]:
    """Run a hand-written statement (circulation/sql.py) through `cursor()`; its rows."""
    with cursor(connections[using]) as c:
        c.execute(sql, params)
        return c.fetchall()


_PLACEHOLDER = re.compile(r"%%|%s")


def _inline_constants(connection, sql: str, params: list, slots: list) -> tuple[str, list, list]:
    """Write the constant strings and booleans among `params` into `sql` as literals; the
    values of `slots` (and anything else) stay parameters. Returns the new sql, params, slots."""
    from psycopg import sql as pg

    by_position = {position: (name, adapt) for position, name, adapt in slots}
    parts, kept, new_slots = [], [], []
    index = last = 0
    for match in _PLACEHOLDER.finditer(sql):
        if match.group() == "%%":
            continue
        parts.append(sql[last : match.start()])
        last = match.end()
        value = params[index]
        if index not in by_position and isinstance(value, str | bool):
            parts.append(pg.Literal(value).as_string(connection.connection).replace("%", "%%"))
        else:
            if index in by_position:
                new_slots.append((len(kept), *by_position[index]))
            kept.append(value)
            parts.append("%s")
        index += 1
    parts.append(sql[last:])
    return "".join(parts), kept, new_slots


def _plans(connection) -> dict:
    plans = getattr(connection, _PLANS, None)
    if plans is None:
        plans = {}
        setattr(connection, _PLANS, plans)
    return plans


# ---------------------------------------------------------------------------------------------
# Reads


def _stand_in(kind: type, n: int):
    """A value of `kind` no real call will pass, recognisable in the compiled parameters."""
    if kind is int:
        return -(7_315_000_000_000 + n)
    if kind is str:
        return f"\x1fpustaka-compiled-{n}\x1f"
    if kind is dt.datetime:
        return dt.datetime(1901, 1, 1, 0, 0, n % 60, n, tzinfo=dt.UTC)
    if kind is dt.date:
        return dt.date(1901, 1, 1) + dt.timedelta(days=n)
    raise TypeError(f"CompiledQuery placeholders take int, str, date or datetime, not {kind}")


@dataclass
class _Plan:
    sql: str
    params: list
    slots: list[tuple[int, str, Callable[[Any], Any] | None]]  # position, name, adapt
    for_update: bool
    converters: list
    model: type[Model]
    fields_start: int
    fields_end: int
    init_list: list[str]
    populators: list
    annotations: dict[str, int]


class CompiledQuery:
    """A read whose SQL is compiled once per connection. `placeholders` name the values
    `build` takes and their types (int, str, date, datetime); `build` may only use them as
    filter values (not to choose filters), so every call compiles to the same statement."""

    def __init__(self, build: Callable[..., QuerySet], **placeholders: type) -> None:
        self._build = build
        self._placeholders = placeholders
        self._key = next(_counter)

    def all(self, using: str | None = None, **values) -> list[Model]:
        model = None
        if using is None:
            model = self._model()
            using = router.db_for_read(model)
        connection = connections[using]
        plans = _plans(connection)
        if self._key not in plans:
            plans[self._key] = self._compile(connection, using)
        plan = plans[self._key]
        if plan is None:
            return list(self._build(**values).using(using))
        return self._run(plan, connection, using, values)

    def first(self, using: str | None = None, **values) -> Model | None:
        rows = self.all(using, **values)
        return rows[0] if rows else None

    def get(self, using: str | None = None, **values) -> Model:
        rows = self.all(using, **values)
        if not rows:
            model = self._model()
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        if len(rows) > 1:
            model = self._model()
            raise model.MultipleObjectsReturned(
                f"get() returned more than one {model._meta.object_name}"
            )
        return rows[0]

    def _model(self) -> type[Model]:
        model = getattr(self, "_model_cls", None)
        if model is None:
            stand_ins = {
                name: _stand_in(kind, n)
                for n, (name, kind) in enumerate(self._placeholders.items(), 1)
            }
            model = self._model_cls = self._build(**stand_ins).model
        return model

    def _compile(self, connection, using: str) -> _Plan | None:
        stand_ins = {
            name: _stand_in(kind, n) for n, (name, kind) in enumerate(self._placeholders.items(), 1)
        }
        queryset = self._build(**stand_ins).using(using)
        if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:
            return None
        compiler = queryset.query.get_compiler(using=using)
        for_update = queryset.query.select_for_update
        sql, params = compiler.as_sql()  # refuses FOR UPDATE outside a transaction, as always
        params = list(params)
        adapted = {}
        for name, value in stand_ins.items():
            if isinstance(value, dt.datetime):
                adapted[name] = connection.ops.adapt_datetimefield_value
            elif isinstance(value, dt.date):
                adapted[name] = connection.ops.adapt_datefield_value
        slots = []
        for position, param in enumerate(params):
            for name, value in stand_ins.items():
                if type(param) is type(value) and param == value:
                    slots.append((position, name, None))
                elif name in adapted and param == adapted[name](value):
                    slots.append((position, name, adapted[name]))
        if {name for _, name, _ in slots} != set(stand_ins) or any(
            isinstance(p, str) and "pustaka-compiled" in p
            for i, p in enumerate(params)
            if i not in {s[0] for s in slots}
        ):
            return None  # a value Django transformed: run it through the ORM instead
        if _prepares(connection):
            connection.ensure_connection()
            sql, params, slots = _inline_constants(connection, sql, params, slots)
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            return None
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql=sql,
            params=params,
            slots=slots,
            for_update=bool(for_update),
            converters=list(compiler.get_converters(fields).items()),
            model=klass_info["model"],
            fields_start=start,
            fields_end=end,
            init_list=[f[0].target.attname for f in select[start:end]],
            populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    @staticmethod
    def _run(plan: _Plan, connection, using: str, values: dict) -> list[Model]:
        if plan.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(plan.params)
        for position, name, adapt in plan.slots:
            value = values[name]
            params[position] = adapt(value) if adapt is not None else value
        with cursor(connection) as c:
            c.execute(plan.sql, params)
            rows = c.fetchall()
        objects = []
        for row in rows:
            if plan.converters:
                row = list(row)
                for position, (functions, expression) in plan.converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            obj = plan.model.from_db(
                using, plan.init_list, row[plan.fields_start : plan.fields_end]
            )
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


# ---------------------------------------------------------------------------------------------
# Writes


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _plain_fields(fields) -> bool:
    return not any(hasattr(f, "get_placeholder") for f in fields)


def insert(obj: Model, using: str | None = None, *, unless_exists: bool = False) -> Model | None:
    """`obj.save()` for a new row of a model without parents, its statement compiled once.

    `unless_exists`: a row that would break a unique constraint is not written and None is
    returned (`INSERT … ON CONFLICT DO NOTHING`), where a save would raise IntegrityError;
    no savepoint is needed around it, and any other error still raises."""
    cls = type(obj)
    meta = cls._meta
    using = using or router.db_for_write(cls, instance=obj)
    connection = connections[using]
    auto = meta.auto_field is not None and meta.pk is meta.auto_field
    if not auto and obj.pk is None:
        setattr(obj, meta.pk.attname, meta.pk.get_pk_value_on_save(obj))  # a UUID default
    if (
        meta.parents
        or meta.proxy
        or not obj._state.adding
        or (obj.pk is not None if auto else not meta.pk.has_default() or obj.pk is None)
    ):
        return _save(obj, using, unless_exists)  # Django decides between UPDATE and INSERT
    obj._prepare_related_fields_for_save(operation_name="save")
    plans = _plans(connection)
    key = ("insert", cls, unless_exists)
    if unless_exists and not (
        meta.db_returning_fields and connection.features.can_return_columns_from_insert
    ):
        plans[key] = None  # a conflict is known only by the row not coming back
    if key not in plans:
        fields = [
            f
            for f in meta.local_concrete_fields
            if not f.generated and not (auto and f is meta.auto_field)
        ]
        returning = list(meta.db_returning_fields)
        if not _plain_fields(fields):
            plans[key] = None
        else:
            columns = ", ".join(_quote(connection, f.column) for f in fields)
            sql = (
                f"INSERT INTO {_quote(connection, meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(fields))})"
            )
            if unless_exists:
                sql += " ON CONFLICT DO NOTHING"
            if returning:
                sql += " RETURNING " + ", ".join(_quote(connection, f.column) for f in returning)
            cols = [f.get_col(meta.db_table) for f in returning]
            converters = [
                (col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)])
                for col in cols
            ]
            plans[key] = (sql, fields, returning, converters)
    plan = plans[key]
    if plan is None:
        return _save(obj, using, unless_exists)
    sql, fields, returning, converters = plan
    pre_save.send(sender=cls, instance=obj, raw=False, using=using, update_fields=None)
    values = [f.pre_save(obj, True) for f in fields]
    if any(hasattr(v, "resolve_expression") for v in values):
        return _save(obj, using, unless_exists)  # a database default or expression
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    with cursor(connection) as c:
        c.execute(sql, params)
        row = c.fetchone() if returning else ()
    if row is None:  # unless_exists, and it did
        return None
    for value, field, (col, functions) in zip(row, returning, converters, strict=True):
        for function in functions:
            value = function(value, col, connection)
        setattr(obj, field.attname, value)
    obj._state.db = using
    obj._state.adding = False
    post_save.send(
        sender=cls, instance=obj, created=True, update_fields=None, raw=False, using=using
    )
    return obj


def _save(obj: Model, using: str, unless_exists: bool) -> Model | None:
    if not unless_exists:
        obj.save(using=using)
        return obj
    try:
        with transaction.atomic(using=using):
            obj.save(using=using)
    except IntegrityError:
        return None
    return obj


def update(obj: Model, fields: list[str] | tuple[str, ...], using: str | None = None) -> None:
    """`obj.save(update_fields=fields)` for a model without parents, compiled once."""
    cls = type(obj)
    meta = cls._meta
    using = using or obj._state.db or router.db_for_write(cls, instance=obj)
    connection = connections[using]
    names = frozenset(fields)
    if meta.parents or meta.proxy or obj.pk is None:
        obj.save(using=using, update_fields=names)
        return
    plans = _plans(connection)
    key = ("update", cls, names)
    if key not in plans:
        chosen = [
            f
            for f in meta.local_concrete_fields
            if not f.primary_key and not f.generated and (f.name in names or f.attname in names)
        ]
        if len(chosen) != len(names) or not _plain_fields(chosen):
            plans[key] = None
        else:
            sets = ", ".join(f"{_quote(connection, f.column)} = %s" for f in chosen)
            sql = (
                f"UPDATE {_quote(connection, meta.db_table)} SET {sets} "  # noqa: S608
                f"WHERE {_quote(connection, meta.pk.column)} = %s"
            )
            plans[key] = (sql, chosen)
    plan = plans[key]
    if plan is None:
        obj.save(using=using, update_fields=names)
        return
    sql, chosen = plan
    obj._prepare_related_fields_for_save(operation_name="save", fields=chosen)
    pre_save.send(sender=cls, instance=obj, raw=False, using=using, update_fields=names)
    values = [f.pre_save(obj, False) for f in chosen]
    if any(hasattr(v, "resolve_expression") for v in values):
        obj.save(using=using, update_fields=names)
        return
    params = [f.get_db_prep_save(v, connection) for f, v in zip(chosen, values, strict=True)]
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    with cursor(connection) as c:
        c.execute(sql, params)
        if c.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.db = using
    obj._state.adding = False
    post_save.send(
        sender=cls, instance=obj, created=False, update_fields=names, raw=False, using=using
    )
