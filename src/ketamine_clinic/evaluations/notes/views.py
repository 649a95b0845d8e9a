"""Clinical note screens: the chart's notes section, writing from a template, signing."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.common.errors import Conflict
from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.evaluations.notes import actions as notes
from ketamine_clinic.evaluations.notes import queries as notes_queries
from ketamine_clinic.evaluations.notes.models import ClinicalNote
from ketamine_clinic.evaluations.notes.outlines import TEMPLATES
from ketamine_clinic.patients.access import get_patient_for_user, record_page_read
from ketamine_clinic.patients.forms import DATE


class NoteForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    occurred_on = forms.DateField(label="Date", widget=DATE)
    body = forms.CharField(max_length=50000, widget=forms.Textarea(attrs={"rows": 16}))

    def clean_occurred_on(self) -> object:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("must not be in the future")
        return value


@login_required
@require_GET
def section(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.READ_NOTES)
    record_access(
        web_actor(request),
        action="read",
        what="notes",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return render(
        request,
        "evaluations/partials/notes.html",
        {
            "patient": access.patient,
            "notes": notes_queries.notes_of(access.patient),
            "may_write": can(access.role, Capability.WRITE_NOTES) and not access.patient.in_error,
            "kinds": ClinicalNote.Kind.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, patient_id: str, kind: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.WRITE_NOTES)
    if kind not in TEMPLATES:
        raise Http404("no such note template")
    parent = None
    if request.GET.get("addendum_to"):
        try:
            wanted = uuid.UUID(request.GET["addendum_to"])
        except ValueError:
            raise Http404("no such note") from None
        parent = notes_queries.note_of(access.patient, wanted)
        if parent is None:
            raise Http404("no such note")
    title, body = TEMPLATES[kind]
    if parent is not None:
        title, body = f"Addendum: {parent.title}", ""
    form = NoteForm(
        request.POST or None,
        initial={"title": title, "body": body, "occurred_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = notes.write_note(
                web_actor(request),
                access,
                kind,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                form.cleaned_data["occurred_on"],
                parent,
            )
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            if request.POST.get("sign") == "1":
                notes.sign_note(web_actor(request), access, note, note.version)
                messages.success(request, "Note signed.")
            else:
                messages.success(request, "Draft saved. Sign it when it is complete.")
            return redirect(reverse("patients:chart", args=[access.patient.pk]) + "#notes")
    record_page_read(request, access, "note form")
    return render(
        request,
        "evaluations/note_form.html",
        {
            "form": form,
            "patient": access.patient,
            "kind_label": dict(ClinicalNote.Kind.choices)[kind],
            "parent": parent,
        },
    )


@login_required
@require_POST
def sign(request: HttpRequest, note_id: str) -> HttpResponse:
    note = notes_queries.note(note_id)
    if note is None:
        raise Http404("no such note")
    access = get_patient_for_user(request_user(request), note.patient_id, Capability.WRITE_NOTES)
    try:
        notes.sign_note(
            web_actor(request), access, note, int(request.POST.get("version", "0") or 0)
        )
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Note signed.")
    return redirect(reverse("patients:chart", args=[note.patient_id]) + "#notes")
