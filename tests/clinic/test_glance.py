"""The top of the chart: open alerts, the latest PHQ-9 with its band, the course in force
with its next session and the next appointment, for clinical readers only."""

from __future__ import annotations

from ketamine_clinic.accounts.models import AccessLog
from tests.conftest import World
from tests.factories.chair import plan_today
from tests.factories.outcomes import phq9


def test_a_new_patient_at_a_glance(world: World) -> None:
    url = f"/patients/{world.patient.pk}/at-a-glance/"
    chart = world.client("nurse").get(f"/patients/{world.patient.pk}/").content.decode()
    assert f'hx-get="{url}"' in chart
    page = world.client("nurse").get(url).content.decode()
    for empty in ("None open", "None yet", "None active", "None booked"):
        assert empty in page
    assert AccessLog.objects.filter(what="chart at a glance", patient_id=world.patient.pk)


def test_scores_and_a_course_at_a_glance(world: World) -> None:
    plan_today(world, "iv_racemic")
    phq9(world, world.patient, 50, 14)
    page = world.client("prescriber").get(f"/patients/{world.patient.pk}/at-a-glance/")
    html = page.content.decode()
    assert '<div class="fw-semibold" data-glance="phq9">14 · Moderate' in html
    assert "IV ketamine 0.5 mg/kg over 40 minutes · induction" in html


def test_only_clinical_readers_and_the_own_clinic(world: World) -> None:
    url = f"/patients/{world.patient.pk}/at-a-glance/"
    assert world.client("front_desk").get(url).status_code == 403
    assert world.client("other_clinic_nurse").get(url).status_code == 404
    assert world.client("patient").get(url).status_code in (403, 404)
    chart = world.client("front_desk").get(f"/patients/{world.patient.pk}/").content.decode()
    assert "at-a-glance" not in chart
