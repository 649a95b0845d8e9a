"""`ketamine-clinic configure-clinic NAME [...]`: a clinic's own settings.

Crisis resources shown to patients, how often a patient in care is due for a self-report,
per-instrument remission cut-offs, and whether staff must use a second factor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts import clinic_settings
from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.lookup import find_clinic, find_user
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.messaging import rules as message_rules


class Command(BaseCommand):
    help = "Change a clinic's settings; with no options, print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--crisis-phone", help="e.g. 988 (US), 116123 (UK)")
        parser.add_argument(
            "--as",
            dest="username",
            help="The clinic admin who changes the clinical settings (with --reason)",
        )
        parser.add_argument(
            "--reason", help="Why the clinical settings change (kept with the new version)"
        )
        parser.add_argument("--crisis-text", help="One sentence shown on the crisis page")
        parser.add_argument("--phone", help="The clinic's phone (REMS monitoring form)")
        parser.add_argument("--address", help="The clinic's postal address (REMS form)")
        parser.add_argument(
            "--dea", help="The location's DEA registration number (the ledger's registrant)"
        )
        parser.add_argument(
            "--exact-counts",
            choices=["yes", "no"],
            help="The state requires exact counts of opened containers (after --dea)",
        )
        parser.add_argument(
            "--session",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Chair threshold: esketamine_hold_mmhg=140/90, no_dosing_mmhg=180/110, "
            "alert_heart_rate_above=110, alert_spo2_below=92, "
            "racemic_min_observation_after_dose_min=30, ... (KEY=default removes it)",
        )
        parser.add_argument("--npi", help="The clinic's NPI (on superbills)")
        parser.add_argument("--tax-id", help="The clinic's tax id (on superbills)")
        parser.add_argument(
            "--billing-code",
            action="append",
            default=[],
            metavar="PRODUCT=CODE|FEE|DESCRIPTION[|per_mg]",
            help="A code the clinic bills for a product, e.g. "
            "'iv_racemic=96365|450.00|IV infusion, first hour' (repeatable; PRODUCT=default "
            "removes the product's codes)",
        )
        parser.add_argument(
            "--billing-fee",
            action="append",
            default=[],
            metavar="G2082=FEE",
            help="The clinic's fee for an esketamine G code (G2082 or G2083)",
        )
        parser.add_argument("--measurement-interval-days", type=int)
        parser.add_argument(
            "--remission",
            action="append",
            default=[],
            metavar="INSTRUMENT=SCORE",
            help="Remission cut-off, e.g. madrs=12 (repeatable); INSTRUMENT=default removes it",
        )
        parser.add_argument("--require-staff-otp", choices=["yes", "no"])
        parser.add_argument(
            "--open-days", help="Treatment days, e.g. mon,tue,wed,thu,fri (default Mon-Fri)"
        )
        parser.add_argument(
            "--closed",
            action="append",
            default=[],
            metavar="YYYY-MM-DD",
            help="A date the clinic is closed (repeatable)",
        )
        parser.add_argument(
            "--reopen",
            action="append",
            default=[],
            metavar="YYYY-MM-DD",
            help="Remove a closed date (repeatable)",
        )
        parser.add_argument(
            "--eligibility",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Eligibility threshold: adequate_trial_weeks=4, min_failed_trials=2, "
            "bp_precaution_mmhg=140/90, bp_relative_mmhg=180/110, "
            "recent_cardiovascular_event_weeks=6, max_evaluation_age_days=365, "
            "or rule.CODE=absolute|relative|precaution|info (KEY=default removes it)",
        )

        parser.add_argument(
            "--appointments",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Appointment length or capacity: minutes.evaluation=60, iv_recovery_min=45, "
            "esketamine_observation_min=120, patients_per_nurse=2, late_cancel_hours=24, "
            "prescriber_on_site=esketamine_nasal,iv_racemic (KEY=default removes it)",
        )
        parser.add_argument(
            "--messages",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Messages: reminder_hours=48,2, quiet_hours=21:00-08:00 (or none), "
            "questionnaires=yes|no (KEY=default removes it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = find_clinic(options["name"])
        if options["crisis_phone"] is not None:
            phone = options["crisis_phone"].strip()
            if not phone or len(phone) > 40 or not all(c.isdigit() or c in "+ -" for c in phone):
                raise CommandError("--crisis-phone: digits, spaces, + and - only (1-40)")
            clinic.crisis_phone = phone
        if options["crisis_text"] is not None:
            text = options["crisis_text"].strip()
            if not 10 <= len(text) <= 300:
                raise CommandError("--crisis-text: give 10 to 300 characters")
            clinic.crisis_text = text
        if options["phone"] is not None:
            phone = options["phone"].strip()
            if not phone or len(phone) > 40 or not all(c.isdigit() or c in "+ -()" for c in phone):
                raise CommandError("--phone: digits, spaces, brackets, + and - only (1-40)")
            clinic.phone = phone
        if options["address"] is not None:
            address = options["address"].strip()
            if not 5 <= len(address) <= 500:
                raise CommandError("--address: give 5 to 500 characters")
            clinic.address = address
        if options["dea"] is not None or options["exact_counts"] is not None:
            _register(clinic, options["dea"], options["exact_counts"])
        before = clinic_settings.snapshot(clinic)
        after = dict(before)
        after["session_settings"] = _session(before["session_settings"], options["session"])
        clinic.billing_settings = _billing(dict(clinic.billing_settings or {}), options)
        if options["measurement_interval_days"] is not None:
            days = options["measurement_interval_days"]
            if not 1 <= days <= 90:
                raise CommandError("--measurement-interval-days: between 1 and 90")
            clinic.measurement_interval_days = days
        try:
            after["remission_thresholds"] = clinic_settings.apply_remission(
                before["remission_thresholds"], options["remission"]
            )
        except clinic_settings.SettingsError as exc:
            raise CommandError(f"--remission: {exc.field} {exc.message}") from None
        if options["open_days"] is not None:
            clinic.open_weekdays = _weekdays(options["open_days"])
        clinic.closed_dates = _closed(
            list(clinic.closed_dates or []), options["closed"], options["reopen"]
        )
        after["eligibility_settings"] = _eligibility(
            before["eligibility_settings"], options["eligibility"]
        )
        try:
            after["appointment_settings"] = clinic_settings.apply_appointments(
                before["appointment_settings"], options["appointments"]
            )
        except clinic_settings.SettingsError as exc:
            raise CommandError(f"--appointments: {exc.field} {exc.message}") from None
        try:
            after["message_settings"] = message_rules.apply(
                before["message_settings"], options["messages"]
            )
        except message_rules.SettingsError as exc:
            raise CommandError(f"--messages: {exc.field} {exc.message}") from None
        if after != before:
            _change_settings(clinic, after, options)
        if options["require_staff_otp"] is not None:
            clinic.require_staff_otp = options["require_staff_otp"] == "yes"
        clinic.save()
        self.stdout.write(
            f"{clinic.name}: crisis {clinic.crisis_phone} ({clinic.crisis_text}); self-report due "
            f"every {clinic.measurement_interval_days} days; remission cut-offs "
            f"{clinic.remission_thresholds or 'defaults'}; staff second factor "
            f"{'required' if clinic.require_staff_otp else 'optional'}; open days "
            f"{clinic.open_weekdays or 'Mon-Fri'}; {len(clinic.closed_dates)} closed date(s); "
            "eligibility "
            f"{clinic.eligibility_settings or 'defaults'}; chair thresholds "
            f"{clinic.session_settings or 'defaults'}; billing "
            f"{clinic.billing_settings or 'not set'}; appointments "
            f"{clinic.appointment_settings or 'defaults'}; messages "
            f"{clinic.message_settings or 'defaults'}"
        )


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _register(clinic: Any, number: str | None, exact_counts: str | None) -> None:
    """The location's DEA registration: records are kept per registered location."""
    from ketamine_clinic.common.errors import InvalidInput
    from ketamine_clinic.inventory.actions import register
    from ketamine_clinic.inventory.models import Registration

    current = Registration.objects.filter(clinic=clinic).first()
    if number is None:
        if current is None:
            raise CommandError("--exact-counts: record the location's --dea first")
        number = current.dea_number
    if not clinic.address:
        raise CommandError("--dea: set the clinic's --address first (it goes on the record)")
    try:
        register(
            None,
            clinic,
            dea_number=number.strip(),
            name=clinic.name,
            address=clinic.address,
            exact_counts=None if exact_counts is None else exact_counts == "yes",
        )
    except InvalidInput as exc:
        raise CommandError(f"--dea: {exc.message}") from None


