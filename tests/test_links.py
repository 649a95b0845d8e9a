"""`link` gives exactly what Django's `reverse` gives, for every named screen of the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.template import engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.base import set_script_prefix
from django.urls.converters import UUIDConverter

from ketamine_clinic.links import link
from ketamine_clinic.patients.records import RECORD_KINDS

pytestmark = pytest.mark.pure


def named_routes(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[tuple[str, list[object]]]:
    """Each named URL with arguments its converters accept (ids as UUIDs)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, inner)
        elif entry.name and hasattr(entry.pattern, "converters"):
            args: list[object] = []
            for name, converter in entry.pattern.converters.items():
                if isinstance(converter, UUIDConverter):
                    args.append(uuid.uuid4())
                elif name == "segment":
                    args.append(next(iter(RECORD_KINDS)))
                else:
                    args.append("pdf" if name == "fmt" else "phq-9")
            yield f"{namespace}{entry.name}", args


def test_same_as_reverse_for_every_named_route() -> None:
    routes = list(named_routes())
    assert len(routes) > 50
    with_ids = 0
    for name, args in routes:
        expected = reverse(name, args=args)
        assert link(name, *args) == expected, name
        fresh = [uuid.uuid4() if isinstance(a, uuid.UUID) else a for a in args]
        assert link(name, *fresh) == reverse(name, args=fresh), name  # the cached shape
        with_ids += any(isinstance(a, uuid.UUID) for a in args)
    assert with_ids > 30


def test_two_ids_and_a_segment_each_in_their_place() -> None:
    patient, record = uuid.uuid4(), uuid.uuid4()
    for segment in RECORD_KINDS:
        name = "patients:record_in_error"
        assert link(name, patient, segment, record) == reverse(
            name, args=[patient, segment, record]
        )
        assert (
            link(name, record, segment, patient)
            == f"/patients/{record}/{segment}/{patient}/entered-in-error/"
        )


def test_refuses_what_reverse_refuses() -> None:
    with pytest.raises(NoReverseMatch):
        link("patients:record_add", uuid.uuid4(), "no-such-kind")
    with pytest.raises(NoReverseMatch):
        link("patients:chart", "not-an-id")
    with pytest.raises(NoReverseMatch):
        link("patients:no_such_screen", uuid.uuid4())


def test_follows_the_script_prefix() -> None:
    patient = uuid.uuid4()
    try:
        set_script_prefix("/clinic/")
        assert link("patients:chart", patient) == f"/clinic/patients/{patient}/"
    finally:
        set_script_prefix("/")
    assert link("patients:chart", patient) == f"/patients/{patient}/"


def test_template_tag_escapes_and_sets_a_variable() -> None:
    patient = uuid.uuid4()
    template = engines["django"].from_string(
        "{% link 'patients:chart' p %}|{% link 'patients:record_add' p s as add %}{{ add }}"
    )
    assert template.render({"p": patient, "s": "allergies"}) == (
        f"/patients/{patient}/|/patients/{patient}/allergies/add/"
    )
