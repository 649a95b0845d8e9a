"""Reaching a course, an order or a scheduled session: through its patient, for a purpose."""

from __future__ import annotations

import uuid

from django.http import Http404

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.patients.access import PatientAccess, get_patient_for_user
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession


def course_for_user(
    user: User, course_id: uuid.UUID | str, capability: Capability
) -> tuple[PatientAccess, Course]:
    course = Course.objects.select_related("patient__clinic").filter(pk=course_id).first()
    if course is None:
        raise Http404("no such course")
    return get_patient_for_user(user, course.patient_id, capability), course


def order_for_user(
    user: User, order_id: uuid.UUID | str, capability: Capability
) -> tuple[PatientAccess, DoseOrder]:
    order = (
        DoseOrder.objects.select_related("course", "patient__clinic").filter(pk=order_id).first()
    )
    if order is None:
        raise Http404("no such order")
    return get_patient_for_user(user, order.patient_id, capability), order


def session_for_user(
    user: User, session_id: uuid.UUID | str
) -> tuple[PatientAccess, ScheduledSession]:
    session = (
        ScheduledSession.objects.select_related("course", "patient__clinic")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("no such session")
    return get_patient_for_user(user, session.patient_id, Capability.MANAGE_SCHEDULE), session
