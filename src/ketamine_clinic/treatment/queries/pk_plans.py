"""From a patient, an order and a schedule to a pharmacokinetic prediction and its chart.

The patient's latest weight and age are the covariates; ancestry is not recorded in the chart,
so the esketamine model's Asian-ancestry effect is applied only when a person ticks it in the
what-if view. Each product is drawn with its route's default model, as the API and the CLI
choose it: Clements for racemic IV (no published variability, so no population band),
Fanta/Otto for IM and Perez-Ruixo for esketamine (each with its band).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.pk.models import DEFAULT_FOR_ROUTE, MODELS, Covariates
from ketamine_clinic.pk.regimen import DEVICE_MG, Dose
from ketamine_clinic.pk.report import ESTIMATE, Request, run
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession
from ketamine_clinic.treatment.queries import dosing

ROUTE_FOR_PRODUCT = {
    "iv_racemic": "iv_infusion",
    "im_racemic": "im",
    "esketamine_nasal": "intranasal",
}
MODEL_FOR_PRODUCT = {
    product: DEFAULT_FOR_ROUTE[route] for product, route in ROUTE_FOR_PRODUCT.items()
}
__all__ = ["ESTIMATE"]
BAND_SUBJECTS = 200
BAND_SEED = 20261122
MAX_PLAN_DAYS = 90
DOSE_AT_MIN = 0.0  # curves run from the first dose


@dataclass(frozen=True)
class Plan:
    """One schedule to predict: the same dose on each of these days."""

    label: str
    product: str
    dose_mg: Decimal
    duration_min: Decimal | None
    days: tuple[float, ...]

    def doses(self) -> list[Dose]:
        route = ROUTE_FOR_PRODUCT[self.product]
        mg = float(self.dose_mg)
        devices = round(mg / DEVICE_MG) if route == "intranasal" else 0
        duration = float(self.duration_min or 0) if route == "iv_infusion" else 0.0
        return [Dose(route, DOSE_AT_MIN + d * 1440.0, mg, duration, devices) for d in self.days]


def supported(product: str) -> bool:
    return product in ROUTE_FOR_PRODUCT


def covariates(patient: Patient, asian: bool = False) -> tuple[Covariates, list[str]]:
    """The patient's weight and age, and what the prediction had to assume."""
    weight, measured_on = dosing.latest_weight(patient)
    notes = []
    if weight is None:
        notes.append("No weight recorded: weight-scaled models cannot predict.")
    elif measured_on is not None:
        notes.append(f"Weight {weight.normalize():f} kg measured {date_format(measured_on)}.")
    age = age_on(patient.birth_date, timezone.localdate()) if patient.birth_date else None
    if not asian:
        notes.append("Ancestry is not in the chart: no ancestry effect applied.")
    cov = Covariates(float(weight) if weight is not None else None, age, asian)
    return cov, notes


def order_plan(order: DoseOrder, days: tuple[float, ...] = (0.0,), label: str = "") -> Plan:
    calc = order.calculation or {}
    duration = calc.get("duration_min")
    return Plan(
        label or f"{calc.get('dose_mg')} mg",
        order.course.product,
        Decimal(str(calc.get("dose_mg"))),
        Decimal(str(duration)) if duration is not None else None,
        days,
    )


def schedule_days(course: Course) -> tuple[float, ...]:
    """The course's dosing days (planned or done) from the first, within 90 days."""
    days = list(
        ScheduledSession.objects.filter(
            course=course,
            kind=ScheduledSession.Kind.DOSING,
            state__in=[ScheduledSession.State.PLANNED, ScheduledSession.State.DONE],
        )
        .order_by("on")
        .values_list("on", flat=True)
    )
    if not days:
        return (0.0,)
    return tuple(float((d - days[0]).days) for d in days if (d - days[0]).days < MAX_PLAN_DAYS)


def current_order(course: Course) -> DoseOrder | None:
    """The order in force, or before signing the latest draft (not entered in error)."""
    return (
        dosing.signed_order(course)
        or DoseOrder.objects.filter(course=course, status=RecordStatus.ACTIVE)
        .order_by("-created_at")
        .first()
    )


def horizon(plan: Plan) -> tuple[float, float]:
    """The curve's end (a day past the last dose) and a step that keeps the curve within
    the engine's per-request bounds: 2 minutes for one dose, 5 or more for a schedule."""
    end = DOSE_AT_MIN + max(plan.days) * 1440.0 + 1440.0
    return end, step_for(end, single=len(plan.days) == 1)


