"""The Spravato REMS Patient Monitoring Form: its fields, what is required, and its deadline.

After every esketamine session the setting submits this form within 7 days (CLINICAL.md 2,
from spravatorems.com and the form's instructions). There is no public API for it: the app
fills it from what was recorded, prints it, and tracks the deadline until someone records that
it was submitted.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta

SUBMIT_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class RemsForm:
    # The patient
    patient_first_name: str
    patient_last_name: str
    patient_birth_date: date | None
    patient_sex: str
    first_treatment: bool | None
    enrolled: bool | None  # asked when this is the first treatment
    enrolment_id: str
    # Concomitant use (yes/no each)
    benzodiazepines: bool | None
    non_benzodiazepine_sedative_hypnotics: bool | None
    psychostimulants: bool | None
    maois: bool | None
    opioids: bool | None
    # Who monitored, where
    provider_name: str
    provider_phone: str
    provider_email: str
    setting_name: str
    setting_address: str
    # The treatment
    treatment_date: date | None
    dose_mg: int | None  # 56, 84 or another dose
    lot_numbers: tuple[str, ...]
    minutes_first_device_to_end_of_monitoring: int | None
    ready_without_rule_min: int | None
    vitals_in_range_before: bool | None
    vitals_in_range_before_leaving: bool | None
    bp_before: str
    bp_at_40_min: str
    bp_before_leaving: str
    sedation: bool | None
    dissociation: bool | None
    respiratory_depression: bool | None
    serious_adverse_events: tuple[str, ...]

    @property
    def dose_choice(self) -> str:
        return str(self.dose_mg) if self.dose_mg in (56, 84) else f"other ({self.dose_mg} mg)"


LABELS = {
    "patient_first_name": "patient's first name",
    "patient_last_name": "patient's last name",
    "patient_birth_date": "patient's date of birth",
    "patient_sex": "patient's sex",
    "first_treatment": "whether this is the first treatment",
    "enrolled": "whether the patient is enrolled (first treatment)",
    "benzodiazepines": "concomitant benzodiazepines",
    "non_benzodiazepine_sedative_hypnotics": "concomitant non-benzodiazepine sedative hypnotics",
    "psychostimulants": "concomitant psychostimulants",
    "maois": "concomitant MAOIs",
    "opioids": "concomitant opioids",
    "provider_name": "monitoring provider's name",
    "provider_phone": "monitoring provider's phone",
    "provider_email": "monitoring provider's email",
    "setting_name": "healthcare setting's name",
    "setting_address": "healthcare setting's address",
    "treatment_date": "treatment date",
    "dose_mg": "dose",
    "lot_numbers": "lot number",
    "minutes_first_device_to_end_of_monitoring": "minutes from the first device to the end of "
    "monitoring",
    "ready_without_rule_min": "when the patient would have been ready without the 2-hour minimum",
    "vitals_in_range_before": "vitals in range before administration",
    "vitals_in_range_before_leaving": "vitals in range before leaving",
    "bp_before": "blood pressure before administration",
    "bp_at_40_min": "blood pressure at about 40 minutes",
    "bp_before_leaving": "blood pressure before leaving",
    "sedation": "whether sedation occurred",
    "dissociation": "whether dissociation occurred",
    "respiratory_depression": "whether respiratory depression occurred",
}
OPTIONAL = {"serious_adverse_events", "enrolment_id"}


def missing(form: RemsForm) -> list[str]:
    """Every required field still empty, named as the form names it."""
    gaps = []
    for field in fields(form):
        if field.name in OPTIONAL:
            continue
        if field.name == "enrolled" and form.first_treatment is False:
            continue  # asked only at the first treatment
        value = getattr(form, field.name)
        if value is None or value == "" or value == ():
            gaps.append(LABELS[field.name])
    return gaps


def due_on(treatment_date: date) -> date:
    return treatment_date + SUBMIT_WITHIN


def deadline_status(treatment_date: date, submitted: bool, today: date) -> str:
    """submitted, due (with days left), or overdue."""
    if submitted:
        return "submitted"
    left = (due_on(treatment_date) - today).days
    if left < 0:
        return "overdue"
    return f"due in {left} day{'s' if left != 1 else ''}" if left else "due today"
