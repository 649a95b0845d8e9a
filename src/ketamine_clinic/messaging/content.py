"""What a message says. No diagnosis, no drug and no name of the patient: the clinic's name,
a time, what to do, and at most one single-use link (the record keeps it as [link])."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.clinical.pre_dose import ESKETAMINE_NO_FOOD, ESKETAMINE_NO_LIQUIDS

LINK = "[link]"
# What to do before a dose, without naming it: the pre-dose checks' own limits
# (clinical/pre_dose.py, the Spravato label) and no driving until the next day after sleep.
BEFORE_A_DOSE = {
    "esketamine_nasal": f"Please have nothing to eat for {ESKETAMINE_NO_FOOD.seconds // 3600} "
    f"hours and nothing to drink for {ESKETAMINE_NO_LIQUIDS.seconds // 60} minutes before.",
}
AFTER_A_DOSE = (
    "Arrange for someone to take you home: you must not drive until the next day, after a "
    "night's sleep."
)
STOP_SMS = "Reply STOP to stop texts."


def when(at: datetime) -> str:
    local = timezone.localtime(at)
    return local.strftime("%A %-d %B at %H:%M")


def _contact(clinic: Clinic) -> str:
    return f" To change it, call {clinic.phone}." if clinic.phone else ""


def appointment(
    clinic: Clinic, starts_at: datetime, kind: str, product: str, reminder: bool
) -> tuple[str, str]:
    """The confirmation or a reminder of an appointment: (subject, body)."""
    opening = "Reminder: your" if reminder else "Your"
    lines = [f"{opening} appointment at {clinic.name} is on {when(starts_at)}."]
    if kind == "dosing":
        if product in BEFORE_A_DOSE:
            lines.append(BEFORE_A_DOSE[product])
        lines.append(AFTER_A_DOSE)
    lines.append(_contact(clinic).strip())
    subject = f"{'Reminder: your' if reminder else 'Your'} appointment at {clinic.name}"
    return subject, " ".join(line for line in lines if line)


def series(clinic: Clinic, appointments: list[tuple[datetime, str, str]]) -> tuple[str, str]:
    """One confirmation for appointments booked together (a course's series): (subject, body)."""
    times = "; ".join(when(at) for at, _, _ in sorted(appointments))
    lines = [f"Your {len(appointments)} appointments at {clinic.name} are booked: {times}."]
    products = {product for _, kind, product in appointments if kind == "dosing"}
    lines += [BEFORE_A_DOSE[p] for p in sorted(products) if p in BEFORE_A_DOSE]
    if products:
        lines.append(AFTER_A_DOSE)
    lines.append(_contact(clinic).strip())
    return f"Your appointments at {clinic.name}", " ".join(line for line in lines if line)


def questionnaire(clinic: Clinic) -> tuple[str, str]:
    """A questionnaire link: (subject, body with [link] where the link goes)."""
    return (
        f"A short questionnaire from {clinic.name}",
        f"{clinic.name} has a short questionnaire for you (about 2 minutes): {LINK} "
        "The link works once and expires.",
    )


def link_url(raw: str) -> str:
    return settings.KC_PUBLIC_URL + reverse("assessments:link", args=[raw])


def for_sms(body: str) -> str:
    return f"{body} {STOP_SMS}"
