"""`reservations dev` as the browser tests' server: real processes on PostgreSQL and Redis.

One stack per test session (the web tests share an xdist group): a fresh PostgreSQL
database, the shared Redis (so two API connections hear each other's live events), the
embedded Temporal dev server on free ports, and the API serving the built front ends.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import JWT_SECRET, _pg_exec, pg_url

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
READY_SECONDS = 120.0
ADMIN_PASSWORD = "correct horse battery"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebStack:
    """The running system and an admin's API client."""

    base_url: str
    admin: httpx.Client
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def staff_token(self, role: str, restaurant_ids: list[str]) -> tuple[str, str, str]:
        """A new staff account of `role` at the restaurants: (email, password, bearer token)."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        made = self.admin.post(
            "/api/v1/reservations/staff",
            json={
                "email": email,
                "full_name": f"{role.title()} {email[:6]}",
                "password": ADMIN_PASSWORD,
                "role": role,
                "restaurant_ids": restaurant_ids,
            },
        )
        assert made.status_code == 201, made.text
        signed = self.admin.post(
            "/api/v1/reservations/auth/token", json={"email": email, "password": ADMIN_PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        return email, ADMIN_PASSWORD, str(signed.json()["access_token"])

    def make_restaurant(
        self,
        *,
        name: str | None = None,
        timezone: str | None = None,
        tables: list[tuple[str, int, int]] | None = None,
        **settings: Any,
    ) -> dict[str, Any]:
        """A restaurant open 10:00-23:00 every day (last seating 21:30) with `tables`
        (number, min, max). Its time zone defaults to one where it is now mid-afternoon,
        so "tonight" and "seat them now" work whatever hour the tests run at."""
        body = {
            "name": name or f"Bistro {uuid.uuid4().hex[:6]}",
            "timezone": timezone or afternoon_zone(),
            "currency": "EUR",
            "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90, **settings},
            "services": [
                {
                    "weekday": day,
                    "name": "all day",
                    "opens_at": "10:00",
                    "closes_at": "23:00",
                    "last_seating_at": "21:30",
                }
                for day in range(7)
            ],
        }
        created = self.admin.post("/api/v1/reservations/restaurants", json=body)
        assert created.status_code == 201, created.text
        restaurant: dict[str, Any] = created.json()
        for number, low, high in tables or [("1", 1, 2), ("2", 2, 4), ("3", 2, 4), ("4", 4, 6)]:
            table = self.admin.post(
                f"/api/v1/reservations/restaurants/{restaurant['id']}/tables",
                json={"number": number, "min_capacity": low, "max_capacity": high},
            )
            assert table.status_code == 201, table.text
        return restaurant


def afternoon_zone(now: datetime | None = None) -> str:
    """An IANA zone where the local time is now between 14:00 and 15:00."""
    hour = (now or datetime.now(UTC)).hour
    offset = (14 - hour) % 24
    if offset > 12:
        offset -= 24
    # Etc/GMT zones are named with the sign inverted: Etc/GMT-3 is three hours ahead of UTC
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _environment(database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        {
            "ENVIRONMENT": "development",
            "DATABASE_URL": database_url,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "JWT_SECRET": JWT_SECRET,
            "API_PORT": str(port),
            "PAYMENT_PROVIDER": "local",
            "LOG_LEVEL": "WARNING",
            "WEB_DIST_DIR": str(DIST),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
    )
    return env


def _admin_token(base_url: str, env: dict[str, str], cwd: Path) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reservations.cli",
            "create-admin",
            "--email",
            email,
            "--full-name",
            "Web Test Admin",
            "--password",
            ADMIN_PASSWORD,
        ],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
    )
    signed = httpx.post(
        base_url + "/api/v1/reservations/auth/token",
        json={"email": email, "password": ADMIN_PASSWORD},
    )
    assert signed.status_code == 200, signed.text
    return str(signed.json()["access_token"])


@contextmanager
def running_stack(workdir: Path) -> Iterator[WebStack]:
    """Start `reservations dev` on a fresh database; stop it and drop the database after."""
    if not (DIST / "book" / "index.html").is_file():
        raise RuntimeError("web/dist is missing: run `make web` (make pytest does) first")
    database = f"web_e2e_{uuid.uuid4().hex[:10]}"
    _in_thread(_pg_exec(f'CREATE DATABASE "{database}"'))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _environment(pg_url(database), port)
    log = workdir / "dev.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reservations.cli",
                "dev",
                "--no-demo",
                "--temporal-port",
                str(free_port()),
                "--ui-port",
                str(free_port()),
            ],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(base_url, process, log)
        token = _admin_token(base_url, env, workdir)
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as admin:
            yield WebStack(base_url=base_url, admin=admin, log=log)
    finally:
        _stop(process)
        _in_thread(_pg_exec(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def _in_thread(work: Coroutine[Any, Any, None]) -> None:
    # Playwright's sync API runs an event loop on the test's thread: run ours beside it
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reservations dev exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base_url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"reservations dev not ready in {READY_SECONDS:.0f} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
