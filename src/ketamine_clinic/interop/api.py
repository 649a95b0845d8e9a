"""`GET /api/v1/reports/outcomes`: the clinic's outcome report as JSON or CSV."""

import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.api_contract import QueryDate
from ketamine_clinic.common.schema_types import files
from ketamine_clinic.interop import outcome_report
from ketamine_clinic.interop import research_export as research
from ketamine_clinic.patients.access import the_clinic

router = Router(tags=["reports"])


@router.get(
    "/reports/outcomes",
    response=dict[str, Any],
    openapi_extra=files("text/csv"),
    summary="Response, remission, durability, adverse events, BP excursions, REMS timeliness "
    "and ledger discrepancies (admins, prescribers); ?format=csv for the table by protocol",
)
def clinic_outcomes(
    request: HttpRequest,
    start: QueryDate,
    end: QueryDate,
    clinic: uuid.UUID | None = None,
    prescriber: uuid.UUID | None = None,
    protocol: str | None = None,
    instrument: str = "phq9",
    format: Literal["json", "csv"] = "json",
) -> Any:
    chosen = the_clinic(request_user(request), clinic, Capability.VIEW_REPORTS)
    filters = outcome_report.Filters(start, end, prescriber, protocol, instrument)
    report = outcome_report.build(chosen, filters)
    record_access(api_actor(request), action="export", what="report.outcomes", clinic=chosen)
    if format == "csv":
        response = HttpResponse(outcome_report.as_csv(report), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="outcomes-{start}-{end}.csv"'
        return response
    return report


@router.get(
    "/research-export",
    openapi_extra=files("application/zip"),
    summary="The de-identified research extract (admins): a zip of CSV or Parquet tables with "
    "their data dictionary",
)
def research_export(
    request: HttpRequest,
    clinic: uuid.UUID | None = None,
    format: Literal["csv", "parquet"] = "csv",
) -> HttpResponse:
    chosen = the_clinic(request_user(request), clinic, Capability.EXPORT_DATA)
    content = research.extract(chosen, format)
    record_access(
        api_actor(request), action="export", what=f"research extract ({format})", clinic=chosen
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="research-extract-{format}.zip"'
    return response
