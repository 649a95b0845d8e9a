"""The instruments shipped with ketamine-clinic, as definition data with their sources.

Licences (CLINICAL.md section 4): PHQ-9 and GAD-7 may be reproduced freely (Pfizer), so their
item text is shipped; QIDS-SR16 is free for clinical use and ships item labels; MADRS, CADSS
and BPRS ship item names or numbers only. The C-SSRS is licensed and is not shipped: a clinic
holding the licence loads it from a definition file.
"""

from __future__ import annotations

from typing import Any

FREQUENCY = [
    {"value": 0, "label": "Not at all"},
    {"value": 1, "label": "Several days"},
    {"value": 2, "label": "More than half the days"},
    {"value": 3, "label": "Nearly every day"},
]
TWO_WEEKS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)


def _freq_items(texts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"id": str(n), "text": text, "max": 3, "choices": FREQUENCY, "loinc": loinc}
        for n, (loinc, text) in enumerate(texts, start=1)
    ]


# PHQ-9: Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-13 (bands 5/10/15/20).
# Item 9 > 0 needs same-day follow-up (CLINICAL.md 4). A 5-point change is clinically
# significant (Löwe et al., Med Care 2004;42:1194-201). LOINC from loinc.org panel 44249-1.
PHQ9: dict[str, Any] = {
    "id": "phq9",
    "version": "2001",
    "name": "Patient Health Questionnaire-9",
    "short_name": "PHQ-9",
    "respondent": "patient",
    "instructions": TWO_WEEKS,
    "items": _freq_items(
        [
            ("44250-9", "Little interest or pleasure in doing things"),
            ("44255-8", "Feeling down, depressed, or hopeless"),
            ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
            ("44254-1", "Feeling tired or having little energy"),
            ("44251-7", "Poor appetite or overeating"),
            (
                "44258-2",
                "Feeling bad about yourself, or that you are a failure or have let yourself "
                "or your family down",
            ),
            (
                "44252-5",
                "Trouble concentrating on things, such as reading the newspaper or watching "
                "television",
            ),
            (
                "44253-3",
                "Moving or speaking so slowly that other people could have noticed; or the "
                "opposite, being so fidgety or restless that you have been moving around a lot "
                "more than usual",
            ),
            (
                "44260-8",
                "Thoughts that you would be better off dead, or of hurting yourself in some way",
            ),
        ]
    ),
    "bands": [
        {"low": 0, "high": 4, "code": "minimal", "label": "Minimal"},
        {"low": 5, "high": 9, "code": "mild", "label": "Mild"},
        {"low": 10, "high": 14, "code": "moderate", "label": "Moderate"},
        {"low": 15, "high": 19, "code": "moderately_severe", "label": "Moderately severe"},
        {"low": 20, "high": 27, "code": "severe", "label": "Severe"},
    ],
    "flags": [
        {
            "code": "phq9_item9",
            "message": "Thoughts of death or self-harm reported (item 9): same-day follow-up",
            "item": "9",
            "at_least": 1,
            "alert": True,
        }
    ],
    "loinc_panel": "44249-1",
    "loinc_total": "44261-6",
    "outcome_measure": True,
    "remission_at_most": 4,
    "worsening_points": 5,
    "source": "Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-13.",
    "licence": "Free to reproduce (Pfizer); no permission required.",
}

