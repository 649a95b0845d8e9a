"""Patient screens: list and search, chart, register, edit, and marking errors.

Views parse, authorise through `access`, and call `actions`; they never save models themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.current import current_membership, membership_with
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.patients import actions, queries
from ketamine_clinic.patients.access import (
    get_patient_for_user,
    get_record_for_user,
    record_list_read,
    record_page_read,
)
from ketamine_clinic.patients.forms import (
    EnteredInErrorForm,
    PatientForm,
    is_valid_all_at_once,
    record_form_class,
    validate_into,
)
from ketamine_clinic.patients.models import BodyMeasurement, PatientRecord
from ketamine_clinic.patients.records import RECORD_KINDS, RecordKind
from ketamine_clinic.patients.schemas import (
    CONTACT_FIELDS,
    EnteredInError,
    PatientCreate,
    PatientUpdate,
)
from ketamine_clinic.patients.templatetags.patient_tables import FIELDS as LIST_FIELDS

PAGE_SIZE = 50
M = TypeVar("M", bound=Model)


def _kind(segment: str) -> RecordKind:
    kind = RECORD_KINDS.get(segment)
    if kind is None:
        raise Http404("no such record kind")
    return kind


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.LIST_PATIENTS)
    query = request.GET.get("q", "")[:100]
    include_in_error = request.GET.get("include_entered_in_error") == "1"
    patients = queries.search_patients(
        queries.in_clinics([membership.clinic_id]), query, include_in_error
    )
    rows = list(patients.only(*LIST_FIELDS)[: PAGE_SIZE + 1])
    record_list_read(request, membership, "patient.search" if query else "patient.list")
    context = {
        "patients": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "q": query,
        "include_in_error": include_in_error,
        "may_register": can(membership.role, Capability.EDIT_DEMOGRAPHICS),
    }
    partial = request.headers.get("HX-Request") == "true"
    template = "patients/partials/results.html" if partial else "patients/list.html"
    return render(request, template, context)


@login_required
def patient_chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_DEMOGRAPHICS)
    patient = access.patient
    clinical = can(access.role, Capability.VIEW_CLINICAL)
    # Weight and height head the chart for every role; the measurements read for them are
    # the chart's measurement section too, so they are read once.
    measurements = queries.measurements(patient)
    queries.note_latest_measurements(patient, measurements)
    sections = []
    if clinical:
        for kind in RECORD_KINDS.values():
            records: Sequence[PatientRecord]
            if kind.model is BodyMeasurement:
                records = measurements
            else:
                records = queries.chart_records(patient, kind)
            sections.append(
                {
                    "kind": kind,
                    "records": records,
                    "may_add": can(access.role, kind.write) and not patient.in_error,
                }
            )
    record_access(
        web_actor(request),
        action="read",
        what="patient.chart",
        clinic=patient.clinic_id,
        patient_id=patient.pk,
        role=access.role,
    )
    return render(
        request,
        "patients/chart.html",
        {
            "patient": patient,
            "age": age_on(patient.birth_date, timezone.localdate()),
            "role": access.role,
            "clinical": clinical,
            "may_read_notes": can(access.role, Capability.READ_NOTES),
            "may_schedule": can(access.role, Capability.MANAGE_SCHEDULE),
            "may_message": can(access.role, Capability.EDIT_CLINICAL),
            "sections": sections,
            "may_edit": can(access.role, Capability.EDIT_DEMOGRAPHICS) and not patient.in_error,
            "may_mark_in_error": can(access.role, Capability.MARK_PATIENT_IN_ERROR)
            and not patient.in_error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.EDIT_DEMOGRAPHICS)
    form = PatientForm(request.POST or None)
    duplicate_warning = ""
    if request.method == "POST" and is_valid_all_at_once(form, PatientCreate):
        payload = validate_into(form, PatientCreate, form.schema_data())
        if payload is not None:
            try:
                patient = actions.register_patient(
                    web_actor(request), membership.clinic, payload.model_dump()
                )
            except Conflict as exc:
                duplicate_warning = str(exc)
            except InvalidInput as exc:
                put_error(form, exc)
            else:
                messages.success(request, f"Registered {patient.full_name} (MRN {patient.mrn}).")
                return redirect("patients:chart", patient_id=patient.pk)
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": "Register a patient", "duplicate_warning": duplicate_warning},
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.EDIT_DEMOGRAPHICS)
    patient = access.patient
    initial = {name: getattr(patient, name, None) for name in PatientForm.base_fields}
    form = PatientForm(request.POST or None, initial=initial, editing=patient)
    conflict = ""
    if request.method == "POST" and is_valid_all_at_once(form, PatientUpdate):
        data = form.schema_data()
        # A blank optional field clears it; a blank MRN keeps the one the patient has.
        for name in CONTACT_FIELDS:
            data.setdefault(name, "")
        data.setdefault("mrn", patient.mrn)
        payload = validate_into(form, PatientUpdate, data)
        if payload is not None:
            changes = payload.model_dump(exclude_unset=True)
            version = changes.pop("version")
            try:
                actions.update_patient(web_actor(request), access, version, changes)
            except Conflict as exc:
                conflict = str(exc)
            except InvalidInput as exc:
                put_error(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("patients:chart", patient_id=patient.pk)
    record_page_read(request, access, "demographics form")
    return render(
        request,
        "patients/form.html",
        {
            "form": form,
            "title": f"Edit {patient.full_name}",
            "patient": patient,
            "conflict": conflict,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_in_error(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(
        request_user(request), patient_id, Capability.MARK_PATIENT_IN_ERROR
    )
    form = EnteredInErrorForm(request.POST or None, initial={"version": access.patient.version})
    if request.method == "POST" and form.is_valid():
        payload = validate_into(form, EnteredInError, form.cleaned_data)
        if payload is not None:
            try:
                actions.mark_patient_in_error(
                    web_actor(request), access, payload.version, payload.reason
                )
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.warning(request, "Registration marked as entered in error.")
                return redirect("patients:chart", patient_id=access.patient.pk)
    record_page_read(request, access, "patient in-error form")
    return render(
        request,
        "patients/entered_in_error.html",
        {"form": form, "patient": access.patient, "what": "this registration"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, patient_id: str, segment: str) -> HttpResponse:
    kind = _kind(segment)
    access = get_patient_for_user(request_user(request), patient_id, kind.write)
    form = record_form_class(kind)(request.POST or None)
    if request.method == "POST" and is_valid_all_at_once(form, kind.create):
        payload = validate_into(form, kind.create, form.schema_data())  # type: ignore[attr-defined]
        if payload is not None:
            try:
                actions.add_record(web_actor(request), access, kind, payload.model_dump())
            except (Conflict, InvalidInput) as exc:
                put_error(form, exc)
            else:
                messages.success(request, f"Added to {kind.title.lower()}.")
                return redirect(reverse("patients:chart", args=[access.patient.pk]) + f"#{segment}")
    record_page_read(request, access, "chart record form")
    return render(
        request,
        "patients/record_form.html",
        {"form": form, "kind": kind, "patient": access.patient},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_in_error(
    request: HttpRequest, patient_id: str, segment: str, record_id: str
) -> HttpResponse:
    kind = _kind(segment)
    access, record = get_record_for_user(
        request_user(request), patient_id, kind.model, record_id, kind.write
    )
    form = EnteredInErrorForm(request.POST or None, initial={"version": record.version})
    if request.method == "POST" and form.is_valid():
        payload = validate_into(form, EnteredInError, form.cleaned_data)
        if payload is not None:
            try:
                actions.mark_record_in_error(
                    web_actor(request), access, kind, record, payload.version, payload.reason
                )
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.warning(request, "Marked as entered in error.")
                return redirect(reverse("patients:chart", args=[access.patient.pk]) + f"#{segment}")
    record_page_read(request, access, "chart record in-error form")
    return render(
        request,
        "patients/entered_in_error.html",
        {"form": form, "patient": access.patient, "what": f"this {kind.audit_name} record"},
    )


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """A patient's own page: phone-sized, no promises, crisis help first."""
    membership = current_membership(request)
    if membership is None or membership.role != Role.PATIENT:
        raise PermissionDenied("this page is for patients")
    patient = queries.of_user(request_user(request), membership.clinic)
    context: dict[str, Any] = {"patient": patient}
    if patient is not None:
        record_access(
            web_actor(request),
            action="read",
            what="patient.portal",
            clinic=patient.clinic_id,
            patient_id=patient.pk,
            role=Role.PATIENT,
        )
    return render(request, "patients/portal.html", context)
