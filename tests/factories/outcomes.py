"""PHQ-9 scores stored on a day of a cohort's course, for the outcome report."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ketamine_clinic.assessments.actions import store
from ketamine_clinic.assessments.catalogue import instruments_for
from ketamine_clinic.patients.models import Patient
from tests.conftest import World


def phq9(world: World, patient: Patient, day: int, total: int, context: str = "weekly") -> None:
    answers = {str(i): 0 for i in range(1, 10)}
    for i in range(1, 9):
        answers[str(i)] = min(3, max(0, total - 3 * (i - 1)))
    assert sum(answers.values()) == total
    start = timezone.now() - timedelta(days=60)
    store(patient, instruments_for(world.clinic.pk)["phq9"], answers,
          start + timedelta(days=day), context, "staff", world.users["nurse"])  # fmt: skip
