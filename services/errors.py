"""Errors raised by services; the API maps them to problem+json."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a service raises on purpose."""

    def __init__(self, detail: str, *, field: str | None = None, reason: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.reason = reason  # a machine-readable code (e.g. ``in_the_past``), if any


class NotFoundError(ServiceError):
    """The thing does not exist (or the caller may not know it exists)."""


class ConflictError(ServiceError):
    """The request clashes with stored state (duplicate number, illegal transition...)."""


class InvalidError(ServiceError):
    """The request is well-formed but refers to things that do not fit together."""
