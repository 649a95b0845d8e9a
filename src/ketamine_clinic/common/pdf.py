"""PDFs rendered from templates by WeasyPrint. Nothing is fetched from outside: only data:
URLs (a drawn signature) load, so a document cannot make the server request a URL."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    # WeasyPrint's own fetcher, limited to data: URLs; anything else is refused (and the
    # image left out) rather than fetched.
    only_data = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    pdf = HTML(string=html, url_fetcher=only_data).write_pdf()
    assert pdf is not None  # noqa: S101  # write_pdf without a target returns the bytes
    return pdf


def pdf_response(content: bytes, filename: str, *, download: bool = False) -> Any:
    """The PDF as an HTTP answer: shown in the browser, or saved as a file."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
