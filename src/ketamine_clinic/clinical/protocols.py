"""The protocol library: how each product is given for depression, as data with sources.

Clinics copy a protocol and adjust it (a new version, their own id); the library is the
starting point and the limits an adjusted copy is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

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


MURROUGH = "Murrough et al., Biol Psychiatry 2013;74:250 (six infusions over about 12 days)"
SANACORA = "Sanacora et al., JAMA Psychiatry 2017;74:399 (APA consensus: 0.5 mg/kg over 40 min)"
ANDRADE = "Andrade, J Clin Psychiatry 2017 (0.1 to 0.75 mg/kg; dose to response)"
ASKP3 = "ASKP3 standards of care (0.5-1 mg/kg over 40-60 min, escalation possible)"
KETALAR = "Ketalar US label: anaesthetic induction 1-4.5 mg/kg IV, 6.5-13 mg/kg IM"
LOO_IM = "IM racemic ketamine 0.25-0.5 mg/kg; 0.25 as effective as 0.5 (CLINICAL.md 3)"
SPRAVATO_US = "Spravato US prescribing information, dosage and administration"
SPRAVATO_EU = "Spravato EU/UK SmPC 4.2 (65 and over: 28 mg start, 28 mg steps)"

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
            sources=(SPRAVATO_US,),
            doses_mg=(56, 84),
            start_mg=56,
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
            sources=(SPRAVATO_EU,),
            doses_mg=(28, 56, 84),
            start_mg=56,
            start_mg_65_plus=28,
            step_mg_65_plus=28,
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
            sources=(SPRAVATO_US,),
            doses_mg=(56, 84),
            start_mg=84,
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
        ),
    )
}
