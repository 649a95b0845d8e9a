"""Screens for measurement: record a rating, fill in a questionnaire (portal or link), the
chart's measurement section, acknowledging safety alerts, and loading instruments."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.audit import record_access, record_link_access
from ketamine_clinic.accounts.clientip import client_ip
from ketamine_clinic.accounts.current import membership_with
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.assessments import actions, queries
from ketamine_clinic.assessments.access import get_alert_for_user
from ketamine_clinic.assessments.catalogue import (
    get_instrument,
    instruments_for,
    self_report_instruments,
)
from ketamine_clinic.assessments.charts import instrument_chart_spec, render_svg
from ketamine_clinic.assessments.forms import (
    AcknowledgeForm,
    DefinitionUploadForm,
    LinkForm,
    answers_form_class,
)
from ketamine_clinic.assessments.models import Source
from ketamine_clinic.assessments.outcomes import patient_series
from ketamine_clinic.clinical.instruments import Instrument
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import get_patient_for_user, own_chart, record_page_read

STATUS_LABELS = {
    "no_data": "No scores yet",
    "no_baseline": "No baseline yet",
    "baseline_below_cutoff": "Baseline at or below the remission cut-off: not judged",
    "no_response": "No response yet",
    "response": "Response",
    "remission": "Remission",
    "possible_relapse": "Possible relapse: one score lost the response, not yet confirmed",
    "relapse": "Relapse",
}


def _instrument_or_404(clinic_id: Any, instrument_id: str) -> Instrument:
    try:
        return get_instrument(clinic_id, instrument_id)
    except InvalidInput:
        raise Http404("no such instrument") from None


def _put_answer_errors(form: Any, exc: actions.AnswersInvalid) -> None:
    for item, message in exc.problems.items():
        field = f"item_{item}"
        form.add_error(field if field in form.fields else None, message)


# --- The chart's measurement section -----------------------------------------------------------


@login_required
@require_GET
def measurements(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The chart's measurement section (loaded into the chart by htmx)."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    series = patient_series(access.patient)
    record_access(
        web_actor(request), action="read", what="outcomes", clinic=access.patient.clinic_id,
        patient_id=access.patient.pk, role=access.role,
    )  # fmt: skip
    catalogue = instruments_for(access.patient.clinic_id)
    in_error = queries.entered_in_error(access.patient)
    return render(
        request,
        "assessments/partials/measurements.html",
        {
            "patient": access.patient,
            "series": [
                {
                    "s": s,
                    "status_label": STATUS_LABELS.get(s.outcome.status) if s.outcome else None,
                    "latest_first": list(reversed(s.assessments))[:10],
                }
                for s in series
            ],
            "in_error": in_error,
            "may_record": can(access.role, Capability.RECORD_ASSESSMENT)
            and not access.patient.in_error,
            "may_link": can(access.role, Capability.SEND_ASSESSMENT_LINK)
            and not access.patient.in_error,
            "instruments": list(catalogue.values()),
        },
    )


@login_required
@require_GET
def chart_svg(request: HttpRequest, patient_id: str, instrument_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    series = next(
        (s for s in patient_series(access.patient) if s.instrument.id == instrument_id), None
    )
    if series is None:
        raise Http404("no scores on that instrument")
    # Dose days, until treatment sessions are recorded: the pre-dose scores on any instrument.
    doses = queries.pre_dose_times(access.patient)
    spec = instrument_chart_spec(
        series.instrument,
        [(a.administered_at, a.total, a.context) for a in series.assessments],
        series.outcome,
        series.remission_at_most,
        doses,
    )
    record_access(
        web_actor(request), action="read", what=f"chart.{instrument_id}",
        clinic=access.patient.clinic_id, patient_id=access.patient.pk, role=access.role,
    )  # fmt: skip
    return HttpResponse(render_svg(spec), content_type="image/svg+xml")


# --- Staff record a rating ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, patient_id: str, instrument_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.RECORD_ASSESSMENT)
    instrument = _instrument_or_404(access.patient.clinic_id, instrument_id)
    form_class = answers_form_class(instrument, staff=True)
    initial = {"administered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    if request.GET.get("context"):  # e.g. the chair asks for a pre-dose score
        initial["context"] = request.GET["context"]
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        when = form.cleaned_data["administered_at"]
        if when > timezone.now() + timedelta(minutes=5):
            form.add_error("administered_at", "must not be in the future")
        else:
            try:
                recorded = actions.record_assessment(
                    web_actor(request), access, instrument, form.answers(),  # type: ignore[attr-defined]
                    when, form.cleaned_data["context"],
                )  # fmt: skip
            except actions.AnswersInvalid as exc:
                _put_answer_errors(form, exc)
            except (Conflict, InvalidInput) as exc:
                form.add_error(None, str(exc))
            else:
                a = recorded.assessment
                note = f"{a.instrument_name} recorded: {a.total}"
                note += f" ({a.band_label})" if a.band_label else ""
                if recorded.alerts:
                    messages.error(request, note + ". Safety alert raised: " + "; ".join(
                        alert.message for alert in recorded.alerts))  # fmt: skip
                else:
                    messages.success(request, note + ".")
                return redirect(
                    back or reverse("patients:chart", args=[access.patient.pk]) + "#measurements"
                )
    record_page_read(request, access, "assessment form")
    return render(
        request,
        "assessments/record.html",
        {"form": form, "instrument": instrument, "patient": access.patient},
    )


@login_required
@require_http_methods(["GET", "POST"])
def in_error(request: HttpRequest, patient_id: str, assessment_id: str) -> HttpResponse:
    from ketamine_clinic.assessments.actions import mark_in_error
    from ketamine_clinic.patients.forms import EnteredInErrorForm

    access = get_patient_for_user(request_user(request), patient_id, Capability.RECORD_ASSESSMENT)
    assessment = queries.administration(access.patient, assessment_id)
    if assessment is None:
        raise Http404("no such assessment")
    form = EnteredInErrorForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        try:
            mark_in_error(
                web_actor(request), access, assessment, form.cleaned_data["version"],
                form.cleaned_data["reason"],
            )  # fmt: skip
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.warning(request, "Marked as entered in error.")
            return redirect(reverse("patients:chart", args=[access.patient.pk]) + "#measurements")
    record_page_read(request, access, "assessment in-error form")
    return render(
        request,
        "patients/entered_in_error.html",
        {"form": form, "patient": access.patient, "what": f"this {assessment.instrument_name}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_link(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(
        request_user(request), patient_id, Capability.SEND_ASSESSMENT_LINK
    )
    self_report = self_report_instruments(access.patient.clinic_id)
    form = LinkForm(request.POST or None, instruments=self_report)
    url = None
    if request.method == "POST" and form.is_valid():
        instrument = _instrument_or_404(access.patient.clinic_id, form.cleaned_data["instrument"])
        raw, link = actions.create_link(
            web_actor(request), access, instrument, form.cleaned_data["context"],
            form.cleaned_data["expires_in_hours"],
        )  # fmt: skip
        url = request.build_absolute_uri(reverse("assessments:link", args=[raw]))
        form = LinkForm(instruments=self_report)
        messages.success(
            request,
            "Link made; it works once, until "
            f"{date_format(timezone.localtime(link.expires_at), 'DATETIME_FORMAT')}.",
        )
    record_page_read(request, access, "questionnaire link form")
    return render(
        request, "assessments/send_link.html", {"form": form, "patient": access.patient, "url": url}
    )


# --- Patients fill in questionnaires -----------------------------------------------------------


def _answer_page(
    request: HttpRequest, instrument: Instrument, clinic: Clinic, submit: Any, *, action: str
) -> HttpResponse:
    """Show the questionnaire; on a valid submission store it and show the thanks page, or
    the crisis page at once when an answer raises a safety alert."""
    form = answers_form_class(instrument, staff=False)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = submit(form.answers())  # type: ignore[attr-defined]
        except actions.AnswersInvalid as exc:
            _put_answer_errors(form, exc)
        else:
            template = "assessments/crisis.html" if recorded.alerts else "assessments/thanks.html"
            return render(request, template, {"clinic": clinic, "instrument": instrument})
    return render(
        request,
        "assessments/fill_in.html",
        {"form": form, "instrument": instrument, "clinic": clinic, "action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def fill_in(request: HttpRequest, instrument_id: str) -> HttpResponse:
    patient, access = own_chart(request)
    instrument = _instrument_or_404(patient.clinic_id, instrument_id)
    if not instrument.self_report:
        raise Http404("not a self-report questionnaire")

    def submit(answers: dict[str, int]) -> actions.Recorded:
        return actions.record_assessment(
            web_actor(request), access, instrument, answers, timezone.now(), "ad_hoc",
            source=Source.PORTAL,
        )  # fmt: skip

    return _answer_page(request, instrument, patient.clinic, submit, action=request.path)


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A questionnaire opened from a link: no login; the single-use link is the key."""
    try:
        found = actions.find_link(token)
    except actions.LinkNotYetOpen as exc:
        return render(request, "assessments/link_unusable.html", {"message": str(exc)})
    except actions.LinkUnusable as exc:
        return render(request, "assessments/link_unusable.html", {"message": str(exc)}, status=410)
    patient = found.patient
    instrument = _instrument_or_404(patient.clinic_id, found.instrument_id)
    if request.method == "GET":
        record_link_access(
            client_ip(request), action="read", what=f"assessment_link.{instrument.id}",
            clinic_id=patient.clinic_id, patient_id=patient.pk,
        )  # fmt: skip

    def submit(answers: dict[str, int]) -> actions.Recorded:
        return actions.submit_link(token, answers, client_ip(request))

    try:
        return _answer_page(request, instrument, patient.clinic, submit, action=request.path)
    except actions.LinkUnusable as exc:
        return render(request, "assessments/link_unusable.html", {"message": str(exc)}, status=410)


