"""Markdown for clinic-written documents: CommonMark with raw HTML switched off, so a consent
text can never carry a script into a page or a PDF."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> SafeString:
    return mark_safe(_md.render(text))  # noqa: S308  # raw HTML is disabled; output is escaped
