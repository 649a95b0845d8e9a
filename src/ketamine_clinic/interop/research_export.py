"""The de-identified research extract of a clinic: one table per kind of record, coded
values only (no free text at all, so nothing typed into a note can leak), each patient a
random study id with dates shifted by their secret offset, as CSV or Parquet in a zip with
its data dictionary. The rules are in clinical/safe_harbor.py."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.clinical import safe_harbor
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.interop.models import ResearchId
from ketamine_clinic.patients.models import Diagnosis, Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    TreatmentSession,
)

# table -> column -> (type, meaning): the data dictionary, and the only columns that leave.
DICTIONARY: dict[str, dict[str, tuple[str, str]]] = {
    "patients": {
        "study_id": ("string", "Random study identifier of the patient (not derived from them)"),
        "sex": ("string", "female, male, other or unknown"),
        "age_at_first_course": ("string", "Age in years at the first course; 90+ above 89"),
    },
    "diagnoses": {
        "study_id": ("string", "The patient"),
        "icd10_code": ("string", "ICD-10 code"),
        "primary": ("boolean", "The primary diagnosis"),
    },
    "courses": {
        "study_id": ("string", "The patient"),
        "course": ("integer", "Course number of this patient, in order"),
        "protocol": ("string", "Protocol identifier (the clinic's protocol library)"),
        "product": ("string", "iv_racemic, im_racemic, esketamine_nasal, ..."),
        "state": ("string", "draft, active or stopped"),
        "start_date": ("date", "Start, shifted by the patient's offset"),
    },
    "sessions": {
        "study_id": ("string", "The patient"),
        "course": ("integer", "Course number"),
        "date": ("date", "Session day, shifted"),
        "product": ("string", "As in courses"),
        "state": ("string", "discharged, aborted, ..."),
        "given_mg": ("number", "Total mg given in the session"),
        "adverse_events": ("integer", "Adverse events recorded"),
    },
    "assessments": {
        "study_id": ("string", "The patient"),
        "instrument": ("string", "phq9, gad7, madrs, ..."),
        "time": ("datetime", "When answered, shifted, UTC, to the minute"),
        "context": ("string", "baseline, pre_dose, post_dose, 4h, 24h, weekly, ad_hoc"),
        "total": ("integer", "Total score"),
    },
    "adverse_events": {
        "study_id": ("string", "The patient"),
        "time": ("datetime", "When it happened, shifted"),
        "kind": ("string", "Coded kind (dissociation, nausea, raised_bp, ...)"),
        "severity": ("string", "mild, moderate or severe"),
        "serious": ("boolean", "A serious adverse event"),
    },
}
ACTIVE = RecordStatus.ACTIVE


def research_ids(patients: Iterable[Patient]) -> dict[Any, ResearchId]:
    """Each patient's pseudonym and offset, made once and kept."""
    found = {r.patient_id: r for r in ResearchId.objects.filter(patient__in=list(patients))}
    for patient in patients:
        if patient.pk not in found:
            with transaction.atomic():
                found[patient.pk] = ResearchId.objects.create(
                    patient=patient,
                    study_id=safe_harbor.new_study_id(),
                    date_offset_days=safe_harbor.new_offset_days(),
                )
    return found


