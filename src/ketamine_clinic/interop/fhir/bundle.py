"""Patient/$everything: every resource of one patient's record in one searchset Bundle, with
the clinic, the staff who acted and the questionnaires referenced, validated whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from ketamine_clinic.accounts.models import User
from ketamine_clinic.assessments.catalogue import instruments_for
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.evaluations.consent.models import Consent
from ketamine_clinic.interop.fhir import resources as fx
from ketamine_clinic.interop.fhir import treatment as tx
from ketamine_clinic.patients.models import Allergy, BodyMeasurement, Diagnosis, Patient
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    TreatmentSession,
    VitalSigns,
)

Resource = dict[str, Any]


def patient_resources(patient: Patient) -> Iterable[Resource]:
    """The patient's own resources (the `match` entries of $everything), each with
    `meta.lastUpdated`: when its record last changed (a chair entry: when it was recorded,
    or when a later entry corrected it)."""
    yield stamped(fx.patient_resource(patient), patient.updated_at)
    for diagnosis in Diagnosis.objects.filter(patient=patient):
        yield stamped(fx.condition(diagnosis), diagnosis.updated_at)
    for allergy in Allergy.objects.filter(patient=patient):
        yield stamped(fx.allergy_intolerance(allergy), allergy.updated_at)
    for measurement in BodyMeasurement.objects.filter(patient=patient):
        yield stamped(fx.body_measurement(measurement), measurement.updated_at)
    instruments = instruments_for(patient.clinic_id)
    for assessment in Assessment.objects.filter(patient=patient).order_by("administered_at"):
        instrument = instruments.get(assessment.instrument_id)
        yield stamped(fx.questionnaire_response(assessment, instrument), assessment.updated_at)
        yield stamped(fx.score_observation(assessment, instrument), assessment.updated_at)
    for course in Course.objects.filter(patient=patient).prefetch_related("orders"):
        yield stamped(tx.care_plan(course), course.updated_at)
    for order in DoseOrder.objects.filter(patient=patient).select_related(
        "course", "stock_product"
    ):
        yield stamped(tx.medication_request(order), order.updated_at)
    for consent in Consent.objects.filter(patient=patient).select_related("document", "patient"):
        yield stamped(tx.consent(consent), consent.updated_at)
    sessions = {s.pk: s for s in TreatmentSession.objects.filter(patient=patient)}
    for session in sessions.values():
        session.patient = patient  # read once, not once a session
        yield stamped(tx.encounter(session), session.updated_at)
    ids = list(sessions)
    vitals = VitalSigns.objects.filter(session_id__in=ids)
    replaced = _corrected(vitals)
    for v in vitals:
        for resource in fx.vital_signs(v, patient.pk, current=v.pk not in replaced):
            yield stamped(resource, replaced.get(v.pk, v.recorded_at))
    doses = Administration.objects.filter(session_id__in=ids).select_related("container__product")
    replaced = _corrected(doses)
    for a in doses:
        given = tx.medication_administration(a, sessions[a.session_id], a.pk not in replaced)
        if given is not None:
            yield stamped(given, replaced.get(a.pk, a.recorded_at))
    events = AdverseEvent.objects.filter(session_id__in=ids)
    replaced = _corrected(events)
    for e in events:
        event = tx.adverse_event(e, sessions[e.session_id], e.pk not in replaced)
        yield stamped(event, replaced.get(e.pk, e.recorded_at))


def stamped(resource: Resource, updated: datetime) -> Resource:
    resource["meta"] = {**resource.get("meta", {}), "lastUpdated": fx.instant(updated)}
    return resource


def _corrected(entries: Any) -> dict[Any, datetime]:
    """The entries a later entry corrects (exported as entered in error), with when."""
    return dict(entries.filter(corrects__isnull=False).values_list("corrects_id", "recorded_at"))


def referenced(patient: Patient, resources: list[Resource]) -> Iterable[Resource]:
    """What the patient's resources point at (the `include` entries): the clinic, the staff,
    the questionnaires."""
    yield fx.organization(patient.clinic)
    staff = {
        ref["reference"].split("/", 1)[1]
        for ref in _references(resources)
        if ref["reference"].startswith("Practitioner/")
    }
    for user in User.objects.filter(pk__in=staff):
        yield fx.practitioner(user)
    instruments = instruments_for(patient.clinic_id)
    used = {
        r["questionnaire"].split("|")[0].rsplit(":", 1)[1]
        for r in resources
        if r["resourceType"] == "QuestionnaireResponse"
    }
    for instrument_id in sorted(used):
        if instrument_id in instruments:
            yield fx.questionnaire(instruments[instrument_id])


def _references(value: Any) -> Iterable[dict[str, str]]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def everything(
    patient: Patient, base_url: str, keep: Callable[[Resource], bool] = lambda _: True
) -> Resource:
    """`keep` says what this reader may see (a patient their portal's share, an app what its
    scopes name); what the kept resources point at follows them."""
    own = [r for r in patient_resources(patient) if keep(r)]
    others = [r for r in referenced(patient, own) if keep(r)]
    bundle = {
        "resourceType": "Bundle",
        "id": f"everything-{patient.pk}",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
        "total": len(own),
        "link": [{"relation": "self", "url": f"{base_url}Patient/{patient.pk}/$everything"}],
        "entry": [
            {
                "fullUrl": f"{base_url}{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": mode},
            }
            for mode, group in (("match", own), ("include", others))
            for r in group
        ],
    }
    Bundle.model_validate(bundle)
    return bundle
