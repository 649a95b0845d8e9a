"""Chair checks with nothing to find, for the pure clinical rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ketamine_clinic.clinical.pre_dose import ChairChecks

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CLEAR = ChairChecks(
    product="iv_racemic",
    now=NOW,
    identity_confirmed=True,
    ride_home=True,
    last_food_at=None,
    last_liquid_at=None,
    nasal_spray_at=None,
    pregnancy="not_applicable",
    pregnancy_relevant=False,
    pre_dose_phq9=True,
    systolic_mmhg=120,
    diastolic_mmhg=80,
    heart_rate_bpm=70,
    spo2_pct=98,
    respiratory_rate_per_min=14,
    days_since_last_dose=2,
    min_days_apart=2,
    week_given_mg=Decimal(70),
    dose_mg=Decimal(35),
    weekly_limit_mg=Decimal(210),
    weight_age_days=30,
    weight_max_age_days=30,
)
