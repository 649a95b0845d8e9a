"""A synthetic clinic network for benchmarks and load tests: `ketamine-clinic synth`.

Each clinic gets staff, a DEA registration and products (through the ledger's own actions),
then patients in batches, written in bulk: weight and height, a diagnosis and two failed
antidepressant trials, a course with its signed order, the dosed sessions (esketamine twice
weekly, or IV infusions) each discharged and signed with three sets of vitals, the doses, and
PHQ-9 scores that respond, relapse or do not. Every dose draws on a single-use container
received for it: its receive, administer and (for a vial) witnessed waste rows keep the books
exact, so `check-ledger` holds on the result.
`--today` adds patients at the chair today (synth_chair). Nothing here is real: surnames are
invented (synth_names) and every given name is "Synthetic".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments import outcome_summary
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.demo import names as synth_names
from ketamine_clinic.demo import synth_chair
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container, LedgerTransaction, Product
from ketamine_clinic.patients.models import BodyMeasurement, Diagnosis, Patient, TreatmentTrial
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment_sessions.models import Administration, TreatmentSession, VitalSigns

BATCH = 1_000  # patients per transaction
MAX_CONTAINERS = 99_999  # the ledger labels a clinic's containers E00001..E99999
DEA = "BS1234563"  # a well-formed number (checksum), as in the demo
SUPPLIER_DEA = "RC1234563"
STAFF = (("admin", Role.ADMIN), ("prescriber", Role.PRESCRIBER), ("nurse", Role.NURSE),
         ("nurse2", Role.NURSE), ("frontdesk", Role.FRONT_DESK))  # fmt: skip
ESKETAMINE_MG = Decimal(56)  # two 28 mg devices from one kit
IV_VIAL_MG = Decimal(100)  # a 10 mL vial of 10 mg/mL, single use: what is left is wasted
PHQ9_ITEMS = 9
ANTIDEPRESSANTS = (("Sertraline", 150), ("Escitalopram", 20), ("Venlafaxine XR", 225),
                   ("Bupropion XL", 300), ("Mirtazapine", 45), ("Duloxetine", 60))  # fmt: skip


@dataclass(frozen=True)
class Plan:
    clinics: int
    patients: int  # in all, shared evenly between the clinics
    sessions: int = 6  # dosed sessions per patient
    scores: int = 10  # PHQ-9 administrations per patient
    seed: int = 20261122
    password: str | None = None  # the staff's password; none given: they cannot log in
    today: int = 0  # patients per clinic at the chair today, ready for their injection

    def check(self) -> None:
        if not 1 <= self.clinics <= 1_000:
            raise InvalidInput("clinics", "between 1 and 1,000")
        if not 1 <= self.patients <= 10_000_000:
            raise InvalidInput("patients", "between 1 and 10,000,000")
        if not 0 <= self.sessions <= 50:
            raise InvalidInput("sessions", "between 0 and 50 per patient")
        if not 0 <= self.scores <= 100:
            raise InvalidInput("scores", "between 0 and 100 per patient")
        per_clinic = -(-self.patients // self.clinics)
        if not 0 <= self.today <= min(per_clinic, 1_000):
            raise InvalidInput("today", "between 0 and 1,000, and no more than a clinic's patients")
        if per_clinic * self.sessions > MAX_CONTAINERS:
            raise InvalidInput(
                "patients", f"at most {MAX_CONTAINERS:,} doses per clinic: add clinics"
            )


@dataclass
class _Clinic:
    clinic: Clinic
    staff: dict[str, User]
    products: dict[str, Product]
    labels: dict[str, int]


def run(plan: Plan, say: Any = print) -> list[Clinic]:
    """Build the network; `say` hears progress. Refuses to add to an earlier network."""
    plan.check()
    if Clinic.objects.filter(name__startswith="Synthetic Clinic ").exists():
        raise InvalidInput("clinics", "a synthetic network is here already: use a new database")
    rng = random.Random(plan.seed)  # noqa: S311  # synthetic data, not security
    # Names come from a source of their own, so they leave every clinical value as it was.
    naming = random.Random(plan.seed + 1)  # noqa: S311
    clinics = []
    for number in range(1, plan.clinics + 1):
        setup = _clinic(number, plan)
        count = plan.patients // plan.clinics + (number <= plan.patients % plan.clinics)
        names = synth_names.surnames(naming, count)
        for first in range(0, count, BATCH):
            with transaction.atomic():
                _patients(setup, first, names[first : first + BATCH], plan, rng)
            say(f"  {setup.clinic.name}: {min(first + BATCH, count):,} of {count:,} patients")
        outcome_summary.rebuild(setup.clinic.pk)
        if plan.today:
            _today(setup, plan.today)
            say(f"  {setup.clinic.name}: {plan.today} patients at the chair today")
        clinics.append(setup.clinic)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics for what was loaded
            cursor.execute("ANALYZE")
    return clinics


def _today(setup: _Clinic, count: int) -> None:
    staff = setup.staff
    patients = list(Patient.objects.filter(clinic=setup.clinic).order_by("mrn")[:count])
    synth_chair.prepare(setup.clinic, synth_chair.Staff(
        prescriber=staff["prescriber"], nurse=staff["nurse"], front_desk=staff["frontdesk"],
        admin=staff["admin"]), patients)  # fmt: skip


def _clinic(number: int, plan: Plan) -> _Clinic:
    clinic = Clinic.objects.create(
        name=f"Synthetic Clinic {number}", phone="+1 555 0100",
        address=f"{number} Synthetic Way, Springfield, IL 62701",
    )  # fmt: skip
    staff = {}
    for key, role in STAFF:
        user = User(username=f"synth{number}.{key}", first_name="Synthetic", last_name=key)
        if plan.password:
            user.set_password(plan.password)
        else:
            user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, clinic=clinic, role=role)
        staff[key] = user
    admin = Actor(user=staff["admin"], via="cli")
    ledger.register(admin, clinic, dea_number=DEA, name=clinic.name, address=clinic.address)
    products = {
        "esketamine_nasal": ledger.add_product(admin, clinic, {
            "name": "Esketamine 56 mg kit", "ndc": "50458-028-02", "substance": "esketamine",
            "form": "2 nasal devices", "concentration_mg_per_ml": None,
            "container_mg": ESKETAMINE_MG}),
        "iv_racemic": ledger.add_product(admin, clinic, {
            "name": "Ketamine HCl 10 mg/mL", "ndc": "0409-2053-10", "substance": "ketamine",
            "form": "vial, 10 mL", "concentration_mg_per_ml": Decimal(10),
            "container_mg": IV_VIAL_MG}),
    }  # fmt: skip
    return _Clinic(clinic, staff, products, {"E": 0, "K": 0})


def _patients(setup: _Clinic, first: int, names: list[str], plan: Plan, rng: random.Random) -> None:
    staff, now = setup.staff, timezone.now()
    prescriber, nurse, witness = staff["prescriber"], staff["nurse"], staff["nurse2"]
    patients = Patient.objects.bulk_create([
        Patient(clinic=setup.clinic, mrn=f"S{first + i + 1:07d}", given_name="Synthetic",
                family_name=name, sex=rng.choice(["female", "male"]),
                birth_date=now.date() - timedelta(days=rng.randint(20 * 365, 75 * 365)),
                created_by=staff["frontdesk"])
        for i, name in enumerate(names)
    ])  # fmt: skip
    rows: dict[str, list[Any]] = {k: [] for k in (
        "measurements", "diagnoses", "trials", "courses", "orders", "sessions", "vitals", "doses",
        "containers", "ledger", "scores")}  # fmt: skip
    for patient in patients:
        product = rng.choice(["esketamine_nasal", "iv_racemic"])
        weight = Decimal(rng.randint(50, 120))
        dose = ESKETAMINE_MG if product == "esketamine_nasal" else (weight / 2).quantize(
            Decimal("0.01"))  # 0.5 mg/kg  # fmt: skip
        earliest = max(4 * plan.sessions, 7 * plan.scores) + 7  # every score and dose is past
        start = now - timedelta(days=rng.randint(earliest, earliest + 700))
        for kind, value in (("weight_kg", weight), ("height_cm", Decimal(rng.randint(150, 195)))):
            rows["measurements"].append(BodyMeasurement(
                patient=patient, kind=kind, value=value, measured_at=start - timedelta(days=2),
                created_by=staff["frontdesk"]))  # fmt: skip
        rows["diagnoses"].append(Diagnosis(
            patient=patient, icd10_code="F33.2", is_primary=True, created_by=prescriber,
            text="Major depressive disorder, recurrent, severe, treatment-resistant"))  # fmt: skip
        for name, mg in rng.sample(ANTIDEPRESSANTS, 2):  # the two failed trials that make TRD
            rows["trials"].append(TreatmentTrial(
                patient=patient, kind="antidepressant", name=name, dose_mg_per_day=Decimal(mg),
                duration_weeks=Decimal(rng.randint(6, 16)), adequate=True,
                outcome=rng.choice(["no_response", "partial"]), created_by=prescriber))  # fmt: skip
        course = Course(patient=patient, protocol_id="esketamine-trd-us" if product ==
                        "esketamine_nasal" else "iv-racemic-standard", protocol_version="1",
                        product=product, state=Course.State.ACTIVE, start_on=start.date(),
                        created_by=prescriber)  # fmt: skip
        order = DoseOrder(patient=patient, course=course, dose_mg=int(dose), created_by=prescriber,
                          dose_mg_per_kg=None if product == "esketamine_nasal" else Decimal("0.5"),
                          calculation={"dose_mg": str(dose), "weight_kg": str(weight)},
                          signed_at=start - timedelta(days=1), signed_by=prescriber)  # fmt: skip
        rows["courses"].append(course)
        rows["orders"].append(order)
        for n in range(plan.sessions):
            at = (start + timedelta(days=n * 3 + n // 2)).replace(hour=9, minute=0, second=0)
            _session(setup, rows, patient, course, order, product, dose, at, nurse, witness,
                     prescriber, rng)  # fmt: skip
        _scores(rows, patient, start, plan.scores, nurse, rng)
    # In the order their references need:
    for key in ("measurements", "diagnoses", "trials", "courses", "orders", "containers",
                "sessions", "vitals", "doses", "ledger", "scores"):  # fmt: skip
        if rows[key]:
            _insert(rows[key])


def _insert(objs: list[Any]) -> None:
    """Write a batch of new rows. On PostgreSQL through COPY, which takes rows as they are
    (bulk_create builds one large parameterised INSERT per batch and was most of the time);
    every row here has its primary key set already (UUIDs), so nothing needs reading back."""
    model = type(objs[0])
    if connection.vendor != "postgresql" or any(
        f.primary_key and f.get_default() is None for f in model._meta.concrete_fields
    ):
        model.objects.bulk_create(objs, batch_size=5_000)
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    real = connections[DEFAULT_DB_ALIAS]  # not the thread-local proxy, asked a million times
    values = attrgetter(*(f.attname for f in fields))
    # psycopg adapts UUIDs, decimals, dates and text itself; only JSON needs Django's step.
    # (No synthetic model has an auto_now field, whose pre_save this would skip.)
    json = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    with real.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            row = list(values(obj))
            for i, f in json:
                row[i] = f.get_db_prep_save(row[i], real)
            copy.write_row(row)


def _session(setup: _Clinic, rows: dict[str, list[Any]], patient: Patient, course: Course,
             order: DoseOrder, product: str, dose: Decimal, at: datetime, nurse: User,
             witness: User, prescriber: User, rng: random.Random) -> None:  # fmt: skip
    esketamine = product == "esketamine_nasal"
    session = TreatmentSession(
        patient=patient, course=course, order=order, product=product,
        route="intranasal" if esketamine else "iv", on=at.date(), state="discharged",
        checked_in_at=at - timedelta(minutes=20), checks_passed_at=at - timedelta(minutes=5),
        dosing_started_at=at, monitoring_started_at=at + timedelta(minutes=40),
        ready_at=at + timedelta(minutes=125), discharged_at=at + timedelta(minutes=130),
        responsible_adult="Synthetic driver", signed_at=at + timedelta(minutes=140),
        signed_by=prescriber, created_by=nurse,
    )  # fmt: skip
    rows["sessions"].append(session)
    for minutes, timing in ((-10, "pre_dose"), (40, "monitoring"), (120, "pre_discharge")):
        systolic = rng.randint(112, 150) + (12 if timing == "monitoring" else 0)
        rows["vitals"].append(VitalSigns(
            session=session, at=at + timedelta(minutes=minutes), recorded_by=nurse,
            timing=timing, systolic_mmhg=systolic, diastolic_mmhg=rng.randint(68, 92),
            heart_rate_bpm=rng.randint(60, 95), spo2_pct=rng.randint(95, 100),
            respiratory_rate_per_min=rng.randint(12, 18)))  # fmt: skip
    container = _container(setup, rows, product, at - timedelta(days=1))
    links = {"patient": patient, "session": session, "order": order}
    balance = container.balance_mg
    if esketamine:
        for device in (1, 2):
            given = Decimal(28)
            entry = Administration(session=session, at=at + timedelta(minutes=5 * (device - 1)),
                                   recorded_by=nurse, action="device", device_number=device,
                                   container=container, lot=container.lot, drawn_mg=given,
                                   given_mg=given)  # fmt: skip
            rows["doses"].append(entry)
            balance = _book(rows, container, "administer", given, balance, entry.at, nurse,
                            administration=entry, **links)  # fmt: skip
    else:
        waste = IV_VIAL_MG - dose
        rows["doses"].append(Administration(
            session=session, at=at, recorded_by=nurse, action="iv_start", container=container,
            lot=container.lot, drawn_mg=IV_VIAL_MG, rate_ml_per_h=(dose / 10 * 60 / 40).quantize(
                Decimal("0.01"))))  # fmt: skip
        stop = Administration(session=session, at=at + timedelta(minutes=40), recorded_by=nurse,
                              action="iv_stop", container=container, lot=container.lot,
                              given_mg=dose, waste_mg=waste)  # fmt: skip
        rows["doses"].append(stop)
        balance = _book(rows, container, "administer", dose, balance, stop.at, nurse,
                        administration=stop, **links)  # fmt: skip
        if waste > 0:
            balance = _book(rows, container, "waste", waste, balance, stop.at, nurse,
                            witness=witness, **links)  # fmt: skip
    container.balance_mg = balance


def _container(setup: _Clinic, rows: dict[str, list[Any]], product: str, received: datetime
               ) -> Container:  # fmt: skip
    """A single-use container received the day before its dose, with its receive row."""
    kind = setup.products[product]
    prefix = "E" if kind.substance == "esketamine" else "K"
    setup.labels[prefix] += 1
    container = Container(
        clinic=setup.clinic, product=kind, label=f"{prefix}{setup.labels[prefix]:05d}",
        lot=f"SYN{received:%y%m}", expires_on=(received + timedelta(days=700)).date(),
        received_at=received, supplier_name="Synthetic Distributor",
        supplier_address="1 Warehouse Road, Columbus OH 43004", supplier_dea=SUPPLIER_DEA,
        invoice=f"SYN-{received:%Y%m%d}", balance_mg=Decimal(0),
    )  # fmt: skip
    rows["containers"].append(container)
    container.balance_mg = _book(rows, container, "receive", kind.container_mg, Decimal(0),
                                 received, setup.staff["admin"])  # fmt: skip
    return container


def _book(rows: dict[str, list[Any]], container: Container, kind: str, quantity: Decimal,
          before: Decimal, at: datetime, performer: User, **links: Any) -> Decimal:  # fmt: skip
    after = before + quantity if kind == "receive" else before - quantity
    rows["ledger"].append(LedgerTransaction(
        container=container, kind=kind, event_at=at, recorded_at=at, quantity_mg=quantity,
        entered_quantity=f"{quantity} mg", balance_before_mg=before, balance_after_mg=after,
        performer=performer, **links))  # fmt: skip
    return after


def _scores(rows: dict[str, list[Any]], patient: Patient, start: datetime, count: int,
            nurse: User, rng: random.Random) -> None:  # fmt: skip
    """A baseline the day before the first dose, then weekly: about a third respond and
    stay well, a fifth respond then relapse, the rest do not respond."""
    baseline, kind = rng.randint(14, 24), rng.random()
    for n in range(count):
        if n == 0:
            total, context = baseline, "baseline"
        else:
            target = (0.35 if kind < 0.35 else (0.4 if n < 6 else 0.8) if kind < 0.55
                      else 0.8) * baseline  # fmt: skip
            total, context = max(0, min(27, round(target + rng.gauss(0, 1.5)))), "weekly"
        answers = {str(i): 0 for i in range(1, PHQ9_ITEMS + 1)}
        left = total
        for i in range(1, PHQ9_ITEMS):
            answers[str(i)] = min(3, left)
            left -= answers[str(i)]
        rows["scores"].append(Assessment(
            patient=patient, instrument_id="phq9", instrument_version="2001",
            instrument_name="PHQ-9", answers=answers, total=total, context=context,
            administered_at=start + timedelta(days=-1 if n == 0 else 7 * n),
            created_by=nurse))  # fmt: skip
