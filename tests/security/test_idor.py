"""Another clinic's staff, given every address clinic A's staff visited: nothing of clinic A
comes back. Object pages answer 404 (so ids cannot be probed), and lists show only their own
clinic's patients."""

from __future__ import annotations

import pytest

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.demo.clinic import MAIN_CLINIC, OTHER_CLINIC, seed
from ketamine_clinic.patients.models import Patient
from tests.security.crawler import crawl, logged_in, names_shown

pytestmark = pytest.mark.once  # long: one database only (Makefile)


@pytest.mark.django_db
def test_another_clinic_reaches_nothing_of_clinic_a() -> None:
    seed()
    main, other = Clinic.objects.get(name=MAIN_CLINIC), Clinic.objects.get(name=OTHER_CLINIC)
    theirs = set(Patient.objects.filter(clinic=other).values_list("family_name", flat=True))
    ours = set(Patient.objects.filter(clinic=main).values_list("family_name", flat=True))
    ours -= theirs
    visited: set[str] = set()
    writes: set[str] = set()
    for username in ("admin", "drrivera", "sam"):
        for page in crawl(logged_in(username)):
            visited.add(page.path)
            writes |= {action for method, action, _ in page.forms if method != "get"}
    with_ids = [p for p in visited if any(c.isdigit() for c in p) and "-" in p]
    assert len(with_ids) >= 30, with_ids
    for username in ("harbor.admin", "harbor.nurse"):
        client = logged_in(username)
        for path in sorted(visited):
            response = client.get(path)
            assert response.status_code < 500, path
            if response.status_code == 200:
                leaked = names_shown(response.content.decode(), ours)
                assert not leaked, f"{path} shows clinic A's {leaked} to {username}"
            elif path in with_ids:  # 405: a POST-only address, refused before any lookup
                assert response.status_code in (302, 403, 404, 405), (path, response.status_code)
        for action in sorted(writes):
            if any(c.isdigit() for c in action) and "-" in action:
                response = client.post(action, {})
                assert response.status_code in (403, 404), (action, response.status_code)
