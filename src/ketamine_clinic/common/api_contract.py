"""What the API promises an integrator beyond each operation's own answer: one error shape,
documented on every operation for each status it can really answer; bounded paging; and
bodies that cannot be nested deep enough to exhaust the server."""

from __future__ import annotations

import json
import re
import types
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    FutureDate,
    FutureDatetime,
    NaiveDatetime,
    PastDate,
    PastDatetime,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ketamine_clinic.common import amount_text
from ketamine_clinic.common.nesting import deeper_than

MAX_PAGE = 500  # rows in one answer: a whole clinic comes in pages, never in one response
MAX_OFFSET = 2**31 - 1  # beyond any table here, and within every database's integer


class ErrorItem(Schema):
    """One problem with the request: where (`loc`, e.g. ["body", "weight_kg"]) and what."""

    model_config = ConfigDict(extra="allow")
    loc: list[str | int] = Field(description="Where: body, query, path or header, then the field")
    msg: str = Field(description="What is wrong, in words")
    type: str | None = Field(None, description="A machine-readable kind, when there is one")


class Error(Schema):
    """Every error the API answers: a sentence, or the list of problems with the input."""

    detail: str | list[ErrorItem]


# Why each status can happen; the operations each applies to are chosen in `_errors_of`.
ERROR_STATUSES = {
    400: "The body is not JSON, or is nested too deeply.",
    401: "No valid bearer token or session.",
    403: "Your role does not allow this (or, for a session, the CSRF token is missing).",
    404: "Not found; also a record of a clinic you do not work in.",
    409: "A conflict: the record changed since you read it (stale version), or a clinical "
    "rule blocks the change.",
    413: "The request body is too large.",
    422: "The input is not valid: each problem names its field.",
}
WRITES = {"post", "put", "patch", "delete"}


def _errors_of(method: str, operation: dict[str, Any]) -> list[int]:
    statuses = []
    has_body = "requestBody" in operation
    if has_body:
        statuses += [400, 413]
    if operation.get("security") != []:
        # Every signed-in operation reads the caller's clinics: a record, a clinic or the
        # clinic's settings that is not there (or not the caller's) is a 404.
        statuses += [401, 403, 404]
    if method in WRITES:
        statuses.append(409)
    if has_body or operation.get("parameters"):
        statuses.append(422)
    return statuses


class ClinicAPI(NinjaAPI):
    """NinjaAPI whose schema documents every operation's error answers with `Error`."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        """The view's own name (`get_patient`, `list_sessions`): the method a generated client
        offers for it. Names are unique across the API (tests/contract checks)."""
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        shape = Error.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(shape.pop("$defs", {}))
        components["Error"] = shape
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path in schema["paths"].values():
            for method, operation in path.items():
                answers = operation["responses"]
                for status in _errors_of(method, operation):
                    answers.setdefault(status, {"description": ERROR_STATUSES[status]})
                for status, answer in answers.items():
                    if int(status) >= 400:
                        answer["content"] = body
        return schema


class ShallowJsonParser(Parser):
    """Ninja's JSON parser, refusing a body nested more than MAX_DEPTH levels (a 400)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if deeper_than(data):
            raise ValueError("nested too deeply")
        return data


class Page(LimitOffsetPagination):
    """Limit and offset, bounded: at most MAX_PAGE rows an answer."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"Rows, 1 to {MAX_PAGE}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip")


# Pydantic's constrained date types, read as the JSON type they are written in.
DATE_KINDS: dict[Any, type] = {
    PastDate: date, FutureDate: date, AwareDatetime: datetime, NaiveDatetime: datetime,
    PastDatetime: datetime, FutureDatetime: datetime,
}  # fmt: skip


def _plain(annotation: Any) -> Any:
    """date for `date`, `date | None`, `AwareDatetime | None` (datetime) and so on; the
    annotation itself otherwise."""
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        annotation = kinds[0] if len(kinds) == 1 else annotation
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return DATE_KINDS.get(annotation, annotation)


WRITTEN = {
    date: "must be a date written YYYY-MM-DD, not a number",
    datetime: "must be a date and time written in ISO 8601 (2026-03-01T09:30:00Z), not a number",
    time: "must be a time written HH:MM, not a number",
}
# The text each must start as: pydantic would read "0" or "1700000000" as seconds since 1970.
SHAPES = {
    date: re.compile(r"\d{4}-\d{2}-\d{2}$"),
    datetime: re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"),
    time: re.compile(r"\d{2}:\d{2}"),
}


def _written(kind: type, value: Any) -> Any:
    """`value` if it is a `kind` or text in its ISO shape; a refusal naming the shape else."""
    if isinstance(value, bool) or not isinstance(value, (str, kind)):
        raise PydanticCustomError("json_type", WRITTEN[kind])
    if isinstance(value, str) and not SHAPES[kind].match(value):
        raise PydanticCustomError("json_type", WRITTEN[kind].split(", not")[0])
    return value


# A date in a query string ("?on=2026-03-01"), read in its ISO shape only.
QueryDate = Annotated[date, BeforeValidator(lambda value: _written(date, value))]


def _decimal_rules(field: Any) -> dict[str, Any]:
    """A decimal field's decimal places and digits, wherever its annotation keeps them."""
    found: dict[str, Any] = {}
    metadata = list(field.metadata)
    annotation = field.annotation
    for arg in get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ():
        if get_origin(arg) is Annotated:
            for extra in get_args(arg)[1:]:
                metadata += list(getattr(extra, "metadata", [extra]))
    for item in metadata:
        for key in ("decimal_places", "max_digits", "gt", "ge", "lt", "le"):
            if getattr(item, key, None) is not None:
                found[key] = getattr(item, key)
    return found


