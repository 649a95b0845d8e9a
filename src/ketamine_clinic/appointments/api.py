"""The calendar over the API: places and hours (admins), the day's appointments, free slots,
booking one appointment or a course's series, and moving, cancelling and marking them (the
front desk and the clinical staff)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.appointments import actions, queries
from ketamine_clinic.appointments.models import Appointment, Place
from ketamine_clinic.appointments.schemas import (
    AppointmentCancel,
    AppointmentIn,
    AppointmentMove,
    AppointmentOut,
    AppointmentState,
    Kind,
    PlaceChange,
    PlaceIn,
    PlaceOut,
    ProposalOut,
    SeriesIn,
    SlotOut,
    WorkingHoursIn,
    WorkingHoursOut,
)
from ketamine_clinic.clinical.appointments import AppointmentError
from ketamine_clinic.common.api_contract import QueryDate
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.patients.access import (
    get_chart_record_for_user,
    get_patient_for_user,
    one_clinic,
    own_or_with,
    record_patient_access,
    the_clinic,
)
from ketamine_clinic.treatment.access import course_for_user
from ketamine_clinic.treatment.queries import courses

router = Router(tags=["appointments"])


def _place(clinic_id: Any, place_id: uuid.UUID | None) -> Place | None:
    if place_id is None:
        return None
    found = queries.place(clinic_id, place_id)
    if found is None:
        raise InvalidInput("place", "no such place at this location")
    return found


@router.get("/places", response=list[PlaceOut], summary="The location's chairs and rooms")
def list_places(request: HttpRequest, clinic: uuid.UUID | None = None) -> list[Place]:
    user = request_user(request)
    try:
        clinic_id = one_clinic(user, clinic, Capability.MANAGE_SCHEDULE)
    except PermissionDenied:
        clinic_id = one_clinic(user, clinic, Capability.MANAGE_PLACES)
    return list(queries.places(clinic_id, active=False))


@router.post("/places", response={201: PlaceOut}, summary="Add a chair or a room (admins)")
def add_place(request: HttpRequest, payload: PlaceIn) -> Status:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_PLACES)
    place = actions.add_place(api_actor(request), clinic, payload.kind, payload.name, payload.hours)
    return Status(201, place)


@router.patch(
    "/places/{place_id}",
    response=PlaceOut,
    summary="Rename a place, change its hours or take it out of use (409 if changed first)",
)
def change_place(request: HttpRequest, place_id: uuid.UUID, payload: PlaceChange) -> Place:
    user = request_user(request)
    for membership in user.active_memberships:
        found = queries.place(membership.clinic_id, place_id)
        if found is not None:
            the_clinic(user, found.clinic_id, Capability.MANAGE_PLACES)
            changes = payload.model_dump(exclude={"version"}, exclude_none=True)
            return actions.change_place(api_actor(request), found, payload.version, changes)
    raise Http404("no such place")


@router.put(
    "/working-hours/{user_id}",
    response=WorkingHoursOut,
    summary="When a member of staff works at this location (admins)",
)
def put_working_hours(request: HttpRequest, user_id: uuid.UUID, payload: WorkingHoursIn) -> Any:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_PLACES)
    staff = queries.staff_member(clinic, user_id)
    if staff is None:
        raise Http404("no such member of staff at this location")
    return actions.set_working_hours(api_actor(request), clinic, staff, payload.hours)


@router.get(
    "/appointments",
    response=list[AppointmentOut],
    summary="The location's appointments of a day, cancelled ones included",
)
def appointments_of_day(
    request: HttpRequest, on: QueryDate, clinic: uuid.UUID | None = None
) -> list[Appointment]:
    user = request_user(request)
    clinic_id = one_clinic(user, clinic, Capability.MANAGE_SCHEDULE)
    record_access(api_actor(request), action="list", what=f"appointments {on}", clinic=clinic_id,
                  role=user.role_in(clinic_id))  # fmt: skip
    return list(queries.day_list(clinic_id, on))


@router.get(
    "/appointments/free-slots",
    response=list[SlotOut],
    summary="Bookable times of a day: for a dose name the course, otherwise the kind "
    "(and its length)",
)
def free_slots(
    request: HttpRequest,
    on: QueryDate,
    kind: Kind,
    course: uuid.UUID | None = None,
    minutes: int | None = None,
    clinic: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    user = request_user(request)
    found_course = None
    if kind == "dosing":
        if course is None:
            raise InvalidInput("course", "a dose's slots depend on the course")
        access, found_course = course_for_user(user, course, Capability.MANAGE_SCHEDULE)
        chosen = access.patient.clinic
    else:
        chosen = the_clinic(user, clinic, Capability.MANAGE_SCHEDULE)
    try:
        length = minutes or queries.minutes_for(chosen, kind, found_course)
    except AppointmentError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    if not 10 <= length <= 480:
        raise InvalidInput("minutes", "must be 10 to 480")
    slots = queries.free_slots(
        chosen, on, kind=kind, product=found_course.product if found_course else "",
        minutes=length, patient_id=found_course.patient_id if found_course else None,
    )  # fmt: skip
    return [_slot(s) for s in slots]


def _slot(s: queries.Slot) -> dict[str, Any]:
    return {"starts_at": s.starts_at, "ends_at": s.ends_at, "place": s.place.pk,
            "place_name": s.place.name, "staff": list(s.staff)}  # fmt: skip


@router.get(
    "/patients/{patient_id}/appointments",
    response=list[AppointmentOut],
    summary="A patient's appointments (the front desk, the care team and the patient)",
)
def appointments_of_patient(request: HttpRequest, patient_id: uuid.UUID) -> list[Appointment]:
    access = own_or_with(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)
    record_patient_access(api_actor(request), access, "read", "appointments")
    return list(queries.of_patient(access.patient))


@router.post(
    "/patients/{patient_id}/appointments",
    response={201: AppointmentOut},
    summary="Book one appointment (422 names what breaks the clinic's rules)",
)
def book_appointment(request: HttpRequest, patient_id: uuid.UUID, payload: AppointmentIn) -> Status:
    access = get_patient_for_user(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)
    clinic_id = access.patient.clinic_id
    scheduled = None
    if payload.scheduled is not None:
        scheduled = courses.planned_session_of(access.patient, payload.scheduled)
        if scheduled is None:
            raise InvalidInput("scheduled", "no such planned session of this patient")
    booked = actions.book(
        api_actor(request), access, kind=payload.kind, starts_at=payload.starts_at,
        staff=list(payload.staff), place=_place(clinic_id, payload.place),
        minutes=payload.minutes, scheduled=scheduled, note=payload.note,
    )  # fmt: skip
    return Status(201, booked)


@router.post(
    "/courses/{course_id}/appointments/preview",
    response=list[ProposalOut],
    summary="Where the course's unbooked doses would go (nothing is booked)",
)
def preview_series(
    request: HttpRequest, course_id: uuid.UUID, payload: SeriesIn
) -> list[dict[str, Any]]:
    access, course = course_for_user(request_user(request), course_id, Capability.MANAGE_SCHEDULE)
    try:
        proposals = queries.propose_series(
            access.patient.clinic, course, payload.start, tuple(payload.staff)
        )
    except AppointmentError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    record_patient_access(api_actor(request), access, "read", "appointments.preview")
    return [{"scheduled": p.scheduled.pk, "phase": p.scheduled.phase, "slot": _slot(p.slot)}
            for p in proposals]  # fmt: skip


@router.post(
    "/courses/{course_id}/appointments",
    response={201: list[AppointmentOut]},
    summary="Book every unbooked dose of the course as previewed, all or nothing",
)
def book_series(request: HttpRequest, course_id: uuid.UUID, payload: SeriesIn) -> Status:
    access, course = course_for_user(request_user(request), course_id, Capability.MANAGE_SCHEDULE)
    booked = actions.book_series(
        api_actor(request), access, course, payload.start, tuple(payload.staff)
    )
    return Status(201, booked)


def _appointment(request: HttpRequest, appointment_id: uuid.UUID) -> tuple[Any, Appointment]:
    return get_chart_record_for_user(
        request_user(request), Appointment, appointment_id, Capability.MANAGE_SCHEDULE, "place"
    )


@router.post(
    "/appointments/{appointment_id}/move",
    response=AppointmentOut,
    summary="Move an appointment: the rules and the course's spacing must still hold",
)
def move_appointment(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentMove
) -> Appointment:
    access, found = _appointment(request, appointment_id)
    return actions.move(
        api_actor(request), access, found, payload.version, payload.starts_at,
        place=_place(found.clinic_id, payload.place),
        staff=list(payload.staff) if payload.staff is not None else None,
    )  # fmt: skip


@router.post(
    "/appointments/{appointment_id}/cancel",
    response=AppointmentOut,
    summary="Cancel with a reason (late inside the clinic's notice period)",
)
def cancel_appointment(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentCancel
) -> Appointment:
    access, found = _appointment(request, appointment_id)
    return actions.cancel(api_actor(request), access, found, payload.version, payload.reason)


@router.post(
    "/appointments/{appointment_id}/state",
    response=AppointmentOut,
    summary="Record that the patient arrived, that it took place, or a no-show",
)
def mark_appointment(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentState
) -> Appointment:
    access, found = _appointment(request, appointment_id)
    return actions.mark(api_actor(request), access, found, payload.version, payload.state)
