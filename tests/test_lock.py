"""The lock files agree with pyproject.toml, and installs use them.

requirements/lock.txt (every dependency with the test and docs extras) is what
`make install` and CI install; requirements/runtime.txt (no extras) is what the
Docker image installs. Both are written by `make lock`. These tests fail when a
dependency is added to or tightened in pyproject.toml without refreshing them, and
when the environment running the tests is not the locked one.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
LOCK_EXTRAS = ("test", "docs")
PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$"
)


class Pin:
    """One `name==version [; marker]` line of a lock file."""

    def __init__(self, version: str, marker: str | None) -> None:
        self.version = Version(version)
        self.marker = marker
        self.hashed = False
        # what pulled it in, from uv's "# via" annotation
        self.via: set[str] = set()

    def applies_here(self) -> bool:
        """Whether pip installs this pin on the running interpreter."""
        return self.marker is None or Marker(self.marker).evaluate()


def read_lock(path: Path) -> dict[NormalizedName, list[Pin]]:
    """Name -> its pins (a universal lock may pin one name twice under different markers)."""
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make lock`"
    pins: dict[NormalizedName, list[Pin]] = {}
    current: Pin | None = None
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        if current is not None and stripped.startswith("--hash="):
            current.hashed = True
        elif current is not None and stripped.startswith("#"):
            via = stripped.lstrip("#").strip().removeprefix("via").strip()
            current.via |= {name.strip() for name in via.split(",") if name.strip()}
        elif line and not line.startswith("#"):
            match = PIN.match(line)
            assert match, f"{path.name}:{number} is not an exact pin: {line!r}"
            name, version, marker = match.groups()
            current = Pin(version, marker)
            pins.setdefault(canonicalize_name(name), []).append(current)
    assert pins, f"{path.name} pins nothing"
    return pins


def project() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert isinstance(data, dict)
    return data


def runtime_requirements() -> list[Requirement]:
    dependencies = project()["dependencies"]
    assert isinstance(dependencies, list)
    return [Requirement(str(line)) for line in dependencies]


def extra_requirements() -> list[Requirement]:
    extras = project()["optional-dependencies"]
    assert isinstance(extras, dict)
    return [Requirement(str(line)) for extra in LOCK_EXTRAS for line in extras[extra]]


def requested_extras(requirements: list[Requirement]) -> list[Requirement]:
    """What `sqlalchemy[asyncio]` and the like add, read from the installed metadata."""
    found: list[Requirement] = []
    for requirement in requirements:
        for extra in requirement.extras:
            for line in metadata.requires(requirement.name) or []:
                added = Requirement(line)
                environment = {key: str(value) for key, value in default_environment().items()}
                environment["extra"] = extra
                if added.marker is not None and added.marker.evaluate(environment):
                    added.marker = None
                    found.append(added)
    return found


def assert_locked(requirements: list[Requirement], pins: dict[NormalizedName, list[Pin]]) -> None:
    """Every requirement has a pin, and the pin satisfies the requirement's specifier."""
    problems: list[str] = []
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement} is not locked")
            continue
        for pin in pins[name]:
            if not requirement.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{requirement} but the lock has {name}=={pin.version}")
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


def test_lock_pins_every_dependency_and_extra() -> None:
    everything = runtime_requirements() + extra_requirements()
    assert_locked(everything + requested_extras(everything), read_lock(LOCK))


def test_runtime_lock_pins_the_runtime_dependencies_only() -> None:
    runtime = runtime_requirements()
    pins = read_lock(RUNTIME_LOCK)
    assert_locked(runtime + requested_extras(runtime), pins)
    # the image carries no test or docs tools, unless a runtime package needs one too
    pyproject = {"reservations (pyproject.toml)", "-c requirements/lock.txt"}
    for requirement in extra_requirements():
        for pin in pins.get(canonicalize_name(requirement.name), []):
            assert pin.via - pyproject, f"{requirement.name} is in runtime.txt only as a tool"


def test_runtime_lock_has_the_tested_versions() -> None:
    full = read_lock(LOCK)
    for name, pins in read_lock(RUNTIME_LOCK).items():
        assert name in full, f"{name} is in runtime.txt but not in lock.txt"
        tested = {pin.version for pin in full[name]}
        for pin in pins:
            assert pin.version in tested, f"image gets {name}=={pin.version}, tests ran {tested}"


@pytest.mark.parametrize("path", [LOCK, RUNTIME_LOCK], ids=lambda p: p.name)
def test_every_pin_has_hashes(path: Path) -> None:
    unhashed = [name for name, pins in read_lock(path).items() if not all(p.hashed for p in pins)]
    assert not unhashed, f"pins without --hash in {path.name}: {unhashed}"


def test_tests_run_on_the_locked_versions() -> None:
    """The environment running this suite is the lock, not whatever pip chose."""
    wrong: list[str] = []
    for name, pins in read_lock(LOCK).items():
        applicable = [pin for pin in pins if pin.applies_here()]
        if not applicable:
            continue
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} is locked but not installed")
            continue
        if installed not in {pin.version for pin in applicable}:
            wrong.append(f"{name} {installed} installed, lock has {applicable[0].version}")
    assert not wrong, "run `make install` (after `make lock`):\n" + "\n".join(wrong)


def test_installs_use_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    stamp = re.search(r"^\$\(STAMP\):(.*)$", makefile, re.MULTILINE)
    assert stamp and "$(LOCK)" in stamp.group(1), "the install stamp must depend on the lock"
    assert "LOCK := requirements/lock.txt" in makefile
    assert "install --quiet -r $(LOCK)" in makefile
    assert "--no-deps -e ." in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"pip install .*-r requirements/runtime\.txt", dockerfile)
    assert re.search(r"pip install .*--no-deps", dockerfile)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
