"""Every write at the chair: open the session, step it through its states, record checks,
vitals, doses, observations and adverse events, book and waste the drug, discharge or abort.

Each action takes the session `version` the nurse's screen showed, and bumps it in the same
transaction as its entry, so two nurses writing at once get a conflict (HTTP 409). The
modules: `session` (the states and the entries), `doses`, `ledger` (containers, booking,
waste), `rems_form`, `follow_ups`, and `core` (what they share).
"""

from ketamine_clinic.treatment_sessions.actions.doses import administer
from ketamine_clinic.treatment_sessions.actions.follow_ups import follow_up_links
from ketamine_clinic.treatment_sessions.actions.ledger import (
    witness_waste,
)
from ketamine_clinic.treatment_sessions.actions.rems_form import record_rems_submission
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
    "abort",
    "administer",
    "check_in",
    "discharge",
    "follow_up_links",
    "mark_ready",
    "open_session",
    "pass_checks",
    "record_adverse_event",
    "record_checks",
    "record_observation",
    "record_rems_submission",
    "record_vitals",
    "sign_record",
    "witness_waste",
]
