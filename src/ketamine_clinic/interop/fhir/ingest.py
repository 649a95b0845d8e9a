"""Patients and their PHQ-9 and GAD-7 answers from another system, as a FHIR R4 Bundle.

The whole bundle is checked before anything is stored: the FHIR structure (fhir.resources),
then what we need of each resource (a name, a birth date, a patient for each response, a
complete PHQ-9 or GAD-7). Every problem is listed and nothing is stored while one remains.
A resource imported before (by its identifier, else its id) is found, not duplicated, so a
bundle can be sent twice. Resource types other than Patient and QuestionnaireResponse are
listed as ignored, and so are responses to other questionnaires.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments import outcome_summary
from ketamine_clinic.assessments.actions import store
from ketamine_clinic.assessments.catalogue import instruments_for
from ketamine_clinic.assessments.models import Context, Source
from ketamine_clinic.clinical.instruments.model import AnswerError, Instrument, score
from ketamine_clinic.interop.fhir import codes
from ketamine_clinic.interop.models import ImportedRecord
from ketamine_clinic.patients.actions import insert_patient
from ketamine_clinic.patients.models import Patient

# Which questionnaires are read, by our canonical URL or the LOINC panel code in theirs.
IMPORTABLE = {"phq9": "44249-1", "gad7": "69737-5"}
GENDERS = {"female", "male", "other", "unknown"}
# Answers older than this raise no safety alert on import: they are history, not news.
ALERT_WINDOW = timedelta(days=14)
LOINC_ANSWERS = {code: value for value, (code, _label) in codes.FREQUENCY_ANSWERS.items()}
# Items a real form sends that are not scored: the PHQ-9's "how difficult have these problems
# made it..." (LOINC 69722-7, in the PHQ-9 panel 44249-1). Read and left aside.
NOT_SCORED = {"69722-7"}


class BundleRefused(ValueError):
    """The bundle is not imported; every problem found is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Imported:
    patients_created: int = 0
    patients_found: int = 0
    responses_created: int = 0
    responses_found: int = 0
    ignored: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Patient:
    key: str
    refs: frozenset[str]
    data: dict[str, Any]


@dataclass(frozen=True)
class _Response:
    key: str
    patient_ref: str
    instrument: Instrument
    answers: dict[str, int]
    authored: datetime


def _key(resource: dict[str, Any]) -> str:
    """Identifier system|value when there is one (stable across systems), else the id."""
    for identifier in resource.get("identifier") or []:
        if isinstance(identifier, dict) and identifier.get("value"):
            return f"{identifier.get('system', '')}|{identifier['value']}"
    if isinstance(resource.get("identifier"), dict) and resource["identifier"].get("value"):
        found = resource["identifier"]
        return f"{found.get('system', '')}|{found['value']}"
    return f"{resource['resourceType']}/{resource.get('id', '')}"


def _patient(entry: dict[str, Any], where: str, problems: list[str]) -> _Patient | None:
    resource = entry["resource"]
    names = resource.get("name") or []
    name = names[0] if names else {}
    family = (name.get("family") or "").strip()
    given = " ".join(name.get("given") or []).strip()
    if not family and not given:
        # Only the name as written ("Mei Chen"): the last word is taken as the family name.
        *first, last = (name.get("text") or "").split() or [""]
        given, family = " ".join(first), last
    if not family or not given:
        problems.append(
            f"{where}: Patient.name needs a family and a given name (or a text of both)"
        )
    birth = resource.get("birthDate")
    birth_date = None
    with contextlib.suppress(ValueError):
        birth_date = date.fromisoformat(birth) if birth else None
    if birth_date is None:
        problems.append(f"{where}: Patient.birthDate must be a full date (YYYY-MM-DD)")
    gender = resource.get("gender") or "unknown"
    if gender not in GENDERS:
        problems.append(f"{where}: Patient.gender must be one of {', '.join(sorted(GENDERS))}")
    if not (family and given and birth_date and gender in GENDERS):
        return None
    telecom = resource.get("telecom") or []
    phone = next((t.get("value", "") for t in telecom if t.get("system") == "phone"), "")
    email = next((t.get("value", "") for t in telecom if t.get("system") == "email"), "")
    address = (resource.get("address") or [{}])[0].get("text", "")
    refs = {f"Patient/{resource.get('id', '')}"}
    if entry.get("fullUrl"):
        refs.add(entry["fullUrl"])
    return _Patient(
        _key(resource),
        frozenset(refs),
        {
            "given_name": given[:100],
            "family_name": family[:100],
            "birth_date": birth_date,
            "sex": gender,
            "phone": phone[:40],
            "email": email[:254],
            "address": address[:500],
        },
    )


