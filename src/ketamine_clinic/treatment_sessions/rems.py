"""The REMS Patient Monitoring Form filled from what the session recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from ketamine_clinic.clinical import rems_form
from ketamine_clinic.clinical.chair import out_of_range
from ketamine_clinic.clinical.rems_form import RemsForm
from ketamine_clinic.clinical.session_flow import State
from ketamine_clinic.evaluations.consent.queries import rems_enrolment
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment_sessions import facts
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    Observation,
    PreDoseCheck,
    Transition,
    TreatmentSession,
    VitalSigns,
)


def _bp(vitals: VitalSigns | None) -> str:
    if vitals is None or vitals.systolic_mmhg is None:
        return ""
    return f"{vitals.systolic_mmhg}/{vitals.diastolic_mmhg}"


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


def build(session: TreatmentSession) -> RemsForm:
    patient = session.patient
    limits = facts.limits(session)
    check = facts.current(PreDoseCheck, session).last()
    devices = list(facts.current(Administration, session).filter(action="device"))
    first = devices[0].at if devices else None
    vitals = list(facts.current(VitalSigns, session))
    before = [v for v in vitals if v.timing == VitalSigns.Timing.PRE_DOSE]
    after = [v for v in vitals if v.timing != VitalSigns.Timing.PRE_DOSE]
    at_40 = next(
        (
            v
            for v in after
            if first is not None
            and v.systolic_mmhg is not None
            and 35 <= (v.at - first).total_seconds() / 60 <= 50
        ),
        None,
    )
    leaving = after[-1] if after and session.state in (State.READY, State.DISCHARGED) else None
    events = list(facts.current(AdverseEvent, session))
    observations = list(facts.current(Observation, session))
    ready = (
        Transition.objects.filter(session=session, to_state=State.READY)
        .select_related("by")
        .first()
    )
    provider = ready.by if ready else None
    earlier = TreatmentSession.objects.filter(
        patient=patient,
        product="esketamine_nasal",
        status=RecordStatus.ACTIVE,
        dosing_started_at__isnull=False,
        dosing_started_at__lt=session.dosing_started_at or timezone.now(),
    ).exclude(pk=session.pk)
    enrolment = rems_enrolment(patient)
    pre = before[-1] if before else None

    def in_range(v: VitalSigns | None) -> bool | None:
        if v is None:
            return None
        return not out_of_range(facts.reading(v), "esketamine_nasal", limits)

    kinds = {e.kind for e in events}
    dosed = session.dosing_started_at is not None
    return RemsForm(
        patient_first_name=patient.given_name,
        patient_last_name=patient.family_name,
        patient_birth_date=patient.birth_date,
        patient_sex=patient.get_sex_display(),
        first_treatment=not earlier.exists() if dosed else None,
        enrolled=enrolment is not None,
        enrolment_id=enrolment.enrolment_id if enrolment else "",
        benzodiazepines=check.benzodiazepines if check else None,
        non_benzodiazepine_sedative_hypnotics=(
            check.non_benzodiazepine_sedative_hypnotics if check else None
        ),
        psychostimulants=check.psychostimulants if check else None,
        maois=check.maois if check else None,
        opioids=check.opioids if check else None,
        provider_name=provider.get_full_name() or provider.username if provider else "",
        provider_phone=patient.clinic.phone,
        provider_email=provider.email if provider else "",
        setting_name=patient.clinic.name,
        setting_address=patient.clinic.address,
        treatment_date=session.on if dosed else None,
        dose_mg=sum(int(d.given_mg or 0) for d in devices) or None,
        lot_numbers=tuple(dict.fromkeys(d.lot for d in devices if d.lot)),
        minutes_first_device_to_end_of_monitoring=_minutes(first, session.ready_at),
        ready_without_rule_min=session.ready_without_rule_min,
        vitals_in_range_before=in_range(pre),
        vitals_in_range_before_leaving=in_range(leaving),
        bp_before=_bp(pre),
        bp_at_40_min=_bp(at_40),
        bp_before_leaving=_bp(leaving),
        # Occurred = recorded as an adverse event, or seen on the scales: MOAA/S below 5 is
        # sedation, any CADSS above 0 is dissociation, an SpO2 or breathing-rate alert is
        # respiratory depression. The nurse reviews the form before it is submitted.
        sedation=(
            AdverseEvent.Kind.SEDATION in kinds
            or any(o.scale == "moaas" and o.score < 5 for o in observations)
        )
        if session.monitoring_started_at
        else None,
        dissociation=(
            AdverseEvent.Kind.DISSOCIATION in kinds
            or any(o.scale == "cadss" and o.score > 0 for o in observations)
        )
        if session.monitoring_started_at
        else None,
        respiratory_depression=(
            AdverseEvent.Kind.RESPIRATORY_DEPRESSION in kinds
            or any("SpO2" in a or "respiratory" in a for v in vitals for a in v.alerts)
        )
        if session.monitoring_started_at
        else None,
        serious_adverse_events=tuple(e.get_kind_display() for e in events if e.serious),
    )


def form_context(session: TreatmentSession) -> dict[str, Any]:
    """The form with what it lacks and where it stands against the 7-day deadline."""
    form = build(session)
    return {
        "session": session,
        "form": form,
        "missing": rems_form.missing(form),
        "due_on": rems_form.due_on(session.on),
        "status": rems_form.deadline_status(
            session.on, session.rems_submitted_at is not None, timezone.localdate()
        ),
        "now": timezone.now(),
    }


def due_sessions(clinic_ids: list[Any]) -> list[TreatmentSession]:
    """Dosed esketamine sessions whose form is not recorded as submitted, oldest first."""
    return list(
        TreatmentSession.objects.filter(
            patient__clinic_id__in=clinic_ids,
            product="esketamine_nasal",
            status=RecordStatus.ACTIVE,
            dosing_started_at__isnull=False,
            rems_submitted_at__isnull=True,
        )
        .select_related("patient")
        .order_by("on", "created_at")
    )


def due_rows(clinic_ids: list[Any]) -> list[dict[str, Any]]:
    """Each form still to submit, with its deadline (the dashboard and the API)."""
    today = timezone.localdate()
    return [
        {
            "session": s,
            "due_on": rems_form.due_on(s.on),
            "status": rems_form.deadline_status(s.on, False, today),
        }
        for s in due_sessions(clinic_ids)
    ]


def gaps(session: TreatmentSession) -> list[str]:
    """What the REMS monitoring form still lacks (esketamine sessions that were dosed)."""
    if session.product != "esketamine_nasal" or session.dosing_started_at is None:
        return []
    return rems_form.missing(build(session))
