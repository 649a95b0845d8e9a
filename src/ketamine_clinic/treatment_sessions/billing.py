"""Each session's billing lines and the superbill a patient sends to an insurer: the
clinic, the patient, the diagnoses, every session with its codes and fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from ketamine_clinic.clinical.billing import Line, session_lines
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.pdf import render_pdf
from ketamine_clinic.patients.models import Diagnosis, Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment_sessions.models import Administration, TreatmentSession

MAX_DAYS = 366


def given_mg(session: TreatmentSession) -> Decimal:
    total = Administration.objects.filter(
        session=session, corrected_by__isnull=True, given_mg__isnull=False
    ).aggregate(total=Sum("given_mg"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def current_lines(session: TreatmentSession) -> list[Line]:
    """What this session would bill now, from the dose given and today's clinic settings."""
    settings = session.patient.clinic.billing_settings or {}
    return session_lines(session.product, given_mg(session), settings)


def lines(session: TreatmentSession) -> list[Line]:
    """What this session bills: as frozen when the record was signed, else as it stands now
    (the record may still change until it is signed)."""
    if session.billing_lines is None:
        return current_lines(session)
    return [
        Line(row["code"], row["description"], Decimal(row["units"]),
             None if row["fee"] is None else Decimal(row["fee"]))
        for row in session.billing_lines
    ]  # fmt: skip


def snapshot(session: TreatmentSession) -> list[dict[str, Any]]:
    """The lines to store at signing, decimals as strings so none is rounded by JSON."""
    return [
        {"code": line.code, "description": line.description, "units": str(line.units),
         "fee": None if line.fee is None else str(line.fee)}
        for line in current_lines(session)
    ]  # fmt: skip


def superbill(patient: Patient, start: date, end: date) -> bytes:
    if end < start:
        raise InvalidInput("end", "must not be before start")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput("end", "at most a year at a time")
    sessions = TreatmentSession.objects.filter(
        patient=patient,
        status=RecordStatus.ACTIVE,
        discharged_at__isnull=False,
        on__gte=start,
        on__lte=end,
    ).order_by("on")
    rows: list[dict[str, Any]] = []
    total = Decimal(0)
    for session in sessions:
        for line in lines(session):
            rows.append({"on": session.on, "line": line})
            total += line.amount or 0
    clinic = patient.clinic
    return render_pdf(
        "treatment_sessions/superbill_pdf.html",
        {
            "clinic": clinic,
            "billing": clinic.billing_settings or {},
            "patient": patient,
            "diagnoses": Diagnosis.objects.filter(patient=patient, status=RecordStatus.ACTIVE),
            "rows": rows,
            "total": total,
            "unpriced": any(r["line"].fee is None for r in rows),
            "start": start,
            "end": end,
            "made_at": timezone.localtime(),
        },
    )
