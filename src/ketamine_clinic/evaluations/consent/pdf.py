"""A signed consent as a PDF, for the screen and the API alike: the document's text as the
patient signed it, their signature and the witness, and an export row in the access log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.common.markdown import render_markdown
from ketamine_clinic.common.pdf import pdf_response, render_pdf
from ketamine_clinic.evaluations.consent.models import Consent
from ketamine_clinic.patients.access import PatientAccess


def consent_pdf_response(
    request: HttpRequest, access: PatientAccess, found: Consent, via: str
) -> HttpResponse:
    pdf = render_pdf(
        "evaluations/consent_pdf.html",
        {
            "consent": found,
            "patient": access.patient,
            "body": render_markdown(found.document.body_markdown),
        },
    )
    record_access(
        Actor.from_request(request, via),
        action="export",
        what="consent.pdf",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return pdf_response(pdf, f"consent-{found.pk}.pdf")
