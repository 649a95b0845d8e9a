"""How the chair writes its entries and states for people: "BP 132/84 · HR 76", not field
names."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from ketamine_clinic.clinical.session_flow import LABELS, State

register = template.Library()

CONCOMITANT = {
    "benzodiazepines": "benzodiazepines",
    "non_benzodiazepine_sedative_hypnotics": "sedative hypnotics",
    "psychostimulants": "psychostimulants",
    "maois": "MAOIs",
    "opioids": "opioids",
}
SCALES = {"moaas": "MOAA/S", "cadss": "CADSS", "bprs_plus": "BPRS+"}


@register.filter
def state_label(state: str) -> str:
    try:
        return LABELS[State(state)]
    except ValueError:
        return state


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%H:%M}"
    return ""


def _mg(value: Any) -> str:
    return format(Decimal(value).normalize(), "f") if value is not None else ""


@register.filter
def entry_details(entry: dict[str, Any]) -> str:
    data, kind = entry["data"], entry["type"]
    if kind == "vitals":
        parts = []
        if data.get("systolic_mmhg") is not None:
            parts.append(f"BP {data['systolic_mmhg']}/{data['diastolic_mmhg']}")
        for key, label, unit in (
            ("heart_rate_bpm", "HR", ""),
            ("spo2_pct", "SpO2", "%"),
            ("respiratory_rate_per_min", "RR", ""),
        ):
            if data.get(key) is not None:
                parts.append(f"{label} {data[key]}{unit}")
        text = " · ".join(parts)
        if data.get("alerts"):
            text += " · ALERT: " + "; ".join(data["alerts"])
        return text
    if kind == "dose":
        action = str(data.get("action", "")).replace("_", " ")
        parts = [f"device {data['device_number']}" if data.get("device_number") else action]
        if data.get("lot"):
            parts.append(f"lot {data['lot']}")
        for key, label in (("drawn_mg", "drawn"), ("given_mg", "given"), ("waste_mg", "left")):
            if data.get(key) is not None:
                parts.append(f"{label} {_mg(data[key])} mg")
        if data.get("rate_ml_per_h") is not None:
            parts.append(f"{_mg(data['rate_ml_per_h'])} mL/h")
        if data.get("note"):
            parts.append(str(data["note"]))
        return " · ".join(parts)
    if kind == "observation":
        return f"{SCALES.get(data['scale'], data['scale'])} {data['score']}"
    if kind == "adverse_event":
        text = f"{data['severity']} {str(data['kind']).replace('_', ' ')}"
        if data.get("action_taken"):
            text += f" ({data['action_taken']})"
        if data.get("serious"):
            text += " · SERIOUS"
        if data.get("resolved_at"):
            text += f" · resolved {_time(data['resolved_at'])}"
        return text
    if kind == "checks":
        parts = [
            "identity confirmed" if data.get("identity_confirmed") else "identity NOT confirmed"
        ]
        parts.append(
            f"ride home: {data.get('ride_name') or 'yes'}"
            if data.get("ride_home")
            else "NO ride home"
        )
        if data.get("last_food_at"):
            parts.append(f"last food {_time(data['last_food_at'])}")
        if data.get("last_liquid_at"):
            parts.append(f"liquids {_time(data['last_liquid_at'])}")
        parts.append(f"pregnancy: {str(data.get('pregnancy', '')).replace('_', ' ')}")
        if data.get("intoxicated"):
            parts.append("SIGNS OF INTOXICATION")
        urinary = {"none": "no urinary symptoms", "present": "URINARY SYMPTOMS"}
        parts.append(urinary.get(str(data.get("urinary_symptoms", "")), "urinary: not asked"))
        taken = [label for key, label in CONCOMITANT.items() if data.get(key)]
        parts.append("concomitant: " + (", ".join(taken) if taken else "none"))
        if data.get("medication_changes"):
            parts.append(f"medication changes: {data['medication_changes']}")
        return " · ".join(parts)
    return ""


KINDS = {
    "checks": "Pre-dose checks",
    "vitals": "Vitals",
    "dose": "Dose",
    "observation": "Observation",
    "adverse_event": "Adverse event",
}


@register.filter
def timeline_rows(timeline: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps and entries in one list, in the order they happened."""
    rows = [
        {
            "at": t.at,
            "what": state_label(t.to_state),
            "details": t.note,
            "current": True,
            "step": True,
        }
        for t in timeline["transitions"]
    ]
    for entry in timeline["entries"]:
        details = entry_details(entry)
        if entry["correction_reason"]:
            details += f" (correction: {entry['correction_reason']})"
        rows.append(
            {
                "at": entry["at"],
                "what": KINDS.get(entry["type"], entry["type"]),
                "details": details,
                "current": entry["current"],
                "step": False,
            }
        )
    return sorted(rows, key=lambda r: r["at"])
