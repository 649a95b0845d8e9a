"""A patient's courses as the screens and the API read them: the courses, their orders,
planned sessions and titration decisions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession, TitrationDecision


def courses_of(patient: Patient) -> QuerySet[Course]:
    return Course.objects.filter(patient=patient)


def orders_of(course: Course) -> QuerySet[DoseOrder]:
    """The course's orders with who signed them, in the model's order."""
    return DoseOrder.objects.filter(course=course).select_related("signed_by")


def latest_order(course: Course) -> DoseOrder | None:
    """The course's newest order: a dose change starts from it."""
    return DoseOrder.objects.filter(course=course).order_by("-created_at").first()


def order(order_id: Any) -> DoseOrder | None:
    """An order of any clinic, with its course and clinic: the caller checks who may see it."""
    return DoseOrder.objects.select_related("course", "patient__clinic").filter(pk=order_id).first()


def schedule_of(course: Course) -> QuerySet[ScheduledSession]:
    return ScheduledSession.objects.filter(course=course)


def patient_schedule(patient: Patient) -> QuerySet[ScheduledSession]:
    """The patient's planned sessions on every course, not entered in error."""
    return ScheduledSession.objects.filter(patient=patient, status="active")


def planned_session_of(patient: Patient, scheduled_id: Any) -> ScheduledSession | None:
    """One of the patient's planned sessions (None for another patient's)."""
    return ScheduledSession.objects.filter(pk=scheduled_id, patient=patient).first()


def decisions_of(course: Course) -> QuerySet[TitrationDecision]:
    """The prescriber's titration decisions on the course, with who made them."""
    return TitrationDecision.objects.filter(course=course).select_related("created_by")
