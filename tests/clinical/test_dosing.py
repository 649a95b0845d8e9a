"""The dose calculator: table-driven arithmetic, invariants, every limit and override path at
its boundary, the dosing weight, the infusion's preparation, and the esketamine step rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.dosing import (
    MAX_INFUSION_MG_PER_ML,
    DosingError,
    Preparation,
    Stock,
    calculate_esketamine,
    calculate_weight_based,
    infusion_floor,
)
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.clinical.units import Kg, Mg, MgPerKg, MgPerMl, Minutes, Ml

TODAY = date(2026, 11, 21)
IV = LIBRARY["iv-racemic-standard"]
IM = LIBRARY["im-racemic"]
ESK_US = LIBRARY["esketamine-trd-us"]
ESK_EU = LIBRARY["esketamine-trd-eu"]
MDSI = LIBRARY["esketamine-mdsi"]
SALINE = "sodium_chloride_0_9"


def stock(conc: str) -> Stock:
    return Stock("Ketamine", MgPerMl(Decimal(conc)))


def iv(
    weight: str = "70",
    per_kg: str | None = None,
    conc: str | None = "10",
    minutes: str | None = None,
    final: str | None = "50",
    measured: date = TODAY,
    reason: str | None = None,
    protocol: object = IV,
    **more: object,
) -> object:
    return calculate_weight_based(
        protocol,  # type: ignore[arg-type]
        weight=Kg(Decimal(weight)),
        weight_measured_on=measured,
        today=TODAY,
        per_kg=MgPerKg(Decimal(per_kg)) if per_kg else None,
        stock=stock(conc) if conc else None,
        preparation=Preparation(SALINE, Ml(Decimal(final))) if final else None,
        duration=Minutes(Decimal(minutes)) if minutes else None,
        override_reason=reason,
        **more,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("weight", "per_kg", "conc", "minutes", "final", "dose", "drawn", "diluent", "rate"),
    [
        # Journey 2, made up to a 50 mL syringe: 3.5 mL of 10 mg/mL + 46.5 mL saline.
        ("70", "0.5", "10", "40", "50", "35.0", "3.50", "46.50", "75.0"),
        # The 50 mg/mL vial that the demo's vault holds: 0.7 mL, not 0.7 mL at 1.05 mL/h.
        ("70", "0.5", "50", "40", "50", "35.0", "0.70", "49.30", "75.0"),
        ("82.4", "0.5", "10", "40", "100", "41.2", "4.12", "95.88", "150.0"),
        ("100", "0.75", "10", "60", "100", "75.0", "7.50", "92.50", "100.0"),
        ("55", "0.1", "10", "40", "50", "5.5", "0.55", "49.45", "75.0"),
        # 100 mg/mL is only ever given diluted.
        ("120", "1.0", "100", "40", "250", "120.0", "1.20", "248.80", "375.0"),
    ],
)
def test_iv_table(
    weight: str,
    per_kg: str,
    conc: str,
    minutes: str,
    final: str,
    dose: str,
    drawn: str,
    diluent: str,
    rate: str,
) -> None:
    result = iv(weight, per_kg, conc, minutes, final)
    assert result.dose == Mg(Decimal(dose))
    assert result.volume == Ml(Decimal(drawn))
    assert result.diluent_volume == Ml(Decimal(diluent))
    assert result.rate.value == Decimal(rate)
    assert result.final_concentration.value == (Decimal(dose) / Decimal(final)).quantize(
        Decimal("0.001")
    )
    assert result.accepted
    assert [s.what for s in result.steps] == [
        "Dosing weight",
        "Dose",
        "Draw from Ketamine",
        "Add 0.9% sodium chloride",
        "Final concentration",
        "Pump rate",
    ]


def test_defaults_come_from_the_protocol() -> None:
    result = iv(per_kg=None, minutes=None)
    assert result.dose == Mg(Decimal("35.0"))
    assert result.duration == Minutes(Decimal("40"))


def test_without_a_stock_product_only_the_dose_is_given() -> None:
    result = iv(conc=None, final=None)
    assert (result.dose, result.volume, result.rate) == (Mg(Decimal("35.0")), None, None)
    assert "choose the product" in result.warnings[0]


@given(
    weight=st.decimals(min_value=30, max_value=350, places=1),
    per_kg=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("1.0"), places=2),
    conc=st.sampled_from([Decimal(10), Decimal(50), Decimal(100)]),
    minutes=st.integers(40, 60),
    final=st.sampled_from([Decimal(100), Decimal(250), Decimal(500)]),
)
def test_invariants(
    weight: Decimal, per_kg: Decimal, conc: Decimal, minutes: int, final: Decimal
) -> None:
    dose = (per_kg * weight).quantize(Decimal("0.1"))
    if dose > IV.max_mg_per_session or dose / final > MAX_INFUSION_MG_PER_ML:
        # Refused only for the session limit or a bag too small for the dose.
        with pytest.raises(DosingError) as refused:
            iv(str(weight), str(per_kg), str(conc), str(minutes), str(final))
        assert refused.value.field in ("dose_mg_per_kg", "final_volume_ml")
        return
    result = iv(str(weight), str(per_kg), str(conc), str(minutes), str(final))
    exact = per_kg * weight
    assert abs(result.dose.value - exact) <= Decimal("0.05")
    assert result.dose.value <= IV.max_mg_per_session  # the cap holds at every weight
    assert abs(result.volume.value * conc - result.dose.value) <= conc * Decimal("0.005")
    assert result.volume + result.diluent_volume == Ml(final)  # drug + diluent = the bag
    assert result.final_concentration.value <= MAX_INFUSION_MG_PER_ML
    assert abs(result.rate.value * minutes / 60 - final) <= Decimal("0.05") * minutes / 60
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
        ("1.2", "32", 2),
    ],
)
def test_protocol_limits_need_an_override(per_kg: str, minutes: str, needs: int) -> None:
    result = iv(per_kg=per_kg, minutes=minutes, final="100")
    assert len(result.needs_override) == needs
    assert result.accepted is (needs == 0)
    if needs:
        assert not iv(per_kg=per_kg, minutes=minutes, final="100", reason="too short").accepted
        approved = iv(
            per_kg=per_kg, minutes=minutes, final="100", reason="no response at 0.75 after four"
        )
        assert approved.accepted
        assert approved.override_reason == "no response at 0.75 after four"


def test_nothing_above_the_ceiling() -> None:
    with pytest.raises(DosingError, match="above the absolute ceiling") as problem:
        iv(per_kg="1.51", reason="a very long and careful reason")
    assert problem.value.field == "dose_mg_per_kg"


# The infusion floor: never faster than 1.5 mg/kg over 40 min (0.0375 mg/kg/min), override
# or not. 1.5 mg/kg over 1 minute was once accepted with any ten-character reason.
@pytest.mark.parametrize(
    ("per_kg", "floor"), [("1.5", "40"), ("0.5", "13.4"), ("1.0", "26.7"), ("0.1", "2.7")]
)
def test_infusion_floor(per_kg: str, floor: str) -> None:
    assert infusion_floor(IV, MgPerKg(Decimal(per_kg))) == Minutes(Decimal(floor))
    accepted = iv(per_kg=per_kg, minutes=floor, final="100", reason="a careful written reason")
    assert accepted.accepted
    shorter = str(Decimal(floor) - Decimal("0.1"))
    with pytest.raises(DosingError, match="faster than the protocol ever allows") as problem:
        iv(per_kg=per_kg, minutes=shorter, final="100", reason="a careful written reason")
    assert problem.value.field == "duration_min"


def test_one_minute_at_the_ceiling_is_refused_whatever_the_reason() -> None:
    with pytest.raises(DosingError, match="at least 40 min"):
        iv(per_kg="1.5", minutes="1", reason="the patient asked for it quickly")


@given(
    per_kg=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("1.5"), places=2),
    minutes=st.decimals(min_value=Decimal("1"), max_value=Decimal("60"), places=1),
)
def test_no_accepted_infusion_runs_faster_than_the_ceiling_rate(
    per_kg: Decimal, minutes: Decimal
) -> None:
    try:
        result = iv(
            per_kg=str(per_kg), minutes=str(minutes), final="100", reason="a careful reason"
        )
    except DosingError:
        return
    assert per_kg / result.duration.value <= IV.max_mg_per_kg_per_min + Decimal("0.0001")


# The absolute milligrams a session: 150 mg for the library's IV protocol, whatever the weight.
@pytest.mark.parametrize(
    ("weight", "per_kg", "refused"),
    [("100", "1.5", False), ("100.1", "1.5", True), ("200", "0.75", False), ("350", "1.5", True)],
)
def test_the_session_limit_holds_at_every_weight(weight: str, per_kg: str, refused: bool) -> None:
    if refused:
        with pytest.raises(DosingError, match="absolute limit of 150 mg a session"):
            iv(weight, per_kg, final="250", reason="a very long and careful reason")
    else:
        assert iv(weight, per_kg, final="250", reason="a very long and careful reason").dose


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"weight": "20"}, "weight_kg", "outside the adult range"),
        ({"weight": "351"}, "weight_kg", "outside the adult range"),
        ({"conc": "0"}, "stock_product", "no concentration"),
        ({"minutes": "0"}, "duration_min", "above zero"),
        ({"minutes": "241"}, "duration_min", "at most 240"),
        ({"per_kg": "0"}, "dose_mg_per_kg", "above zero"),
        ({"measured": TODAY + timedelta(days=1)}, "weight_kg", "future"),
        ({"final": None}, "final_volume_ml", "made up in a bag or syringe"),
        ({"final": "9"}, "final_volume_ml", "from 10 to 1000 mL"),
        ({"final": "1001"}, "final_volume_ml", "from 10 to 1000 mL"),
        ({"conc": None}, "stock_product", "choose the product"),
        ({"weight": "100", "per_kg": "1.0", "final": "49"}, "final_volume_ml", "at least 50 mL"),
        ({"conc": "1", "final": "20"}, "final_volume_ml", "must be larger"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(DosingError, match=message) as problem:
        iv(**kwargs)  # type: ignore[arg-type]
    assert problem.value.field == field


def test_the_concentration_limit_at_its_boundary() -> None:
    assert iv("100", "1.0", final="50").final_concentration == MgPerMl(Decimal("2.000"))
    with pytest.raises(DosingError, match="at most 2 mg/mL"):
        iv("100.1", "1.0", final="50")


def test_unknown_diluent() -> None:
    with pytest.raises(DosingError) as problem:
        calculate_weight_based(
            IV,
            weight=Kg(Decimal(70)),
            weight_measured_on=TODAY,
            today=TODAY,
            stock=stock("10"),
            preparation=Preparation("water", Ml(Decimal(50))),
        )
    assert problem.value.field == "diluent"


def test_missing_weight() -> None:
    with pytest.raises(DosingError, match="weigh the patient first"):
        calculate_weight_based(IV, weight=None, weight_measured_on=None, today=TODAY)


def test_a_stale_weight_needs_a_prescribers_confirmation() -> None:
    assert iv(measured=TODAY - timedelta(days=30)).accepted
    stale = iv(measured=TODAY - timedelta(days=31))
    assert not stale.accepted
    assert "31 days old" in stale.needs_override[0]
    assert iv(measured=TODAY - timedelta(days=900), reason="weighed at the GP last week").accepted


# Seven days: the library's IV protocol allows 3 x 1.0 mg/kg of dosing weight.
@pytest.mark.parametrize(("given_mg", "needs"), [("175", False), ("175.1", True)])
def test_the_weekly_limit(given_mg: str, needs: bool) -> None:
    result = iv(week_given_mg=Decimal(given_mg))  # + 35 mg = 210 mg = 3 x 70 kg
    assert bool(result.needs_override) is needs
    if needs:
        assert "a week" in result.needs_override[0]


def test_under_18_needs_a_reason_for_racemic_and_is_refused_for_esketamine() -> None:
    assert iv(age_years=18).accepted
    young = iv(age_years=17)
    assert young.needs_override == ("17 years: the studies behind this protocol are in adults",)
    with pytest.raises(DosingError, match="approved for adults") as problem:
        calculate_esketamine(ESK_US, dose_mg=56, age_years=16, override_reason="a long reason")
    assert problem.value.field == "age_years"
    assert calculate_esketamine(ESK_US, dose_mg=56, age_years=18).accepted


def test_im_is_drawn_neat_and_never_infused_or_diluted() -> None:
    im = iv(protocol=IM, per_kg="0.25", conc="50", final=None)
    assert (im.dose, im.volume, im.rate) == (Mg(Decimal("17.5")), Ml(Decimal("0.35")), None)
    with pytest.raises(DosingError, match="not infused") as problem:
        iv(protocol=IM, per_kg="0.25", conc="50", minutes="40", final=None)
    assert problem.value.field == "duration_min"
    with pytest.raises(DosingError, match="not diluted"):
        iv(protocol=IM, per_kg="0.25", conc="50")
    with pytest.raises(DosingError, match="absolute limit of 100 mg"):
        iv("120", protocol=IM, per_kg="1.0", conc="50", final=None, reason="a long reason x")


def test_experimental_routes_always_need_an_override() -> None:
    oral = iv(protocol=LIBRARY["oral-racemic-experimental"], per_kg="2.0", conc=None, final=None)
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


@pytest.mark.parametrize(("given_mg", "needs"), [("84", False), ("112", True)])
def test_esketamine_weekly_limit(given_mg: str, needs: bool) -> None:
    result = calculate_esketamine(
        ESK_US, dose_mg=84, previous_doses_mg=(56,), age_years=40, week_given_mg=Decimal(given_mg)
    )
    assert bool(result.needs_override) is needs  # 84 + 84 = 168 = twice weekly at 84 mg


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


# Hepatic impairment (Spravato EU SmPC 4.2, US label 8.6): no lower start for the liver; 84 mg
# with caution in moderate impairment; severe not recommended.
@pytest.mark.parametrize(
    ("liver", "dose", "previous", "needs", "warned"),
    [
        ("none", 84, (56,), [], False),
        ("mild", 84, (56,), [], False),
        ("moderate", 56, (56,), [], True),
        ("moderate", 84, (56,), ["84 mg with moderate hepatic impairment"], True),
        ("severe", 56, (), ["severe hepatic impairment (Child-Pugh C)"], False),
    ],
)
def test_esketamine_and_the_liver(
    liver: str, dose: int, previous: tuple[int, ...], needs: list[str], warned: bool
) -> None:
    result = calculate_esketamine(
        ESK_EU, dose_mg=dose, previous_doses_mg=previous, age_years=50, hepatic_impairment=liver
    )
    assert [n.split(":")[0] for n in result.needs_override] == needs
    assert bool(result.warnings) is warned
    with pytest.raises(DosingError) as problem:
        calculate_esketamine(ESK_EU, dose_mg=56, age_years=50, hepatic_impairment="bad")
    assert problem.value.field == "hepatic_impairment"
