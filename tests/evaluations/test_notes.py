"""Clinical notes: templates, drafts by their author, signing, immutability, addenda; denials."""

from __future__ import annotations

import pytest

from ketamine_clinic.evaluations.notes.models import ClinicalNote
from tests.conftest import World


def path(world: World) -> str:
    return f"/patients/{world.patient.pk}/notes"


def test_note_from_template_then_signed_and_immutable(world: World) -> None:
    api = world.api("nurse")
    created = api.post(path(world), {"kind": "integration", "occurred_on": "2026-01-06"})
    assert created.status_code == 201
    note = created.json()
    assert note["title"] == "Integration session"
    assert "Themes and insights:" in note["body"]
    edited = api.patch(f"/notes/{note['id']}", {"version": 1, "body": "Felt calmer; slept well."})
    assert edited.json()["version"] == 2
    assert api.patch(f"/notes/{note['id']}", {"version": 1, "body": "stale"}).status_code == 409
    signed = api.post(f"/notes/{note['id']}/sign", {"version": 2})
    assert signed.status_code == 200
    assert signed.json()["signed_at"] is not None
    assert api.patch(f"/notes/{note['id']}", {"version": 3, "body": "changed"}).status_code == 409
    assert api.post(f"/notes/{note['id']}/sign", {"version": 3}).status_code == 409
    addendum = api.post(
        path(world),
        {
            "kind": "integration",
            "occurred_on": "2026-01-07",
            "body": "Called back: still well.",
            "addendum_to": note["id"],
        },
    )
    assert addendum.status_code == 201
    assert addendum.json()["addendum_to"] == note["id"]
    history = ClinicalNote.history.filter(id=note["id"]).count()
    assert history == 3  # written, edited, signed


def test_only_the_author_edits_or_signs_a_draft(world: World) -> None:
    note = (
        world.api("nurse")
        .post(path(world), {"kind": "follow_up", "occurred_on": "2026-01-06"})
        .json()
    )
    other = world.api("prescriber")
    assert other.patch(f"/notes/{note['id']}", {"version": 1, "body": "x"}).status_code == 409
    assert other.post(f"/notes/{note['id']}/sign", {"version": 1}).status_code == 409


def test_addendum_only_to_a_signed_note(world: World) -> None:
    api = world.api("nurse")
    draft = api.post(
        path(world), {"kind": "other", "occurred_on": "2026-01-06", "body": "x"}
    ).json()
    response = api.post(
        path(world),
        {"kind": "other", "occurred_on": "2026-01-06", "body": "y", "addendum_to": draft["id"]},
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "diary", "occurred_on": "2026-01-06"}, "kind"),
        ({"kind": "other", "occurred_on": "2999-01-06"}, "occurred_on"),
        ({"kind": "other", "occurred_on": "2026-01-06", "title": ""}, "title"),
    ],
)
def test_bad_notes_are_refused(world: World, body: dict[str, str], field: str) -> None:
    response = world.api("nurse").post(path(world), body)
    assert response.status_code == 422
    assert field in [str(e["loc"][-1]) for e in response.json()["detail"]]


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("prescriber", 200, 201),
        ("nurse", 200, 201),
        ("admin", 403, 403),
        ("front_desk", 403, 403),
        ("patient", 404, 404),
        ("other_clinic_nurse", 404, 404),
        (None, 401, 401),
    ],
)
def test_note_permissions(world: World, persona: str | None, read: int, write: int) -> None:
    api = world.api(persona)
    assert api.get(path(world)).status_code == read
    assert (
        api.post(
            path(world), {"kind": "other", "occurred_on": "2026-01-06", "body": "x"}
        ).status_code
        == write
    )


def test_note_screens(world: World) -> None:
    client = world.client("nurse")
    page = client.get(f"/patients/{world.patient.pk}/notes/new/psychotherapy/")
    assert b"Modality and session number" in page.content
    saved = client.post(
        f"/patients/{world.patient.pk}/notes/new/psychotherapy/",
        {
            "title": "CBT 4",
            "occurred_on": "2026-01-06",
            "body": "Worked on activation.",
            "sign": "1",
        },
    )
    assert saved.status_code == 302
    note = ClinicalNote.objects.get()
    assert note.is_signed
    section = client.get(f"/patients/{world.patient.pk}/notes/").content.decode()
    assert "CBT 4" in section
    assert "Addendum" in section
    assert world.client("front_desk").get(f"/patients/{world.patient.pk}/notes/").status_code == 403
    assert (
        world.client("admin").get(f"/patients/{world.patient.pk}/notes/new/other/").status_code
        == 403
    )
    future = client.post(
        f"/patients/{world.patient.pk}/notes/new/other/",
        {"title": "x", "occurred_on": "2999-01-01", "body": "x"},
    )
    assert b"must not be in the future" in future.content
