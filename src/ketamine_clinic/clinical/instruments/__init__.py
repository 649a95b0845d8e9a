"""The instrument catalogue: built-in instruments, scoring, and loadable definitions."""

from ketamine_clinic.clinical.instruments.builtin import DEFINITIONS
from ketamine_clinic.clinical.instruments.definition import (
    DefinitionError,
    definition_json_schema,
    parse_definition,
)
from ketamine_clinic.clinical.instruments.model import (
    AnswerError,
    Band,
    Flag,
    Instrument,
    Item,
    Score,
    check_answers,
    score,
)

BUILTIN: dict[str, Instrument] = {
    instrument.id: instrument
    for instrument in (parse_definition(d, builtin=True) for d in DEFINITIONS)
}

__all__ = [
    "BUILTIN",
    "AnswerError",
    "Band",
    "DefinitionError",
    "Flag",
    "Instrument",
    "Item",
    "Score",
    "check_answers",
    "definition_json_schema",
    "parse_definition",
    "score",
]
