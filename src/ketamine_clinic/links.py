"""Links to the app's own screens by URL name, with the resolver's work done once per shape.

Django's `reverse` walks the URL patterns, checks every argument against its converter and
quotes it: about 40 µs a link, and a chart page had 14 of them. Most links differ only by
ids. `link` reverses a (name, non-id arguments) pair once with placeholder ids, then puts
each real id where its placeholder is. The result is what `reverse` gives: a UUID's text
needs no quoting, and every converter that accepts the placeholder (uuid, str, slug, path)
accepts any UUID; one that refuses it refuses the real id too (NoReverseMatch either way).

In templates, `{% link 'patients:chart' patient.pk %}` is `{% url %}` done this way.
"""

from __future__ import annotations

import functools
import uuid

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# One placeholder per argument position; ids are random, so none is ever a real one.
_PLACEHOLDERS = tuple(str(uuid.UUID(int=n + 1)) for n in range(8))


@functools.lru_cache(maxsize=2048)  # bounded: a non-id argument may come from a request
def _pattern(urlconf: str | None, prefix: str, name: str, shape: tuple[str | None, ...]) -> str:
    args = [_PLACEHOLDERS[n] if text is None else text for n, text in enumerate(shape)]
    return reverse(name, urlconf=urlconf, args=args)


@register.simple_tag(name="link")
def link(name: str, *args: object) -> str:
    """`reverse(name, args=args)`, reversing only once for each name and non-id arguments."""
    if len(args) > len(_PLACEHOLDERS):
        return reverse(name, args=args)
    shape = tuple(None if isinstance(arg, uuid.UUID) else str(arg) for arg in args)
    url = _pattern(get_urlconf(), get_script_prefix(), name, shape)
    for n, arg in enumerate(args):
        if isinstance(arg, uuid.UUID):
            url = url.replace(_PLACEHOLDERS[n], str(arg))
    return url
