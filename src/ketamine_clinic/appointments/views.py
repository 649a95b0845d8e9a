"""The front desk's calendar: the day or week by chair and room or by person, drag or click
to move, an appointment's page (arrived, took place, no-show, cancel, move), booking one
appointment and booking a course's whole series after a preview."""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.current import membership_with
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.appointments import actions, feeds, queries
from ketamine_clinic.appointments.forms import (
    BookForm,
    CancelForm,
    HoursForm,
    MoveForm,
    PlaceForm,
    SeriesForm,
    StateForm,
    WaitForm,
)
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.clinical import appointments as rules
from ketamine_clinic.clinical.appointments import AppointmentError
from ketamine_clinic.common.days import day_start
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.patients import queries as patient_queries
from ketamine_clinic.patients.access import (
    get_chart_record_for_user,
    get_patient_for_user,
    own_chart,
    record_list_read,
    record_page_read,
)
from ketamine_clinic.treatment.access import course_for_user

LOCAL = "%Y-%m-%dT%H:%M:%S"
CLOSED = "#dee2e6"  # the shade of a closed time: grey, so the free times stand out
DONE = {"arrived": "Marked arrived.", "completed": "Marked as taken place.",
        "no_show": "Marked as a no-show."}  # fmt: skip


def _local(at: datetime) -> str:
    """The calendar shows the clinic's clock whatever the browser's time zone."""
    return timezone.localtime(at).strftime(LOCAL)


def _aware(text: str, field: str = "start") -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(field, "not a date and time") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        raise Http404("no such day") from None


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.MANAGE_SCHEDULE)
    clinic = membership.clinic
    assert clinic is not None  # noqa: S101  # an active membership
    places = [{"id": str(p.pk), "title": p.name} for p in queries.places(clinic.pk)]
    people = [{"id": str(u.pk), "title": f"{u.get_full_name() or u.username} ({role})"}
              for u, role in queries.clinical_staff(clinic)]  # fmt: skip
    day = _day(request.GET.get("day"))
    record_list_read(request, membership, "appointments.day")
    config = {
        "day": day.isoformat(),
        "events": reverse("appointments:events"),
        "places": places,
        "people": people,
        "book": reverse("appointments:book_any"),
    }
    return render(request, "appointments/calendar.html", {
        "config": config, "places": places, "day": day,
        "day_list": queries.day_list(clinic.pk, day),
    })  # fmt: skip


@login_required
@require_GET
def events(request: HttpRequest) -> JsonResponse:
    """The calendar's events for its range, by place or by person."""
    membership = membership_with(request, Capability.MANAGE_SCHEDULE)
    try:
        start = _aware(request.GET.get("start", ""))
        end = _aware(request.GET.get("end", ""), "end")
    except InvalidInput as exc:
        return JsonResponse({"error": exc.message, "field": exc.field}, status=422)
    if end - start > timedelta(days=42):
        return JsonResponse({"error": "at most six weeks at a time", "field": "end"}, status=422)
    by_person = request.GET.get("by") == "person"
    record_list_read(request, membership, "appointments.calendar")
    found = []
    for a in queries.between(membership.clinic_id, start, end):
        staff = [str(u.pk) for u in a.staff.all()]
        found.append({
            "id": str(a.pk),
            "start": _local(a.starts_at),
            "end": _local(a.ends_at),
            "resourceIds": staff if by_person else ([str(a.place_id)] if a.place_id else []),
            "title": f"{a.patient.family_name}, {a.patient.given_name} · {a.get_kind_display()}",
            "editable": a.state == Appointment.State.BOOKED,
            "classNames": [f"kc-appt-{a.state}"],
            "extendedProps": {"url": reverse("appointments:detail", args=[a.pk]),
                              "version": a.version, "state": a.get_state_display()},
        })  # fmt: skip
    if not by_person:
        found += _closed_times(membership.clinic, start, end)
    return JsonResponse(found, safe=False)


