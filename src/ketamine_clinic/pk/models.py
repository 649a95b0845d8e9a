"""Published ketamine and esketamine models as data: each parameter with its unit, its
between-subject variability and its source, and how the model turns a dose into inputs.

Sources (CLINICAL.md 6):
- Domino: racemic ketamine IV, 3 compartments, weight-scaled central volume, no published
  variability; the micro-constants as Stanpump carries them (Domino EF et al., Anesth Analg
  1982;61:87-92, PMID 7198883). CLINICAL.md rounds them to three digits.
- Clements: racemic ketamine IV, 2 compartments, weight-scaled central volume, no published
  variability (Clements JA, Nimmo WS, Br J Anaesth 1981;53:27-30, PMID 7459184, after
  0.25 mg/kg IV). The default for racemic IV: its clearance (80 L/h at 70 kg) is the
  meta-analytic 79 L/h of Kamp J et al., Anesthesiology 2020;133:1192-1213, and it predicts
  the measured end-of-infusion concentration of the depression infusion (docs/pk-validation.md).
- Fanta/Otto: S-ketamine with norketamine, 3 + 2 compartments for a 70 kg adult, allometric
  weight scaling ((WT/70)^1 on the central volumes, ^0.75 on clearances) and log-normal
  variability on V1 and CL (Fanta S et al. 2015; Otto et al. 2021).
- Perez-Ruixo: esketamine intranasal with the nasal and swallowed pathways, a well-stirred
  liver, noresketamine, the per-device absorption rule, age and Asian-ancestry covariates
  and its variability (Perez-Ruixo C et al., Clin Pharmacokinet 2021;60:501-516).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.regimen import DEVICE_MG, Dose
from ketamine_clinic.pk.system import Array, Impulse, Input, Rate, System, rate_matrix

NG_PER_ML_PER_MG_PER_L = 1000.0  # 1 mg/L = 1000 ng/mL
KETAMINE_G_PER_MOL = 237.7  # C13H16ClNO
NORKETAMINE_G_PER_MOL = 223.7  # C12H14ClNO: one N-methyl fewer
# Each mg of (es)ketamine metabolised forms this many mg of nor(es)ketamine (mole for mole).
METABOLITE_MASS_RATIO = NORKETAMINE_G_PER_MOL / KETAMINE_G_PER_MOL
PER_HOUR = 1 / 60.0


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    description: str
    omega2: float = 0.0  # between-subject variance of eta (log-normal, or on the logit)
    logit: bool = False


@dataclass(frozen=True)
class Covariates:
    """One patient's covariates, or one value per subject (arrays) for a virtual population
    built from covariates, e.g. a spread of weights under a model without variability."""

    weight_kg: float | Array | None = None
    age_years: float | Array | None = None
    asian: bool = False


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    substance: str
    source: str
    routes: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    needs_weight: bool
    metabolite: str | None
    notes: str
    assemble: Callable[[dict[str, Array], Covariates, bool], System]
    dose_inputs: Callable[[Dose, dict[str, Array]], list[Input]]

    @property
    def has_variability(self) -> bool:
        return any(p.omega2 > 0 for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)


def cv_to_omega2(cv: float) -> float:
    """A log-normal parameter's variance of eta from its coefficient of variation."""
    return math.log(1.0 + cv * cv)


def individuals(model: Model, n: int, seed: int | None) -> dict[str, Array]:
    """Each parameter for n subjects: the typical value for all when seed is None, else a
    seeded draw of the between-subject variability."""
    rng = np.random.default_rng(seed) if seed is not None else None
    values = {}
    for p in model.parameters:
        if rng is None or p.omega2 == 0:
            values[p.name] = np.full(n, p.value)
            continue
        eta = rng.normal(0.0, math.sqrt(p.omega2), n)
        if p.logit:
            typical = math.log(p.value / (1 - p.value))
            values[p.name] = 1.0 / (1.0 + np.exp(-(typical + eta)))
        else:
            values[p.name] = p.value * np.exp(eta)
    return values


