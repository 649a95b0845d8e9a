"""`POST /api/v1/pk/simulate` and `ketamine-clinic pk`: the answer, its labelling as an
estimate, the bounds on the work a request may ask for, and who may ask."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import World

INDUCTION = [
    {"route": "intranasal", "at_min": day * 1440, "dose_mg": 56, "devices": 2}
    for day in (0, 3, 7, 10, 14, 17, 21, 24)
]


def simulate(world: World, persona: str | None = "prescriber", **body: Any) -> Any:
    payload = {
        "regimen": [{"route": "iv_infusion", "dose_mg": 35, "duration_min": 40}],
        "covariates": {"weight_kg": 70},
        "t_end_min": 240,
        "step_min": 1,
        **body,
    }
    return world.api(persona).post("/pk/simulate", payload)


def test_a_typical_infusion(world: World) -> None:
    response = simulate(world, thresholds_ng_ml=[100])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model"]["id"] == "clements"  # the IV route's model
    assert "not measurements" in body["estimate"]
    assert "PMID 7459184" in body["model"]["source"]
    assert len(body["times_min"]) == 241
    assert body["tmax_min"]["ketamine"] == 40
    assert 150 < body["cmax_ng_ml"]["ketamine"] < 350
    threshold = body["thresholds"][0]
    assert 0 < threshold["time_above_min"] < threshold["falls_below_min"]
    assert "percentiles" not in body or body["percentiles"] is None


def test_domino_is_still_offered(world: World) -> None:
    body = simulate(world, model="domino").json()
    assert body["model"]["id"] == "domino"
    assert "PMID 7198883" in body["model"]["source"]
    assert body["cmax_ng_ml"]["ketamine"] == pytest.approx(240, abs=1)


def test_an_esketamine_induction_with_its_population(world: World) -> None:
    response = simulate(
        world,
        regimen=INDUCTION,
        covariates={"age_years": 45},
        t_end_min=28 * 1440,
        step_min=30,
        population={"n": 300, "seed": 4},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model"]["id"] == "perez-ruixo"
    assert body["outputs"] == ["esketamine", "noresketamine"]
    bands = body["percentiles"]["esketamine"]
    assert len(bands["p5"]) == len(body["times_min"]) == 1345
    assert all(a <= b <= c for a, b, c in zip(bands["p5"], bands["p50"], bands["p95"], strict=True))
    same = {"covariates": {"age_years": 45}, "t_end_min": 28 * 1440, "step_min": 30}
    again = simulate(world, regimen=INDUCTION, population={"n": 300, "seed": 4}, **same)
    assert again.json()["percentiles"] == body["percentiles"]  # seeded: reproducible


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"step_min": 0.001}, "step_min"),  # 240,001 points
        ({"t_end_min": 90 * 1440, "step_min": 1}, "step_min"),
        ({"population": {"n": 100_000, "seed": 1}, "model": "fanta-otto"}, "population.n"),
        ({"population": {"n": 10}}, "population"),  # Clements has no variability
        ({"model": "domino", "regimen": [{"route": "im", "dose_mg": 50}]}, "regimen[0].route"),
        ({"regimen": [{"route": "iv_infusion", "dose_mg": 35}]}, "regimen[0].duration_min"),
        ({"covariates": {}}, "covariates.weight_kg"),
        ({"regimen": [{"route": "intranasal", "dose_mg": 50, "devices": 2}]}, "regimen[0].dose_mg"),
    ],
)
def test_bad_or_too_large_requests_are_422(world: World, body: dict[str, Any], field: str) -> None:
    response = simulate(world, **body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize(
    "body",
    [
        {"regimen": [{"route": "oral", "dose_mg": 5}]},
        {"regimen": [{"route": "iv_bolus", "dose_mg": -5}]},
        {"regimen": [{"route": "iv_bolus", "dose_mg": 1e9}]},
        {"regimen": []},
        {"t_end_min": 1e12},
        {"population": {"n": 1_000_000}},
        {"model": "nope"},
        {"covariates": {"weight_kg": 5000}},
    ],
)
def test_the_schema_refuses_absurd_values(world: World, body: dict[str, Any]) -> None:
    assert simulate(world, **body).status_code == 422


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 200), ("nurse", 200), ("admin", 200), ("front_desk", 403),
     ("patient", 403), (None, 401)],
)  # fmt: skip
def test_who_may_simulate(world: World, persona: str | None, status: int) -> None:
    assert simulate(world, persona).status_code == status


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ketamine_clinic", "pk", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_command_line() -> None:
    done = run_cli("--route", "intranasal", "--dose-mg", "84", "--age-years", "70", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["model"]["id"] == "perez-ruixo"
    assert 20 <= body["tmax_min"]["esketamine"] - 10 <= 40  # after the third device at 10 min
    text = run_cli("--route", "iv_infusion", "--dose-mg", "35", "--duration-min", "40",
                   "--weight-kg", "70", "--threshold-ng-ml", "100")  # fmt: skip
    assert "peak" in text.stdout
    assert "estimates, not measurements" in text.stdout.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--route", "im", "--dose-mg", "-5", "--weight-kg", "70"], "dose_mg"),
        (["--route", "im", "--dose-mg", "50"], "weight_kg"),
        (
            ["--route", "im", "--dose-mg", "50", "--weight-kg", "70", "--step-min", "1e-9"],
            "step_min",
        ),
        (["--route", "oral", "--dose-mg", "50"], "invalid choice"),
        (["--route", "im", "--dose-mg", "50", "--weight-kg", "70", "--days", "x"], "days"),
        (
            ["--route", "intranasal", "--dose-mg", "56", "--n", "1000000", "--seed", "1"],
            "population.n",
        ),
    ],
)
def test_the_command_line_refuses_bad_input_with_status_2(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
