"""Writing evaluations: create and edit drafts, sign, amend. Signed ones never change."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.clinical.eligibility import OverrideRefused
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.evaluations.queries import (
    assess,
    medications_of,
    result_json,
    trials_of,
)
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.versioning import save_changes, sign_once

COPIED_ON_AMEND = [
    f.name
    for f in Evaluation._meta.concrete_fields
    if f.name
    not in {
        "id", "version", "status", "entered_in_error_reason", "entered_in_error_at",
        "entered_in_error_by", "created_at", "created_by", "updated_at", "patient",
        "sign_status", "signed_at", "signed_by", "amends", "decision", "reasons", "trd",
        "trials_snapshot", "medications_snapshot",
    }
]  # fmt: skip


def _stamp_overrides(actor: Actor, before: dict[str, Any], overrides: dict[str, Any]) -> dict:
    """Each override with who set it and when: kept as it was where unchanged, stamped anew
    where it is new or changed."""
    now = timezone.now().isoformat()
    stamped = {}
    for code, value in overrides.items():
        entry = {k: value[k] for k in ("basis", "reason")} if isinstance(value, dict) else value
        old = before.get(code)
        if isinstance(old, dict) and {k: old.get(k) for k in ("basis", "reason")} == entry:
            stamped[code] = old
        elif isinstance(entry, dict):
            name = actor.user.get_full_name() or actor.user.get_username()
            stamped[code] = {**entry, "by": str(actor.user.pk), "by_name": name, "at": now}
        else:
            stamped[code] = entry
    return stamped


def _check_overrides(evaluation: Evaluation) -> None:
    try:
        assess(evaluation)
    except OverrideRefused as exc:
        raise InvalidInput(f"overrides.{exc.code}", str(exc).split(": ", 1)[-1]) from None


def create_evaluation(actor: Actor, access: PatientAccess, data: dict[str, Any]) -> Evaluation:
    if access.patient.in_error:
        raise Conflict("this patient is marked entered in error")
    if data.get("overrides"):
        data = {**data, "overrides": _stamp_overrides(actor, {}, data["overrides"])}
    evaluation = Evaluation(patient=access.patient, created_by=actor.user, **data)
    _check_overrides(evaluation)
    with transaction.atomic():
        evaluation.attribute_to(actor.user)
        evaluation.save(force_insert=True)
        record_patient_access(actor, access, "create", "evaluation")
    return evaluation


def update_evaluation(
    actor: Actor,
    access: PatientAccess,
    evaluation: Evaluation,
    version: int,
    changes: dict[str, Any],
) -> Evaluation:
    if evaluation.is_signed:
        raise Conflict("a signed evaluation cannot be changed; amend it instead")
    candidate = Evaluation(
        **{f.attname: getattr(evaluation, f.attname) for f in Evaluation._meta.concrete_fields}
    )
    if "overrides" in changes:
        changes = {
            **changes,
            "overrides": _stamp_overrides(
                actor, dict(evaluation.overrides or {}), changes["overrides"] or {}
            ),
        }
    for key, value in changes.items():
        setattr(candidate, key, value)
    _check_overrides(candidate)
    with transaction.atomic():
        # Only a draft may be edited: the version check and the signed check in one UPDATE.
        if not Evaluation.objects.filter(
            pk=evaluation.pk, sign_status=Evaluation.Status.DRAFT
        ).exists():
            raise Conflict("a signed evaluation cannot be changed; amend it instead")
        updated = save_changes(evaluation, version, changes, actor)
        record_patient_access(actor, access, "update", "evaluation")
    return updated


def sign_evaluation(
    actor: Actor, access: PatientAccess, evaluation: Evaluation, version: int
) -> Evaluation:
    """Sign: the decision and the treatment history it rests on are frozen with it."""
    if evaluation.in_error:
        raise Conflict("this evaluation is marked entered in error")
    now = timezone.now()
    with transaction.atomic():
        snapshot = trials_of(evaluation.patient)
        medicines = medications_of(evaluation.patient)
        result = result_json(assess(evaluation), evaluation.overrides)
        fresh = sign_once(
            evaluation,
            version,
            actor,
            unsigned={"sign_status": Evaluation.Status.DRAFT},
            signed={
                "sign_status": Evaluation.Status.SIGNED,
                "signed_at": now,
                "signed_by": actor.user,
                "trials_snapshot": snapshot,
                "medications_snapshot": medicines,
                "decision": result["decision"],
                "reasons": result["reasons"],
                "trd": result["trd"],
            },
            noun="evaluation",
            already="this evaluation is already signed",
        )
        record_patient_access(actor, access, "update", "evaluation.sign")
    return fresh


def amend_evaluation(actor: Actor, access: PatientAccess, evaluation: Evaluation) -> Evaluation:
    """Start an amendment: a new draft, copied from the signed evaluation and linked to it."""
    if not evaluation.is_signed:
        raise Conflict("only a signed evaluation is amended; edit the draft instead")
    data = {name: getattr(evaluation, name) for name in COPIED_ON_AMEND}
    data["evaluated_on"] = timezone.localdate()
    with transaction.atomic():
        amendment = Evaluation(
            patient=evaluation.patient, created_by=actor.user, amends=evaluation, **data
        )
        amendment.attribute_to(actor.user)
        amendment.save(force_insert=True)
        record_patient_access(actor, access, "create", "evaluation.amend")
    return amendment