def _billing(current: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """NPI, tax id, G-code fees and the clinic's codes, each checked by the billing rules."""
    from ketamine_clinic.clinical.billing import PRODUCTS, BillingError, clinic_code

    for key in ("npi", "tax_id"):
        if options.get(key) is not None:
            value = options[key].strip()
            if key == "npi" and not (len(value) == 10 and value.isdigit()):
                raise CommandError("--npi: ten digits")
            current[key] = value
    codes = dict(current.get("codes") or {})
    for spec in options.get("billing_code") or []:
        product, _, rest = spec.partition("=")
        if product not in PRODUCTS:
            raise CommandError(f"--billing-code: the product is one of {', '.join(PRODUCTS)}")
        if rest == "default":
            codes.pop(product, None)
            continue
        parts = rest.split("|")
        if len(parts) < 3:
            raise CommandError("--billing-code: PRODUCT=CODE|FEE|DESCRIPTION[|per_mg]")
        try:
            checked = clinic_code(
                {"code": parts[0], "fee": parts[1] or None, "description": parts[2],
                 "per_mg": len(parts) > 3 and parts[3] == "per_mg"},
                "--billing-code",
            )  # fmt: skip
        except BillingError as exc:
            raise CommandError(str(exc)) from None
        existing = [c for c in codes.get(product, []) if c["code"] != checked["code"]]
        codes[product] = [*existing, checked]
    current["codes"] = codes
    fees = dict(current.get("fees") or {})
    for spec in options.get("billing_fee") or []:
        code, _, fee = spec.partition("=")
        if code not in ("G2082", "G2083"):
            raise CommandError("--billing-fee: G2082 or G2083")
        try:
            fees[code] = clinic_code({"code": code, "description": code, "fee": fee},
                                     "--billing-fee")["fee"]  # fmt: skip
        except BillingError as exc:
            raise CommandError(str(exc)) from None
    current["fees"] = fees
    return current


def _session(current: dict[str, Any], specs: list[str]) -> dict[str, Any]:
    """Apply KEY=VALUE chair thresholds, checked by the rules that read them."""
    try:
        return clinic_settings.apply_session(current, specs)
    except clinic_settings.SettingsError as exc:
        raise CommandError(f"--session {exc}") from None


def _change_settings(clinic: Any, after: dict[str, Any], options: dict[str, Any]) -> None:
    """The clinical settings' next version, by a clinic admin, with a reason."""
    if not options.get("username") or not options.get("reason"):
        raise CommandError(
            "changing the clinical settings needs --as ADMIN_USERNAME and --reason 'why'"
        )
    user = find_user(options["username"])
    role = user.role_in(clinic.pk)
    if not user.is_active or role is None or not can(role, Capability.MANAGE_USERS):
        raise CommandError(f"--as: {options['username']} is not an admin of {clinic.name}")
    try:
        clinic_settings.change(Actor(user=user, via="cli"), clinic, after, options["reason"])
    except clinic_settings.SettingsError as exc:
        raise CommandError(f"--{exc.field.replace('_', '-')}: {exc.message}") from None


def _weekdays(spec: str) -> list[int]:
    names = [part.strip().lower()[:3] for part in spec.split(",") if part.strip()]
    unknown = [n for n in names if n not in DAYS]
    if unknown or not names:
        raise CommandError(f"--open-days: use names like mon,tue,wed (got {spec!r})")
    return sorted({DAYS.index(n) for n in names})


def _closed(current: list[str], closing: list[str], reopening: list[str]) -> list[str]:
    from datetime import date

    def day(option: str, spec: str) -> str:
        try:
            return date.fromisoformat(spec).isoformat()
        except ValueError:
            raise CommandError(f"{option} {spec}: not a date (YYYY-MM-DD)") from None

    dates = set(current) | {day("--closed", s) for s in closing}
    return sorted(dates - {day("--reopen", s) for s in reopening})


def _eligibility(current: dict[str, Any], specs: list[str]) -> dict[str, Any]:
    """Apply KEY=VALUE changes, checking each against the rules' own validation."""
    try:
        return clinic_settings.apply_eligibility(current, specs)
    except clinic_settings.SettingsError as exc:
        raise CommandError(f"--eligibility {exc}") from None
