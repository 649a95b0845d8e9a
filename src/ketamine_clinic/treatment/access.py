"""Reaching a course, an order or a scheduled session: through its patient, for a purpose."""

from __future__ import annotations

import uuid

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.patients.access import PatientAccess, get_chart_record_for_user
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession


def course_for_user(
    user: User, course_id: uuid.UUID | str, capability: Capability
) -> tuple[PatientAccess, Course]:
    return get_chart_record_for_user(user, Course, course_id, capability)


def order_for_user(
    user: User, order_id: uuid.UUID | str, capability: Capability
) -> tuple[PatientAccess, DoseOrder]:
    return get_chart_record_for_user(user, DoseOrder, order_id, capability, "course")


def session_for_user(
    user: User, session_id: uuid.UUID | str
) -> tuple[PatientAccess, ScheduledSession]:
    return get_chart_record_for_user(
        user, ScheduledSession, session_id, Capability.MANAGE_SCHEDULE, "course"
    )
