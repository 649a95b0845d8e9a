"""Script in every free-text field, then every screen each role can reach: the script must
come out escaped everywhere. The demo clinic gives every kind of record; each free-text
column of each of its rows gets the payload appended; then a crawler follows every link,
htmx request and image from the start page, as each persona, and reads every page."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import resolve

from ketamine_clinic.accounts.models import AppendOnlyError
from ketamine_clinic.demo.clinic import seed
from tests.security.crawler import crawl, logged_in

pytestmark = pytest.mark.once  # long: one database only (Makefile)

PAYLOAD = '"><script>kcx()</script>'
RAW = "<script>kcx()"
ESCAPED = "&lt;script&gt;kcx()"
OURS = {"accounts", "patients", "assessments", "evaluations", "treatment", "treatment_sessions",
        "inventory", "interop"}  # fmt: skip
# Identifiers and codes the software itself checks or looks up, not text people type.
NOT_FREE_TEXT = re.compile(r"(_id|key|code|ndc|dea_number|username|password|email|hash|token|"
                           r"version|npi|tax_id|url|path|filename)$")  # fmt: skip


def free_text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
        and (f.max_length is None or f.max_length >= 32) and not f.primary_key
        and not NOT_FREE_TEXT.search(f.name)
    ]  # fmt: skip


def poison() -> list[str]:
    """Append the payload to every free-text column of every row; returns the model.field
    names changed. A table the database keeps append-only (chair entries, the ledger) gets a
    poisoned copy of one of its rows instead, as if it had been entered so."""
    changed = []
    for model in apps.get_models():
        if model._meta.app_label not in OURS or model.__name__.startswith("Historical"):
            continue
        fields = free_text_fields(model)
        if not fields:
            continue
        try:
            with transaction.atomic():
                for name in fields:
                    model._default_manager.update(**{name: _appended(model, name)})
        except (DatabaseError, AppendOnlyError):
            if not _poisoned_copy(model, fields):
                continue
        if model._default_manager.exists():
            changed += [f"{model.__name__}.{name}" for name in fields]
    return changed


def _room(model: type[models.Model], name: str) -> int | None:
    """How much of the old value fits beside the payload (PostgreSQL enforces lengths)."""
    length = model._meta.get_field(name).max_length
    return None if length is None else length - len(PAYLOAD)


def _appended(model: type[models.Model], name: str) -> Concat:
    keep = _room(model, name)
    old = F(name) if keep is None else Substr(F(name), 1, keep)
    return Concat(old, Value(PAYLOAD))


def _poisoned_copy(model: type[models.Model], fields: list[str]) -> bool:
    for row in model._default_manager.all()[:5]:
        row.pk = None
        if hasattr(row, "id"):
            row.id = uuid.uuid4() if isinstance(model._meta.pk, models.UUIDField) else None
        for name in fields:
            keep = _room(model, name)
            setattr(row, name, f"{(getattr(row, name) or '')[:keep]}{PAYLOAD}")
        for f in model._meta.concrete_fields:  # a copy cannot share a one-to-one link
            if f.unique and f.null and not f.primary_key:
                setattr(row, f.attname, None)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except (DatabaseError, AppendOnlyError):
            continue
        return True
    return False


@pytest.mark.django_db
def test_every_free_text_field_is_escaped_on_every_screen() -> None:
    seed()
    changed = poison()
    for field in ("Patient.given_name", "Patient.mrn", "Patient.phone", "ClinicalNote.body",
                  "AdverseEvent.action_taken",
                  "Clinic.address", "LedgerTransaction.reason",
                  "Evaluation.narrative"):  # fmt: skip
        assert field in changed, f"{field} was not poisoned: {changed}"
    escaped_on = set()
    for username in ("admin", "drrivera", "sam", "jo", "meichen"):
        client = logged_in(username)
        pages = 0
        for page in crawl(client):
            pages += 1
            assert RAW not in page.body, f"unescaped script on {page.path} as {username}"
            if ESCAPED in page.body:
                escaped_on.add(resolve(urlsplit(page.path).path).route)
        assert pages >= 5, f"{username} reached only {pages} pages"
    assert len(escaped_on) >= 10, escaped_on  # the payload was rendered, escaped, widely
