"""The chair for tests: a nurse's tablet that keeps the session version, a vault, a
session opened today and brought to the dose."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.demo import synth_chair
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.treatment.models import ScheduledSession
from tests.conftest import World
from tests.factories.courses import open_every_day, open_gate, phq9

CHECKS = {**synth_chair.CHECKS, "ride_name": "Pat Walker"}


GOOD_VITALS = {
    "systolic_mmhg": 128,
    "diastolic_mmhg": 82,
    "heart_rate_bpm": 72,
    "spo2_pct": 98,
    "respiratory_rate_per_min": 14,
}


class Chair:
    """A nurse's tablet: it keeps the session version it last saw, as the screen does."""

    def __init__(self, world: World, session_id: str, persona: str = "nurse") -> None:
        self.api = world.api(persona)
        self.id = session_id
        self.version = 1

    def refresh(self) -> dict[str, Any]:
        body = self.api.get(f"/sessions/{self.id}").json()
        self.version = body["version"]
        return body

    def post(self, step: str, **body: Any) -> Any:
        response = self.api.post(f"/sessions/{self.id}/{step}", {"version": self.version, **body})
        if response.status_code < 300:
            body = response.json()
            if "state" in body:  # the session itself
                self.version = body["version"]
            else:  # an entry: the session's version moved on
                self.refresh()
        return response


def vault(world: World) -> dict[str, str]:
    """The clinic's stock: a 56 mg esketamine kit (lot LOT-A1) and a 500 mg ketamine vial (lot
    VIAL-7), received once; returns a container id per substance."""
    found = {c.product.substance: str(c.pk) for c in Container.objects.filter(clinic=world.clinic)}
    if len(found) == 2:
        return found
    admin = Actor(user=world.users["admin"])
    for substance, ndc, lot, form, concentration, content in (
        ("esketamine", "50458-028-02", "LOT-A1", "nasal device kit (2)", None, "56"),
        ("ketamine", "0409-2051-05", "VIAL-7", "vial, 10 mL", "50", "500"),
    ):
        product = ledger.add_product(
            admin,
            world.clinic,
            {
                "name": f"{substance} {content} mg",
                "ndc": ndc,
                "substance": substance,
                "form": form,
                "concentration_mg_per_ml": Decimal(concentration) if concentration else None,
                "container_mg": Decimal(content),
            },
        )
        ledger.receive(
            admin,
            "admin",
            world.clinic,
            ledger.Receipt(
                product=product,
                count=1,
                lot=lot,
                expires_on=timezone.localdate() + timedelta(days=365),
                received_at=timezone.now() - timedelta(days=1),
                supplier_name="Supplier",
                supplier_address="1 Supply Way",
                supplier_dea="RS1234563",
                invoice="INV-1",
            ),
        )
    return vault(world)


def start(world: World, product: str = "esketamine_nasal") -> str:
    """A signed course with a dosing session today, opened; returns the session id."""
    scheduled = plan_today(world, product)
    opened = world.api("front_desk").post(f"/courses/{scheduled.course_id}/sessions", {})
    assert opened.status_code == 201, opened.content
    return str(opened.json()["id"])


def plan_today(world: World, product: str = "esketamine_nasal") -> ScheduledSession:
    """A signed course whose first dosing session is today (not yet opened)."""
    open_every_day(world)
    open_gate(world, product)
    vial = str(Container.objects.get(pk=vault(world)["ketamine"]).product_id)
    api = world.api("prescriber")
    dose = {
        "esketamine_nasal": {"protocol": "esketamine-trd-us", "dose_mg": 56},
        "iv_racemic": {
            "protocol": "iv-racemic-standard",
            "dose_mg_per_kg": "0.5",
            "stock_product": vial,
            "diluent": "sodium_chloride_0_9",
            "final_volume_ml": "50",
            "duration_min": "40",
        },
        "im_racemic": {"protocol": "im-racemic", "dose_mg_per_kg": "0.5", "stock_product": vial},
    }[product]
    course = api.post(
        f"/patients/{world.patient.pk}/courses",
        {**dose, "start_on": timezone.localdate().isoformat()},
    ).json()
    assert api.post(f"/orders/{course['orders'][0]['id']}/sign", {"version": 1}).status_code == 200
    return ScheduledSession.objects.get(course_id=course["id"], on=timezone.localdate())


def ready_to_dose(world: World, chair: Chair, vitals: dict[str, int] | None = None) -> None:
    desk = Chair(world, chair.id, "front_desk")
    assert desk.post("check-in").status_code == 200
    chair.refresh()
    nurse = world.api("nurse")
    pre = phq9(14, timezone.now() - timedelta(minutes=5), "pre_dose")
    assert nurse.post(f"/patients/{world.patient.pk}/assessments", pre).status_code == 201
    two_hours = (timezone.now() - timedelta(hours=3)).isoformat()
    checks = {**CHECKS, "last_food_at": two_hours, "last_liquid_at": two_hours}
    assert chair.post("checks", **checks).status_code == 201
    assert chair.post("vitals", **(vitals or GOOD_VITALS)).status_code == 201


def infusing(world: World) -> Chair:
    """An IV session past its checks with the infusion running (35 mg in 50 mL, 75 mL/h)."""
    chair = Chair(world, start(world, "iv_racemic"))
    ready_to_dose(world, chair)
    assert chair.post("checks/pass").status_code == 200
    kit = vault(world)["ketamine"]
    assert chair.post("doses", action="iv_start", drawn_mg="35", container=kit).status_code == 201
    return chair
