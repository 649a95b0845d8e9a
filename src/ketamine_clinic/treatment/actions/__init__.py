"""Every write of the treatment plan: courses ordered and their schedule, dose orders changed
and signed, adjuncts, maintenance (`courses`); the clinic's own protocols (`protocols`); the
prescriber's titration decisions (`titration`). Each owns its transaction and audit row."""

from ketamine_clinic.treatment.actions.courses import (
    add_adjunct,
    change_dose,
    mark_session,
    move_session,
    order_course,
    order_params,
    sign_order,
    snapshot_json,
    start_maintenance,
)

__all__ = [
    "add_adjunct",
    "change_dose",
    "mark_session",
    "move_session",
    "order_course",
    "order_params",
    "sign_order",
    "snapshot_json",
    "start_maintenance",
]
