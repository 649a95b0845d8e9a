"""Roles and what each may do: the one place that answers "may this role do that?".

Front desk handles demographics and scheduling and never clinical content; patients see only
themselves (DESIGN.md, Roles). Endpoints and views ask `can(role, capability)`.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    FRONT_DESK = "front_desk"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STAFF_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK})
ROLE_CHOICES = [(role.value, role.label) for role in Role]


class Capability(StrEnum):
    LIST_PATIENTS = "list_patients"
    VIEW_DEMOGRAPHICS = "view_demographics"
    EDIT_DEMOGRAPHICS = "edit_demographics"
    VIEW_CLINICAL = "view_clinical"
    EDIT_CLINICAL = "edit_clinical"
    EDIT_DIAGNOSES = "edit_diagnoses"
    MARK_PATIENT_IN_ERROR = "mark_patient_in_error"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    RECORD_ASSESSMENT = "record_assessment"
    SELF_REPORT = "self_report"
    SEND_ASSESSMENT_LINK = "send_assessment_link"
    VIEW_ALERTS = "view_alerts"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    MANAGE_INSTRUMENTS = "manage_instruments"
    EVALUATE = "evaluate"
    MANAGE_CONSENT_DOCUMENTS = "manage_consent_documents"
    RECORD_CONSENT = "record_consent"
    WITHDRAW_CONSENT = "withdraw_consent"
    ENROL_REMS = "enrol_rems"
    READ_NOTES = "read_notes"
    WRITE_NOTES = "write_notes"
    ORDER_TREATMENT = "order_treatment"
    MANAGE_SCHEDULE = "manage_schedule"
    MANAGE_PROTOCOLS = "manage_protocols"
    VIEW_PROTOCOLS = "view_protocols"
    VIEW_LEDGER = "view_ledger"
    RECORD_LEDGER = "record_ledger"
    MANAGE_LEDGER = "manage_ledger"
    EXPORT_DATA = "export_data"
    IMPORT_DATA = "import_data"
    VIEW_REPORTS = "view_reports"
    MANAGE_PLACES = "manage_places"


_GRANTS: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(
        {
            Capability.LIST_PATIENTS,
            Capability.VIEW_DEMOGRAPHICS,
            Capability.EDIT_DEMOGRAPHICS,
            Capability.VIEW_CLINICAL,
            Capability.VIEW_PROTOCOLS,
            Capability.MARK_PATIENT_IN_ERROR,
            Capability.VIEW_AUDIT,
            Capability.MANAGE_USERS,
            Capability.VIEW_ALERTS,
            Capability.MANAGE_INSTRUMENTS,
            Capability.MANAGE_CONSENT_DOCUMENTS,
            # The registrant's books: admins receive stock and adjust; they do not administer.
            Capability.VIEW_LEDGER,
            Capability.MANAGE_LEDGER,
            # The clinic's whole record, in bulk: the owner's to take when they leave.
            Capability.EXPORT_DATA,
            Capability.IMPORT_DATA,
            Capability.VIEW_REPORTS,
            # The location's chairs, rooms and who works when.
            Capability.MANAGE_PLACES,
        }
    ),
    Role.PRESCRIBER: frozenset(
        {
            Capability.LIST_PATIENTS,
            Capability.VIEW_DEMOGRAPHICS,
            Capability.EDIT_DEMOGRAPHICS,
            Capability.VIEW_CLINICAL,
            Capability.VIEW_PROTOCOLS,
            Capability.EDIT_CLINICAL,
            Capability.EDIT_DIAGNOSES,
            Capability.MARK_PATIENT_IN_ERROR,
            Capability.RECORD_ASSESSMENT,
            Capability.SEND_ASSESSMENT_LINK,
            Capability.VIEW_ALERTS,
            Capability.ACKNOWLEDGE_ALERT,
            Capability.EVALUATE,
            Capability.MANAGE_CONSENT_DOCUMENTS,
            Capability.RECORD_CONSENT,
            Capability.WITHDRAW_CONSENT,
            Capability.ENROL_REMS,
            Capability.READ_NOTES,
            Capability.WRITE_NOTES,
            Capability.ORDER_TREATMENT,
            Capability.MANAGE_SCHEDULE,
            # Adjusting a protocol is a prescribing decision (DESIGN.md, Roles).
            Capability.MANAGE_PROTOCOLS,
            Capability.VIEW_LEDGER,
            Capability.RECORD_LEDGER,
            Capability.MANAGE_LEDGER,
            # The medical director proves outcomes as the owner does.
            Capability.VIEW_REPORTS,
        }
    ),
    Role.NURSE: frozenset(
        {
            Capability.LIST_PATIENTS,
            Capability.VIEW_DEMOGRAPHICS,
            Capability.EDIT_DEMOGRAPHICS,
            Capability.VIEW_CLINICAL,
            Capability.VIEW_PROTOCOLS,
            Capability.EDIT_CLINICAL,
            Capability.RECORD_ASSESSMENT,
            Capability.SEND_ASSESSMENT_LINK,
            Capability.VIEW_ALERTS,
            Capability.ACKNOWLEDGE_ALERT,
            Capability.RECORD_CONSENT,
            Capability.WITHDRAW_CONSENT,
            Capability.READ_NOTES,
            Capability.WRITE_NOTES,
            Capability.MANAGE_SCHEDULE,
            # Nurses run the chair and its ledger entries (DESIGN.md, Roles).
            Capability.VIEW_LEDGER,
            Capability.RECORD_LEDGER,
        }
    ),
    Role.FRONT_DESK: frozenset(
        {
            Capability.LIST_PATIENTS,
            Capability.VIEW_DEMOGRAPHICS,
            Capability.EDIT_DEMOGRAPHICS,
            Capability.MARK_PATIENT_IN_ERROR,
            Capability.SEND_ASSESSMENT_LINK,
            Capability.MANAGE_SCHEDULE,
        }
    ),
    # A patient reaches only their own record, and only to read it.
    Role.PATIENT: frozenset(
        {
            Capability.VIEW_DEMOGRAPHICS,
            Capability.VIEW_CLINICAL,
            Capability.SELF_REPORT,
            Capability.WITHDRAW_CONSENT,
        }
    ),
}


def can(role: Role | str | None, capability: Capability) -> bool:
    if role is None:
        return False
    return capability in _GRANTS[Role(role)]
