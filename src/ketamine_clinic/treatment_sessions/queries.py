"""What the chair's screens and the API read about a session: its timeline, with every entry
in time order, what is due, the alerts standing now, the dose as the chair shows it and the
stock it may be drawn from."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.appointments import queries as appointment_queries
from ketamine_clinic.clinical import chair, pre_dose
from ketamine_clinic.clinical.protocols import ESKETAMINE_DEVICE_INTERVAL_MIN, ESKETAMINE_DEVICE_MG
from ketamine_clinic.clinical.vital_signs import sedation_alert, suggestion, vital_alerts
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.server.compiled_sql import rows_by
from ketamine_clinic.treatment.models import ScheduledSession
from ketamine_clinic.treatment_sessions import facts
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    Entry,
    Observation,
    PreDoseCheck,
    Transition,
    TreatmentSession,
    VitalSigns,
)

E = TypeVar("E", bound=Entry)

ENTRY_MODELS: dict[str, type[Entry]] = {
    "checks": PreDoseCheck,
    "vitals": VitalSigns,
    "dose": Administration,
    "observation": Observation,
    "adverse_event": AdverseEvent,
}
# The timeline reads all of them on every refresh at the chair (compiled_sql: why); the
# entries are sorted together below, so each kind is read in no particular order.
ENTRY_READS = {
    kind: rows_by(model, "session_id", ordered=False) for kind, model in ENTRY_MODELS.items()
}
TRANSITIONS = rows_by(Transition, "session_id")
COMMON = {"id", "session", "at", "recorded_at", "recorded_by", "corrects", "correction_reason"}


def entry_out(kind: str, entry: Entry, current: bool = True) -> dict[str, Any]:
    """An entry as the API shows it; `current` unless a later entry corrects it (a new
    entry is current: nothing can have corrected it yet)."""
    data = {
        f.name: getattr(entry, f.attname)
        for f in entry._meta.concrete_fields
        if f.name not in COMMON
    }
    return {
        "id": entry.pk,
        "type": kind,
        "at": entry.at,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by_id,
        "corrects": entry.corrects_id,  # type: ignore[attr-defined]
        "correction_reason": entry.correction_reason,
        "current": current,
        "data": data,
    }


def _last(entries: list[Any]) -> Any:
    """The latest entry, as `facts.current(...).last()` orders them."""
    return max(entries, key=lambda e: (e.at, e.recorded_at), default=None)


def timeline(session: TreatmentSession) -> dict[str, Any]:
    """The session with every step and entry in time order, and what is due or missing now.
    Each kind of entry is read once; the standing alerts come from the same rows."""
    entries: list[dict[str, Any]] = []
    current: dict[str, list[Any]] = {}
    for kind in ENTRY_MODELS:
        found = ENTRY_READS[kind](session)
        corrected = {e.corrects_id for e in found if e.corrects_id}  # type: ignore[attr-defined]
        entries += [entry_out(kind, e, e.pk not in corrected) for e in found]
        current[kind] = [e for e in found if e.pk not in corrected]
    entries.sort(key=lambda e: (e["at"], e["recorded_at"]))
    limits = facts.limits(session)
    checking = session.state == "checked_in"
    verdict = (
        pre_dose.check(facts.chair_checks(session), limits)
        if checking
        else pre_dose.Verdict((), ())
    )
    discharge = (
        chair.discharge_problems(
            facts.discharge_facts(session, bool(session.responsible_adult)), limits
        )
        if session.state == "monitoring"
        else []
    )
    return {
        **{f.attname: getattr(session, f.attname) for f in session._meta.concrete_fields},
        "transitions": TRANSITIONS(session),
        "entries": entries,
        "due": facts.due(session),
        "pre_dose_problems": list(verdict.blocking),
        "pre_dose_overridable": list(verdict.overridable),
        "pre_dose_warnings": list(verdict.warnings),
        "discharge_problems": [p for p in discharge if "responsible adult" not in p],
        **standing_alerts(current, limits),
    }


def standing_alerts(current: dict[str, list[Any]], limits: Any) -> dict[str, Any]:
    """The alerts of the last vitals and the last MOAA/S, with what to do first, from the
    session's current entries by kind."""
    latest = _last(current["vitals"])
    texts = list(latest.alerts) if latest else []
    kinds = [a.kind for a in vital_alerts(facts.reading(latest), limits)] if latest else []
    moaas = _last([o for o in current["observation"] if o.scale == "moaas"])
    sedation = sedation_alert(moaas.score if moaas else None, limits)
    if sedation is not None:
        texts.append(sedation.text)
        kinds.append(sedation.kind)
    pumping = _last([d for d in current["dose"] if d.action != Administration.Action.IV_RATE])
    infusing = pumping is not None and pumping.action in (
        Administration.Action.IV_START,
        Administration.Action.IV_RESUME,
    )
    pump, steps = suggestion(kinds, infusing)
    return {"alerts": texts, "alert_steps": steps, "alert_pump": pump}


