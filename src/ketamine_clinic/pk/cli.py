"""`ketamine-clinic pk`: a model's prediction from the command line, without a database.

Bad input prints what is wrong and exits with status 2 (argparse does the same for options
it cannot parse)."""

from __future__ import annotations

import argparse
import json
import sys

from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.models import MODELS, Covariates
from ketamine_clinic.pk.regimen import DEVICE_MG, ROUTES, Dose
from ketamine_clinic.pk.report import Request, run

# The command line may ask for more than a web request (it is the user's own machine), but
# still not for a billion points.
CLI_MAX_POINTS = 200_000
CLI_MAX_POPULATION_WORK = 200_000_000


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ketamine-clinic pk",
        description="Predicted plasma concentrations under a published model (estimates, "
        "not measurements).",
    )
    p.add_argument("--model", choices=sorted(MODELS), help="default: the route's usual model")
    p.add_argument("--route", choices=ROUTES, required=True)
    p.add_argument("--dose-mg", type=float, required=True, help="mg per dose")
    p.add_argument("--duration-min", type=float, default=0.0, help="infusion length")
    p.add_argument("--devices", type=int, help="intranasal: devices per dose (default mg / 28)")
    p.add_argument("--weight-kg", type=float)
    p.add_argument("--age-years", type=float)
    p.add_argument("--asian", action="store_true", help="Asian ancestry (esketamine model)")
    p.add_argument(
        "--days",
        default="0",
        help="days of the doses, e.g. 0,3,7,10,14,17,21,24 for a twice-weekly induction",
    )
    p.add_argument("--t-end-min", type=float, help="default: 24 h after the last dose")
    p.add_argument("--step-min", type=float, default=5.0)
    p.add_argument("--n", type=int, help="a virtual population of this size")
    p.add_argument("--seed", type=int)
    p.add_argument("--threshold-ng-ml", type=float, action="append", default=[])
    p.add_argument("--json", action="store_true", help="the whole answer as JSON")
    return p


def _request(args: argparse.Namespace) -> Request:
    try:
        days = [float(d) for d in args.days.split(",") if d.strip()]
    except ValueError:
        raise PKError("days", "numbers separated by commas, e.g. 0,3,7") from None
    if not days or any(d < 0 for d in days):
        raise PKError("days", "one or more days, none negative")
    devices = 0
    if args.route == "intranasal":
        devices = args.devices if args.devices is not None else round(args.dose_mg / DEVICE_MG)
    doses = [
        Dose(args.route, day * 1440.0, args.dose_mg, args.duration_min, devices) for day in days
    ]
    end = args.t_end_min if args.t_end_min is not None else max(days) * 1440.0 + 1440.0
    return Request(
        doses=doses,
        t_end_min=end,
        step_min=args.step_min,
        covariates=Covariates(args.weight_kg, args.age_years, args.asian),
        model=args.model,
        n=args.n,
        seed=args.seed,
        thresholds_ng_ml=tuple(args.threshold_ng_ml),
    )


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        result = run(
            _request(args),
            max_points=CLI_MAX_POINTS,
            max_population_work=CLI_MAX_POPULATION_WORK,
        )
    except PKError as exc:
        print(f"ketamine-clinic pk: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
        return 0
    model = result["model"]
    print(f"{model['name']}\n  {model['source']}\n  {result['estimate']}")
    for name in result["outputs"]:
        print(
            f"{name}: peak {result['cmax_ng_ml'][name]:.1f} ng/mL at "
            f"{result['tmax_min'][name]:g} min; AUC {result['auc_ng_h_ml'][name]:.1f} ng*h/mL"
        )
        if "cmax_percentiles_ng_ml" in result:
            p = result["cmax_percentiles_ng_ml"][name]
            print(f"  population peak: 5th {p['p5']:.1f}, median {p['p50']:.1f}, "
                  f"95th {p['p95']:.1f} ng/mL")  # fmt: skip
    for t in result["thresholds"]:
        below = t["falls_below_min"]
        print(
            f"above {t['level_ng_ml']:g} ng/mL for {t['time_above_min']:g} min; below it from "
            + (f"{below:g} min" if below is not None else "beyond the end of the curve")
        )
    return 0