# GAD-7: Spitzer et al., Arch Intern Med 2006;166:1092-7 (bands 5/10/15). A 4-point change is
# the minimal clinically important difference (Toussaint et al., J Affect Disord 2020;265:395).
GAD7: dict[str, Any] = {
    "id": "gad7",
    "version": "2006",
    "name": "Generalized Anxiety Disorder-7",
    "short_name": "GAD-7",
    "respondent": "patient",
    "instructions": TWO_WEEKS,
    "items": _freq_items(
        [
            ("69725-0", "Feeling nervous, anxious, or on edge"),
            ("68509-9", "Not being able to stop or control worrying"),
            ("69733-4", "Worrying too much about different things"),
            ("69734-2", "Trouble relaxing"),
            ("69735-9", "Being so restless that it is hard to sit still"),
            ("69689-8", "Becoming easily annoyed or irritable"),
            ("69736-7", "Feeling afraid, as if something awful might happen"),
        ]
    ),
    "bands": [
        {"low": 0, "high": 4, "code": "minimal", "label": "Minimal"},
        {"low": 5, "high": 9, "code": "mild", "label": "Mild"},
        {"low": 10, "high": 14, "code": "moderate", "label": "Moderate"},
        {"low": 15, "high": 21, "code": "severe", "label": "Severe"},
    ],
    "loinc_panel": "69737-5",
    "loinc_total": "70274-6",
    "outcome_measure": True,
    "remission_at_most": 4,
    "worsening_points": 4,
    "source": "Spitzer RL, Kroenke K, Williams JB, Löwe B. Arch Intern Med 2006;166:1092-7.",
    "licence": "Free to reproduce (Pfizer); no permission required.",
}

# QIDS-SR16: Rush et al., Biol Psychiatry 2003;54:573-83. Total = worst sleep item (1-4) + 5 +
# worst appetite/weight item (6-9) + 10..14 + worst psychomotor item (15, 16): 0-27.
# Bands 0-5 none, 6-10 mild, 11-15 moderate, 16-20 severe, 21-27 very severe; remission <= 5.
QIDS_LABELS = [
    "Falling asleep",
    "Sleep during the night",
    "Waking up too early",
    "Sleeping too much",
    "Feeling sad",
    "Decreased appetite",
    "Increased appetite",
    "Decreased weight",
    "Increased weight",
    "Concentration and decision making",
    "View of myself",
    "Thoughts of death or suicide",
    "General interest",
    "Energy level",
    "Feeling slowed down",
    "Feeling restless",
]
QIDS: dict[str, Any] = {
    "id": "qids_sr16",
    "version": "2003",
    "name": "Quick Inventory of Depressive Symptomatology, self-report (16 items)",
    "short_name": "QIDS-SR16",
    "respondent": "patient",
    "instructions": "For each item, choose the statement (0-3) on your QIDS-SR16 form that best "
    "describes you over the past seven days.",
    "items": [
        {"id": str(n), "text": label, "max": 3} for n, label in enumerate(QIDS_LABELS, start=1)
    ],
    "scoring": {
        "groups": [
            ["1", "2", "3", "4"],
            ["5"],
            ["6", "7", "8", "9"],
            ["10"],
            ["11"],
            ["12"],
            ["13"],
            ["14"],
            ["15", "16"],
        ]
    },
    "bands": [
        {"low": 0, "high": 5, "code": "none", "label": "None"},
        {"low": 6, "high": 10, "code": "mild", "label": "Mild"},
        {"low": 11, "high": 15, "code": "moderate", "label": "Moderate"},
        {"low": 16, "high": 20, "code": "severe", "label": "Severe"},
        {"low": 21, "high": 27, "code": "very_severe", "label": "Very severe"},
    ],
    "flags": [
        {
            "code": "qids_item12",
            "message": "Thoughts of death or suicide reported (item 12): same-day follow-up",
            "item": "12",
            "at_least": 1,
            "alert": True,
        }
    ],
    "outcome_measure": True,
    "remission_at_most": 5,
    "source": "Rush AJ et al. Biol Psychiatry 2003;54:573-83.",
    "licence": "Free for clinical use; item labels only are shipped.",
}

