"""The workflows call activities through contracts: the worker's and the fakes' must match.

A contract whose implementation takes other arguments, answers another type or is
missing from the worker would only fail at run time, in a running reservation.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

import pytest
from temporalio import activity

from reservations.settings import Settings
from tests.workflows.fakes import FakeBook
from tests.workflows.waitlist_fakes import FakeWaitlist
from tests.workflows.webhook_fakes import FakeSubscriberBook
from worker import registry
from worker.deps import WorkerDeps
from workflows import (
    activity_contracts,
    privacy_contracts,
    waitlist_contracts,
    webhook_contracts,
)


def _name(fn: Callable[..., Any]) -> str:
    defn = activity._Definition.from_callable(fn)
    assert defn is not None and defn.name is not None
    return defn.name


def _shape(fn: Callable[..., Any]) -> tuple[list[tuple[str, Any]], Any]:
    """Parameter names and types and the return type, with annotations resolved."""
    hints = typing.get_type_hints(fn)
    params = [
        (name, hints.get(name)) for name in inspect.signature(fn).parameters if name != "self"
    ]
    return params, hints.get("return")


CONTRACTS = {
    _name(fn): fn
    for fn in [
        *activity_contracts.CONTRACTS,
        *waitlist_contracts.CONTRACTS,
        *webhook_contracts.CONTRACTS,
    ]
}


def _worker_activities() -> dict[str, Callable[..., Any]]:
    """The worker's activities, bound to an embedded database (nothing is connected)."""
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", jwt_secret="x" * 32)
    deps = WorkerDeps.from_settings(settings)
    return {_name(fn): fn for fn in registry.activity_functions(deps)}


def test_the_worker_implements_every_contract_with_its_shape() -> None:
    implemented = _worker_activities()
    assert set(CONTRACTS) <= set(implemented)
    for name, contract in CONTRACTS.items():
        assert _shape(implemented[name]) == _shape(contract), name


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_the_fakes_keep_the_contracts(name: str) -> None:
    activities = [
        *FakeBook().activities(),
        *FakeWaitlist().activities(),
        *FakeSubscriberBook().activities(),
    ]
    fakes = {_name(fn): fn for fn in activities}
    assert _shape(fakes[name]) == _shape(CONTRACTS[name])


def test_the_worker_implements_the_privacy_contracts() -> None:
    # the privacy workflows run on the real activities in their tests (no fakes)
    implemented = _worker_activities()
    for contract in privacy_contracts.CONTRACTS:
        name = _name(contract)
        assert name in implemented, name
        assert _shape(implemented[name]) == _shape(contract), name
