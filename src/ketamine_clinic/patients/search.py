"""Finding a patient the way the front desk asks: by name, MRN or birth date."""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Q, QuerySet

from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Control characters cannot be in a name or MRN, and PostgreSQL refuses NUL in a query.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def search_patients(
    patients: QuerySet[Patient], query: str, include_entered_in_error: bool = False
) -> QuerySet[Patient]:
    """Every word must match a name part or the MRN; a date matches the birth date."""
    if not include_entered_in_error:
        patients = patients.filter(status=RecordStatus.ACTIVE)
    for term in _CONTROL.sub(" ", query).split()[:5]:
        if _ISO_DATE.match(term):
            try:
                patients = patients.filter(birth_date=date.fromisoformat(term))
            except ValueError:
                return patients.none()
            continue
        patients = patients.filter(
            Q(family_name__icontains=term) | Q(given_name__icontains=term) | Q(mrn__iexact=term)
        )
    return patients.order_by("family_name", "given_name", "mrn")