def _weight(cov: Covariates) -> Array:
    if cov.weight_kg is None:
        raise PKError("covariates.weight_kg", "this model scales by weight: give it")
    return np.asarray(cov.weight_kg, dtype=np.float64)


def _bolus_or_infusion(dose: Dose, state: str, size: int) -> list[Input]:
    if dose.route == "iv_bolus":
        return [Impulse(dose.at_min, state, np.full(size, dose.dose_mg))]
    return [
        Rate(
            dose.at_min,
            dose.at_min + dose.duration_min,
            state,
            np.full(size, dose.rate_mg_per_min),
        )
    ]


# --- Domino: racemic ketamine IV -------------------------------------------------------

DOMINO_STATES = ("central", "peripheral_fast", "peripheral_slow")


def _weight_scaled_iv(
    states: tuple[str, ...], flows: dict[tuple[str, str | None], str]
) -> Callable[[dict[str, Array], Covariates, bool], System]:
    """A racemic IV model given by micro-constants: a central volume per kg of body weight
    and the named rate constant of each flow; ketamine is read in the first (central) state."""

    def assemble(p: dict[str, Array], cov: Covariates, metabolite: bool) -> System:
        v1 = p["v1"] * _weight(cov)
        a = rate_matrix(states, {edge: p[name] for edge, name in flows.items()})
        c = np.zeros((v1.size, 1, len(states)))
        c[:, 0, 0] = NG_PER_ML_PER_MG_PER_L / v1
        return System(states, ("ketamine",), a, c)

    return assemble


_domino_system = _weight_scaled_iv(
    DOMINO_STATES,
    {
        ("central", None): "k10",
        ("central", "peripheral_fast"): "k12",
        ("central", "peripheral_slow"): "k13",
        ("peripheral_fast", "central"): "k21",
        ("peripheral_slow", "central"): "k31",
    },
)


DOMINO = Model(
    id="domino",
    name="Domino, racemic ketamine IV (3 compartments)",
    substance="ketamine",
    source="Domino EF et al., Anesth Analg 1982;61:87-92 (PMID 7198883); the Stanpump set",
    routes=("iv_bolus", "iv_infusion"),
    parameters=(
        Parameter("v1", 0.063, "L/kg", "central volume per kg of body weight"),
        Parameter("k10", 0.4381, "1/min", "elimination from the central compartment"),
        Parameter("k12", 0.5921, "1/min", "central to fast peripheral"),
        Parameter("k13", 0.5900, "1/min", "central to slow peripheral"),
        Parameter("k21", 0.2470, "1/min", "fast peripheral to central"),
        Parameter("k31", 0.0146, "1/min", "slow peripheral to central"),
    ),
    needs_weight=True,
    metabolite=None,
    notes="No between-subject variability was published, so there is no population band. "
    "The central volume is small (4.4 L at 70 kg): the model is for IV use only.",
    assemble=_domino_system,
    dose_inputs=lambda dose, p: _bolus_or_infusion(dose, "central", p["v1"].size),
)


# --- Clements: racemic ketamine IV ------------------------------------------------------

CLEMENTS_STATES = ("central", "peripheral")


_clements_system = _weight_scaled_iv(
    CLEMENTS_STATES,
    {
        ("central", None): "k10",
        ("central", "peripheral"): "k12",
        ("peripheral", "central"): "k21",
    },
)


CLEMENTS = Model(
    id="clements",
    name="Clements, racemic ketamine IV (2 compartments)",
    substance="ketamine",
    source="Clements JA, Nimmo WS, Br J Anaesth 1981;53:27-30 (PMID 7459184), 0.25 mg/kg IV; "
    "the micro-constants as the openTIVA library carries them",
    routes=("iv_bolus", "iv_infusion"),
    parameters=(
        Parameter("v1", 1.7522, "L/kg", "central volume per kg of body weight"),
        Parameter("k10", 0.0109, "1/min", "elimination from the central compartment"),
        Parameter("k12", 0.0186, "1/min", "central to peripheral"),
        Parameter("k21", 0.0137, "1/min", "peripheral to central"),
    ),
    needs_weight=True,
    metabolite=None,
    notes="The default for racemic ketamine IV. Clearance 80 L/h and volume at steady state "
    "289 L at 70 kg, beside the meta-analytic 79 L/h and 252 L (Kamp 2020). No "
    "between-subject variability was published, so there is no population band.",
    assemble=_clements_system,
    dose_inputs=lambda dose, p: _bolus_or_infusion(dose, "central", p["v1"].size),
)


