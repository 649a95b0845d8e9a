"""Reading a mail server's bounce: a delivery status notification (RFC 3464), the
multipart/report that an MTA sends back to the sender when it cannot deliver. It names the
original message (its Message-ID, in the returned headers) and, for each recipient, what
happened (Action: failed, delayed, delivered...) with the server's status code. Pure: bytes
in, findings out."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

# RFC 3464 section 2.3.3: the Action field. "failed" is a bounce; "delivered", "relayed" and
# "expanded" mean it went on; "delayed" is only news (the MTA keeps trying), so it is ignored.
FAILED = "failed"
WENT_ON = frozenset({"delivered", "relayed", "expanded"})


@dataclass(frozen=True)
class Report:
    message_id: str  # the original message's Message-ID header, angle brackets and all
    recipient: str
    delivered: bool
    why: str  # the status and the remote server's words, for the message log


def _original_headers(report: Message) -> Message | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            text = payload if isinstance(payload, bytes) else str(part.get_payload()).encode()
            return message_from_bytes(text, policy=policy.default)
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
    return None


def _recipient_blocks(report: Message) -> list[Message]:
    for part in report.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            blocks = part.get_payload()
            # The first block is about the message; each later one about a recipient.
            return (
                [b for b in blocks[1:] if isinstance(b, Message)]
                if isinstance(blocks, list)
                else []
            )
    return []


def _typed(field: str) -> str:
    """A typed field's value (RFC 3464 section 2.3): 'rfc822; a@b.example' -> 'a@b.example',
    'smtp; 550 5.1.1 unknown' -> '550 5.1.1 unknown'."""
    return field.partition(";")[2].strip() if ";" in field else field.strip()


def read(raw: bytes) -> list[Report]:
    """What a bounce says about each recipient of the original message; [] when the mail is
    not a delivery status notification or does not name the message it is about."""
    mail = message_from_bytes(raw, policy=policy.default)
    if mail.get_content_type() != "multipart/report":
        return []
    if str(mail.get_param("report-type") or "").lower() not in (
        "delivery-status",
        "global-delivery-status",
    ):
        return []
    original = _original_headers(mail)
    message_id = str(original.get("Message-ID", "")).strip() if original is not None else ""
    if not message_id:
        return []
    reports = []
    for block in _recipient_blocks(mail):
        action = str(block.get("Action", "")).strip().lower()
        if action != FAILED and action not in WENT_ON:
            continue
        status = str(block.get("Status", "")).strip()
        diagnostic = _typed(str(block.get("Diagnostic-Code", "")))
        why = f"{status} {diagnostic}".strip() if action == FAILED else ""
        recipient = _typed(
            str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        )
        reports.append(Report(message_id, recipient, action in WENT_ON, why))
    return reports
