"""The instruments a clinic can use: the built-in catalogue plus those it loaded."""

from __future__ import annotations

import uuid

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments.models import ClinicInstrument
from ketamine_clinic.clinical.instruments import BUILTIN, Instrument, parse_definition
from ketamine_clinic.common.errors import InvalidInput


def instruments_for(clinic_id: uuid.UUID) -> dict[str, Instrument]:
    """Built-ins first, then the clinic's active loaded instruments (the latest load of each)."""
    result = dict(BUILTIN)
    rows = ClinicInstrument.objects.filter(clinic_id=clinic_id, active=True).order_by("loaded_at")
    for row in rows:
        result[row.instrument_id] = parse_definition(row.definition)
    return result


def self_report_instruments(clinic_id: uuid.UUID) -> list[Instrument]:
    """The questionnaires a patient fills in themselves, in the catalogue's order."""
    return [i for i in instruments_for(clinic_id).values() if i.self_report]


def get_instrument(clinic_id: uuid.UUID, instrument_id: str) -> Instrument:
    catalogue = instruments_for(clinic_id)
    instrument = catalogue.get(instrument_id)
    if instrument is None:
        known = ", ".join(sorted(catalogue))
        raise InvalidInput("instrument", f"unknown instrument {instrument_id!r}; known: {known}")
    return instrument


def remission_threshold(clinic: Clinic, instrument: Instrument) -> int | None:
    """The clinic's cut-off if it set one (e.g. MADRS 12 as in the esketamine trials)."""
    override = (clinic.remission_thresholds or {}).get(instrument.id)
    if isinstance(override, int) and not isinstance(override, bool):
        return override
    return instrument.remission_at_most
