"""The dose calculator: table-driven arithmetic, invariants, every limit and override path,
and the esketamine step rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.dosing import (
    DosingError,
    calculate_esketamine,
    calculate_weight_based,
)
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.clinical.units import Kg, Mg, MgPerKg, MgPerMl, Minutes, Ml

TODAY = date(2026, 11, 21)
IV = LIBRARY["iv-racemic-standard"]
IM = LIBRARY["im-racemic"]
ESK_US = LIBRARY["esketamine-trd-us"]
ESK_EU = LIBRARY["esketamine-trd-eu"]
MDSI = LIBRARY["esketamine-mdsi"]


def iv(
    weight: str = "70",
    per_kg: str | None = None,
    conc: str | None = "10",
    minutes: str | None = None,
    measured: date = TODAY,
    reason: str | None = None,
    protocol: object = IV,
) -> object:
    return calculate_weight_based(
        protocol,  # type: ignore[arg-type]
        weight=Kg(Decimal(weight)),
        weight_measured_on=measured,
        today=TODAY,
        per_kg=MgPerKg(Decimal(per_kg)) if per_kg else None,
        concentration=MgPerMl(Decimal(conc)) if conc else None,
        duration=Minutes(Decimal(minutes)) if minutes else None,
        override_reason=reason,
    )


@pytest.mark.parametrize(
    ("weight", "per_kg", "conc", "minutes", "dose", "volume", "rate"),
    [
        ("70", "0.5", "10", "40", "35.0", "3.50", "5.25"),  # journey 2
        ("70", "0.5", "50", "40", "35.0", "0.70", "1.05"),
        ("82.4", "0.5", "10", "40", "41.2", "4.12", "6.18"),
        ("100", "0.75", "10", "60", "75.0", "7.50", "7.50"),
        ("55", "0.1", "10", "40", "5.5", "0.55", "0.83"),
        ("120", "1.0", "100", "40", "120.0", "1.20", "1.80"),
    ],
)
def test_iv_table(
    weight: str, per_kg: str, conc: str, minutes: str, dose: str, volume: str, rate: str
) -> None:
    result = iv(weight, per_kg, conc, minutes)
    assert result.dose == Mg(Decimal(dose))
    assert result.volume == Ml(Decimal(volume))
    assert str(result.rate) == f"{Decimal(rate).normalize():f} mL/h"
    assert result.accepted
    assert [s.what for s in result.steps] == ["Dose", "Volume to draw", "Pump rate"]


def test_defaults_come_from_the_protocol() -> None:
    result = iv(per_kg=None, minutes=None)
    assert result.dose == Mg(Decimal("35.0"))
    assert result.duration == Minutes(Decimal("40"))


@given(
    weight=st.decimals(min_value=30, max_value=350, places=1),
    per_kg=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("1.0"), places=2),
    conc=st.sampled_from([Decimal(10), Decimal(50), Decimal(100)]),
    minutes=st.integers(40, 60),
)
def test_invariants(weight: Decimal, per_kg: Decimal, conc: Decimal, minutes: int) -> None:
    result = iv(str(weight), str(per_kg), str(conc), str(minutes))
    exact = per_kg * weight
    assert abs(result.dose.value - exact) <= Decimal("0.05")
    assert abs(result.volume.value * conc - exact) <= conc * Decimal(
        "0.005"
    )  # volume x conc = dose
    assert abs(result.rate.value * minutes / 60 - result.volume.value) <= Decimal(
        "0.01"
    )  # rate x time = volume
    assert result.accepted


@pytest.mark.parametrize(
    ("per_kg", "minutes", "needs"),
    [
        ("1.0", "40", 0),
        ("1.01", "40", 1),
        ("1.5", "40", 1),
        ("0.1", "40", 0),
        ("0.09", "40", 1),
        ("0.5", "39", 1),
        ("0.5", "60", 0),
        ("0.5", "61", 1),
        ("1.2", "30", 2),
    ],
)
def test_protocol_limits_need_an_override(per_kg: str, minutes: str, needs: int) -> None:
    result = iv(per_kg=per_kg, minutes=minutes)
    assert len(result.needs_override) == needs
    assert result.accepted is (needs == 0)
    if needs:
        assert not iv(per_kg=per_kg, minutes=minutes, reason="too short").accepted
        approved = iv(per_kg=per_kg, minutes=minutes, reason="no response at 0.75 after four")
        assert approved.accepted
        assert approved.override_reason == "no response at 0.75 after four"


def test_nothing_above_the_ceiling() -> None:
    with pytest.raises(DosingError, match="above the absolute ceiling") as problem:
        iv(per_kg="1.51", reason="a very long and careful reason")
    assert problem.value.field == "dose_mg_per_kg"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"weight": "20"}, "weight_kg", "outside the adult range"),
        ({"weight": "351"}, "weight_kg", "outside the adult range"),
        ({"conc": "0"}, "concentration_mg_per_ml", "above zero"),
        ({"minutes": "0"}, "duration_min", "above zero"),
        ({"minutes": "241"}, "duration_min", "at most 240"),
        ({"per_kg": "0"}, "dose_mg_per_kg", "above zero"),
        ({"measured": TODAY + timedelta(days=1)}, "weight_kg", "future"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(DosingError, match=message) as problem:
        iv(**kwargs)  # type: ignore[arg-type]
    assert problem.value.field == field


def test_missing_weight() -> None:
    with pytest.raises(DosingError, match="weigh the patient first"):
        calculate_weight_based(IV, weight=None, weight_measured_on=None, today=TODAY)


def test_stale_weight_warns() -> None:
    assert iv(measured=TODAY - timedelta(days=30)).warnings == ()
    (warning,) = iv(measured=TODAY - timedelta(days=31)).warnings
    assert "31 days old" in warning


def test_im_has_no_rate_and_experimental_routes_always_need_an_override() -> None:
    im = iv(protocol=IM, per_kg="0.25", conc="50", minutes=None)
    assert (im.dose, im.volume, im.rate) == (Mg(Decimal("17.5")), Ml(Decimal("0.35")), None)
    oral = iv(protocol=LIBRARY["oral-racemic-experimental"], per_kg="2.0", conc=None)
    assert oral.needs_override == ("Oral ketamine (experimental) is experimental",)


def test_units_cannot_be_mixed() -> None:
    with pytest.raises(TypeError):
        Mg(Decimal(35)) + Ml(Decimal("3.5"))  # type: ignore[operator]


# --- Esketamine ------------------------------------------------------------------------------


def test_esketamine_devices_and_timing() -> None:
    result = calculate_esketamine(ESK_US, dose_mg=84, previous_doses_mg=(56,), age_years=40)
    assert [(d.number, d.at_min, d.cumulative_mg) for d in result.devices] == [
        (1, 0, 28),
        (2, 5, 56),
        (3, 10, 84),
    ]
    assert result.accepted


@pytest.mark.parametrize(
    ("protocol", "dose", "previous", "age", "needs"),
    [
        (ESK_US, 56, (), 40, []),
        (ESK_US, 84, (), 40, ["the first dose of this protocol is 56 mg"]),
        (ESK_US, 84, (56,), 40, []),
        (ESK_US, 28, (56,), 40, ["28 mg is not a dose of this protocol (56, 84 mg)"]),
        (ESK_EU, 56, (), 64, []),
        (ESK_EU, 28, (), 65, []),
        (ESK_EU, 56, (), 65, ["the first dose of this protocol is 28 mg"]),
        (ESK_EU, 56, (28,), 70, []),
        (
            ESK_EU,
            84,
            (28,),
            70,
            [
                "84 mg only after a start at 56 mg",
                "at 65 or over change in 28 mg steps (last dose 28 mg)",
            ],
        ),
        (ESK_EU, 84, (28, 56), 70, []),
        (MDSI, 84, (), 40, []),
        (MDSI, 56, (84,), 40, []),
    ],
)
def test_esketamine_rules(
    protocol: object, dose: int, previous: tuple[int, ...], age: int, needs: list[str]
) -> None:
    result = calculate_esketamine(protocol, dose_mg=dose, previous_doses_mg=previous, age_years=age)  # type: ignore[arg-type]
    assert list(result.needs_override) == needs


@pytest.mark.parametrize(
    ("dose", "message"),
    [(60, "whole number of 28 mg"), (112, "above the maximum of 84"), (0, "above zero")],
)
def test_esketamine_refusals(dose: int, message: str) -> None:
    with pytest.raises(DosingError, match=message):
        calculate_esketamine(
            ESK_US, dose_mg=dose, age_years=40, override_reason="a long enough reason"
        )


def test_library_is_consistent() -> None:
    for protocol in LIBRARY.values():
        assert protocol.sources
        if protocol.weight_based:
            assert (
                protocol.min_mg_per_kg
                <= protocol.default_mg_per_kg
                <= protocol.max_mg_per_kg
                <= protocol.ceiling_mg_per_kg
            )  # type: ignore[operator]
        else:
            assert protocol.start_mg in protocol.doses_mg
