"""Load: the four requests a clinic day is made of, at a fixed rate, on networks of growing
size, through the production deployment (nginx, two gunicorn servers, PostgreSQL, Redis).

    .venv/bin/python bench/load.py [--sizes 1000,100000,1000000] [--rates 80,200] [--seconds 30]
                                   [--server postgres://postgres@127.0.0.1:5432]

For each size a database `kc_load_<patients>` is built once with `ketamine-clinic synth`
(later runs reuse it) and migrated. Then, one kind at a time, requests are sent on a fixed
schedule (open loop: a slow answer does not slow the schedule down, and each latency counts
from the moment its request was due, so queueing is not hidden):

- vitals:   POST /api/v1/sessions/{id}/vitals, a nurse's bearer token, today's sessions
- timeline: GET  /api/v1/sessions/{id}, the same nurse, the clinic's past sessions at random
- search:   GET  /patients/?q=..., a prescriber's browser session, a surname at random
- chart:    GET  /patients/{id}/, the same prescriber, a patient at random

It prints p50/p95/p99 per kind and size, and the ratio of each size's p95 to the smallest
size's, measured in the same run: the baseline that shows whether cost grows with the
clinic. Target (issue #10): p95 under 50 ms at 200 requests/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.ops.cluster import PASSWORD, deployment  # the tests' own deployment

SESSIONS, SCORES, TODAY = 2, 6, 20  # per patient, per patient, per clinic
MAX_DOSES = 99_999  # per clinic: the ledger's label space (synth.MAX_CONTAINERS)
THREADS = 32


@dataclass
class Sample:
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per request, by part
    rate: float = 0.0  # requests per second served
    errors: dict[int | str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, status: int | str) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            if status not in (200, 201):
                self.errors[status] = self.errors.get(status, 0) + 1

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


Request = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body


class Worker:
    """One keep-alive connection; it sends the requests of its slots at their times."""

    def __init__(self, port: int, make: Callable[[int], Request]) -> None:
        self.port, self.make = port, make
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, n: int) -> tuple[int, bytes]:
        method, path, headers, body = self.make(n)
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                answer = self.conn.getresponse()
                return answer.status, answer.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run_schedule(
    port: int,
    rate: float,
    seconds: float,
    make: Callable[[int, int], Request],
    after: Callable[[int, int, int, bytes], None] | None = None,
    threads: int = THREADS,
) -> Sample:
    """Request n is due at start + n / rate; thread t sends every n with n % threads == t."""
    sample, total = Sample(), int(rate * seconds)
    start = time.perf_counter() + 0.2

    def thread(t: int) -> None:
        worker = Worker(port, lambda n: make(t, n))
        for n in range(t, total, threads):
            due = start + n / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            status: int | str
            try:
                status, body = worker.send(n)
            except (http.client.HTTPException, OSError) as exc:
                status, body = type(exc).__name__, b""
            sample.add((time.perf_counter() - due) * 1000, status)
            if after is not None and isinstance(status, int):
                after(t, n, status, body)

    pool = [threading.Thread(target=thread, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    sample.rate = total / (time.perf_counter() - start)
    return sample


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> list[tuple[int, str, int, float]]:
    """(pid, name, process group, CPU seconds so far) of every process (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            cpu = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
            found.append((int(entry.name), name, int(fields[2]), cpu))
    return found


class CpuMeter:
    """CPU seconds spent by each part of the deployment between two readings: the app servers
    (each a process group), PostgreSQL's processes, nginx, Redis and this generator."""

    def __init__(self, groups: dict[int, str]) -> None:
        self.groups = groups  # process group -> part

    def _read(self) -> dict[int, tuple[str, float]]:
        found = {}
        for pid, name, group, cpu in _processes():
            part = (
                self.groups.get(group)
                or ("postgres" if name == "postgres" else None)
                or ("nginx" if name == "nginx" else None)
                or ("redis" if name.startswith("redis") else None)
                or ("generator" if pid == os.getpid() else None)
            )
            if part:
                found[pid] = (part, cpu)
        return found

    def start(self) -> None:
        self.before = self._read()

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request for each part since `start` (a process that ended
        in between, such as a database connection closed, is left out)."""
        parts: dict[str, float] = {}
        for pid, (part, cpu) in self._read().items():
            spent = cpu - self.before.get(pid, (part, 0.0))[1]
            parts[part] = parts.get(part, 0.0) + spent * 1000 / requests
        return parts


def build(server: str, patients: int) -> str:
    """The size's database, built by synth the first time (migrated every time)."""
    name = f"kc_load_{patients}"
    url = f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with deployment(url) as d:
        d.manage("migrate", "-v0")
        built = d.sql("SELECT count(*) FROM patients_patient WHERE mrn LIKE 'S%%'")[0][0]
        if built == 0:
            clinics = -(-patients * SESSIONS // MAX_DOSES)
            print(f"building {patients:,} patients in {clinics} clinics (once) ...", flush=True)
            d.manage(
                "synth",
                "--clinics",
                str(clinics),
                "--patients",
                str(patients),
                "--sessions",
                str(SESSIONS),
                "--scores",
                str(SCORES),
                "--today",
                str(TODAY),
                "--password",
                PASSWORD,
                timeout=None,  # a million patients take about an hour
            )
        elif built != patients:
            raise SystemExit(f"{name} holds {built:,} patients, not {patients:,}: drop it")
    return url


def login(port: int, username: str) -> dict[str, str]:
    """A browser's cookies after logging in on the screen."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    answer = conn.getresponse()
    page = answer.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", answer.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf
    assert token
    body = urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    )
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf[1]}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 302, answer.status
    session = re.search(r"sessionid=([^;]+)", answer.getheader("Set-Cookie") or "")
    assert session
    return {"Cookie": f"sessionid={session[1]}; csrftoken={csrf[1]}"}


def bearer(port: int, username: str) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request(
        "POST", "/api/v1/auth/token", body=body, headers={"Content-Type": "application/json"}
    )
    return {"Authorization": f"Bearer {json.loads(conn.getresponse().read())['token']}"}


def measure(
    url: str, rates: list[float], seconds: float, servers: int, workers: int
) -> dict[float, dict[str, Sample]]:
    with deployment(url) as d:
        apps = [d.server(f"load-{i}", workers) for i in range(servers)]
        for app in apps:
            app.start()
        port = d.proxy(apps).port
        meter = CpuMeter({app.process.pid: "app" for app in apps if app.process})
        clinic = d.sql("SELECT id FROM accounts_clinic WHERE name = 'Synthetic Clinic 1'")[0][0]
        today = d.sql(
            "SELECT s.id, s.version FROM treatment_sessions_treatmentsession s JOIN "
            "patients_patient p ON p.id = s.patient_id WHERE p.clinic_id = %s AND s.state IN "
            "('checks_passed', 'dosing', 'monitoring')",
            clinic,
        )
        past = [
            r[0]
            for r in d.sql(
                "SELECT s.id FROM treatment_sessions_treatmentsession s JOIN patients_patient p ON "
                "p.id = s.patient_id WHERE p.clinic_id = %s AND s.state = 'discharged' "
                "ORDER BY random() LIMIT 5000",
                clinic,
            )
        ]
        patients = d.sql(
            "SELECT id, family_name FROM patients_patient WHERE clinic_id = %s "
            "ORDER BY random() LIMIT 5000",
            clinic,
        )
        nurse, browser = bearer(port, "synth1.nurse"), login(port, "synth1.prescriber")
        rng = random.Random(20261203)  # noqa: S311  # which records to ask for
        json_headers = {**nurse, "Content-Type": "application/json"}
        # Vitals: each thread owns some of today's sessions and keeps their versions, so no
        # two requests for one session are ever under way at once (as at a real chair).
        writers = min(THREADS, len(today))
        owned = {
            t: [[str(sid), version] for sid, version in today[t::writers]] for t in range(writers)
        }

        def vitals(t: int, n: int) -> Request:
            mine = owned[t]
            session = mine[(n // writers) % len(mine)]
            body = {
                "version": session[1],
                "systolic_mmhg": rng.randint(110, 150),
                "diastolic_mmhg": rng.randint(65, 90),
                "heart_rate_bpm": 72,
                "spo2_pct": 98,
                "respiratory_rate_per_min": 14,
            }
            return (
                "POST",
                f"/api/v1/sessions/{session[0]}/vitals",
                json_headers,
                json.dumps(body).encode(),
            )

        def wrote(t: int, n: int, status: int, body: bytes) -> None:
            if status == 201:
                mine = owned[t]
                mine[(n // writers) % len(mine)][1] += 1

        kinds: dict[str, tuple[Callable[[int, int], Request], Any, int]] = {
            "vitals": (vitals, wrote, writers),
            "timeline": (
                lambda t, n: ("GET", f"/api/v1/sessions/{past[n % len(past)]}", nurse, None),
                None,
                THREADS,
            ),
            "search": (
                lambda t, n: (
                    "GET",
                    "/patients/?" + urlencode({"q": patients[n % len(patients)][1]}),
                    browser,
                    None,
                ),
                None,
                THREADS,
            ),
            "chart": (
                lambda t, n: ("GET", f"/patients/{patients[n % len(patients)][0]}/", browser, None),
                None,
                THREADS,
            ),
        }
        print(
            f"  vitals on {len(today)} sessions at the chair today, {writers} tablets", flush=True
        )
        results: dict[float, dict[str, Sample]] = {}
        for rate in rates:
            results[rate] = {}
            for kind, (make, after, threads) in kinds.items():
                run_schedule(port, rate, 3, make, after, threads)  # warm up: caches, connections
                meter.start()
                sample = run_schedule(port, rate, seconds, make, after, threads)
                sample.cpu_ms = meter.per_request(len(sample.latencies_ms))
                results[rate][kind] = sample
                time.sleep(2)  # let a queue left by an overloaded run drain
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--rates", default="80,200", help="requests per second, each in turn")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=1, help="gunicorn workers per server (one: see docs)"
    )
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rates = [float(r) for r in args.rates.split(",")]
    table: dict[int, dict[float, dict[str, Sample]]] = {}
    for size in sizes:
        url = build(args.server, size)
        table[size] = measure(url, rates, args.seconds, args.servers, args.workers)
        for rate, row in table[size].items():
            print(f"{size:,} patients, {rate:.0f} requests/s for {args.seconds:.0f} s each:")
            for kind, s in row.items():
                print(
                    f"  {kind:9} p50 {s.pct(50):8.1f} ms  p95 {s.pct(95):8.1f} ms  "
                    f"p99 {s.pct(99):8.1f} ms  served {s.rate:4.0f}/s  errors {s.errors or 0}",
                    flush=True,
                )
                cpu = ", ".join(f"{k} {v:.1f}" for k, v in sorted(s.cpu_ms.items()))
                print(f"            CPU ms per request: {cpu}", flush=True)
    base = sizes[0]
    for rate in rates:
        print(f"\n{rate:.0f} requests/s, p95 against {base:,} patients (same run):")
        for size in sizes[1:]:
            ratios = "  ".join(
                f"{k} {table[size][rate][k].pct(95) / table[base][rate][k].pct(95):.2f}x"
                for k in table[size][rate]
            )
            print(f"  {size:,}: {ratios}")
        worst = max(table[size][rate][k].pct(95) for size in sizes for k in table[size][rate])
        verdict = "met" if worst < 50 else "NOT met"
        print(f"  worst p95 {worst:.1f} ms: the 50 ms target is {verdict} at {rate:.0f}/s")


if __name__ == "__main__":
    main()