# --- Fanta/Otto: S-ketamine with norketamine ------------------------------------------

FANTA_STATES = ("depot", "central", "peripheral_1", "peripheral_2")
NOR_STATES = ("nor_central", "nor_peripheral")
# Intramuscular absorption: first order with F = 0.93 (CLINICAL.md 6). No absorption rate
# was published with these dispositions; 0.087/min (half-life 8 min) is assumed so that the
# predicted IM peak falls 15-20 min after the injection, inside the 5-30 min reported for
# IM ketamine (Clements JA et al., J Pharm Sci 1982;71:539). It is an assumption, not a fit.
IM_BIOAVAILABILITY = 0.93
IM_KA_PER_MIN = math.log(2) / 8.0


def _fanta_system(p: dict[str, Array], cov: Covariates, metabolite: bool) -> System:
    size = _weight(cov) / 70.0
    v1 = p["v1"] * size
    cl, q1, q2 = (p[k] * PER_HOUR * size**0.75 for k in ("cl", "q1", "q2"))
    vp1, vp2 = p["vp1"], p["vp2"]
    flows = {
        ("depot", "central"): p["ka_im"],
        ("central", None): cl / v1,
        ("central", "peripheral_1"): q1 / v1,
        ("peripheral_1", "central"): q1 / vp1,
        ("central", "peripheral_2"): q2 / v1,
        ("peripheral_2", "central"): q2 / vp2,
    }
    states = FANTA_STATES + (NOR_STATES if metabolite else ())
    if metabolite:
        vn = p["v_nor"] * size
        cln, qn = (p[k] * PER_HOUR * size**0.75 for k in ("cl_nor", "q_nor"))
        flows |= {
            ("central", "nor_central*"): cl / v1 * METABOLITE_MASS_RATIO,
            ("nor_central", None): cln / vn,
            ("nor_central", "nor_peripheral"): qn / vn,
            ("nor_peripheral", "nor_central"): qn / p["vp_nor"],
        }
    a = rate_matrix(states, flows)
    outputs = ("s_ketamine", "norketamine") if metabolite else ("s_ketamine",)
    c = np.zeros((v1.size, len(outputs), len(states)))
    c[:, 0, 1] = NG_PER_ML_PER_MG_PER_L / v1
    if metabolite:
        c[:, 1, states.index("nor_central")] = NG_PER_ML_PER_MG_PER_L / (p["v_nor"] * size)
    return System(states, outputs, a, c)


def _fanta_inputs(dose: Dose, p: dict[str, Array]) -> list[Input]:
    size = p["v1"].size
    if dose.route == "im":
        return [Impulse(dose.at_min, "depot", np.full(size, dose.dose_mg * IM_BIOAVAILABILITY))]
    return _bolus_or_infusion(dose, "central", size)


