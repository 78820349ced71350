"""Private servers and real processes that fault tests may kill, stop and restart.

The suite's PostgreSQL (5432) and Redis (6379) are shared by every xdist worker and must
never be stopped, so each fault gets its own: a PostgreSQL cluster in a temporary
directory, a redis-server on a free port, a Temporal dev server persisting to a file,
and the API and the worker as `reservations api` / `reservations worker` subprocesses.
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
from collections.abc import Callable
from glob import glob
from pathlib import Path

from reservations.settings import Settings
from tests.workflows.conftest import binary
from worker.dev import temporal_command

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0


def free_port() -> int:
    """A port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(what: str, check: Callable[[], bool], *, seconds: float = START_SECONDS) -> None:
    """Poll `check` until it holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.1)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything it started (its own session)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port, trust auth, socket in its directory.

    initdb refuses to run as root, so as root the cluster belongs to the postgres user.
    """

    def __init__(self) -> None:
        # not under pytest's tmp_path: that is 0700 and root's, which postgres cannot enter
        self.base = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self.bin = Path(sorted(glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.base)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}\n{result.stderr}")

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.base / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def crash(self) -> None:
        """Stop at once, as a power cut would (recovery runs at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


class PrivateRedis:
    """A redis-server on a free port, no persistence; stopped by SIGKILL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for("redis accepting connections", lambda: port_open(self.port))

    def kill(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process = None


class PrivateTemporal:
    """A Temporal dev server whose state lives in a SQLite file, so it survives a restart."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port, self.ui_port = free_port(), free_port()
        self.db_file = directory / "temporal.db"
        self.process: subprocess.Popen[bytes] | None = None
        self._log = directory / "temporal.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = temporal_command(
            Path(binary("temporal")),
            port=self.port,
            ui_port=self.ui_port,
            namespace="default",
            db_file=self.db_file,
        )
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--headless"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        wait_for("Temporal accepting connections", lambda: port_open(self.port))

    def kill(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process = None


class Service:
    """`reservations api` or `reservations worker` as a child process in its own session."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], directory: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.directory = directory
        self.log_path = directory / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reservations.cli", *self.args],
                cwd=self.directory,  # no ./.env of the checkout is read
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9: no shutdown, no goodbye to Temporal, connections dropped mid-request."""
        if self.process is not None:
            _kill_group(self.process)
            self.process = None


def service_env(**settings: object) -> dict[str, str]:
    """The environment of a child: ours without any setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    for name, value in settings.items():
        if value is not None:
            env[name.upper()] = str(value)
    return env