# MADRS: Montgomery & Åsberg, Br J Psychiatry 1979;134:382-9; 10 items 0-6. Bands 0-6 normal,
# 7-19 mild, 20-34 moderate, 35-60 severe (CLINICAL.md 4); remission <= 10, a clinic setting
# (12 in the esketamine trials). Item 10 anchors: 4 = suicidal thoughts common, suicide
# considered a possible solution; 6 = explicit plans.
MADRS_NAMES = [
    "Apparent sadness",
    "Reported sadness",
    "Inner tension",
    "Reduced sleep",
    "Reduced appetite",
    "Concentration difficulties",
    "Lassitude",
    "Inability to feel",
    "Pessimistic thoughts",
    "Suicidal thoughts",
]
MADRS: dict[str, Any] = {
    "id": "madrs",
    "version": "1979",
    "name": "Montgomery-Åsberg Depression Rating Scale",
    "short_name": "MADRS",
    "respondent": "clinician",
    "instructions": "Rate each item 0-6 from the interview, using the anchors of your MADRS form.",
    "items": [{"id": str(n), "text": name, "max": 6} for n, name in enumerate(MADRS_NAMES, 1)],
    "bands": [
        {"low": 0, "high": 6, "code": "normal", "label": "Normal"},
        {"low": 7, "high": 19, "code": "mild", "label": "Mild"},
        {"low": 20, "high": 34, "code": "moderate", "label": "Moderate"},
        {"low": 35, "high": 60, "code": "severe", "label": "Severe"},
    ],
    "flags": [
        {
            "code": "madrs_item10",
            "message": "Suicidal thoughts rated 4 or more (item 10)",
            "item": "10",
            "at_least": 4,
            "alert": True,
        }
    ],
    "outcome_measure": True,
    "remission_at_most": 10,
    "source": "Montgomery SA, Åsberg M. Br J Psychiatry 1979;134:382-9.",
    "licence": "Item names and scoring only; use your licensed form for the anchors.",
}

# CADSS: Bremner et al., J Trauma Stress 1998;11:125-36; as used in ketamine trials, 23
# subject-rated items 0-4 (0-92). CADSS-6 short form = items 1, 2, 6, 7, 15, 22 (CLINICAL.md).
# No severity bands: dissociation is expected after ketamine and is judged against the time
# since dosing at the chair.
CADSS: dict[str, Any] = {
    "id": "cadss",
    "version": "1998",
    "name": "Clinician-Administered Dissociative States Scale",
    "short_name": "CADSS",
    "respondent": "clinician",
    "instructions": "Rate each item 0 (not at all) to 4 (extremely), using your CADSS form.",
    "items": [{"id": str(n), "text": f"CADSS item {n}", "max": 4} for n in range(1, 24)],
    "subscales": [{"id": "cadss6", "name": "CADSS-6", "items": ["1", "2", "6", "7", "15", "22"]}],
    "source": "Bremner JD et al. J Trauma Stress 1998;11:125-36.",
    "licence": "Research instrument: item numbers only.",
}

# MOAA/S: Chernik et al., J Clin Psychopharmacol 1990;10:244-51. 5 = responds readily to name
# in a normal tone ... 0 = no response to a painful trapezius squeeze. 3 or less is moderate
# or deeper sedation.
MOAAS: dict[str, Any] = {
    "id": "moaas",
    "version": "1990",
    "name": "Modified Observer's Assessment of Alertness/Sedation",
    "short_name": "MOAA/S",
    "respondent": "clinician",
    "instructions": "Rate the patient's response.",
    "items": [
        {
            "id": "response",
            "text": "Response",
            "max": 5,
            "choices": [
                {"value": 5, "label": "Responds readily to name spoken in a normal tone"},
                {"value": 4, "label": "Lethargic response to name spoken in a normal tone"},
                {"value": 3, "label": "Responds only after name is called loudly or repeatedly"},
                {"value": 2, "label": "Responds only after mild prodding or shaking"},
                {"value": 1, "label": "Does not respond to mild prodding or shaking"},
                {"value": 0, "label": "Does not respond to a painful stimulus"},
            ],
        }
    ],
    "bands": [
        {"low": 0, "high": 0, "code": "unresponsive", "label": "Unresponsive"},
        {"low": 1, "high": 2, "code": "deep", "label": "Deep sedation"},
        {"low": 3, "high": 3, "code": "moderate", "label": "Moderate sedation"},
        {"low": 4, "high": 4, "code": "mild", "label": "Mild sedation"},
        {"low": 5, "high": 5, "code": "alert", "label": "Alert"},
    ],
    "flags": [
        {
            "code": "moaas_sedated",
            "message": "Moderate or deeper sedation (MOAA/S 3 or less)",
            "at_most": 3,
        }
    ],
    "source": "Chernik DA et al. J Clin Psychopharmacol 1990;10:244-51.",
    "licence": "Public.",
}

