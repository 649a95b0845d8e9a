"""The background worker, run in the test's own process until its queue is empty."""

from __future__ import annotations

from django.core.management import call_command


def run_worker() -> None:
    """What `ketamine-clinic worker --once` does: plan the messages due, then run every task
    that is ready (messages to send, exports to write)."""
    call_command("worker", once=True, verbosity=0)
