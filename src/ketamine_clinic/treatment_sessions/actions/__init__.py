"""Every write at the chair: open the session, step it through its states, record checks,
vitals, doses, observations and adverse events, book and waste the drug, discharge or abort.

Each action takes the session `version` the nurse's screen showed, and bumps it in the same
transaction as its entry, so two nurses writing at once get a conflict (HTTP 409). The
modules: `session` (the states and the entries), `doses`, `ledger` (containers, booking,
waste), `rems_form`, `follow_ups`, and `core` (what they share).
"""

from ketamine_clinic.treatment_sessions.actions.doses import administer, pump_mg
from ketamine_clinic.treatment_sessions.actions.follow_ups import follow_up_links
from ketamine_clinic.treatment_sessions.actions.ledger import (
    SUBSTANCE,
    session_container,
    waste_pending_mg,
    witness_waste,
)
from ketamine_clinic.treatment_sessions.actions.rems_form import record_rems_submission, rems_gaps
from ketamine_clinic.treatment_sessions.actions.session import (
    abort,
    check_in,
    discharge,
    mark_ready,
    open_session,
    pass_checks,
    record_adverse_event,
    record_checks,
    record_observation,
    record_vitals,
    sign_record,
)

__all__ = [
    "SUBSTANCE",
    "abort",
    "administer",
    "check_in",
    "discharge",
    "follow_up_links",
    "mark_ready",
    "open_session",
    "pass_checks",
    "pump_mg",
    "record_adverse_event",
    "record_checks",
    "record_observation",
    "record_rems_submission",
    "record_vitals",
    "rems_gaps",
    "session_container",
    "sign_record",
    "waste_pending_mg",
    "witness_waste",
]
