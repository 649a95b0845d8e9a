"""The client's network address, for lockouts and the audit log.

X-Forwarded-For is believed only as far as the operator says proxies stand in front of the
app (KC_PROXY_COUNT): each trusted proxy appends the address it saw, so with N proxies the
client is the N-th entry from the right. With no proxy the header is ignored, because any
client can send one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.KC_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
