"""Kept workflow histories: where they live, what they hold, and freezing them at a release.

`tests/workflows/histories/` and `tests/partners/histories/` hold the histories the
current code records (`RECORD_HISTORIES=1 pytest ...` refreshes them). At a release,
freeze them into `tests/workflows/histories/releases/<version>/` with a manifest:

    python -m tests.workflows.release_histories --release 0.2.0 [--record]

`--record` first re-records every kept scenario with the code being released. CI then
replays every release folder against every later commit (tests/workflows/test_replay.py),
so a deploy that cannot continue the previous release's running workflows fails first.
"""

from __future__ import annotations

import argparse
import ast
import base64
import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).parents[2]
HISTORIES = REPO / "tests" / "workflows" / "histories"
RELEASES = HISTORIES / "releases"
# the folders the recording tests write to (today's code)
CURRENT_DIRS = (HISTORIES, REPO / "tests" / "partners" / "histories")
MANIFEST = "manifest.json"
# the tests that write kept histories when RECORD_HISTORIES=1
RECORDING_TESTS = (
    "tests/workflows/test_reservation_workflow.py",
    "tests/workflows/test_waitlist_workflow.py",
    "tests/workflows/test_webhook_delivery.py",
    "tests/workflows/test_versioning_patch.py",
    "tests/crm/test_erasure.py",
    "tests/crm/test_marketing_sync.py",
    "tests/crm/test_retention.py",
    "tests/partners/test_partner_workflows.py",
)
PATCH_CALLS = ("patched", "deprecate_patch")
PATCH_MARKER = "core_patch"


def current_histories() -> list[Path]:
    """Histories recorded by today's code."""
    return sorted(p for folder in CURRENT_DIRS for p in folder.glob("*.json"))


def release_folders() -> list[Path]:
    """One folder per release, oldest first (by version number)."""
    folders = [p for p in RELEASES.glob("*") if p.is_dir()]
    return sorted(folders, key=lambda p: version_key(p.name))


def released_histories() -> list[Path]:
    """Every history frozen at some release."""
    return sorted(
        p for folder in release_folders() for p in folder.glob("*.json") if p.name != MANIFEST
    )


def workflow_type(path: Path) -> str:
    """The workflow type a history was recorded from (its first event says)."""
    first = json.loads(path.read_text())["events"][0]
    name: str = first["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]
    return name


def patch_markers(path: Path) -> set[str]:
    """Patch ids whose markers a history carries (`workflow.patched` writes one when taken)."""
    found: set[str] = set()
    for event in json.loads(path.read_text())["events"]:
        marker = event.get("markerRecordedEventAttributes")
        if not marker or marker.get("markerName") != PATCH_MARKER:
            continue
        for payloads in marker.get("details", {}).values():
            for payload in payloads.get("payloads", []):
                found.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return found


def patch_ids_in_code(folder: Path = REPO / "workflows") -> dict[str, str]:
    """Every `workflow.patched(...)`/`deprecate_patch(...)` id in the workflows -> where.

    Read from the source (not imported), resolving module-level string constants,
    so an id given by name is found as well as a literal.
    """
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in PATCH_CALLS
                and node.args
            ):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                patch = arg.value
            elif isinstance(arg, ast.Name) and arg.id in constants:
                patch = constants[arg.id]
            else:
                # an id the check cannot read would escape it: keep ids literal or constant
                raise ValueError(f"{path}:{node.lineno}: patch id must be a literal or constant")
            found[patch] = f"{path.relative_to(REPO)}:{node.lineno}"
    return found


def project_version() -> str:
    """The version in pyproject.toml (the release being made)."""
    data: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text())
    version: str = data["project"]["version"]
    return version


def version_key(name: str) -> tuple[int, ...]:
    """`0.10.0` sorts after `0.9.1`."""
    return tuple(int(part) if part.isdigit() else 0 for part in name.split("."))


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def freeze(release: str) -> Path:
    """Copy today's kept histories into the release's folder and write its manifest."""
    target = RELEASES / release
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    histories: dict[str, str] = {}
    for path in current_histories():
        shutil.copyfile(path, target / path.name)
        histories[path.stem] = workflow_type(path)
    manifest = {
        "release": release,
        "build_id": release,  # the WORKER_BUILD_ID this release's workers run as
        "commit": _commit(),
        "frozen_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "patches": sorted(patch_ids_in_code()),
        "histories": dict(sorted(histories.items())),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """`--release X [--record]`: freeze the kept histories as release X."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default=project_version(), help="default: pyproject")
    parser.add_argument("--record", action="store_true", help="re-record every kept scenario first")
    args = parser.parse_args(argv)
    if args.record:
        env = {**os.environ, "RECORD_HISTORIES": "1"}
        command = [sys.executable, "-m", "pytest", "-q", *RECORDING_TESTS]
        if subprocess.run(command, cwd=REPO, env=env, check=False).returncode != 0:
            print("recording failed: nothing frozen", file=sys.stderr)
            return 1
    target = freeze(args.release)
    count = len(list(target.glob("*.json"))) - 1  # less the manifest
    print(f"froze {count} histories as release {args.release} in {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
