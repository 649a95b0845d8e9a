"""Reads on the busiest pages whose SQL the ORM builds once per process, not on every request.

Django turns a queryset into SQL each time it is evaluated. For a wide table that takes about
0.2 ms of Python, several times what PostgreSQL needs to answer it, and the chart and the
session timeline each read six tables by one key. A `CompiledRead` lets the ORM compile the
queryset once per database, with a marker in place of the key, then runs that SQL with each
key and builds the model instances the way Django's own iterator does (`Model.from_db`, the
backend's converters). Only plain single-key reads qualify: no related rows, annotations,
deferred fields or `values()`; anything else is refused when first compiled.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# A key no record has. The ORM prepares it like any key, and where it lands in the compiled
# parameters (as a UUID on PostgreSQL, as hex text on SQLite) is where each real key goes.
MARK = uuid.UUID("c0ffee00-7e57-4a11-9e5e-000000000001")
_SPELLINGS: dict[Any, Callable[[uuid.UUID], Any]] = {
    MARK: lambda key: key,
    MARK.hex: lambda key: key.hex,
    str(MARK): str,
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slot: int  # the parameter that holds the key
    spell: Callable[[uuid.UUID], Any]  # the key as the backend takes it
    attnames: list[str]
    converters: list[tuple[int, Sequence[Callable[..., Any]], Any]]  # column, functions, expr


class CompiledRead(Generic[M]):
    """All rows of one queryset shape for a key, e.g.
    `CompiledRead(lambda key: Allergy.objects.filter(patient_id=key))`."""

    def __init__(self, build: Callable[[uuid.UUID], QuerySet[M]]) -> None:
        self.build = build
        self.model: type[M] | None = None  # known from the first call
        self._by_alias: dict[str, _Compiled] = {}

    def __call__(self, key: uuid.UUID | Model) -> list[M]:
        model = self.model or self.build(MARK).model
        alias = router.db_for_read(model)
        compiled = self._by_alias.get(alias) or self._compile(alias)
        value = key.pk if isinstance(key, Model) else key
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        params = list(compiled.params)
        params[compiled.slot] = compiled.spell(value)
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
            found.append(model.from_db(alias, compiled.attnames, values))
        return found

    def _compile(self, alias: str) -> _Compiled:
        probe = self.build(MARK).using(alias)
        query = probe.query
        if (
            probe._fields is not None  # type: ignore[attr-defined]
            or probe._prefetch_related_lookups  # type: ignore[attr-defined]
            or query.select_related
            or query.annotation_select
            or query.deferred_loading != (frozenset(), True)
        ):
            raise ImproperlyConfigured(
                f"{probe.model.__name__}: a compiled read takes whole rows of one table only"
            )
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = [
            i for i, p in enumerate(params) if isinstance(p, (str, uuid.UUID)) and p in _SPELLINGS
        ]
        if len(slots) != 1:
            raise ImproperlyConfigured(
                f"{probe.model.__name__}: a compiled read needs its key exactly once, found "
                f"{len(slots)} times"
            )
        select = [column for column, _sql, _alias in compiler.select]
        converters = compiler.get_converters(select)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            spell=_SPELLINGS[params[slots[0]]],
            attnames=[column.target.attname for column in select],
            converters=[(i, functions, expr) for i, (functions, expr) in converters.items()],
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
