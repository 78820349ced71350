"""Data shapes: `orm` (SQLAlchemy tables), `schemas` (pydantic contracts), `enums`.

This package's `__init__` imports nothing so that workflow code can import the
pydantic contracts without pulling SQLAlchemy into the workflow sandbox.
"""
