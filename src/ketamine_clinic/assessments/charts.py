"""Charts as Vega-Lite specifications, rendered to SVG on the server by vl-convert.

One specification serves the chart page and printed records alike (DESIGN.md). The chart
shows one instrument over time: severity bands shaded, scores joined, dose days marked, and
the response (50% below baseline) and remission lines drawn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import vl_convert

from ketamine_clinic.clinical.instruments import Instrument
from ketamine_clinic.clinical.outcomes import ACUTE_CONTEXTS, RESPONSE_FALL, Outcome

BAND_COLOURS = ["#e8f5e9", "#fffde7", "#fff3e0", "#fbe9e7", "#ffebee"]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def instrument_chart_spec(
    instrument: Instrument,
    scores: list[tuple[datetime, int, str]],
    outcome: Outcome | None,
    remission_at_most: int | None,
    dose_times: list[datetime],
) -> dict[str, Any]:
    times = [t for t, _, _ in scores] + dose_times
    start, end = min(times), max(times)
    layers: list[dict[str, Any]] = []
    if instrument.bands:
        layers.append(
            {
                "data": {
                    "values": [
                        {"low": b.low, "high": b.high + (1 if b is not instrument.top_band else 0),
                         "band": b.label, "colour": BAND_COLOURS[min(n, 4)]}
                        for n, b in enumerate(sorted(instrument.bands, key=lambda b: b.low))
                    ]
                },
                "mark": {"type": "rect", "opacity": 0.9},
                "encoding": {
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": {"field": "colour", "type": "nominal", "scale": None},
                },
            }
        )  # fmt: skip
    if dose_times:
        layers.append(
            {
                "data": {"values": [{"at": _iso(t)} for t in dose_times]},
                "mark": {"type": "rule", "color": "#6f42c1", "strokeDash": [2, 3]},
                "encoding": {"x": {"field": "at", "type": "temporal"}},
            }
        )
    lines = []
    if outcome is not None and outcome.baseline is not None:
        lines.append({"y": outcome.baseline.total * (1 - RESPONSE_FALL), "label": "Response"})
    if remission_at_most is not None and instrument.outcome_measure:
        lines.append({"y": remission_at_most + 0.5, "label": "Remission"})
    if lines:
        layers.append(
            {
                "data": {"values": lines},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#198754"},
                "encoding": {"y": {"field": "y", "type": "quantitative"}},
            }
        )
        layers.append(
            {
                "data": {"values": lines},
                "mark": {"type": "text", "align": "left", "dx": 4, "dy": -6, "color": "#198754"},
                "encoding": {
                    "y": {"field": "y", "type": "quantitative"},
                    "x": {"datum": _iso(start), "type": "temporal"},
                    "text": {"field": "label"},
                },
            }
        )
    acute = [{"at": _iso(t), "total": v} for t, v, c in scores if c in ACUTE_CONTEXTS]
    if acute:
        # Scores taken hours after a dose show its acute effect: drawn as open circles, not
        # joined to the sustained trajectory.
        layers.append(
            {
                "data": {"values": acute},
                "mark": {"type": "point", "size": 50, "filled": False, "color": "#6f42c1"},
                "encoding": {
                    "x": {"field": "at", "type": "temporal"},
                    "y": {"field": "total", "type": "quantitative"},
                },
            }
        )
    sustained = [(t, v, c) for t, v, c in scores if c not in ACUTE_CONTEXTS]
    layers.append(
        {
            "data": {
                "values": [{"at": _iso(t), "total": v, "context": c} for t, v, c in sustained]
            },
            "mark": {"type": "line", "point": {"size": 60, "filled": True}, "color": "#0d6efd"},
            "encoding": {
                "x": {"field": "at", "type": "temporal", "title": None,
                      "scale": {"domain": [_iso(start), _iso(end)]}},
                "y": {"field": "total", "type": "quantitative", "title": instrument.short_name,
                      "scale": {"domain": [instrument.total_min, instrument.total_max]}},
            },
        }
    )  # fmt: skip
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 640,
        "height": 220,
        "title": f"{instrument.short_name} over time",
        "layer": layers,
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }


def render_svg(spec: dict[str, Any]) -> str:
    return vl_convert.vegalite_to_svg(spec)
