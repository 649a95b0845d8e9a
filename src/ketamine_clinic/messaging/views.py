"""The patient's page for how the clinic contacts them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.messaging import actions, queries
from ketamine_clinic.messaging.forms import PreferenceForm
from ketamine_clinic.patients.access import own_chart, record_page_read


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    patient, access = own_chart(request)
    chosen = queries.preference(patient)
    to, _ = queries.recipient(patient, "reminders")
    initial = {
        "channel": chosen.channel if chosen else (to.channel if to else "email"),
        "reminders": chosen.reminders if chosen else True,
        "questionnaires": chosen.questionnaires if chosen else True,
        "version": chosen.version if chosen else None,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_preference(
                web_actor(request), access, channel=data["channel"], reminders=data["reminders"],
                questionnaires=data["questionnaires"], version=data["version"],
            )  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, "Saved: this is how the clinic will contact you.")
            return redirect("messaging:mine")
    record_page_read(request, access, "message_preference")
    return render(request, "messaging/mine.html", {
        "form": form, "patient": patient, "chosen": chosen,
    })  # fmt: skip
