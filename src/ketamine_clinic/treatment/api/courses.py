"""Courses, dose orders and the schedule over the API."""

import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Status

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.evaluations.notes import queries as note_queries
from ketamine_clinic.patients.access import (
    get_patient_for_user,
    own_or_with,
    record_patient_access,
)
from ketamine_clinic.treatment import actions
from ketamine_clinic.treatment.access import course_for_user, session_for_user
from ketamine_clinic.treatment.api.dosing import dose_params
from ketamine_clinic.treatment.api.schemas import (
    AdjunctCreate,
    CourseCreate,
    CourseOut,
    DoseFields,
    MarkRequest,
    MoveRequest,
    OrderOut,
    ScheduledSessionOut,
    VersionIn,
)
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession
from ketamine_clinic.treatment.queries import courses
from ketamine_clinic.treatment.queries import protocols as clinic_protocols

router = Router(tags=["courses"])


def course_out(course: Course) -> dict[str, Any]:
    return {
        **{
            f: getattr(course, f)
            for f in (
                "id",
                "patient_id",
                "version",
                "protocol_id",
                "protocol_version",
                "product",
                "state",
                "phase",
                "start_on",
            )
        },
        "orders": list(courses.orders_of(course)),
        "schedule": list(courses.schedule_of(course)),
    }


@router.get(
    "/patients/{patient_id}/courses", response=list[CourseOut], summary="A patient's courses"
)
def list_courses(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    record_patient_access(api_actor(request), access, "read", "courses")
    return [course_out(c) for c in courses.courses_of(access.patient)]


@router.post(
    "/patients/{patient_id}/courses",
    response={201: CourseOut},
    summary="Order a course (prescribers): protocol, dose, start; schedule planned; sign next",
)
def create_course(request: HttpRequest, patient_id: uuid.UUID, payload: CourseCreate) -> Status:
    access = get_patient_for_user(request_user(request), patient_id, Capability.ORDER_TREATMENT)
    protocol = clinic_protocols.get_protocol(payload.protocol, access.patient.clinic_id)
    course = actions.order_course(
        api_actor(request),
        access,
        protocol,
        dose_params(payload),
        payload.start_on,
        payload.planned_sessions,
        payload.integration_every,
    )
    return Status(201, course_out(course))


@router.get(
    "/courses/{course_id}", response=CourseOut, summary="A course with its orders and schedule"
)
def get_course(request: HttpRequest, course_id: uuid.UUID) -> dict[str, Any]:
    access, course = course_for_user(request_user(request), course_id, Capability.VIEW_CLINICAL)
    record_patient_access(api_actor(request), access, "read", "course")
    return course_out(course)


@router.post(
    "/courses/{course_id}/orders", response={201: OrderOut}, summary="A dose change: a new order"
)
def new_order(request: HttpRequest, course_id: uuid.UUID, payload: DoseFields) -> Status:
    access, course = course_for_user(request_user(request), course_id, Capability.ORDER_TREATMENT)
    return Status(
        201, actions.change_dose(api_actor(request), access, course, dose_params(payload))
    )


@router.post(
    "/orders/{order_id}/sign",
    response=OrderOut,
    summary="Sign a dose order (behind the treatment gate)",
)
def sign_order(request: HttpRequest, order_id: uuid.UUID, payload: VersionIn) -> DoseOrder:
    order = courses.order(order_id)
    if order is None:
        raise Http404("no such order")
    access = get_patient_for_user(
        request_user(request), order.patient_id, Capability.ORDER_TREATMENT
    )
    return actions.sign_order(api_actor(request), access, order, payload.version)


@router.post(
    "/courses/{course_id}/maintenance", response=CourseOut, summary="Move the course to maintenance"
)
def maintenance(request: HttpRequest, course_id: uuid.UUID, payload: VersionIn) -> dict[str, Any]:
    access, course = course_for_user(request_user(request), course_id, Capability.ORDER_TREATMENT)
    return course_out(
        actions.start_maintenance(api_actor(request), access, course, payload.version)
    )


@router.get(
    "/patients/{patient_id}/schedule",
    response=list[ScheduledSessionOut],
    summary="Planned treatment days (front desk and the patient see this, without doses)",
)
def schedule(request: HttpRequest, patient_id: uuid.UUID) -> list[ScheduledSession]:
    access = own_or_with(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)
    record_patient_access(api_actor(request), access, "read", "schedule")
    return list(courses.patient_schedule(access.patient))


@router.post(
    "/schedule/{session_id}/move", response=ScheduledSessionOut, summary="Move a planned session"
)
def move(request: HttpRequest, session_id: uuid.UUID, payload: MoveRequest) -> ScheduledSession:
    access, session = session_for_user(request_user(request), session_id)
    return actions.move_session(api_actor(request), access, session, payload.version, payload.on)


@router.post(
    "/courses/{course_id}/adjunct-sessions",
    response={201: ScheduledSessionOut},
    summary="Plan a preparation, psychotherapy or integration session in the course",
)
def add_adjunct(request: HttpRequest, course_id: uuid.UUID, payload: AdjunctCreate) -> Status:
    access, course = course_for_user(request_user(request), course_id, Capability.MANAGE_SCHEDULE)
    session = actions.add_adjunct(
        api_actor(request), access, course, payload.kind, payload.on, payload.note
    )
    return Status(201, session)


MARK_STATES = {"cancel": "cancelled", "missed": "missed", "done": "done"}


@router.post(
    "/schedule/{session_id}/{state}",
    response=ScheduledSessionOut,
    summary="Cancel a session, mark it missed, or record that it took place",
)
def mark(
    request: HttpRequest,
    session_id: uuid.UUID,
    state: Literal["cancel", "missed", "done"],
    payload: MarkRequest,
) -> ScheduledSession:
    access, session = session_for_user(request_user(request), session_id)
    note = None
    if payload.clinical_note is not None:
        note = note_queries.note_of(access.patient, payload.clinical_note)
        if note is None:
            raise InvalidInput("clinical_note", "no such note for this patient")
    return actions.mark_session(
        api_actor(request),
        access,
        session,
        payload.version,
        MARK_STATES[state],
        payload.note,
        note,
        payload.poorly_tolerated,
    )
