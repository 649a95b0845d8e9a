"""The protocol library: how each product is given for depression, as data with sources.

Clinics copy a protocol and adjust it (a new version, their own id); the library is the
starting point and the limits an adjusted copy is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketamine_clinic.clinical.body_weight import POLICIES

Product = Literal[
    "iv_racemic", "im_racemic", "esketamine_nasal", "oral_racemic", "sublingual_racemic"
]
Route = Literal["iv", "im", "intranasal", "oral", "sublingual"]

ESKETAMINE_DEVICE_MG = 28  # one device = 28 mg, two sprays (Spravato US label 2.x)
ESKETAMINE_DEVICE_INTERVAL_MIN = 5  # 5 minutes' rest between devices (label)


@dataclass(frozen=True)
class Phase:
    """Part of a course: `sessions` doses, at most `per_week` a week, `min_hours_apart` apart."""

    name: str
    sessions: int | None  # None: as needed
    per_week: int
    min_hours_apart: int


@dataclass(frozen=True)
class Protocol:
    id: str
    version: str
    name: str
    product: Product
    route: Route
    indication: Literal["trd", "mdsi", "off_label"]
    phases: tuple[Phase, ...]
    sources: tuple[str, ...]
    label_region: Literal["US", "EU"] | None = None
    experimental: bool = False
    based_on: str | None = None  # a clinic's copy: the library protocol and version it adjusts
    # Weight-based products (racemic ketamine).
    default_mg_per_kg: Decimal | None = None
    min_mg_per_kg: Decimal | None = None
    max_mg_per_kg: Decimal | None = None
    ceiling_mg_per_kg: Decimal | None = None  # never exceeded, override or not
    # Which weight the mg/kg applies to (body_weight.POLICIES), and the cap for a capped one.
    dosing_weight: str = "actual"
    dosing_weight_cap_kg: Decimal | None = None
    # The most one session may give, in mg, whatever the weight: never exceeded.
    max_mg_per_session: Decimal | None = None
    # The most in any 7 days; above it a prescriber overrides with a reason.
    max_mg_per_kg_per_week: Decimal | None = None
    max_mg_per_week: int | None = None
    # A weight older than this cannot be dosed on without a prescriber's confirmation.
    weight_max_age_days: int = 30
    # Under this age the protocol's evidence does not apply: needs a prescriber's reason, or
    # is refused outright where the product's label is for adults only.
    min_age_years: int | None = 18
    adult_label_only: bool = False
    default_duration_min: Decimal | None = None
    min_duration_min: Decimal | None = None
    max_duration_min: Decimal | None = None
    # Fixed-dose products (esketamine): doses in mg, multiples of one device.
    doses_mg: tuple[int, ...] = ()
    start_mg: int | None = None
    start_mg_65_plus: int | None = None  # EU label, 65 years or over
    step_mg_65_plus: int | None = None

    @property
    def weight_based(self) -> bool:
        return self.default_mg_per_kg is not None

    @property
    def dosing_weight_label(self) -> str:
        return POLICIES[self.dosing_weight]

    @property
    def max_mg_per_kg_per_min(self) -> Decimal | None:
        """The fastest an infusion may run: the ceiling dose over the shortest infusion."""
        if self.ceiling_mg_per_kg is None or not self.min_duration_min:
            return None
        return self.ceiling_mg_per_kg / self.min_duration_min


MURROUGH = "Murrough et al., Biol Psychiatry 2013;74:250 (six infusions over about 12 days)"
SANACORA = "Sanacora et al., JAMA Psychiatry 2017;74:399 (APA consensus: 0.5 mg/kg over 40 min)"
ANDRADE = "Andrade, J Clin Psychiatry 2017 (0.1 to 0.75 mg/kg; dose to response)"
ASKP3 = "ASKP3 standards of care (0.5-1 mg/kg over 40-60 min, escalation possible)"
KETALAR = "Ketalar US label: anaesthetic induction 1-4.5 mg/kg IV, 6.5-13 mg/kg IM"
LOO_IM = "IM racemic ketamine 0.25-0.5 mg/kg; 0.25 as effective as 0.5 (CLINICAL.md 3)"
SPRAVATO_US = "Spravato US prescribing information, dosage and administration"
SPRAVATO_EU = "Spravato EU/UK SmPC 4.2 (65 and over: 28 mg start, 28 mg steps)"

# Per-session milligram limits. No trial or label states an absolute mg limit for racemic
# ketamine in depression; the trials' participants weighed up to about 100 kg at most doses
# studied. The library's limit is its ceiling mg/kg at 100 kg, so a heavier patient never gets
# more than a 100 kg one could at the ceiling. For oral ketamine this equals the highest fixed
# dose reported (300 mg, Andrade, J Clin Psychiatry 2019;80:19f12838). A clinic may lower it.
MG_LIMIT_REFERENCE_KG = Decimal("100")
# Per week: the protocol's most sessions a week (three, Murrough 2013) at its maximum dose;
# esketamine: twice weekly at 84 mg, the label's most (Spravato US label 2.2).
WEEKLY_SESSIONS = 3
ESKETAMINE_MAX_MG_PER_WEEK = 2 * 84
SPRAVATO_ADULTS = "Spravato US label 8.4: safety and effectiveness not established under 18"

ORAL = "Oral bioavailability 17-25%: about 2-2.5 mg/kg matches 0.5 mg/kg IV (CLINICAL.md 3)"

INDUCTION_3 = Phase("induction", 6, 3, 48)
MAINTENANCE = (
    Phase("maintenance weekly", 4, 1, 120),
    Phase("maintenance every 2 weeks", 4, 1, 288),
    Phase("maintenance as needed", None, 1, 120),
)
ESKETAMINE_PHASES = (
    Phase("induction weeks 1-4", 8, 2, 48),
    Phase("weeks 5-8", 4, 1, 120),
    Phase("week 9 on", None, 1, 120),
)

LIBRARY: dict[str, Protocol] = {
    p.id: p
    for p in (
        Protocol(
            id="iv-racemic-standard",
            version="1",
            name="IV ketamine 0.5 mg/kg over 40 minutes",
            product="iv_racemic",
            route="iv",
            indication="off_label",
            phases=(INDUCTION_3, *MAINTENANCE),
            sources=(SANACORA, MURROUGH, ANDRADE, ASKP3, KETALAR),
            default_mg_per_kg=Decimal("0.5"),
            min_mg_per_kg=Decimal("0.1"),
            max_mg_per_kg=Decimal("1.0"),
            # Above 1.0 mg/kg is outside what depression studies used; 1.5 mg/kg over 40
            # minutes stays well below the anaesthetic induction dose (Ketalar label).
            ceiling_mg_per_kg=Decimal("1.5"),
            max_mg_per_session=Decimal("1.5") * MG_LIMIT_REFERENCE_KG,
            max_mg_per_kg_per_week=WEEKLY_SESSIONS * Decimal("1.0"),
            default_duration_min=Decimal("40"),
            min_duration_min=Decimal("40"),
            max_duration_min=Decimal("60"),
        ),
        Protocol(
            id="im-racemic",
            version="1",
            name="IM ketamine 0.25-0.5 mg/kg",
            product="im_racemic",
            route="im",
            indication="off_label",
            phases=(INDUCTION_3, *MAINTENANCE),
            sources=(LOO_IM, KETALAR),
            default_mg_per_kg=Decimal("0.5"),
            min_mg_per_kg=Decimal("0.25"),
            max_mg_per_kg=Decimal("0.5"),
            # Twice the protocol maximum, a fraction of the IM anaesthetic dose.
            ceiling_mg_per_kg=Decimal("1.0"),
            max_mg_per_session=Decimal("1.0") * MG_LIMIT_REFERENCE_KG,
            max_mg_per_kg_per_week=WEEKLY_SESSIONS * Decimal("0.5"),
        ),
        Protocol(
            id="esketamine-trd-us",
            version="1",
            name="Esketamine for TRD (US label)",
            product="esketamine_nasal",
            route="intranasal",
            indication="trd",
            label_region="US",
            phases=ESKETAMINE_PHASES,
            sources=(SPRAVATO_US, SPRAVATO_ADULTS),
            doses_mg=(56, 84),
            start_mg=56,
            max_mg_per_week=ESKETAMINE_MAX_MG_PER_WEEK,
            adult_label_only=True,
        ),
        Protocol(
            id="esketamine-trd-eu",
            version="1",
            name="Esketamine for TRD (EU label)",
            product="esketamine_nasal",
            route="intranasal",
            indication="trd",
            label_region="EU",
            phases=ESKETAMINE_PHASES,
            sources=(SPRAVATO_EU, SPRAVATO_ADULTS),
            doses_mg=(28, 56, 84),
            start_mg=56,
            start_mg_65_plus=28,
            step_mg_65_plus=28,
            max_mg_per_week=ESKETAMINE_MAX_MG_PER_WEEK,
            adult_label_only=True,
        ),
        Protocol(
            id="esketamine-mdsi",
            version="1",
            name="Esketamine for MDD with acute suicidal ideation",
            product="esketamine_nasal",
            route="intranasal",
            indication="mdsi",
            label_region="US",
            phases=(Phase("twice weekly for 4 weeks", 8, 2, 48),),
            sources=(SPRAVATO_US, SPRAVATO_ADULTS),
            doses_mg=(56, 84),
            start_mg=84,
            max_mg_per_week=ESKETAMINE_MAX_MG_PER_WEEK,
            adult_label_only=True,
        ),
        Protocol(
            id="oral-racemic-experimental",
            version="1",
            name="Oral ketamine (experimental)",
            product="oral_racemic",
            route="oral",
            indication="off_label",
            experimental=True,
            phases=(INDUCTION_3,),
            sources=(ORAL,),
            default_mg_per_kg=Decimal("2.0"),
            min_mg_per_kg=Decimal("1.0"),
            max_mg_per_kg=Decimal("2.5"),
            ceiling_mg_per_kg=Decimal("3.0"),
            max_mg_per_session=Decimal("3.0") * MG_LIMIT_REFERENCE_KG,
            max_mg_per_kg_per_week=WEEKLY_SESSIONS * Decimal("2.5"),
        ),
        Protocol(
            id="sublingual-racemic-experimental",
            version="1",
            name="Sublingual ketamine (experimental)",
            product="sublingual_racemic",
            route="sublingual",
            indication="off_label",
            experimental=True,
            phases=(INDUCTION_3,),
            sources=("Sublingual bioavailability about 29% (CLINICAL.md 3)",),
            default_mg_per_kg=Decimal("1.5"),
            min_mg_per_kg=Decimal("1.0"),
            max_mg_per_kg=Decimal("2.0"),
            ceiling_mg_per_kg=Decimal("2.5"),
            max_mg_per_session=Decimal("2.5") * MG_LIMIT_REFERENCE_KG,
            max_mg_per_kg_per_week=WEEKLY_SESSIONS * Decimal("2.0"),
        ),
    )
}