def step_for(end: float, single: bool) -> float:
    if single:
        return 2.0
    return float(max(5, math.ceil(end / 15_000)))


def predict(
    plan: Plan, cov: Covariates, band: bool = True, end: float | None = None
) -> dict[str, Any]:
    """The typical curve and, when asked and the model has published variability, the
    population band (the PK engine's answer)."""
    end = end or horizon(plan)[0]
    band = band and MODELS[MODEL_FOR_PRODUCT[plan.product]].has_variability
    return run(
        Request(
            doses=plan.doses(),
            t_end_min=end,
            step_min=step_for(end, single=len(plan.days) == 1 and end <= 2 * 1440),
            covariates=cov,
            model=MODEL_FOR_PRODUCT[plan.product],
            n=BAND_SUBJECTS if band else None,
            seed=BAND_SEED if band else None,
        )
    )


COLOURS = ["#0d6efd", "#d63384"]
SUBSTANCE_NAMES = {"s_ketamine": "ketamine", "ketamine": "ketamine", "esketamine": "esketamine"}


def chart_spec(results: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Vega-Lite: for each plan its population band (5th-95th percentile) shaded and its
    typical patient drawn, parent drug only, in hours or days."""
    longest = max(r["times_min"][-1] for _, r in results)
    in_days = longest > 3 * 1440
    unit, divisor = ("days", 1440.0) if in_days else ("hours", 60.0)
    layers: list[dict[str, Any]] = []
    substance = SUBSTANCE_NAMES.get(results[0][1]["outputs"][0], results[0][1]["outputs"][0])
    for n, (label, result) in enumerate(results):
        output = result["outputs"][0]
        times = [t / divisor for t in result["times_min"]]
        colour = COLOURS[n % len(COLOURS)]
        if result.get("percentiles"):
            band = result["percentiles"][output]
            layers.append(
                {
                    "data": {"values": [
                        {"t": t, "low": lo, "high": hi, "plan": label}
                        for t, lo, hi in zip(times, band["p5"], band["p95"], strict=True)
                    ]},
                    "mark": {"type": "area", "opacity": 0.18, "color": colour},
                    "encoding": {
                        "x": {"field": "t", "type": "quantitative"},
                        "y": {"field": "low", "type": "quantitative"},
                        "y2": {"field": "high"},
                    },
                }
            )  # fmt: skip
        layers.append(
            {
                "data": {"values": [
                    {"t": t, "c": c, "plan": label}
                    for t, c in zip(times, result["conc_ng_ml"][output], strict=True)
                ]},
                "mark": {"type": "line", "color": colour, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "t", "type": "quantitative", "title": f"Time ({unit})"},
                    "y": {"field": "c", "type": "quantitative",
                          "title": f"Predicted plasma {substance} (ng/mL)"},
                    "strokeDash": {"field": "plan", "type": "nominal", "title": None,
                                   "legend": {"orient": "bottom", "labelLimit": 600}}
                    if len(results) > 1 else {"value": [1, 0]},
                },
            }
        )  # fmt: skip
    model = results[0][1]["model"]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 640,
        "height": 220,
        "title": {
            "text": "Model estimate, not a measurement",
            "subtitle": [f"{model['name']}: {model['source']}.", _legend(results)],
        },
        "layer": layers,
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }


def _legend(results: list[tuple[str, dict[str, Any]]]) -> str:
    line = "Line: a typical patient of this weight and age."
    if all(result.get("percentiles") for _, result in results):
        return (
            f"{line} Band: 5th-95th percentile of {BAND_SUBJECTS} simulated patients like this one."
        )
    return f"{line} No band: this model has no published between-patient variability."


def when(minutes: float) -> str:
    """A time after the first dose as a person reads it: hours, or the day and the hour."""
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"day {int(minutes // 1440)}, {minutes % 1440 / 60:.1f} h"


def summary_rows(results: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Peak, time of the peak and exposure of each plan's typical patient, for a table."""
    rows = []
    for label, result in results:
        output = result["outputs"][0]
        band = result.get("cmax_percentiles_ng_ml", {}) or {}
        peak_band = band.get(output)
        rows.append(
            {
                "plan": label,
                "output": output,
                "cmax": round(result["cmax_ng_ml"][output], 1),
                "when": when(result["tmax_min"][output]),
                "auc": round(result["auc_ng_h_ml"][output]),
                "cmax_band": {k: round(v, 1) for k, v in peak_band.items()} if peak_band else None,
            }
        )
    return rows