def _closed_times(clinic: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Each place's closed times in the range as background shading, so the free times
    stand out (the grid shows 07:00 to 20:00)."""
    shaded = []
    day = timezone.localtime(start).date()
    while day_start(day) < end:
        frame = queries.day_bounds(day)
        for place in queries.places(clinic.pk):
            edge = frame.start
            for span in [
                *queries.place_hours(clinic, place, day),
                rules.Span(frame.end, frame.end),
            ]:
                if span.start > edge:
                    shaded.append({
                        "start": _local(edge), "end": _local(span.start),
                        "resourceIds": [str(place.pk)], "display": "background",
                        "classNames": ["kc-closed"], "backgroundColor": CLOSED,
                    })  # fmt: skip
                edge = max(edge, span.end)
        day += timedelta(days=1)
    return shaded


@login_required
@require_POST
def drop(request: HttpRequest, appointment_id: str) -> JsonResponse:
    """A drag on the calendar: move to the new time (and place), or say why not. A refusal
    is an answer, not an error of the request: {"moved": false, "error": why} (the calendar
    puts the appointment back and shows why)."""
    access, found = get_chart_record_for_user(
        request_user(request), Appointment, appointment_id, Capability.MANAGE_SCHEDULE, "place"
    )
    try:
        body = json.loads(request.body or b"{}")
        place = None
        if body.get("place"):
            place = queries.place(found.clinic_id, body["place"])
            if place is None:
                raise InvalidInput("place", "no such place at this location")
        moved = actions.move(web_actor(request), access, found, int(body.get("version", 0)),
                             _aware(str(body.get("start", ""))), place=place)  # fmt: skip
    except (ValueError, TypeError):
        return JsonResponse({"moved": False, "error": "not a move", "field": "start"})
    except InvalidInput as exc:
        return JsonResponse({"moved": False, "error": exc.message, "field": exc.field})
    except Conflict as exc:
        return JsonResponse({"moved": False, "error": str(exc), "field": "version"})
    return JsonResponse({"moved": True, "version": moved.version})


def _places(clinic_id: Any) -> list[tuple[str, str]]:
    return [(str(p.pk), p.name) for p in queries.places(clinic_id)]


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, appointment_id: str) -> HttpResponse:
    access, found = get_chart_record_for_user(
        request_user(request), Appointment, appointment_id, Capability.MANAGE_SCHEDULE, "place"
    )
    step = request.POST.get("step")
    places = _places(found.clinic_id)
    initial = {"version": found.version}
    state = StateForm(request.POST if step == "state" else None, initial=initial)
    cancel = CancelForm(request.POST if step == "cancel" else None, initial=initial, prefix="c")
    now_at = {**initial, "starts_at": timezone.localtime(found.starts_at)}
    move = MoveForm(request.POST if step == "move" else None, places=places, prefix="m",
                    initial=now_at)  # fmt: skip
    actor = web_actor(request)
    if step == "offer":
        entry = queries.waiting_entry(found.clinic_id, request.POST.get("entry"))
        if entry is None:
            raise Http404("no such entry on the waiting list")
        theirs = get_patient_for_user(request_user(request), entry.patient_id,
                                      Capability.MANAGE_SCHEDULE)  # fmt: skip
        try:
            booked = actions.book_from_waitlist(actor, theirs, entry, found)
        except (InvalidInput, Conflict) as exc:
            messages.error(request, f"Not booked: {getattr(exc, 'message', exc)}")
            return redirect("appointments:detail", found.pk)
        messages.success(request, f"Booked for {entry.patient.full_name}.")
        return redirect("appointments:detail", booked.pk)
    form: Any = {"state": state, "cancel": cancel, "move": move}.get(step or "")
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if step == "state":
                actions.mark(actor, access, found, data["version"], data["state"])
                done = DONE[data["state"]]
            elif step == "cancel":
                cancelled = actions.cancel(actor, access, found, data["version"], data["reason"])
                done = f"{cancelled.get_state_display()}."
            else:
                place = queries.place(found.clinic_id, data["place"]) if data["place"] else None
                actions.move(actor, access, found, data["version"], data["starts_at"], place=place)
                done = "Moved."
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("appointments:detail", found.pk)
    record_page_read(request, access, "appointment")
    return render(request, "appointments/detail.html", {
        "appointment": found, "patient": access.patient, "state_form": state,
        "cancel_form": cancel, "move_form": move, "waiting": queries.waiting_for(found)
        if found.state in ("cancelled", "late_cancelled") else [],
        "history": _changes(found),
    })  # fmt: skip


@login_required
@require_GET
def chart_section(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The chart's appointments card: what is booked, and the courses with doses to book."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)
    record_page_read(request, access, "appointments")
    upcoming = queries.upcoming(access.patient)
    to_book = [(c, len(queries.unbooked(c))) for c in queries.bookable_courses(access.patient)]
    return render(request, "appointments/partials/chart_section.html", {
        "patient": access.patient, "upcoming": upcoming,
        "to_book": [(c, n) for c, n in to_book if n],
    })  # fmt: skip


def _changes(found: Appointment) -> list[Any]:
    """The appointment's versions, oldest first, without the row that only recorded its staff
    being set a moment after the booking (each line names the staff)."""
    rows = list(found.history.select_related("history_user").order_by("history_date"))
    shown: list[Any] = []
    for row in rows:
        if (
            shown
            and (row.state, row.starts_at, row.place_id)
            == (shown[-1].state, shown[-1].starts_at, shown[-1].place_id)
            and not list(shown[-1].staff.all())
        ):
            shown[-1] = row
        else:
            shown.append(row)
    return shown


@login_required
@require_http_methods(["GET", "POST"])
def book_series(request: HttpRequest, course_id: str) -> HttpResponse:
    """Preview where the course's unbooked doses would go, then book them all at once."""
    access, course = course_for_user(request_user(request), course_id, Capability.MANAGE_SCHEDULE)
    clinic = access.patient.clinic
    nurses = [(str(u.pk), u.get_full_name() or u.username)
              for u, role in queries.clinical_staff(clinic) if role == "nurse"]  # fmt: skip
    pending = queries.unbooked(course)
    first = pending[0].on if pending else timezone.localdate()
    form = SeriesForm(request.POST or None, nurses=nurses,
                      initial={"start": max(first, timezone.localdate())})  # fmt: skip
    proposals: list[Any] = []
    if request.method == "POST" and form.is_valid():
        start, nurse = form.cleaned_data["start"], form.cleaned_data["nurse"]
        staff = (nurse,) if nurse else ()
        try:
            if request.POST.get("step") == "confirm":
                booked = actions.book_series(web_actor(request), access, course, start, staff)
                messages.success(request, f"{len(booked)} sessions booked.")
                day = timezone.localtime(booked[0].starts_at).date().isoformat()
                return redirect(f"{reverse('appointments:calendar')}?day={day}")
            proposals = queries.propose_series(clinic, course, start, staff)
        except AppointmentError as exc:
            form.add_error("start", exc.message)
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
    record_page_read(request, access, "appointments.series")
    return render(request, "appointments/series.html", {
        "course": course, "patient": access.patient, "form": form, "pending": pending,
        "proposals": proposals,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, patient_id: str) -> HttpResponse:
    """One appointment that is not a dose (a dose is booked with its course's series)."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)
    clinic = access.patient.clinic
    staff = [(str(u.pk), f"{u.get_full_name() or u.username} ({role})")
             for u, role in queries.clinical_staff(clinic)]  # fmt: skip
    initial: dict[str, Any] = {}
    if request.GET.get("start"):
        with suppress(InvalidInput):  # a bad time from the calendar: the field stays empty
            initial["starts_at"] = timezone.localtime(_aware(request.GET["start"]))
    initial["place"] = request.GET.get("place", "")
    form = BookForm(request.POST or None, places=_places(clinic.pk), staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = queries.place(clinic.pk, data["place"]) if data["place"] else None
        try:
            booked = actions.book(
                web_actor(request), access, kind=data["kind"], starts_at=data["starts_at"],
                staff=[data["staff"]], place=place, minutes=data["minutes"], note=data["note"],
            )  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, "Booked.")
            return redirect("appointments:detail", booked.pk)
    record_page_read(request, access, "appointments.book")
    return render(request, "appointments/book.html", {"form": form, "patient": access.patient})


@login_required
@require_GET
def book_any(request: HttpRequest) -> HttpResponse:
    """A click on a free time in the calendar: choose the patient first."""
    membership = membership_with(request, Capability.MANAGE_SCHEDULE)
    patient = request.GET.get("patient")
    if patient:
        rest = request.GET.copy()
        del rest["patient"]
        return redirect(f"{reverse('appointments:book', args=[patient])}?{rest.urlencode()}")
    query = request.GET.get("q", "")[:100]
    found = []
    if query.strip():
        mine = patient_queries.in_clinics([membership.clinic_id])
        found = list(patient_queries.search_patients(mine, query)[:20])
    record_list_read(request, membership, "patient.search")
    return render(request, "appointments/book_any.html", {
        "start": request.GET.get("start", ""), "place": request.GET.get("place", ""),
        "q": query, "found": found,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def feed_link(request: HttpRequest) -> HttpResponse:
    """Your private calendar link: made (shown once), made again, or revoked."""
    membership = membership_with(request, Capability.MANAGE_SCHEDULE)
    clinic = membership.clinic
    assert clinic is not None  # noqa: S101  # an active membership
    link = ""
    if request.method == "POST":
        if request.POST.get("step") == "revoke":
            actions.revoke_feed(web_actor(request), clinic)
            messages.success(request, "Your calendar link is revoked: it no longer works.")
            return redirect("appointments:feed_link")
        raw = actions.new_feed_link(web_actor(request), clinic)
        link = request.build_absolute_uri(reverse("appointments:feed", args=[raw]))
    return render(request, "appointments/feed.html", {
        "link": link, "active": feeds.active(clinic, request_user(request)),
    })  # fmt: skip


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed behind a private link (no login: the link is the key)."""
    found = feeds.feed_for(token)
    if found is None:
        raise Http404("no such calendar")
    response = HttpResponse(feeds.render(found), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A patient's own coming appointments, for the portal."""
    patient, access = own_chart(request)
    record_page_read(request, access, "appointments")
    return render(request, "appointments/partials/mine.html", {
        "upcoming": queries.upcoming(patient), "clinic": patient.clinic,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def waiting(request: HttpRequest) -> HttpResponse:
    """The location's waiting list, with a way to take someone off it."""
    membership = membership_with(request, Capability.MANAGE_SCHEDULE)
    if request.method == "POST":
        entry = queries.waiting_entry(membership.clinic_id, request.POST.get("entry"))
        if entry is None:
            raise Http404("no such entry")
        access = get_patient_for_user(request_user(request), entry.patient_id,
                                      Capability.MANAGE_SCHEDULE)  # fmt: skip
        try:
            actions.withdraw_from_waitlist(web_actor(request), access, entry,
                                           int(request.POST.get("version") or 0))  # fmt: skip
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{entry.patient.full_name} is off the waiting list.")
        return redirect("appointments:waiting")
    record_list_read(request, membership, "waitlist")
    return render(request, "appointments/waiting.html",
                  {"entries": queries.waitlist(membership.clinic_id)})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def wait(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Put a patient on the waiting list."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)
    courses = {str(c.pk): c for c in queries.bookable_courses(access.patient)}
    choices = [
        (k, f"{c.get_state_display()} course from {c.start_on:%-d %b}") for k, c in courses.items()
    ]
    form = WaitForm(request.POST or None, courses=choices,
                    initial={"earliest": timezone.localdate()})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_to_waitlist(
                web_actor(request), access, kind=data["kind"], earliest=data["earliest"],
                latest=data["latest"], course=courses.get(data["course"]), note=data["note"],
            )  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, f"{access.patient.full_name} is on the waiting list.")
            return redirect("appointments:waiting")
    record_page_read(request, access, "waitlist.add")
    return render(request, "appointments/wait.html", {"form": form, "patient": access.patient})


def _hours(form: Any, text: str) -> dict[str, Any] | None:
    try:
        return rules.hours_from_text(text)
    except AppointmentError as exc:
        form.add_error("hours", exc.message)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def places(request: HttpRequest) -> HttpResponse:
    """The location's chairs and rooms and who works when (clinic admins)."""
    membership = membership_with(request, Capability.MANAGE_PLACES)
    clinic = membership.clinic
    assert clinic is not None  # noqa: S101  # an active membership
    actor = web_actor(request)
    step = request.POST.get("step")
    place_form = PlaceForm(request.POST if step in ("add", "edit") else None, prefix="p")
    hours_form = HoursForm(request.POST if step == "hours" else None, prefix="h")
    if step in ("add", "edit") and place_form.is_valid():
        data = place_form.cleaned_data
        hours = _hours(place_form, data["hours"])
        if hours is not None:
            try:
                if step == "add":
                    actions.add_place(actor, clinic, data["kind"], data["name"], hours)
                else:
                    found = queries.place(clinic.pk, request.POST.get("place"))
                    if found is None:
                        raise Http404("no such place")
                    changes = {"name": data["name"], "hours": hours, "active": data["active"]}
                    actions.change_place(actor, found, data["version"] or 0, changes)
            except (InvalidInput, Conflict) as exc:
                put_error(place_form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("appointments:places")
    if step == "hours" and hours_form.is_valid():
        data = hours_form.cleaned_data
        person = queries.staff_member(clinic, data["user"])
        hours = _hours(hours_form, data["hours"])
        if person is None:
            raise Http404("no such member of staff")
        if hours is not None:
            actions.set_working_hours(actor, clinic, person, hours)
            messages.success(request, f"Working hours of {person.get_full_name() or person} saved.")
            return redirect("appointments:places")
    record_list_read(request, membership, "places")
    worked = {row.user_id: row.hours for row in queries.working_hours(clinic.pk)}
    every = queries.places(clinic.pk, active=False)
    return render(request, "appointments/places.html", {
        "places": [(p, rules.hours_to_text(p.hours)) for p in every],
        "staff": [(u, role, rules.hours_to_text(worked.get(u.pk)))
                  for u, role in queries.clinical_staff(clinic)],
        "place_form": place_form, "hours_form": hours_form, "step": step,
    })  # fmt: skip