def _instrument(canonical: str, instruments: dict[str, Instrument]) -> Instrument | None:
    base = canonical.split("|")[0]
    for instrument_id, panel in IMPORTABLE.items():
        if base.endswith(f":{instrument_id}") or base.endswith(panel):
            return instruments.get(instrument_id)
    return None


def _answer_value(answer: dict[str, Any]) -> int | None:
    if "valueInteger" in answer:
        return int(answer["valueInteger"])
    if isinstance(answer.get("valueDecimal"), (int, float)) and answer["valueDecimal"] % 1 == 0:
        return int(answer["valueDecimal"])  # a total some forms send as a decimal
    coding = answer.get("valueCoding") or {}
    if coding.get("system") == codes.LOINC and coding.get("code") in LOINC_ANSWERS:
        return LOINC_ANSWERS[coding["code"]]
    if str(coding.get("code", "")).isdigit():
        return int(coding["code"])
    return None


def _item_id(link_id: str, instrument: Instrument) -> str | None:
    """Our item id from theirs: the same id, or the item's LOINC code (US Core uses
    "/44250-9" style link ids)."""
    if link_id in instrument.item_index:
        return link_id
    code = link_id.strip("/")
    return next((i.id for i in instrument.items if i.loinc == code), None)


def _answered_items(items: list[Any]) -> list[dict[str, Any]]:
    """Every item with answers, however deep: forms nest the questions under the panel's
    group item, and an answer may itself carry nested items."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(items))
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        if item.get("answer"):
            found.append(item)
        children = list(item.get("item") or [])
        for answer in item.get("answer") or []:
            children += list(answer.get("item") or []) if isinstance(answer, dict) else []
        stack.extend(reversed(children))
    return found


def _described(instrument: Instrument, item_id: str) -> str:
    """'item 9 (44260-8, "Thoughts that you would be better off dead…")': the item as the
    sending system knows it, by our number, its LOINC code and its words."""
    item = instrument.item_index.get(item_id)
    if item is None:
        return f"item {item_id!r}"
    words = item.text if len(item.text) <= 40 else item.text[:40].rsplit(" ", 1)[0] + "…"
    code = f"{item.loinc}, " if item.loinc else ""
    return f'item {item_id} ({code}"{words}")'


def _response(
    resource: dict[str, Any], where: str, instruments: dict[str, Instrument], problems: list[str]
) -> _Response | None:
    instrument = _instrument(resource.get("questionnaire") or "", instruments)
    assert instrument is not None  # noqa: S101  # read() passes only PHQ-9 and GAD-7
    if resource.get("status") not in ("completed", "amended"):
        problems.append(f"{where}: only completed responses are imported")
        return None
    subject = (resource.get("subject") or {}).get("reference", "")
    if not subject:
        problems.append(f"{where}: QuestionnaireResponse.subject must name the patient")
    authored_text = resource.get("authored")
    try:
        authored = datetime.fromisoformat(str(authored_text))
    except ValueError:
        authored = None
    if authored is None or authored.tzinfo is None:
        problems.append(f"{where}: QuestionnaireResponse.authored needs a time with a zone")
    answers: dict[str, int] = {}
    their_total: int | None = None
    for item in _answered_items(resource.get("item") or []):
        link = str(item.get("linkId", ""))
        values = [_answer_value(a) for a in item.get("answer") or []]
        if link.strip("/") == instrument.loinc_total and len(values) == 1:
            their_total = values[0]  # the form's own total: checked against ours below
            continue
        if link.strip("/") in NOT_SCORED:
            continue
        item_id = _item_id(link, instrument)
        if item_id is None or len(values) != 1 or values[0] is None:
            problems.append(f"{where}: item {link!r} is not an answer to an item of the "
                            f"{instrument.short_name}")  # fmt: skip
            continue
        answers[item_id] = values[0]
    try:
        scored = score(instrument, answers)
    except AnswerError as exc:
        problems.extend(
            f"{where}: {_described(instrument, item_id)} {why}"
            for item_id, why in exc.problems.items()
        )
        return None
    if their_total is not None and their_total != scored.total:
        problems.append(f"{where}: its total ({instrument.loinc_total}) says {their_total}, "
                        f"but its answers add up to {scored.total}")  # fmt: skip
    if not subject or authored is None or authored.tzinfo is None:
        return None
    return _Response(_key(resource), subject, instrument, answers, authored)


def read(bundle: Any, clinic: Clinic) -> tuple[list[_Patient], list[_Response], dict[str, int]]:
    """Check the whole bundle; BundleRefused lists every problem."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleRefused(["the body must be a FHIR Bundle"])
    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise BundleRefused(
            [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None
    instruments = instruments_for(clinic.pk)
    problems: list[str] = []
    patients: list[_Patient] = []
    responses: list[_Response] = []
    ignored: dict[str, int] = {}
    for n, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        where = f"entry[{n}]"
        if kind == "Patient":
            found = _patient(entry, where, problems)
            if found:
                patients.append(found)
        elif kind == "QuestionnaireResponse":
            if _instrument(resource.get("questionnaire") or "", instruments) is None:
                other = "QuestionnaireResponse (not a PHQ-9 or GAD-7)"
                ignored[other] = ignored.get(other, 0) + 1
                continue
            answered = _response(resource, where, instruments, problems)
            if answered:
                responses.append(answered)
        else:
            ignored[str(kind)] = ignored.get(str(kind), 0) + 1
    known = {ref for p in patients for ref in p.refs}
    for n, r in enumerate(responses):
        if r.patient_ref not in known and not _existing(clinic, r.patient_ref):
            problems.append(f"response {n}: its patient ({r.patient_ref}) is not in the bundle")
    if problems:
        raise BundleRefused(problems)
    return patients, responses, ignored


def _existing(clinic: Clinic, reference: str) -> Patient | None:
    """A response may name a patient imported before (by the same reference)."""
    found = ImportedRecord.objects.filter(
        clinic=clinic, resource_type="Patient", source_key=reference
    ).first()
    return Patient.objects.filter(pk=found.local_id).first() if found else None


def import_bundle(actor: Actor, clinic: Clinic, bundle: Any) -> Imported:
    patients, responses, ignored = read(bundle, clinic)
    result = Imported(ignored=ignored)
    local: dict[str, Patient] = {}
    now = timezone.now()
    with transaction.atomic():
        for p in patients:
            previous = ImportedRecord.objects.filter(
                clinic=clinic, resource_type="Patient", source_key=p.key
            ).first()
            if previous is not None:
                patient = Patient.objects.get(pk=previous.local_id)
                result.patients_found += 1
            else:
                patient = insert_patient(actor, clinic, p.data)
                for key in {p.key, *p.refs}:
                    ImportedRecord.objects.get_or_create(
                        clinic=clinic, resource_type="Patient", source_key=key,
                        defaults={"local_id": patient.pk, "imported_by": actor.user},
                    )  # fmt: skip
                result.patients_created += 1
                record_access(actor, action="create", what="patient (FHIR import)",
                              clinic=clinic, patient_id=patient.pk)  # fmt: skip
            for ref in p.refs:
                local[ref] = patient
        scored: dict[Any, Patient] = {}
        for r in responses:
            if ImportedRecord.objects.filter(
                clinic=clinic, resource_type="QuestionnaireResponse", source_key=r.key
            ).exists():
                result.responses_found += 1
                continue
            subject = local.get(r.patient_ref) or _existing(clinic, r.patient_ref)
            assert subject is not None  # noqa: S101  # read() checked every reference
            recorded = store(
                subject, r.instrument, r.answers, r.authored, Context.AD_HOC, Source.IMPORT,
                actor.user, raise_alerts=now - r.authored <= ALERT_WINDOW, refresh_outcomes=False,
            )  # fmt: skip
            scored[subject.pk] = subject
            ImportedRecord.objects.create(
                clinic=clinic, resource_type="QuestionnaireResponse", source_key=r.key,
                local_id=recorded.assessment.pk, imported_by=actor.user,
            )  # fmt: skip
            record_access(actor, action="create", what=f"assessment.{r.instrument.id} (import)",
                          clinic=clinic, patient_id=subject.pk)  # fmt: skip
            result.responses_created += 1
        for subject in scored.values():  # once per patient, not once per answer
            outcome_summary.refresh(subject)
    return result
