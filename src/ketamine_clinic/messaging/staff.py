"""The staff's own messages: deadlines that must not slip, by email to the people who meet
them. No patient is named: the message says what is due and links to the page, which asks
for a login.

- A REMS Patient Monitoring Form not submitted 2 days before its 7-day deadline: the
  prescribers (CLINICAL.md 2; clinical/rems_form.SUBMIT_WITHIN).
- A DEA loss report whose notice or Form 106 is not recorded: the admins, at once and again
  two days before each deadline.
- A safety alert not acknowledged within 30 minutes: the prescribers.
- A signed evaluation of a patient in an active course that expires within 14 days: the
  prescriber who signed it (evaluations.queries.max_evaluation_age)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments.models import SafetyAlert
from ketamine_clinic.clinical.rems_form import SUBMIT_WITHIN
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.evaluations.queries import max_evaluation_age
from ketamine_clinic.inventory.models import LossReport
from ketamine_clinic.messaging import delivery
from ketamine_clinic.messaging.models import Channel, Message
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment_sessions.models import TreatmentSession

Enqueue = Callable[[Message, datetime], None]
REMS_WARNING = timedelta(days=2)
DEA_WARNING = timedelta(days=2)
ALERT_GRACE = timedelta(minutes=30)
EVALUATION_WARNING = timedelta(days=14)
BASIS = "member of the clinic's staff (work email)"


def _link(name: str, *args: Any) -> str:
    return settings.KC_PUBLIC_URL + reverse(name, args=args)


def _send(key: str, clinic: Clinic, user: User, subject: str, body: str, now: datetime,
          enqueue: Enqueue) -> int:  # fmt: skip
    values = {
        "clinic": clinic, "user": user, "kind": Message.Kind.STAFF_TASK,
        "channel": Channel.EMAIL, "to": user.email, "subject": subject, "body": body,
        "due_at": now, "basis": BASIS,
        "state": Message.State.QUEUED if user.email else Message.State.CANCELLED,
        "last_error": "" if user.email else "no email address for this member of staff",
    }  # fmt: skip
    return int(delivery.create_once(key, values, enqueue))


def _members(clinic: Clinic, role: Role) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(clinic=clinic, role=role, is_active=True).select_related(
            "user"
        )
        if m.user.is_active
    ]


def plan_staff(now: datetime, enqueue: Enqueue) -> int:
    today = timezone.localdate(now)
    return (
        _rems(today, now, enqueue) + _losses(today, now, enqueue) + _alerts(now, enqueue)
        + _evaluations(today, now, enqueue)
    )  # fmt: skip


def _rems(today: date, now: datetime, enqueue: Enqueue) -> int:
    made = 0
    due = TreatmentSession.objects.filter(
        product="esketamine_nasal", status=RecordStatus.ACTIVE, discharged_at__isnull=False,
        rems_submitted_at__isnull=True, on__gte=today - SUBMIT_WITHIN,
        on__lte=today - SUBMIT_WITHIN + REMS_WARNING,
    ).select_related("patient__clinic")  # fmt: skip
    for session in due:
        clinic = session.patient.clinic
        deadline = session.on + SUBMIT_WITHIN
        body = (f"{clinic.name}: a REMS Patient Monitoring Form is due by "
                f"{deadline:%A %-d %B} and is not submitted yet. "
                f"{_link('treatment_sessions:chair', session.pk)}")  # fmt: skip
        for user in _members(clinic, Role.PRESCRIBER):
            made += _send(f"rems:{session.pk}:{user.pk}", clinic, user,
                          "A REMS form is due", body, now, enqueue)  # fmt: skip
    return made


def _losses(today: date, now: datetime, enqueue: Enqueue) -> int:
    made = 0
    open_reports = LossReport.objects.filter(
        notice_sent_on__isnull=True
    ) | LossReport.objects.filter(form_106_filed_on__isnull=True)
    for report in open_reports.select_related("clinic"):
        clinic = report.clinic
        url = _link("inventory:loss_report", report.pk)
        steps = []
        if report.notice_sent_on is None:
            steps.append(("notice", report.notice_due, "the DEA notice"))
        if report.form_106_filed_on is None:
            steps.append(("form106", report.form_106_due, "DEA Form 106"))
        for step, deadline, what in steps:
            stages = ["opened"] + (["soon"] if deadline - today <= DEA_WARNING else [])
            for stage in stages:
                body = f"{clinic.name}: {what} for a loss report is due by {deadline:%-d %B}. {url}"
                for user in _members(clinic, Role.ADMIN):
                    made += _send(f"loss:{report.pk}:{step}:{stage}:{user.pk}", clinic, user,
                                  "A DEA deadline", body, now, enqueue)  # fmt: skip
    return made


def _alerts(now: datetime, enqueue: Enqueue) -> int:
    made = 0
    waiting = SafetyAlert.objects.filter(
        acknowledged_at__isnull=True, raised_at__lte=now - ALERT_GRACE
    ).select_related("clinic")
    for alert in waiting:
        clinic = alert.clinic
        body = (f"{clinic.name}: a safety alert has waited more than 30 minutes for a "
                f"clinician to acknowledge it. {_link('clinic:dashboard')}")  # fmt: skip
        for user in _members(clinic, Role.PRESCRIBER):
            made += _send(f"alert:{alert.pk}:{user.pk}", clinic, user,
                          "A safety alert is waiting", body, now, enqueue)  # fmt: skip
    return made


def _evaluations(today: date, now: datetime, enqueue: Enqueue) -> int:
    made = 0
    treated = Course.objects.filter(state="active", status=RecordStatus.ACTIVE).values("patient")
    signed = (
        Evaluation.objects.filter(
            patient__in=treated, status=RecordStatus.ACTIVE, signed_at__isnull=False,
            signed_by__isnull=False,
        )
        .select_related("patient__clinic", "signed_by")
        .order_by("patient_id", "-evaluated_on")
    )  # fmt: skip
    latest: dict[Any, Evaluation] = {}
    for evaluation in signed:
        latest.setdefault(evaluation.patient_id, evaluation)
    for evaluation in latest.values():
        clinic = evaluation.patient.clinic
        expires = evaluation.evaluated_on + timedelta(days=max_evaluation_age(clinic))
        if evaluation.signed_by is None or not today <= expires <= today + EVALUATION_WARNING:
            continue
        body = (f"{clinic.name}: an evaluation you signed for a patient in treatment expires on "
                f"{expires:%-d %B}; a new one is needed before the next dose after that. "
                f"{_link('evaluations:detail', evaluation.pk)}")  # fmt: skip
        made += _send(f"evaluation:{evaluation.pk}:expiring", clinic, evaluation.signed_by,
                      "An evaluation expires soon", body, now, enqueue)  # fmt: skip
    return made
