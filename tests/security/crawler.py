"""A crawler of the site as one logged-in person: from the start page it follows every link,
htmx request, image and form address it is shown (GET only, a few pages of each kind), and
yields each page with the forms on it."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from ketamine_clinic.accounts.backends import BACKEND

PER_ROUTE = 3  # pages of one kind (one route) read per person
LIMIT = 600  # pages per person, a bound on the crawl


@dataclass
class Page:
    path: str
    body: str
    forms: list[tuple[str, str, bool]] = field(default_factory=list)  # method, action, htmx


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str | None, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append(((found.get("method") or "get").lower(), found.get("action"), False))
        for verb in ("post", "put", "patch", "delete"):
            if found.get(f"hx-{verb}"):
                self.forms.append((verb, found[f"hx-{verb}"], True))
        for key in ("href", "hx-get", "src", "action"):
            if found.get(key):
                self.links.append(found[key] or "")


def logged_in(username: str, enforce_csrf: bool = False, client: Client | None = None) -> Client:
    """A client with this demo user's session (CSRF checks on only when asked)."""
    from ketamine_clinic.accounts.models import User

    client = client or Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(User.objects.get(username=username),
                       backend=BACKEND)  # fmt: skip
    return client


def crawl(client: Client) -> Iterator[Page]:
    queue, seen, per_route = deque(["/"]), {"/"}, {}
    while queue and len(seen) <= LIMIT:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code in (301, 302):
            target = urlsplit(response["Location"]).path
            if target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if not response.get("Content-Type", "").startswith(("text/html", "image/svg")):
            continue
        body = response.content.decode()
        parser = _Parser()
        parser.feed(body)
        forms = [(method, urlsplit(urljoin(path, action or path)).path, htmx)
                 for method, action, htmx in parser.forms]  # fmt: skip
        yield Page(path, body, forms)
        for link in parser.links:
            parts = urlsplit(urljoin(path, link))
            if parts.netloc or parts.path.startswith(("/static/", "/accounts/logout")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen:
                continue
            try:
                route = resolve(parts.path).route
            except Resolver404:
                continue
            if per_route.get(route, 0) >= PER_ROUTE:
                continue
            per_route[route] = per_route.get(route, 0) + 1
            seen.add(target)
            queue.append(target)


# Values that are random on every page: the CSRF token (in forms and in htmx's headers) and the
# CSP nonce. A short name such as "Kim" turns up inside them by chance (a page's three
# 64-character tokens hold any given 3 letters about once in 1,300 pages), so they are taken
# out, and names are matched as whole words.
_RANDOM_VALUES = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]*"')


def names_shown(body: str, names: set[str]) -> list[str]:
    """Which of these names the page shows as words, ignoring its random tokens."""
    text = _RANDOM_VALUES.sub(r"\1", body)
    return sorted(n for n in names if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text))