FANTA_OTTO = Model(
    id="fanta-otto",
    name="Fanta/Otto, S-ketamine with norketamine (3 + 2 compartments)",
    substance="ketamine",
    source="Fanta S et al., 2015; Otto et al., 2021 (venous samples, 70 kg adult)",
    routes=("iv_bolus", "iv_infusion", "im"),
    parameters=(
        Parameter("v1", 133.0, "L", "central volume at 70 kg", omega2=0.084),
        Parameter("cl", 95.2, "L/h", "clearance at 70 kg, all forming norketamine", omega2=0.026),
        Parameter("vp1", 187.0, "L", "first peripheral volume"),
        Parameter("q1", 23.2, "L/h", "first intercompartmental clearance"),
        Parameter("vp2", 98.8, "L", "second peripheral volume"),
        Parameter("q2", 157.0, "L/h", "second intercompartmental clearance"),
        Parameter("v_nor", 98.6, "L", "norketamine central volume"),
        Parameter("cl_nor", 57.7, "L/h", "norketamine clearance"),
        Parameter("vp_nor", 160.0, "L", "norketamine peripheral volume"),
        Parameter("q_nor", 42.8, "L/h", "norketamine intercompartmental clearance"),
        Parameter("ka_im", IM_KA_PER_MIN, "1/min", "IM absorption (assumed, see the code)"),
    ),
    needs_weight=True,
    metabolite="norketamine",
    notes="S-ketamine parameters, used here for racemic ketamine given IV or IM as well: "
    "racemic clearance is close, but the curve is an approximation. IM: F 0.93, and an "
    "assumed absorption half-life of 8 min. Norketamine in ng/mL of norketamine, formed "
    "mole for mole.",
    assemble=_fanta_system,
    dose_inputs=_fanta_inputs,
)


# --- Perez-Ruixo: esketamine intranasal -----------------------------------------------

PEREZ_STATES = ("nasal", "gut", "liver", "central", "peripheral_1", "peripheral_2")
NORES_STATES = ("nores_central", "nores_peripheral")
SWALLOWED_OVER_MIN = 0.53 * 60.0  # the swallowed part enters the gut over 0.53 h
LATER_DEVICE_FACTOR = 0.62  # the 2nd and later devices of a dose absorb less nasally
GUT_BIOAVAILABILITY = 0.64
AGE_QH_FROM = 60.0
QH_LOSS_PER_YEAR = 2.19  # L/h per year of age over 60
ASIAN_KEL_FACTOR = 0.36


def hepatic_flow_l_per_h(typical: float | Array, age_years: float | Array | None) -> float | Array:
    """Liver blood flow falls by 2.19 L/h per year over 60 (an age covariate of the model)."""
    if age_years is None:
        return typical
    over = np.maximum(0.0, np.asarray(age_years, dtype=np.float64) - AGE_QH_FROM)
    return typical - QH_LOSS_PER_YEAR * over


def _perez_system(p: dict[str, Array], cov: Covariates, metabolite: bool) -> System:
    qh = hepatic_flow_l_per_h(p["qh"], cov.age_years) * PER_HOUR
    vc, vh = p["vc"], p["vh"]
    kel = p["kel"] * PER_HOUR * (ASIAN_KEL_FACTOR if cov.asian else 1.0)
    kmet = p["kmet"] * PER_HOUR
    q1, q2 = p["q1"] * PER_HOUR, p["q2"] * PER_HOUR
    flows = {
        ("nasal", "central"): p["ka_nasal"] * PER_HOUR,
        ("gut", "liver"): p["ka_gut"] * PER_HOUR,
        ("liver", "central"): qh / vh,
        ("central", "liver"): qh / vc,
        ("liver", None): kel + kmet,
        ("central", "peripheral_1"): q1 / vc,
        ("peripheral_1", "central"): q1 / p["vp1"],
        ("central", "peripheral_2"): q2 / vc,
        ("peripheral_2", "central"): q2 / p["vp2"],
    }
    states = PEREZ_STATES + (NORES_STATES if metabolite else ())
    if metabolite:
        vm, qm = p["v_nores"], p["q_nores"] * PER_HOUR
        flows |= {
            ("liver", "nores_central*"): kmet * METABOLITE_MASS_RATIO,
            ("nores_central", None): p["cl_nores"] * PER_HOUR / vm,
            ("nores_central", "nores_peripheral"): qm / vm,
            ("nores_peripheral", "nores_central"): qm / p["vp_nores"],
        }
    a = rate_matrix(states, flows)
    outputs = ("esketamine", "noresketamine") if metabolite else ("esketamine",)
    c = np.zeros((vc.size, len(outputs), len(states)))
    c[:, 0, states.index("central")] = NG_PER_ML_PER_MG_PER_L / vc
    if metabolite:
        c[:, 1, states.index("nores_central")] = NG_PER_ML_PER_MG_PER_L / p["v_nores"]
    return System(states, outputs, a, c)


