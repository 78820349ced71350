"""Pydantic v2 contracts at the edges (HTTP bodies, workflow inputs and results)."""
