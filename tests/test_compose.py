"""docker-compose.yml, the Dockerfile and .env.example agree with the CLI and the settings.

Docker is not needed: these read the files and check every command and variable
against the real Typer app and the Settings model.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.core
import typer.main
import yaml

from reservations.cli import app
from reservations.settings import Settings
from workflows.search_attributes import SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("api", "worker", "migrate")
FIELDS = {name.upper() for name in Settings.model_fields}


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no {name} service"
    result = services[name]
    assert isinstance(result, dict)
    return result


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def assert_real_command(args: list[str]) -> None:
    """`reservations <command> [options]` parses against the Typer app."""
    assert args[0] == "reservations", args
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    assert args[1] in group.commands, f"unknown command {args[1]!r}"
    # parse the options exactly as the console script would, without running the command
    sub = group.commands[args[1]]
    with sub.make_context(args[1], list(args[2:])) as ctx:
        assert ctx.params is not None


def test_compose_parses_and_has_every_part() -> None:
    services = compose()["services"]
    expected = {"postgres", "redis", "temporal", "temporal-ui", *APP_SERVICES}
    assert expected <= set(services)
    assert service("postgres")["image"].startswith("postgres:16")
    assert service("redis")["image"].startswith("redis:7")
    assert service("temporal")["image"].startswith("temporalio/auto-setup:")
    assert service("temporal")["environment"]["DB"] == "postgres12"
    assert service("temporal-ui")["image"].startswith("temporalio/ui:")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_commands_are_real_cli_commands(name: str) -> None:
    args = argv(service(name)["command"])
    assert args[1] == name
    assert_real_command(args)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment_names_are_settings(name: str) -> None:
    env = service(name)["environment"]
    assert isinstance(env, dict), "use the mapping form so names can be checked"
    assert set(env) <= FIELDS, set(env) - FIELDS
    assert env["ENVIRONMENT"] == "production"
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["REDIS_URL"].startswith("redis://")
    assert {"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "JWT_SECRET"} <= set(
        env
    )


def test_app_services_wait_for_migrations() -> None:
    assert service("migrate")["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        condition = service(name)["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_search_attributes_are_created_for_temporal() -> None:
    job = service("temporal-search-attributes")
    assert job["image"].startswith("temporalio/admin-tools:")
    script = "\n".join(argv(job["command"]))
    assert "temporal operator search-attribute create" in script
    for name, kind in SEARCH_ATTRIBUTES.items():
        assert name in script
        assert kind == "Keyword"
    assert "--type Keyword" in script
    worker_deps = service("worker")["depends_on"]
    assert worker_deps["temporal-search-attributes"]["condition"] == (
        "service_completed_successfully"
    )


def test_dockerfile_cmd_is_a_real_command() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert re.search(r"^USER (?!root)\S+", text, re.MULTILINE), "the image must not run as root"
    cmd_lines = re.findall(r"^CMD (.+)$", text, re.MULTILINE)
    assert len(cmd_lines) == 1
    args = json.loads(cmd_lines[0])
    assert args[:2] == ["reservations", "api"]
    assert "0.0.0.0" in args
    assert_real_command(args)
    for names in re.findall(r"^ENV (.+?)(?=^\S)", text, re.MULTILINE | re.DOTALL):
        for name in re.findall(r"\b([A-Z][A-Z0-9_]*)=", names):
            if not name.startswith(("PYTHON", "PIP_", "PATH")):
                assert name in FIELDS, f"Dockerfile sets {name}, which is not a setting"


def env_example_lines() -> dict[str, str]:
    """NAME -> documented value; commented-out lines count (they document unset defaults)."""
    found: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} listed twice"
            found[match.group(1)] = match.group(2)
    return found


def test_env_example_lists_exactly_the_settings() -> None:
    listed = set(env_example_lines())
    assert listed == FIELDS, {"missing": FIELDS - listed, "unknown": listed - FIELDS}


def test_env_example_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # copying .env.example to .env must change nothing
    for name in FIELDS:
        monkeypatch.delenv(name, raising=False)
    from_example = Settings(_env_file=ROOT / ".env.example")
    defaults = Settings(_env_file=None)
    assert from_example == defaults


def test_every_env_example_entry_has_a_description() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^#?\s*[A-Z][A-Z0-9_]*=", line):
            above = lines[index - 1]
            assert above.startswith("# ") and len(above) > 10, f"no description for {line!r}"