# BPRS positive symptom subscale: Overall & Gorham, Psychol Rep 1962;10:799-812; items rated
# 1 (not present) to 7 (extremely severe); 4 = moderate.
BPRS_NAMES = [
    ("conceptual_disorganization", "Conceptual disorganization"),
    ("hallucinatory_behavior", "Hallucinatory behavior"),
    ("suspiciousness", "Suspiciousness"),
    ("unusual_thought_content", "Unusual thought content"),
]
BPRS: dict[str, Any] = {
    "id": "bprs_positive",
    "version": "1962",
    "name": "Brief Psychiatric Rating Scale, positive symptom items",
    "short_name": "BPRS+",
    "respondent": "clinician",
    "instructions": "Rate each item 1 (not present) to 7 (extremely severe).",
    "items": [{"id": key, "text": name, "min": 1, "max": 7} for key, name in BPRS_NAMES],
    "flags": [
        {
            "code": f"bprs_{key}",
            "message": f"{name} rated moderate or worse",
            "item": key,
            "at_least": 4,
        }
        for key, name in BPRS_NAMES
    ],
    "source": "Overall JE, Gorham DR. Psychol Rep 1962;10:799-812.",
    "licence": "Item names and numbers only.",
}

# Clinician suicide-risk assessment: the elements of a structured risk formulation (risk
# level, ideation, plan, intent, recent behaviour, safety plan), without any licensed
# instrument's text. A high or imminent risk level opens a safety alert.
YES_NO = [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]
SUICIDE_RISK: dict[str, Any] = {
    "id": "suicide_risk",
    "version": "1",
    "name": "Clinician suicide-risk assessment",
    "short_name": "Suicide risk",
    "respondent": "clinician",
    "instructions": "Record your assessment after asking about each element.",
    "items": [
        {
            "id": "risk_level",
            "text": "Overall risk level",
            "max": 3,
            "choices": [
                {"value": 0, "label": "Low"},
                {"value": 1, "label": "Moderate"},
                {"value": 2, "label": "High"},
                {"value": 3, "label": "Imminent"},
            ],
        },
        {"id": "ideation", "text": "Current suicidal ideation", "max": 1, "choices": YES_NO},
        {"id": "plan", "text": "A plan", "max": 1, "choices": YES_NO},
        {"id": "intent", "text": "Intent to act", "max": 1, "choices": YES_NO},
        {
            "id": "recent_behaviour",
            "text": "Suicidal behaviour or preparation in the past 3 months",
            "max": 1,
            "choices": YES_NO,
        },
        {"id": "safety_plan_reviewed", "text": "Safety plan reviewed", "max": 1, "choices": YES_NO},
    ],
    "scoring": {"groups": [["risk_level"]]},
    "bands": [
        {"low": 0, "high": 0, "code": "low", "label": "Low risk"},
        {"low": 1, "high": 1, "code": "moderate", "label": "Moderate risk"},
        {"low": 2, "high": 2, "code": "high", "label": "High risk"},
        {"low": 3, "high": 3, "code": "imminent", "label": "Imminent risk"},
    ],
    "flags": [
        {
            "code": "suicide_risk_high",
            "message": "High or imminent suicide risk",
            "item": "risk_level",
            "at_least": 2,
            "alert": True,
        },
        {
            "code": "suicide_intent",
            "message": "Intent to act reported",
            "item": "intent",
            "at_least": 1,
            "alert": True,
        },
        {"code": "suicide_plan", "message": "A plan reported", "item": "plan", "at_least": 1},
        {
            "code": "safety_plan_not_reviewed",
            "message": "Safety plan not reviewed",
            "item": "safety_plan_reviewed",
            "at_most": 0,
        },
    ],
    "source": "Structured clinician assessment; no licensed instrument text.",
    "licence": "Public.",
}

DEFINITIONS = [PHQ9, GAD7, QIDS, MADRS, CADSS, MOAAS, BPRS, SUICIDE_RISK]