def tables(clinic: Clinic) -> dict[str, list[dict[str, Any]]]:
    patients = list(Patient.objects.filter(clinic=clinic, status=ACTIVE))
    ids = research_ids(patients)

    def sid(patient_id: Any) -> str:
        return ids[patient_id].study_id

    def off(patient_id: Any) -> int:
        return ids[patient_id].date_offset_days

    courses = list(Course.objects.filter(patient__in=patients, status=ACTIVE).order_by(
        "patient_id", "start_on", "created_at"))  # fmt: skip
    number: dict[Any, int] = {}
    per_patient: dict[Any, int] = {}
    for c in courses:
        per_patient[c.patient_id] = per_patient.get(c.patient_id, 0) + 1
        number[c.pk] = per_patient[c.patient_id]
    first_course: dict[Any, Any] = {}
    for c in courses:
        first_course.setdefault(c.patient_id, c.start_on)
    sessions = list(TreatmentSession.objects.filter(patient__in=patients, status=ACTIVE))
    given: dict[Any, float] = {}
    for a in Administration.objects.filter(session__in=sessions, corrected_by__isnull=True,
                                           given_mg__isnull=False):  # fmt: skip
        given[a.session_id] = given.get(a.session_id, 0.0) + float(a.given_mg or 0)
    events = list(AdverseEvent.objects.filter(session__in=sessions, corrected_by__isnull=True)
                  .select_related("session"))  # fmt: skip
    event_count: dict[Any, int] = {}
    for e in events:
        event_count[e.session_id] = event_count.get(e.session_id, 0) + 1
    return {
        "patients": [
            {
                "study_id": sid(p.pk),
                "sex": p.sex,
                "age_at_first_course": safe_harbor.age_group(
                    age_on(p.birth_date, first_course.get(p.pk, timezone.localdate()))
                ),
            }
            for p in patients
        ],
        "diagnoses": [
            {"study_id": sid(d.patient_id), "icd10_code": d.icd10_code, "primary": d.is_primary}
            for d in Diagnosis.objects.filter(patient__in=patients, status=ACTIVE)
        ],
        "courses": [
            {"study_id": sid(c.patient_id), "course": number[c.pk], "protocol": c.protocol_id,
             "product": c.product, "state": c.state,
             "start_date": safe_harbor.shift_date(c.start_on, off(c.patient_id))}
            for c in courses
        ],
        "sessions": [
            {"study_id": sid(s.patient_id), "course": number.get(s.course_id),
             "date": safe_harbor.shift_date(s.on, off(s.patient_id)), "product": s.product,
             "state": s.state, "given_mg": given.get(s.pk, 0.0),
             "adverse_events": event_count.get(s.pk, 0)}
            for s in sessions
        ],
        "assessments": [
            {"study_id": sid(a.patient_id), "instrument": a.instrument_id,
             "time": safe_harbor.shift_time(a.administered_at, off(a.patient_id)),
             "context": a.context, "total": a.total}
            for a in Assessment.objects.filter(patient__in=patients, status=ACTIVE)
        ],
        "adverse_events": [
            {"study_id": sid(e.session.patient_id),
             "time": safe_harbor.shift_time(e.at, off(e.session.patient_id)),
             "kind": e.kind, "severity": e.severity, "serious": e.serious}
            for e in events
        ],
    }  # fmt: skip


def dictionary_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["table", "column", "type", "meaning"])
    for table, columns in DICTIONARY.items():
        for column, (kind, meaning) in columns.items():
            writer.writerow([table, column, kind, meaning])
    return buffer.getvalue()


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
               "boolean": pa.bool_(), "date": pa.string(), "datetime": pa.string()}  # fmt: skip


def _parquet(rows: list[dict[str, Any]], table: str) -> bytes:
    columns = DICTIONARY[table]
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, (kind, _m) in columns.items()])
    data = pa.Table.from_pylist(rows, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(data, buffer)
    return buffer.getvalue()


def extract(clinic: Clinic, fmt: str) -> bytes:
    """The zip: one file per table (CSV or Parquet), the data dictionary, and a README."""
    content = tables(clinic)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in content.items():
            unknown = {k for row in rows for k in row} - set(DICTIONARY[table])
            if unknown:  # nothing leaves that the dictionary does not name
                raise RuntimeError(f"{table}: undocumented columns {sorted(unknown)}")
            if fmt == "parquet":
                archive.writestr(f"{table}.parquet", _parquet(rows, table))
            else:
                archive.writestr(f"{table}.csv", _csv(rows, list(DICTIONARY[table])))
        archive.writestr("data_dictionary.csv", dictionary_csv())
        archive.writestr(
            "README.txt",
            "De-identified extract: no names, contact details, record numbers or free text; "
            "each patient is a random study id; dates are shifted per patient by a secret "
            "offset; ages over 89 are 90+. See data_dictionary.csv.\n",
        )
    return buffer.getvalue()