def nasal_fraction(frn: float | Array, device: int) -> float | Array:
    """The fraction of device `device` (0 = the first of a dose) absorbed through the nose."""
    return frn if device == 0 else frn * LATER_DEVICE_FACTOR


def _perez_inputs(dose: Dose, p: dict[str, Array]) -> list[Input]:
    if dose.route != "intranasal":
        return _bolus_or_infusion(dose, "central", p["vc"].size)
    inputs: list[Input] = []
    for device, at in enumerate(dose.device_times()):
        nasal = np.asarray(nasal_fraction(p["frn"], device))
        inputs.append(Impulse(at, "nasal", nasal * DEVICE_MG))
        swallowed = (1.0 - nasal) * DEVICE_MG * GUT_BIOAVAILABILITY
        inputs.append(Rate(at, at + SWALLOWED_OVER_MIN, "gut", swallowed / SWALLOWED_OVER_MIN))
    return inputs


PEREZ_RUIXO = Model(
    id="perez-ruixo",
    name="Perez-Ruixo, esketamine intranasal with noresketamine",
    substance="esketamine",
    source="Perez-Ruixo C et al., Clin Pharmacokinet 2021;60:501-516",
    routes=("intranasal", "iv_bolus", "iv_infusion"),
    parameters=(
        Parameter("frn", 0.54, "", "nasal fraction of a device", omega2=0.50, logit=True),
        Parameter("ka_nasal", 2.93, "1/h", "nasal absorption", omega2=cv_to_omega2(0.615)),
        Parameter("ka_gut", 1.45, "1/h", "absorption of the swallowed part"),
        Parameter("qh", 151.0, "L/h", "hepatic blood flow", omega2=cv_to_omega2(0.232)),
        Parameter("vh", 101.0, "L", "liver volume", omega2=cv_to_omega2(0.346)),
        Parameter("kel", 1.11, "1/h", "hepatic elimination", omega2=cv_to_omega2(1.20)),
        Parameter("kmet", 2.77, "1/h", "hepatic metabolism to noresketamine"),
        Parameter("vc", 192.0, "L", "central volume", omega2=cv_to_omega2(0.275)),
        Parameter("q1", 84.3, "L/h", "first intercompartmental clearance"),
        Parameter("vp1", 143.0, "L", "first peripheral volume", omega2=cv_to_omega2(0.493)),
        Parameter("q2", 37.6, "L/h", "second intercompartmental clearance"),
        Parameter("vp2", 417.0, "L", "second peripheral volume"),
        Parameter("v_nores", 70.0, "L", "noresketamine central volume"),
        Parameter("cl_nores", 38.0, "L/h", "noresketamine clearance"),
        Parameter("vp_nores", 115.0, "L", "noresketamine peripheral volume"),
        Parameter("q_nores", 26.1, "L/h", "noresketamine intercompartmental clearance"),
    ),
    needs_weight=False,
    metabolite="noresketamine",
    notes="Weight had no effect in this model. Each device's nasal fraction is 0.54 for the "
    "first of a dose and 0.54 x 0.62 for later ones; the rest is swallowed (64% gut "
    "availability) and passes the liver. Hepatic flow falls 2.19 L/h per year over 60; Asian "
    "ancestry multiplies hepatic elimination by 0.36. Age unknown: no age effect applied.",
    assemble=_perez_system,
    dose_inputs=_perez_inputs,
)

MODELS: dict[str, Model] = {m.id: m for m in (CLEMENTS, DOMINO, FANTA_OTTO, PEREZ_RUIXO)}
DEFAULT_FOR_ROUTE = {
    "iv_bolus": "clements",
    "iv_infusion": "clements",
    "im": "fanta-otto",
    "intranasal": "perez-ruixo",
}
