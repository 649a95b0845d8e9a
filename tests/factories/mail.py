"""A real SMTP server for the mail tests (aiosmtpd, on a free port), and what it received."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.message import Message as Mail
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    received: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_payload(decode=True).decode() for m in self.received]  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """Start and stop a real SMTP server; `inbox` keeps what arrived."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