def sessions_on(clinic_ids: list[Any], day: date) -> QuerySet[TreatmentSession]:
    """The clinics' sessions of a day, in the order they were opened."""
    return TreatmentSession.objects.filter(
        patient__clinic_id__in=clinic_ids, on=day, status="active"
    ).order_by("created_at")


def running_sessions(clinic: Any, day: date, states: Any) -> QuerySet[TreatmentSession]:
    """The clinic's sessions of a day in the given states, with what the board shows of
    them, in the order patients checked in."""
    return (
        TreatmentSession.objects.filter(
            patient__clinic=clinic, on=day, state__in=states, status="active"
        )
        .select_related("patient", "order", "course", "patient__clinic")
        .order_by("checked_in_at")
    )


def planned_dosing_days(clinic: Any, day: date) -> QuerySet[ScheduledSession]:
    """The day's planned dosing sessions of the clinic's active courses, by surname."""
    return (
        ScheduledSession.objects.filter(
            patient__clinic=clinic,
            kind=ScheduledSession.Kind.DOSING,
            on=day,
            status="active",
            course__state="active",
        )
        .select_related("patient", "course")
        .order_by("patient__family_name")
    )


def day_rows(clinic: Any, day: date) -> list[tuple[Any, Any, Any]]:
    """The day's planned doses with their session (once opened) and their appointment (once
    booked), in the order of the appointments, the unbooked after them by surname."""
    planned = list(planned_dosing_days(clinic, day))
    opened = opened_on(clinic, day)
    booked = appointment_queries.bookings_of([p.pk for p in planned])
    rows = [(p, opened.get(p.pk), booked.get(p.pk)) for p in planned]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: r[2].starts_at if r[2] else far)


def opened_on(clinic: Any, day: date) -> dict[Any, TreatmentSession]:
    """The sessions already opened that day, by the planned session they were opened for."""
    return {
        s.scheduled_id: s for s in TreatmentSession.objects.filter(patient__clinic=clinic, on=day)
    }


def planned_session(scheduled_id: Any) -> ScheduledSession | None:
    """A planned session of any clinic: the caller checks who may open it."""
    return ScheduledSession.objects.filter(pk=scheduled_id).first()


def planned_dosing(course: Any, scheduled_id: Any = None) -> ScheduledSession | None:
    """The course's planned dosing session: the one named, else today's still planned."""
    planned = ScheduledSession.objects.filter(
        course=course, kind=ScheduledSession.Kind.DOSING, status="active"
    )
    if scheduled_id is not None:
        return planned.filter(pk=scheduled_id).first()
    return planned.filter(on=timezone.localdate(), state="planned").first()


def session_entry(model: type[E], session: TreatmentSession, entry_id: Any) -> E | None:
    """One entry of the session by its id; None for another session's."""
    return model._default_manager.filter(pk=entry_id, session=session).first()


def dose_display(session: TreatmentSession) -> dict[str, Any]:
    """What the chair shows of the dose: the calculation, the devices or the pump, and the
    preparation steps the nurse follows."""
    calculation = session.order.calculation
    dose = Decimal(str(calculation.get("dose_mg") or 0))
    devices = int(dose) // ESKETAMINE_DEVICE_MG if session.route == "intranasal" else 0
    given = facts.current(Administration, session)
    last_device = given.filter(action=Administration.Action.DEVICE).last()
    next_device_at = (
        last_device.at + timedelta(minutes=ESKETAMINE_DEVICE_INTERVAL_MIN) if last_device else None
    )
    return {
        "calculation": calculation,
        "devices": devices,
        "devices_given": given.filter(action=Administration.Action.DEVICE).count(),
        "next_device_at": next_device_at,
        "infusing": facts.infusing(session),
        "pumped_mg": facts.pump_mg(session, given, timezone.now()),
        "preparation": [
            step
            for step in calculation.get("steps", [])
            if step["what"].startswith(("Draw from", "Add ", "Final concentration", "Pump rate"))
        ],
        "started": given.filter(action=Administration.Action.IV_START).exists(),
        "paused": (
            (last := given.exclude(action=Administration.Action.IV_RATE).last()) is not None
            and last.action == Administration.Action.IV_PAUSE
        ),
    }


def stock_for(session: TreatmentSession) -> Any:
    """The containers the dose may be drawn from: in date, not empty, of the ordered
    substance and, where the order names one, of the ordered concentration."""
    found = Container.objects.filter(
        clinic_id=session.patient.clinic_id,
        product__substance=facts.SUBSTANCE.get(session.product, "ketamine"),
        balance_mg__gt=0,
        expires_on__gte=timezone.localdate(),
    ).select_related("product")
    if session.order.concentration_mg_per_ml is not None:
        found = found.filter(product__concentration_mg_per_ml=session.order.concentration_mg_per_ml)
    return found
