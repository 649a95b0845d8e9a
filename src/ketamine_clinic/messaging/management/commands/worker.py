"""`ketamine-clinic worker`: send the clinic's messages and write its bulk exports. Each
worker plans what is due every minute (idempotent: several workers make each message once)
and runs the queued tasks from the database; run one beside each app server, or more
(docs/deploy.md)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from ketamine_clinic.messaging import planner, tasks

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send messages and write exports: plan what is due each minute and run the queued "
        "tasks until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=2.0,
                            help="Seconds between looks at the queue (default 2).")  # fmt: skip
        parser.add_argument("--plan-every", type=float, default=60.0,
                            help="Seconds between plannings (default 60).")  # fmt: skip
        parser.add_argument("--once", action="store_true",
                            help="Plan, run the tasks that are due, then stop.")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            queue_names=["default"], interval=options["interval"], batch=options["once"],
            backend_name="default", startup_delay=not options["once"], max_tasks=None,
            worker_id=tasks.WORKER, excluded_queue_names=[],
        )  # fmt: skip
        if options["once"]:
            made = planner.plan(tasks.enqueue)
            worker.run()
            self.stdout.write(f"planned {made} messages; ran what was due")
            return
        stop = threading.Event()
        planning = threading.Thread(target=_plan_until, args=(stop, options["plan_every"]),
                                    daemon=True, name="planner")  # fmt: skip
        planning.start()
        worker.configure_signals()
        self.stdout.write(f"worker {tasks.WORKER}: messages and exports; Ctrl+C stops it")
        try:
            worker.run()
        finally:
            stop.set()


def _plan_until(stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            planner.plan(tasks.enqueue)
        except Exception:  # a fault in one planning must not stop the next
            logger.exception("planning messages failed")
        finally:
            close_old_connections()
        stop.wait(every)
