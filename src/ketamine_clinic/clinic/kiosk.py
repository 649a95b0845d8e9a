"""Kiosk mode screens: staff hand a clinic tablet to the patient for a consent or a
questionnaire; the patient sees only that; the tablet comes back with a PIN. A consent's
witness is chosen when the tablet is handed over and confirms, with their own PIN, when it
comes back; only then is the consent recorded."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from ketamine_clinic.accounts import kiosk, screen_lock
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.queries import staff_who_can
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.accounts.screen_lock import unlocks
from ketamine_clinic.accounts.templatetags.people import person
from ketamine_clinic.assessments import actions as assessment_actions
from ketamine_clinic.assessments.catalogue import get_instrument
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import StyledFormMixin, put_error
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.evaluations.consent.forms import PatientSignForm, signing_page
from ketamine_clinic.evaluations.consent.models import ConsentDocument
from ketamine_clinic.patients.access import (
    get_patient_for_user,
    record_page_read,
    record_patient_access,
)


class WitnessForm(StyledFormMixin, forms.Form):
    witness = forms.ChoiceField(label="Witness")

    def __init__(self, *args: Any, witnesses: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["witness"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared just above
        field.choices = [(str(u.pk), person(u)) for u in witnesses]


class HandBackForm(StyledFormMixin, forms.Form):
    secret = forms.CharField(
        label="PIN (or password)",
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    witnessed = forms.BooleanField(
        required=False, label="I witnessed the patient read and sign this consent"
    )


def _chart(patient_id: Any, section: str) -> str:
    return reverse("patients:chart", args=[patient_id]) + section


@login_required
@require_http_methods(["GET", "POST"])
def start_consent(request: HttpRequest, patient_id: uuid.UUID, product: str) -> HttpResponse:
    """Choose the witness, then hand the tablet over: it shows only this consent."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.RECORD_CONSENT)
    if product not in consent_queries.PRODUCT_LABELS:
        raise Http404("no such product")
    document = consent_queries.current_document(access.patient.clinic_id, product)
    if document is None:
        raise Http404("this clinic has no consent document for this product")
    witnesses = staff_who_can(access.patient.clinic, Capability.RECORD_CONSENT)
    form = WitnessForm(
        request.POST or None, witnesses=witnesses, initial={"witness": str(request.user.pk)}
    )
    if request.method == "POST" and form.is_valid():
        kiosk.start(
            request,
            task="consent",
            home=reverse("clinic:kiosk_consent"),
            paths=[],
            back=_chart(access.patient.pk, "#eligibility"),
            staff=str(request.user.pk),
            witness=form.cleaned_data["witness"],
            patient=str(access.patient.pk),
            document=str(document.pk),
        )
        record_patient_access(web_actor(request), access, "read", "kiosk: consent handed over")
        return redirect("clinic:kiosk_consent")
    record_page_read(request, access, "kiosk hand-over form")
    return render(
        request,
        "clinic/kiosk_start.html",
        {
            "form": form,
            "patient": access.patient,
            "what": f"the consent for {consent_queries.PRODUCT_LABELS[product]}",
        },
    )


@login_required
@require_POST
def start_questionnaire(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """Hand the tablet over with one questionnaire: a single-use link, opened here."""
    access = get_patient_for_user(
        request_user(request), patient_id, Capability.SEND_ASSESSMENT_LINK
    )
    try:
        instrument = get_instrument(access.patient.clinic_id, request.POST.get("instrument", ""))
        raw, _link = assessment_actions.create_link(
            web_actor(request), access, instrument, "ad_hoc", hours=1
        )
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect(_chart(access.patient.pk, "#measurements"))
    page = reverse("assessments:link", args=[raw])
    kiosk.start(
        request,
        task="questionnaire",
        home=page,
        paths=[page],
        back=_chart(access.patient.pk, "#measurements"),
        staff=str(request.user.pk),
    )
    return redirect(page)


def _in_kiosk(request: HttpRequest, task: str | None = None) -> dict[str, Any]:
    found = kiosk.state(request)
    if found is None or (task and found.get("task") != task):
        raise Http404("this tablet is not in kiosk mode")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """The patient reads and signs; nothing is recorded until the witness confirms."""
    state = _in_kiosk(request, "consent")
    access = get_patient_for_user(
        request_user(request), state["patient"], Capability.RECORD_CONSENT
    )
    document = ConsentDocument.objects.get(pk=state["document"])
    form = PatientSignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent_actions.check_signature(
                access, document, data["signed_name"], data["signature_typed"],
                data["signature_image"],
            )  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            kiosk.update(
                request,
                pending={
                    "signed_name": data["signed_name"],
                    "signature_typed": data["signature_typed"],
                    "signature_image": data["signature_image"],
                    "signed_at": timezone.now().isoformat(),
                },
            )
            return redirect("clinic:kiosk_hand_back")
    record_page_read(request, access, "consent on the clinic tablet")
    return signing_page(request, form, access.patient, document, document.product, kiosk=True)


@login_required
@require_http_methods(["GET", "POST"])
def hand_back(request: HttpRequest) -> HttpResponse:
    """The tablet returns to staff: to the chosen witness, who confirms a signed consent, or
    to whoever handed it over. Five wrong tries end the session."""
    state = kiosk.state(request)
    if state is None:
        return redirect("home")
    pending = state.get("pending")
    person = User.objects.get(pk=state["witness"] if pending else state["staff"])
    form = HandBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not unlocks(person, form.cleaned_data["secret"]):
            fails = int(state.get("fails", 0)) + 1
            if fails >= screen_lock.MAX_FAILS:
                logout(request)
                messages.error(request, "Too many wrong PINs: the tablet was logged out.")
                return redirect("login")
            kiosk.update(request, fails=fails)
            form.add_error("secret", f"Wrong. {screen_lock.MAX_FAILS - fails} tries left.")
        elif pending and not form.cleaned_data["witnessed"]:
            form.add_error("witnessed", "Confirm that you witnessed the signature.")
        else:
            if pending:
                _record(request, state, person)
            kiosk.end(request)
            messages.success(
                request,
                "Consent signed and witnessed." if pending else "The tablet is back with staff.",
            )
            return redirect(state["back"])
    return render(
        request,
        "clinic/kiosk_hand_back.html",
        {"form": form, "person": person, "pending": pending},
    )


def _record(request: HttpRequest, state: dict[str, Any], witness: User) -> None:
    access = get_patient_for_user(
        request_user(request), state["patient"], Capability.RECORD_CONSENT
    )
    pending = state["pending"]
    consent_actions.record_consent(
        web_actor(request),
        access,
        ConsentDocument.objects.get(pk=state["document"]),
        pending["signed_name"],
        pending["signature_typed"],
        pending["signature_image"],
        witness=witness,
        signed_at=parse_datetime(pending["signed_at"]),
    )
