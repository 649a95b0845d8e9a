"""What the record of a session says now: the current entries (those not corrected), the
clinic's thresholds, what is due, and the discharge facts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import QuerySet, Sum
from django.utils import timezone

from ketamine_clinic.clinical import chair, pre_dose
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.clinical.scheduling import min_days_apart
from ketamine_clinic.clinical.vital_signs import Reading, ThresholdError, Thresholds, thresholds
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.inventory import queries as ledger_queries
from ketamine_clinic.inventory.models import Container, LedgerTransaction
from ketamine_clinic.treatment.queries import dose_history, dosing
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    Entry,
    Observation,
    PreDoseCheck,
    TreatmentSession,
    VitalSigns,
)

E = TypeVar("E", bound=Entry)


def limits(session: TreatmentSession) -> Thresholds:
    try:
        return thresholds(session.patient.clinic.session_settings)
    except ThresholdError as exc:
        raise Conflict(f"the clinic's session settings are invalid: {exc}") from None


def current(model: type[E], session: TreatmentSession) -> QuerySet[E]:
    """The entries nobody has corrected, oldest first."""
    return model._default_manager.filter(session=session, corrected_by__isnull=True).order_by(
        "at", "recorded_at"
    )


def minutes_since(start: datetime | None, now: datetime) -> float | None:
    return None if start is None else (now - start).total_seconds() / 60


def first_dose_at(session: TreatmentSession) -> datetime | None:
    first = current(Administration, session).first()
    return first.at if first else None


def last_dose_at(session: TreatmentSession) -> datetime | None:
    doses = current(Administration, session).exclude(
        action__in=[Administration.Action.IV_PAUSE, Administration.Action.IV_RATE]
    )
    last = doses.last()
    return last.at if last else None


def infusing(session: TreatmentSession) -> bool:
    last = current(Administration, session).exclude(action=Administration.Action.IV_RATE).last()
    return last is not None and last.action in (
        Administration.Action.IV_START,
        Administration.Action.IV_RESUME,
    )


def reading(vitals: VitalSigns) -> Reading:
    return Reading(
        vitals.systolic_mmhg,
        vitals.diastolic_mmhg,
        vitals.heart_rate_bpm,
        vitals.spo2_pct,
        vitals.respiratory_rate_per_min,
    )


def open_adverse_events(session: TreatmentSession) -> list[AdverseEvent]:
    return list(current(AdverseEvent, session).filter(resolved_at__isnull=True))


def latest_score(session: TreatmentSession, scale: str) -> int | None:
    latest = current(Observation, session).filter(scale=scale).last()
    return latest.score if latest else None


def dissociation_resolved(session: TreatmentSession) -> bool:
    """No dissociation adverse event still open (a recorded one must be marked resolved)."""
    return not any(e.kind == AdverseEvent.Kind.DISSOCIATION for e in open_adverse_events(session))


def discharge_facts(
    session: TreatmentSession, responsible_adult: bool, now: datetime | None = None
) -> chair.DischargeFacts:
    now = now or timezone.now()
    first, last = first_dose_at(session), last_dose_at(session)
    after = current(VitalSigns, session).exclude(timing=VitalSigns.Timing.PRE_DOSE).last()
    return chair.DischargeFacts(
        product=session.product,
        minutes_since_first_dose=minutes_since(first, now) or 0.0,
        minutes_since_last_dose=minutes_since(last, now) or 0.0,
        dosing_complete=session.monitoring_started_at is not None,
        latest_moaas=latest_score(session, "moaas"),
        dissociation_resolved=dissociation_resolved(session),
        open_adverse_events=tuple(
            e.get_kind_display().lower()
            for e in open_adverse_events(session)
            if e.kind != AdverseEvent.Kind.DISSOCIATION
        ),
        latest_vitals=reading(after) if after else None,
        minutes_since_latest_vitals=minutes_since(after.at, now) if after else None,
        responsible_adult=responsible_adult,
    )


def due(session: TreatmentSession, now: datetime | None = None) -> list[chair.Due]:
    if session.state not in ("dosing", "monitoring"):  # nothing is due before or after
        return []
    now = now or timezone.now()
    first = first_dose_at(session)
    if first is None:
        return []
    vitals = current(VitalSigns, session)
    times = [(v.at - first).total_seconds() / 60 for v in vitals]
    bp_times = [(v.at - first).total_seconds() / 60 for v in vitals if v.systolic_mmhg is not None]
    return chair.due_now(
        session.route,
        (now - first).total_seconds() / 60,
        infusing(session),
        times,
        bp_times,
        limits(session),
    )


def poorly_tolerated(session: TreatmentSession) -> str:
    """For titration: severe or serious adverse events, and vitals that alerted."""
    problems = [
        f"{e.get_severity_display().lower()} {e.get_kind_display().lower()}"
        for e in current(AdverseEvent, session)
        if e.severity == AdverseEvent.Severity.SEVERE or e.serious
    ]
    alerted = [a for v in current(VitalSigns, session) for a in v.alerts]
    if alerted:
        problems.append(f"vitals alerted ({alerted[0]})")
    return "; ".join(problems)[:500]


def dose_rules(session: TreatmentSession) -> dict[str, Any]:
    """The order's dose rules as they stand today: the spacing since the last dose of the same
    drug, the milligrams in the last 7 days, and the age of the weight dosed on."""
    protocol = dosing.course_protocol(session.course)
    esketamine = session.product == dose_history.ESKETAMINE
    given = dose_history.given_doses(session.patient, esketamine, exclude_session=session)
    today = timezone.localdate()
    last = dose_history.last_dosing_day(given)
    phase = next((p for p in protocol.phases if p.name == session.course.phase), None)
    calculation = session.order.calculation
    dose = Decimal(str(calculation.get("dose_mg") or session.order.dose_mg or 0))
    rules: dict[str, Any] = {
        "days_since_last_dose": (today - last).days if last else None,
        "min_days_apart": min_days_apart(phase) if phase else 0,
        "week_given_mg": dose_history.mg_in_week(given),
        "dose_mg": dose,
    }
    if protocol.max_mg_per_week is not None:
        rules["weekly_limit_mg"] = Decimal(protocol.max_mg_per_week)
    if protocol.weight_based:
        weight, measured_on = dosing.latest_weight(session.patient)
        basis = calculation.get("dosing_weight_kg") or weight
        if protocol.max_mg_per_kg_per_week is not None and basis is not None:
            rules["weekly_limit_mg"] = protocol.max_mg_per_kg_per_week * Decimal(str(basis))
        if measured_on is not None:
            rules["weight_age_days"] = (today - measured_on).days
            rules["weight_max_age_days"] = protocol.weight_max_age_days
    return rules


def chair_checks(session: TreatmentSession) -> pre_dose.ChairChecks:
    check = current(PreDoseCheck, session).last()
    vitals = current(VitalSigns, session).filter(timing=VitalSigns.Timing.PRE_DOSE).last()
    patient = session.patient
    now = timezone.now()
    return pre_dose.ChairChecks(
        **dose_rules(session),
        product=session.product,
        now=now,
        identity_confirmed=bool(check and check.identity_confirmed),
        ride_home=bool(check and check.ride_home),
        last_food_at=check.last_food_at if check else None,
        last_liquid_at=check.last_liquid_at if check else None,
        nasal_spray_at=check.nasal_steroid_decongestant_at if check else None,
        pregnancy=check.pregnancy if check else "unknown",
        pregnancy_relevant=pre_dose.pregnancy_relevant(
            age_on(patient.birth_date, timezone.localdate())
        ),
        intoxicated=bool(check and check.intoxicated),
        urinary_symptoms=check.urinary_symptoms if check else "",
        pre_dose_phq9=bool(check and check.pre_dose_assessment_id),
        systolic_mmhg=vitals.systolic_mmhg if vitals else None,
        diastolic_mmhg=vitals.diastolic_mmhg if vitals else None,
        heart_rate_bpm=vitals.heart_rate_bpm if vitals else None,
        spo2_pct=vitals.spo2_pct if vitals else None,
        respiratory_rate_per_min=vitals.respiratory_rate_per_min if vitals else None,
    )


SUBSTANCE = {"esketamine_nasal": "esketamine"}  # every other product is racemic ketamine


def session_container(session: TreatmentSession, container_id: Any) -> Container:
    """A container of the session's clinic, by id (the API and the chair screen)."""
    found = ledger_queries.container(container_id, session.patient.clinic_id)
    if found is None:
        raise InvalidInput("container", "no such container in this clinic")
    return found


def pump_mg(session: TreatmentSession, given: Any, now: datetime) -> Decimal | None:
    """What the pump has infused so far, from the entries' rates and times and the bag's
    concentration; None when the order does not say how the bag was made up."""
    calculation = session.order.calculation
    bag = calculation.get("final_mg_per_ml")
    start = given.filter(action=Administration.Action.IV_START).first()
    if not bag or start is None:
        return None

    def minute(at: datetime) -> Decimal:
        return Decimal(str(minutes_since(start.at, at)))

    events = [
        chair.PumpEvent(e.action, minute(e.at), e.rate_ml_per_h)
        for e in given
        if e.action.startswith("iv_")
    ]
    until = minute(now)
    return chair.infused_mg(
        events, until, Decimal(str(bag)), Decimal(str(calculation.get("dose_mg") or 0))
    )


def waste_pending_mg(session: TreatmentSession) -> Decimal:
    """What was drawn and not given, not yet wasted before a witness."""
    left = sum(
        (d.waste_mg for d in current(Administration, session) if d.waste_mg),
        start=Decimal(0),
    )
    wasted = LedgerTransaction.objects.filter(session=session, kind="waste").aggregate(
        total=Sum("quantity_mg")
    )["total"] or Decimal(0)
    return left - wasted
