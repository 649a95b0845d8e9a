"""Appointment lengths, capacity rules and series booking (clinical/appointments.py)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinical.appointments import (
    ESKETAMINE_OBSERVATION_MIN,
    AppointmentError,
    Booked,
    Request,
    Settings,
    Span,
    Staff,
    dosing_minutes,
    free_starts,
    minutes_for,
    open_spans,
    parse_hours,
    place_series,
    problems,
    settings_from,
    spacing_problems,
)
from ketamine_clinic.clinical.protocols import LIBRARY, Phase

MONDAY = date(2027, 1, 4)
DAY = Span(datetime(2027, 1, 4, 8, tzinfo=UTC), datetime(2027, 1, 4, 18, tzinfo=UTC))
NOW = datetime(2027, 1, 1, tzinfo=UTC)
DEFAULTS = Settings()


def at(hour: float, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hour)


def span(start: float, minutes: int) -> Span:
    return Span(at(start), at(start) + timedelta(minutes=minutes))


NURSE = Staff("sam", "nurse", [DAY])
OTHER_NURSE = Staff("kim", "nurse", [DAY])
PRESCRIBER = Staff("rivera", "prescriber", [DAY])


def request(s: Span, *, kind: str = "dosing", product: str = "iv_racemic", place: str = "chair 1",
            patient: str = "chen", staff: tuple[Staff, ...] = (NURSE,)) -> Request:  # fmt: skip
    return Request(s, kind, product, place, [DAY], patient, staff, NOW)


def messages(r: Request, booked: list[Booked], on_site: list[Staff], s: Settings) -> list[str]:
    return [p.message for p in problems(r, booked, on_site, s)]


def booked(s: Span, place: str, patient: str, *staff: str, kind: str = "dosing") -> Booked:
    return Booked(s, place, patient, frozenset(staff), kind)


def test_esketamine_holds_its_chair_for_the_two_hour_observation_and_more() -> None:
    assert dosing_minutes("esketamine_nasal", None, DEFAULTS) == 15 + 15 + 120
    with pytest.raises(AppointmentError) as exc:
        Settings(esketamine_observation_min=ESKETAMINE_OBSERVATION_MIN - 1)
    assert exc.value.field == "esketamine_observation_min"
    assert Settings(esketamine_observation_min=150).esketamine_observation_min == 150


def test_an_infusion_lasts_the_protocols_infusion_plus_recovery() -> None:
    assert dosing_minutes("iv_racemic", 40, DEFAULTS) == 15 + 40 + 45
    assert dosing_minutes("iv_racemic", 60, DEFAULTS) == 15 + 60 + 45
    assert dosing_minutes("iv_racemic", None, DEFAULTS) == 100  # Sanacora's 40 minutes
    assert dosing_minutes("im_racemic", None, Settings(im_recovery_min=30)) == 15 + 5 + 30


def test_other_kinds_take_the_clinics_minutes() -> None:
    assert minutes_for("evaluation", DEFAULTS) == 60
    assert minutes_for("evaluation", Settings(minutes={"evaluation": 90})) == 90
    with pytest.raises(AppointmentError) as exc:
        minutes_for("massage", DEFAULTS)
    assert exc.value.field == "kind"
    with pytest.raises(AppointmentError) as exc:
        Settings(minutes={"evaluation": 9})
    assert exc.value.field == "minutes.evaluation"
    assert Settings(minutes={"evaluation": 10}).minutes["evaluation"] == 10


def test_settings_keep_their_floors() -> None:
    with pytest.raises(AppointmentError) as exc:
        settings_from({"prescriber_on_site": ["iv_racemic"]})
    assert exc.value.field == "prescriber_on_site"
    both = settings_from({"prescriber_on_site": ["iv_racemic", "esketamine_nasal"]})
    assert "iv_racemic" in both.prescriber_on_site
    for bad in (0, 7):
        with pytest.raises(AppointmentError):
            Settings(patients_per_nurse=bad)
    assert Settings(patients_per_nurse=1).patients_per_nurse == 1
    with pytest.raises(AppointmentError) as exc:
        settings_from({"chairs": 4})
    assert exc.value.field == "appointment_settings"


def test_weekly_hours_are_checked() -> None:
    hours = parse_hours({"0": [["08:00", "12:00"], ["13:00", "18:00"]]})
    assert open_spans(hours, MONDAY, UTC) == [span(8, 240), span(13, 300)]
    assert open_spans(hours, MONDAY + timedelta(days=1), UTC) == []
    for bad in ({"7": []}, {"0": [["18:00", "08:00"]]}, {"0": [["8am", "9"]]},
                {"0": [["08:00", "12:00"], ["11:00", "13:00"]]}):  # fmt: skip
        with pytest.raises(AppointmentError) as exc:
            parse_hours(bad)
        assert exc.value.field == "hours"


def test_a_free_booking_has_no_problem_and_each_problem_names_its_field() -> None:
    assert messages(request(span(9, 100)), [], [NURSE], DEFAULTS) == []
    found = problems(request(span(17, 100), staff=()), [], [], DEFAULTS)
    assert {p.field for p in found} == {"starts_at", "staff"}


def test_the_past_closed_hours_and_a_taken_place_are_refused() -> None:
    past = Request(span(9, 100), "dosing", "iv_racemic", "chair 1", [DAY], "chen", (NURSE,),
                   at(10))  # fmt: skip
    assert "the time is in the past" in messages(past, [], [NURSE], DEFAULTS)
    late = messages(request(span(17, 100)), [], [NURSE], DEFAULTS)
    assert "the place is closed for part of that time" in late
    assert messages(request(span(16, 120)), [], [NURSE], DEFAULTS) == []  # ends at closing
    taken = [booked(span(8, 100), "chair 1", "lee", "kim")]
    assert messages(request(span(9, 100)), taken, [NURSE], DEFAULTS) == [
        "the place is already booked then"
    ]
    assert messages(request(span(9 + 40 / 60, 100)), taken, [NURSE], DEFAULTS) == []  # touching


def test_one_patient_cannot_be_in_two_places() -> None:
    elsewhere = [booked(span(9, 60), "room 1", "chen", "rivera", kind="evaluation")]
    assert "the patient has another appointment then" in messages(
        request(span(9.5, 100)), elsewhere, [NURSE], DEFAULTS
    )


def test_a_nurse_watches_at_most_the_clinics_number_of_patients_at_once() -> None:
    one = [booked(span(9, 100), "chair 2", "lee", "sam")]
    assert messages(request(span(9, 100)), one, [NURSE], DEFAULTS) == []
    two = [*one, booked(span(9.5, 100), "chair 3", "ng", "sam")]
    assert messages(request(span(10, 100)), two, [NURSE], DEFAULTS) == [
        "sam would watch 3 patients at once (the clinic allows 2)"
    ]
    # Two others that never overlap each other leave room for a third patient.
    apart = [*one, booked(span(11, 100), "chair 3", "ng", "sam")]
    assert messages(request(span(10, 90)), apart, [NURSE], DEFAULTS) == []
    assert messages(request(span(10, 100)), two, [NURSE], Settings(patients_per_nurse=3)) == []


def test_a_nurse_in_an_evaluation_is_busy_and_a_dose_needs_a_nurse() -> None:
    talking = [booked(span(9, 60), "room 1", "lee", "sam", kind="preparation")]
    assert messages(request(span(9.5, 100)), talking, [NURSE], DEFAULTS) == ["sam is busy then"]
    assert messages(request(span(9, 100), staff=(PRESCRIBER,)), [], [PRESCRIBER], DEFAULTS) == [
        "needs a nurse assigned"
    ]
    off = Staff("sam", "nurse", [span(8, 120)])
    assert messages(request(span(9, 100), staff=(off,)), [], [off], DEFAULTS) == [
        "sam is not working for all of that time"
    ]


def test_esketamine_needs_a_prescriber_on_site_for_its_whole_length() -> None:
    minutes = dosing_minutes("esketamine_nasal", None, DEFAULTS)
    spray = request(span(9, minutes), product="esketamine_nasal")
    assert messages(spray, [], [NURSE], DEFAULTS) == [
        "no prescriber is on site for all of that time (this product needs one)"
    ]
    assert messages(spray, [], [NURSE, PRESCRIBER], DEFAULTS) == []
    leaves = Staff("rivera", "prescriber", [span(8, 180)])
    assert messages(spray, [], [NURSE, leaves], DEFAULTS) != []
    assert messages(request(span(9, 100)), [], [NURSE], DEFAULTS) == []  # IV: not by default


def test_free_starts_fall_on_the_quarter_hour_between_bookings() -> None:
    busy = [span(9, 100)]
    starts = free_starts([span(8, 240)], busy, 50)
    assert starts[0] == at(8)
    assert at(8.25) not in starts  # would run into 9:00
    assert at(10 + 45 / 60) in starts
    assert at(11) in starts
    assert at(11.25) not in starts  # 12:05 is past closing
    assert free_starts([Span(at(8) + timedelta(seconds=1), at(9))], [], 15)[0] == at(8.25)


def _days_ok(day: date, not_before: datetime | None) -> tuple[datetime, str] | None:
    """A clinic open Monday to Friday with one slot a day at 9:00."""
    if day.weekday() >= 5:
        return None
    start = at(9, day)
    return None if not_before is not None and start < not_before else (start, "chair 1")


def test_a_course_is_booked_into_slots_that_keep_its_spacing() -> None:
    iv = LIBRARY["iv-racemic-standard"]
    placed = place_series(iv.phases, MONDAY, _days_ok)
    starts = [start for _, start, _ in placed]
    assert len(placed) == sum(p.sessions or 0 for p in iv.phases)
    assert starts[:3] == [at(9, MONDAY), at(9, MONDAY + timedelta(days=2)),
                          at(9, MONDAY + timedelta(days=4))]  # fmt: skip


def test_the_first_session_keeps_its_distance_from_the_last_dose() -> None:
    phase = Phase("weekly", 2, 1, 168)
    placed = place_series((phase,), MONDAY, _days_ok, after=at(9, MONDAY) - timedelta(days=3))
    assert [s for _, s, _ in placed] == [at(9, MONDAY + timedelta(days=4)),
                                         at(9, MONDAY + timedelta(days=11))]  # fmt: skip


def test_a_series_that_never_fits_is_refused() -> None:
    with pytest.raises(AppointmentError) as exc:
        place_series((Phase("x", 1, 1, 24),), MONDAY, lambda day, earliest: None)
    assert exc.value.field == "start"


def test_moving_a_session_keeps_or_names_the_spacing() -> None:
    phase = Phase("twice weekly", 8, 2, 48)
    others = [at(9, MONDAY), at(9, MONDAY + timedelta(days=7))]
    assert spacing_problems(others, at(9, MONDAY + timedelta(days=2)), phase) == []
    too_close = spacing_problems(others, at(8, MONDAY + timedelta(days=2)), phase)
    assert too_close == ["less than 48 hours from the session at 2027-01-04T09:00+00:00"]
    full = spacing_problems([*others, at(9, MONDAY + timedelta(days=2))],
                            at(9, MONDAY + timedelta(days=4)), phase)  # fmt: skip
    assert full == ["that week already has 2 sessions of this phase"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 36), st.integers(4, 12), st.integers(0, 3)), max_size=25),
    st.integers(1, 4),
)
def test_accepted_bookings_never_exceed_the_ratio_or_double_book(
    wanted: list[tuple[int, int, int]], ratio: int
) -> None:
    """Whatever order bookings come in, what the rules accept never puts more patients on
    one nurse at once than the clinic allows, and never two patients in one chair."""
    rules = Settings(patients_per_nurse=ratio)
    accepted: list[Booked] = []
    for n, (quarter, quarters, chair) in enumerate(wanted):
        s = Span(at(8) + timedelta(minutes=15 * quarter),
                 at(8) + timedelta(minutes=15 * (quarter + quarters)))  # fmt: skip
        r = request(s, place=f"chair {chair}", patient=f"p{n}")
        if not messages(r, accepted, [NURSE], rules):
            accepted.append(booked(s, f"chair {chair}", f"p{n}", "sam"))
    for b in accepted:
        moment = b.span.start
        live = [o for o in accepted if o.span.start <= moment < o.span.end]
        assert len(live) <= ratio
        assert len({o.place for o in live}) == len(live)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 20), st.sampled_from(sorted(LIBRARY)))
def test_a_booked_series_keeps_every_phase_rule(offset: int, protocol_id: str) -> None:
    protocol = LIBRARY[protocol_id]
    start = MONDAY + timedelta(days=offset)
    placed = place_series(protocol.phases, start, _days_ok)
    by_phase: dict[str, list[datetime]] = {}
    for name, start_at, _ in placed:
        by_phase.setdefault(name, []).append(start_at)
    starts = [s for _, s, _ in placed]
    assert starts == sorted(starts)
    for phase in protocol.phases:
        mine = by_phase.get(phase.name, [])
        assert len(mine) == (phase.sessions or 0)
        for earlier, later in itertools.pairwise(mine):
            assert later - earlier >= timedelta(hours=phase.min_hours_apart)
        weeks = [d.isocalendar()[:2] for d in mine]
        assert all(weeks.count(w) <= phase.per_week for w in weeks)


def test_hours_are_written_one_day_a_line_and_read_back() -> None:
    from ketamine_clinic.clinical.appointments import hours_from_text, hours_to_text

    text = "mon 08:00-12:00, 13:00-18:00\nFriday 09:00-17:00"
    stored = hours_from_text(text)
    assert stored == {"0": [["08:00", "12:00"], ["13:00", "18:00"]], "4": [["09:00", "17:00"]]}
    assert hours_from_text(hours_to_text(stored)) == stored
    assert hours_from_text("") == {}
    for bad in (
        "noon 08:00-12:00",
        "mon 8am-noon",
        "mon 12:00-08:00",
        "tue 08:00-12:00, 11:00-13:00",
    ):
        with pytest.raises(AppointmentError) as exc:
            hours_from_text(bad)
        assert exc.value.field == "hours"