PLAIN_AMOUNT = re.compile(r"(0|[1-9]\d*)(\.\d+)?")


def _text_pattern(field: Any) -> str | None:
    """The pattern of an amount's text: exactly the plain decimals in its range and places
    (amount_text); text is never negative. None when the field states no places or top."""
    rules = _decimal_rules(field)
    places, digits = rules.get("decimal_places"), rules.get("max_digits")
    low, high = rules.get("gt", rules.get("ge", 0)), rules.get("lt", rules.get("le"))
    if high is None and digits is not None and places is not None:
        high = Decimal(10) ** (digits - places)  # what max_digits leaves room for, below it
        rules = {**rules, "lt": high}
    if high is None or places is None or Decimal(str(low)) < 0:
        return None
    return amount_text.pattern(
        Decimal(str(low)), "gt" in rules, Decimal(str(high)), "lt" in rules, places
    )


def refuse_null(value: Any) -> Any:
    """For an edit's optional fields: left out keeps the value, null is refused (the schema
    shows them as not nullable, see _not_null)."""
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


def not_null(*names: str) -> Any:
    """The validator an edit schema declares for the fields that may be left out, not null."""
    return field_validator(*names, mode="before")(refuse_null)


def _not_null(schema: dict[str, Any], model: Any) -> None:
    """Fields refused as null (refuse_null) lose `null` from their schema, and their default."""
    names: set[str] = set()
    for found in model.__pydantic_decorators__.field_validators.values():
        if getattr(found.func, "__func__", found.func) is refuse_null:
            names |= set(found.info.fields)
    for name in names & set(schema.get("properties", {})):
        prop = schema["properties"][name]
        prop.pop("default", None)
        if "anyOf" in prop:
            prop["anyOf"] = [b for b in prop["anyOf"] if b.get("type") != "null"]
            if len(prop["anyOf"]) == 1:
                prop.update(prop.pop("anyOf")[0])


def _closed_maps(node: Any) -> None:
    """A map whose keys have a pattern takes no other keys (pydantic states the pattern as
    `patternProperties`, under which JSON Schema would allow any other key)."""
    if isinstance(node, dict):
        if "patternProperties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _closed_maps(value)
    elif isinstance(node, list):
        for value in node:
            _closed_maps(value)


def _body_schema(schema: dict[str, Any], model: Any) -> None:
    _as_amounts(schema, model)
    _not_null(schema, model)
    _closed_maps(schema.get("properties", {}))


def _as_amounts(schema: dict[str, Any], model: Any) -> None:
    """An amount as the schema states it: a number with its decimal places as `multipleOf`
    and its digits as a bound, or its plain text, whose pattern holds the same range."""
    for name, prop in schema.get("properties", {}).items():
        field = model.model_fields.get(name)
        if field is None or _plain(field.annotation) is not Decimal:
            continue
        rules = _decimal_rules(field)
        places = rules.get("decimal_places")
        digits = rules.get("max_digits")
        text = _text_pattern(field)
        for branch in prop.get("anyOf", [prop]):
            if branch.get("type") == "string":
                branch["pattern"] = text or rf"^{PLAIN_AMOUNT.pattern}$"
            if branch.get("type") == "number":
                if places is not None:
                    branch["multipleOf"] = float(Decimal(1).scaleb(-places))
                if digits and "maximum" not in branch:
                    top = Decimal(10) ** (digits - (places or 0))
                    branch["maximum"] = float(top - Decimal(1).scaleb(-(places or 0)))


class BodySchema(Schema):
    """A request body read as JSON's own types: a date is a string, not a number of seconds
    (`"noted_on": 0` once became 1970-01-01), and a yes-or-no is `true` or `false`, not 0, 1
    or "yes". Pydantic's lax mode takes those; the schema promises otherwise, so they are
    refused, each naming its field. Query strings keep their text ("true") as usual. An
    amount may be a number or its plain decimal text ("35.5"), as the schema says; the
    text's pattern states the same range as the number's bounds."""

    model_config = ConfigDict(json_schema_extra=_body_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        kind = _plain(cls.model_fields[info.field_name].annotation)
        if kind is bool and not isinstance(value, bool):
            raise PydanticCustomError("json_type", "must be true or false")
        if kind in (int, float, Decimal) and isinstance(value, bool):
            raise PydanticCustomError("json_type", "must be a number, not true or false")
        if kind is Decimal and isinstance(value, str) and not PLAIN_AMOUNT.fullmatch(value):
            # Only the plain text the schema's pattern describes: no sign, exponent, spaces or
            # leading zeros. Its range and places are checked as a number's are.
            raise PydanticCustomError("json_type", "must be a number, or its text such as 35.5")
        if kind in WRITTEN:
            return _written(kind, value)
        return value
