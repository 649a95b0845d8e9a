"""The patient's page for how the clinic contacts them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ketamine_clinic.accounts.current import membership_with
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.messaging import actions, queries
from ketamine_clinic.messaging.forms import PostForm, PreferenceForm
from ketamine_clinic.patients.access import (
    get_patient_for_user,
    own_chart,
    record_list_read,
    record_page_read,
)


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


def _uploads(request: HttpRequest) -> list[actions.Upload]:
    return [
        actions.Upload(f.name or "file", f.read()) for f in request.FILES.getlist("attachments")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def threads(request: HttpRequest) -> HttpResponse:
    """The patient's secure messages with the care team, and a new one."""
    patient, access = own_chart(request)
    form = PostForm(request.POST or None, new=True)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            started = actions.start_thread(
                web_actor(request), access, data["subject"], data["body"], _uploads(request)
            )
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc, "attachments" if "attachments" in str(exc) else None)
        else:
            messages.success(request, "Sent to your care team.")
            return redirect("messaging:thread", started.pk)
    record_page_read(request, access, "secure_messages")
    return render(request, "messaging/threads.html", {
        "form": form, "threads": queries.threads_of(patient), "patient": patient,
        "crisis": actions.crisis_help(patient.clinic),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, thread_id: str) -> HttpResponse:
    """One conversation, for the patient or the care team."""
    found = queries.thread(thread_id)
    if found is None:
        raise Http404("no such conversation")
    user = request_user(request)
    access = get_patient_for_user(user, found.patient_id, Capability.VIEW_DEMOGRAPHICS)
    staff = access.role != Role.PATIENT
    if staff and not can(access.role, Capability.EDIT_CLINICAL):
        raise PermissionDenied("secure messages are read by the care team")
    form = PostForm(request.POST if request.POST.get("step") == "reply" else None)
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "reply" and form.is_valid():
                actions.reply(web_actor(request), access, found, form.cleaned_data["body"],
                              _uploads(request))  # fmt: skip
                return redirect("messaging:thread", found.pk)
            version = int(request.POST.get("version") or 0)
            if staff and step == "assign":
                chosen = request.POST.get("assigned_to") or None
                person = queries.staff_member(found.clinic_id, chosen) if chosen else None
                actions.assign(web_actor(request), access, found, version, person)
                return redirect("messaging:thread", found.pk)
            if staff and step == "close":
                actions.close(web_actor(request), access, found, version)
                messages.success(request, "Closed.")
                return redirect("messaging:inbox")
        except (InvalidInput, Conflict) as exc:
            if step == "reply":
                put_error(form, exc, "attachments" if "attachments" in str(exc) else None)
            else:
                messages.error(request, str(getattr(exc, "message", exc)))
    actions.mark_read(web_actor(request), found)
    record_page_read(request, access, "secure_message")
    return render(request, "messaging/thread.html", {
        "thread": found, "posts": queries.posts(found), "form": form, "staff": staff,
        "team": queries.care_team(found.clinic_id) if staff else [],
        "patient": access.patient,
    })  # fmt: skip


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The care team's triage inbox: who is waiting for a reply, and who has it."""
    membership = membership_with(request, Capability.EDIT_CLINICAL)
    show = request.GET.get("show", "open")
    if show not in ("open", "mine", "unassigned", "closed"):
        show = "open"
    record_list_read(request, membership, "secure_messages.inbox")
    return render(request, "messaging/inbox.html", {
        "threads": queries.inbox(membership.clinic_id, show, request_user(request))[:200],
        "show": show, "views": [("open", "Open"), ("mine", "Mine"),
                                ("unassigned", "Nobody's yet"), ("closed", "Closed")],
    })  # fmt: skip


@login_required
@require_GET
def attachment(request: HttpRequest, attachment_id: str) -> FileResponse:
    """A file from a conversation, after the conversation's own checks."""
    found = queries.attachment(attachment_id)
    if found is None:
        raise Http404("no such file")
    access = get_patient_for_user(request_user(request), found.post.thread.patient_id,
                                  Capability.VIEW_DEMOGRAPHICS)  # fmt: skip
    if access.role != Role.PATIENT and not can(access.role, Capability.EDIT_CLINICAL):
        raise PermissionDenied("secure messages are read by the care team")
    record_page_read(request, access, f"secure_message.attachment {found.pk}")
    response = FileResponse(found.file.open("rb"), content_type=found.content_type,
                            as_attachment=found.content_type == "application/pdf",
                            filename=found.name)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def chart_section(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The chart's list of the patient's conversations with the care team."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.EDIT_CLINICAL)
    record_page_read(request, access, "secure_messages")
    return render(request, "messaging/partials/chart_section.html", {
        "threads": queries.threads_of(access.patient), "patient": access.patient,
    })  # fmt: skip
