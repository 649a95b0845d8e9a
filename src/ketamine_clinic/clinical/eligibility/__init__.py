"""Eligibility for ketamine or esketamine treatment: one function per rule, each with its source.

Severities:
- `absolute`: a contraindication. The patient is not eligible; nobody can override it.
- `relative`: a relative contraindication. Not eligible unless a prescriber overrides it with a
  written reason; then eligible with precautions.
- `precaution`: eligible with precautions; shown, nothing to override.
- `info`: worth knowing; does not change the decision.

Clinics may tighten severities and thresholds (e.g. make psychosis history relative for
esketamine too, or ask for three failed trials), never relax them below the library: a
clinic's setting that would is refused when it is saved (`check_clinic_settings`) and ignored
if it is found. A prescriber overrides a relative contraindication for one patient, with a
written reason, on a signed evaluation. This is decision support: the prescriber decides.
"""

from ketamine_clinic.clinical.eligibility.decide import (
    check_severity_overrides,
    checked,
    evaluate,
    library_floors,
)
from ketamine_clinic.clinical.eligibility.facts import (
    EVALUATION_VALID_DAYS,
    EVALUATION_VALID_DAYS_BOUNDS,
    OVERRIDE_BASES,
    SEVERITY_ORDER,
    Facts,
    OverrideRefused,
    Reason,
    Result,
    Settings,
    Trial,
)
from ketamine_clinic.clinical.eligibility.resistance import maudsley

__all__ = [
    "EVALUATION_VALID_DAYS",
    "EVALUATION_VALID_DAYS_BOUNDS",
    "OVERRIDE_BASES",
    "SEVERITY_ORDER",
    "Facts",
    "OverrideRefused",
    "Reason",
    "Result",
    "Settings",
    "Trial",
    "check_severity_overrides",
    "checked",
    "evaluate",
    "library_floors",
    "maudsley",
]
