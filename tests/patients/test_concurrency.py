"""Two people edit the same record at once: exactly one wins, the other gets a conflict."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.common.errors import Conflict
from ketamine_clinic.patients import actions
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records import versioning
from tests.conftest import World


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_version_conflict(world: World) -> None:
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def edit(n: int) -> None:
        try:
            patient = Patient.objects.get(pk=world.patient.pk)
            access = PatientAccess(patient, "front_desk")  # type: ignore[arg-type]
            barrier.wait(timeout=10)
            actions.update_patient(
                Actor(user=world.users["front_desk"]), access, 1, {"phone": str(n)}
            )
            results.append(("ok", n))
        except Conflict:
            results.append(("conflict", n))
        except Exception as exc:  # any other failure must show in the assertion
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["conflict", "conflict", "conflict", "ok"], results
    winner = next(n for kind, n in results if kind == "ok")
    patient = Patient.objects.get(pk=world.patient.pk)
    assert (patient.version, patient.phone) == (2, str(winner))
    assert Patient.history.filter(id=patient.pk).count() == 2


@pytest.mark.django_db
def test_claim_trusts_a_copy_only_at_the_version_it_names(world: World) -> None:
    """The claim's UPDATE proves the row was at `version`; a copy read at that version is the
    row, any other copy is read again (another writer got in between read and claim)."""
    actor = Actor(user=world.users["front_desk"])
    read = Patient.objects.get(pk=world.patient.pk)
    claimed = versioning.claim(read, 1)
    assert (claimed.version, read.version) == (2, 1)  # the caller's copy is left as it was
    assert Patient.objects.get(pk=read.pk).version == 2
    access = PatientAccess(read, "front_desk")  # type: ignore[arg-type]
    actions.update_patient(actor, access, 2, {"phone": "555 0199"})  # version 3, new phone
    fresh = versioning.claim(read, 3)  # the copy is at version 1: the row is read again
    assert (fresh.version, fresh.phone) == (4, "555 0199")
    with pytest.raises(Conflict, match="you edited version 3, it is now version 4"):
        versioning.claim(read, 3)
