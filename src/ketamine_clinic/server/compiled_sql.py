"""SQL for the busiest requests, built by the ORM once per process instead of on every request.

Django turns a queryset into SQL each time it is evaluated. For a wide table that takes
0.1-0.3 ms of Python, several times what PostgreSQL needs to answer; the chart makes seven
such reads by one key, the session timeline nine.

- A `CompiledRead` lets the ORM compile a queryset once per database, with a marker in place
  of the key, then runs that SQL with each key and builds the model instances the way
  Django's own iterator does (`Model.from_db`, the backend's converters, `select_related`'s
  populators). Only whole rows by a single key qualify: no annotations, deferred fields,
  `values()` or prefetching; anything else is refused when first compiled.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model, QuerySet

# How Django's own iterator fills in select_related's models from a row (not in the stubs).
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)
Key = uuid.UUID | str

# Keys no record has. The ORM prepares a mark like any key, and where it lands in the compiled
# parameters (a UUID on PostgreSQL, hex text on SQLite) is where each real key goes, spelled
# the same way.
MARK = uuid.UUID("c0ffee00-7e57-4a11-9e5e-000000000001")
TEXT_MARK = "kc-compiled-read-key-7e57a11"
Spellings = dict[Any, Callable[[Any], Any]]
_UUID_SPELLINGS: Spellings = {MARK: lambda key: key, MARK.hex: lambda key: key.hex, str(MARK): str}
_TEXT_SPELLINGS: Spellings = {TEXT_MARK: lambda key: key}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slot: int  # the parameter that holds the key
    spell: Callable[[Any], Any]  # the key as the backend takes it
    fields: slice  # the model's own columns in a row
    attnames: list[str]
    converters: list[tuple[int, Sequence[Callable[..., Any]], Any]]  # column, functions, expr
    related: list[Any]  # select_related's populators: their models, built from the same row


class CompiledRead(Generic[M]):
    """All rows of one queryset shape for a key, e.g.
    `CompiledRead(lambda key: Allergy.objects.filter(patient_id=key))`. Keys are UUIDs unless
    `text=True`."""

    def __init__(self, build: Callable[[Any], QuerySet[M]], *, text: bool = False) -> None:
        self.build, self.text = build, text
        self.mark: Key = TEXT_MARK if text else MARK
        self.spellings = _TEXT_SPELLINGS if text else _UUID_SPELLINGS
        self.model: type[M] | None = None  # known from the first call
        self._by_alias: dict[str, _Compiled] = {}

    def __call__(self, key: Key | Model) -> list[M]:
        model = self.model or self.build(self.mark).model
        alias = router.db_for_read(model)
        compiled = self._by_alias.get(alias) or self._compile(alias)
        params = list(compiled.params)
        params[compiled.slot] = compiled.spell(self._value(key))
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            values = list(row)
            for column, functions, expression in compiled.converters:
                for convert in functions:
                    values[column] = convert(values[column], expression, connection)
            obj = model.from_db(alias, compiled.attnames, values[compiled.fields])
            for populator in compiled.related:
                populator.populate(values, obj)
            found.append(obj)
        return found

    def first(self, key: Key | Model) -> M | None:
        """The one row a unique key names, or None."""
        rows = self(key)
        return rows[0] if rows else None

    def _value(self, key: Key | Model) -> Key:
        value = key.pk if isinstance(key, Model) else key
        if self.text:
            if not isinstance(value, str):
                raise TypeError(f"a text key, not {type(value).__name__}")
            return value
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def _compile(self, alias: str) -> _Compiled:
        probe = self.build(self.mark).using(alias)
        query = probe.query
        if (
            probe._fields is not None  # type: ignore[attr-defined]
            or probe._prefetch_related_lookups  # type: ignore[attr-defined]
            or probe._known_related_objects  # type: ignore[attr-defined]
            or query.annotation_select
            or query.extra_select
            or query.deferred_loading != (frozenset(), True)
        ):
            raise ImproperlyConfigured(
                f"{probe.model.__name__}: a compiled read takes whole rows, nothing added"
            )
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if isinstance(p, Key) and p in self.spellings]
        if len(slots) != 1:
            raise ImproperlyConfigured(
                f"{probe.model.__name__}: a compiled read needs its key exactly once, found "
                f"{len(slots)} times"
            )
        select, info = compiler.select, compiler.klass_info
        own = info["select_fields"]
        columns = [expression for expression, _sql, _alias in select]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            spell=self.spellings[params[slots[0]]],
            fields=slice(own[0], own[-1] + 1),
            attnames=[column.target.attname for column in columns[own[0] : own[-1] + 1]],
            converters=[
                (i, functions, expr)
                for i, (functions, expr) in compiler.get_converters(columns).items()
            ],
            related=get_related_populators(info, select, alias),
        )
        self.model = probe.model
        self._by_alias[alias] = compiled
        return compiled


def rows_by(model: type[M], field: str, *, ordered: bool = True) -> CompiledRead[M]:
    """All rows of `model` whose `field` holds the key: in the model's ordering, or (where the
    caller sorts them itself) in none."""

    def build(key: uuid.UUID) -> QuerySet[M]:
        rows = model._default_manager.filter(**{field: key})
        return rows if ordered else rows.order_by()

    return CompiledRead(build)
