"""Database-level guards: tables that can only grow.

The access log and the history tables are evidence; the application never changes or removes
their rows, and these triggers make the database refuse it too, whoever asks. On SQLite only
UPDATE is refused, because Django's test isolation empties tables with DELETE there; on
PostgreSQL (which empties them with TRUNCATE) UPDATE and DELETE are both refused.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _create(tables: list[str]) -> Any:
    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(
                    "CREATE OR REPLACE FUNCTION kc_refuse_change() RETURNS trigger AS $$ "
                    "BEGIN RAISE EXCEPTION 'append-only table: %% refused on %%', TG_OP, "
                    "TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
                )
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION kc_refuse_change()"
                )
            elif vendor == "sqlite":
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE ON "{table}" '
                    "BEGIN SELECT RAISE(ABORT, 'append-only table'); END"
                )

    return forward


def _drop(tables: list[str]) -> Any:
    def backward(apps: Any, schema_editor: Any) -> None:
        for table in tables:
            suffix = f' ON "{table}"' if schema_editor.connection.vendor == "postgresql" else ""
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only"{suffix}')

    return backward


def append_only(*tables: str) -> migrations.RunPython:
    return migrations.RunPython(_create(list(tables)), _drop(list(tables)))