# --- Safety alerts (listed on the clinic's dashboard) -------------------------------------------


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert, role = get_alert_for_user(request_user(request), alert_id, Capability.ACKNOWLEDGE_ALERT)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what you did (at least a few words) to acknowledge the alert.")
        return redirect("clinic:dashboard")
    try:
        actions.acknowledge_alert(web_actor(request), alert, role, form.cleaned_data["action_note"])
    except Conflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, "Alert acknowledged.")
    return redirect("clinic:dashboard")


# --- Clinic admins load instruments ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def instruments(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.MANAGE_INSTRUMENTS)
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["definition"]
        try:
            if upload.size > 1_000_000:
                raise actions.DefinitionInvalid(["file: larger than 1 MB"])
            try:
                data = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise actions.DefinitionInvalid([f"file: not valid JSON ({exc})"]) from None
            loaded = actions.load_instrument(web_actor(request), membership.clinic, data)
        except actions.DefinitionInvalid as exc:
            problems = exc.problems
        except Conflict as exc:
            problems = [str(exc)]
        else:
            messages.success(request, f"Loaded {loaded.instrument_id} version {loaded.version}.")
            return redirect("assessments:instruments")
    return render(
        request,
        "assessments/instruments.html",
        {
            "form": form,
            "problems": problems,
            "catalogue": list(instruments_for(membership.clinic_id).values()),
            "loaded": queries.loaded_instruments(membership.clinic_id),
        },
    )
