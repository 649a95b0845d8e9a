"""A production-shaped deployment on loopback, for the scale-out and fault tests: a private
PostgreSQL server (so it can be restarted without disturbing the suite's own database), a
private Redis, gunicorn app servers and nginx in front, each a real process of its own.

Every piece lives in one temporary folder and on free ports, and is stopped at the end. The
same pieces, configured the same way, are what docs/deploy.md describes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

SECRET = "scale-out-test-secret-" + "k" * 40  # shared by every app server, as in production
PASSWORD = "synthetic-staff-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_tools() -> list[str]:
    """What this machine lacks to run the deployment; empty when it can."""
    missing = [tool for tool in ("nginx", "redis-server") if not _which(tool)]
    if _pg_bin() is None:
        missing.append("PostgreSQL server binaries (initdb, pg_ctl)")
    if os.geteuid() == 0 and not _which("runuser"):
        missing.append("runuser (PostgreSQL refuses to run as root)")
    return missing


def _which(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def wait_until(check: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")


class Postgres:
    """A PostgreSQL server of our own: initdb'd in a temporary folder, on a free port."""

    def __init__(self, root: Path) -> None:
        bindir = _pg_bin()
        assert bindir is not None
        self.bin = bindir
        self.dir = root / "pg"
        self.port = free_port()
        self.dir.mkdir()
        if os.geteuid() == 0:  # the server refuses root: run it as the postgres user
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            *args,
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """As after a crash: every backend is killed at once and the server recovers from
        its write-ahead log."""
        self._ctl("-m", "immediate", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "fast", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


class Redis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                _which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._ping, "redis")

    def _ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class AppServer:
    """One gunicorn app server: a master and its workers in a process group of their own, so
    `kill()` takes them all at once, as a machine failure would."""

    name: str
    env: dict[str, str]
    log: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "ketamine_clinic.server.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "20",
                    "--name",
                    self.name,
                ],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait_until(self.healthy, f"app server {self.name}", timeout=60)

    def healthy(self) -> bool:
        return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200

    def stop(self) -> None:
        """A graceful stop (SIGTERM): requests in progress finish, new ones are refused."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None

    def kill(self) -> None:
        """kill -9, master and workers, wherever they are."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


class Proxy:
    """nginx in front of the app servers, round robin, as in docs/deploy.md."""

    def __init__(self, root: Path, servers: list[AppServer]) -> None:
        self.port = free_port()
        self.dir = root / f"nginx-{self.port}"  # a deployment may run several in turn
        self.dir.mkdir()
        self.dir.chmod(0o755)  # nginx's workers run as an unprivileged user under root
        upstream = "\n".join(
            f"    server 127.0.0.1:{s.port} max_fails=1 fail_timeout=2s;" for s in servers
        )
        temp = "\n".join(
            f"  {kind}_temp_path {self.dir}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.dir / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
{temp}
  upstream ketamine_clinic {{
{upstream}
  }}
  server {{
    listen 127.0.0.1:{self.port};
    client_max_body_size 16m;
    location / {{
      proxy_pass http://ketamine_clinic;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502;
    }}
  }}
}}
""")
        self.process = subprocess.Popen(
            [
                _which("nginx") or "nginx",
                "-p",
                str(self.dir),
                "-c",
                str(self.dir / "nginx.conf"),
                "-e",
                str(self.dir / "error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=2).ok, "nginx")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Deployment:
    """The database, Redis and a way to start app servers that share them. Without a
    database URL it runs a private PostgreSQL server (which a test may restart)."""

    def __init__(self, database_url: str | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kc-cluster-"))
        self.root.chmod(0o755)
        self.postgres: Postgres | None = None
        if database_url is None:
            self.postgres = Postgres(self.root)
            self.postgres.start()
            database_url = self.postgres.create_database("ketamine_clinic")
        self.database_url = database_url
        self.redis = Redis(self.root)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": self.database_url,
            "KC_REDIS_URL": self.redis.url,
            "KC_SECRET_KEY": SECRET,
            "KC_DATA_DIR": str(self.root / "data"),
            "KC_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KC_PROXY_COUNT": "1",
            "KC_LOG_LEVEL": "ERROR",
            # gunicorn's own way to take more options (a worker class, say) for a trial run
            **{k: v for k, v in os.environ.items() if k in ("GUNICORN_CMD_ARGS", "PYTHONPATH")},
        }
        self.servers: list[AppServer] = []
        self.proxies: list[Proxy] = []

    def manage(self, *args: str, timeout: float | None = 600) -> str:
        """`ketamine-clinic ARGS` against this deployment's database."""
        done = subprocess.run(
            [sys.executable, "-m", "ketamine_clinic", *args],
            env=self.env,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"ketamine-clinic {' '.join(args)}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def server(self, name: str, workers: int = 2) -> AppServer:
        server = AppServer(name, self.env, self.root / f"{name}.log", workers)
        self.servers.append(server)
        return server

    def proxy(self, servers: list[AppServer]) -> Proxy:
        proxy = Proxy(self.root, servers)
        self.proxies.append(proxy)
        return proxy

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def close(self) -> None:
        for proxy in self.proxies:
            proxy.stop()
        for server in self.servers:
            server.kill()
        self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def deployment(database_url: str | None = None) -> Iterator[Deployment]:
    built = Deployment(database_url)
    try:
        yield built
    finally:
        built.close()
