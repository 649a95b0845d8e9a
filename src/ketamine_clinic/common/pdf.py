"""PDFs rendered from templates by WeasyPrint. Nothing is fetched from outside: only data:
URLs (a drawn signature) load, so a document cannot make the server request a URL."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def _only_data_urls(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    from weasyprint.urls import default_url_fetcher

    if not url.startswith("data:"):
        raise ValueError(f"refusing to fetch {url[:40]!r} while rendering a PDF")
    return default_url_fetcher(url)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    pdf = HTML(string=html, url_fetcher=_only_data_urls).write_pdf()
    assert pdf is not None  # noqa: S101  # write_pdf without a target returns the bytes
    return pdf


def pdf_response(content: bytes, filename: str, *, download: bool = False) -> Any:
    """The PDF as an HTTP answer: shown in the browser, or saved as a file."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
