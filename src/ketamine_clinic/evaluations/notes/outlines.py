"""Note templates: the headings a clinician fills in. Plain text, so they work everywhere."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, str]] = {
    "evaluation": (
        "Evaluation",
        "Presenting problem:\n\nPsychiatric history and current episode:\n\nPrior treatments:\n\n"
        "Medical history, medications, allergies:\n\nSubstance use:\n\nRisk assessment:\n\n"
        "Formulation:\n\nPlan:\n",
    ),
    "psychotherapy": (
        "Psychotherapy session",
        "Modality and session number:\n\nFocus:\n\nInterventions:\n\nResponse:\n\nRisk:\n\n"
        "Plan and homework:\n",
    ),
    "integration": (
        "Integration session",
        "Days since the last dose:\n\nWhat the patient reports of the experience:\n\n"
        "Themes and insights:\n\nMood, sleep and functioning since:\n\nRisk:\n\nPlan:\n",
    ),
    "follow_up": (
        "Follow-up",
        "Since the last visit:\n\nScores (PHQ-9 / GAD-7):\n\nSide effects:\n\nRisk:\n\nPlan:\n",
    ),
    "other": ("Note", ""),
}
