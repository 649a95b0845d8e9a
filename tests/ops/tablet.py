"""A nurse's tablet over real HTTP, for the scale-out and fault tests.

It does what the chair screen does: it remembers each session's version, gives each patient
their injection from the vault's vial, then records vital signs. A write counts as
acknowledged only when the server answered 201; after any other outcome (a dropped
connection, a 502 or 503, a 409) the tablet asks the server what really happened before it
goes on, as a nurse would look at the screen again. It never repeats a write blindly.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

VITALS = {
    "systolic_mmhg": 131,
    "diastolic_mmhg": 84,
    "heart_rate_bpm": 74,
    "spo2_pct": 98,
    "respiratory_rate_per_min": 14,
}


@dataclass(frozen=True)
class Ack:
    kind: str  # "dose" or "vitals"
    entry: str
    session: str


@dataclass
class Chair:
    session: str
    dose_mg: str
    version: int = 0
    dosed: bool = False


def token(base: str, username: str, password: str) -> str:
    answer = requests.post(
        f"{base}/api/v1/auth/token", json={"username": username, "password": password}, timeout=30
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


def todays_chairs(base: str, bearer: str) -> tuple[list[Chair], list[str]]:
    """The sessions waiting for their injection today, and the vials in stock, fullest
    first (the synthetic clinic's other containers are single-use and empty)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {bearer}"
    chairs = []
    for row in http.get(f"{base}/api/v1/sessions", timeout=30).json():
        timeline = http.get(f"{base}/api/v1/sessions/{row['id']}", timeout=30).json()
        if timeline["state"] == "checks_passed":
            course = http.get(f"{base}/api/v1/courses/{timeline['course']}", timeout=30)
            dose = course.json()["orders"][0]["calculation"]["dose_mg"]
            chairs.append(Chair(row["id"], str(dose), timeline["version"]))
    lots = http.get(f"{base}/api/v1/inventory/lots", timeout=30).json()
    vials = sorted(
        (v for v in lots if float(v["balance_mg"]) > 0), key=lambda v: -float(v["balance_mg"])
    )
    return chairs, [str(v["id"]) for v in vials]


@dataclass
class Tablet:
    base: str
    bearer: str
    chairs: list[Chair]
    vial: str
    acks: list[Ack] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)
    writing: threading.Event = field(default_factory=threading.Event)  # a POST is under way

    def __post_init__(self) -> None:
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.bearer}"

    def run(self, pause_s: float = 0.0) -> None:
        """Round the chairs until told to stop."""
        while not self.stop.is_set():
            for chair in self.chairs:
                if self.stop.is_set():
                    return
                self.write(chair)
                time.sleep(pause_s)

    def write(self, chair: Chair) -> None:
        if chair.dosed:
            kind, body = "vitals", dict(VITALS)
        else:
            kind, body = (
                "doses",
                {
                    "action": "im_injection",
                    "container": self.vial,
                    "drawn_mg": chair.dose_mg,
                    "given_mg": chair.dose_mg,
                },
            )
        self.writing.set()
        try:
            answer = self.http.post(
                f"{self.base}/api/v1/sessions/{chair.session}/{kind}",
                json={"version": chair.version, **body},
                timeout=30,
            )
        except requests.RequestException as exc:
            # Refused: no server was listening. Dropped: the server died holding the request.
            refused = "refused" in str(exc).lower()
            self.outcomes["refused" if refused else "dropped mid-write"] += 1
            self.resync(chair)
            return
        finally:
            self.writing.clear()
        self.outcomes[str(answer.status_code)] += 1
        if answer.status_code == 201:
            self.acks.append(
                Ack("dose" if kind == "doses" else "vitals", answer.json()["id"], chair.session)
            )
        self.resync(chair)

    def resync(self, chair: Chair) -> None:
        """Read the session back until the server answers: its version, and whether the
        injection was given (a write whose answer was lost may have been saved)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answer = self.http.get(f"{self.base}/api/v1/sessions/{chair.session}", timeout=30)
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code == 200:
                timeline = answer.json()
                chair.version = timeline["version"]
                chair.dosed = any(e["type"] == "dose" for e in timeline["entries"])
                return
            if self.stop.is_set():
                return
            time.sleep(0.05)
        raise TimeoutError(f"session {chair.session} could not be read back for two minutes")


def run_tablets(tablets: list[Tablet]) -> list[threading.Thread]:
    threads = [threading.Thread(target=t.run, daemon=True) for t in tablets]
    for thread in threads:
        thread.start()
    return threads


def stop_tablets(tablets: list[Tablet], threads: list[threading.Thread]) -> None:
    for tablet in tablets:
        tablet.stop.set()
    for thread in threads:
        thread.join(timeout=150)
        assert not thread.is_alive(), "a tablet did not stop"


def missing_acks(deployment: Any, acks: list[Ack]) -> list[Ack]:
    """Acknowledged writes that are not in the database."""
    tables = {
        "dose": "treatment_sessions_administration",
        "vitals": "treatment_sessions_vitalsigns",
    }
    missing = []
    for kind, table in tables.items():
        wanted = {a.entry: a for a in acks if a.kind == kind}
        found = {str(row[0]) for row in deployment.sql(f"SELECT id FROM {table}")}
        missing += [a for entry, a in wanted.items() if entry not in found]
    return missing


def doses_per_session(deployment: Any) -> dict[str, int]:
    rows = deployment.sql(
        "SELECT session_id, count(*) FROM treatment_sessions_administration "
        "WHERE action = 'im_injection' GROUP BY session_id"
    )
    return {str(session): count for session, count in rows}
