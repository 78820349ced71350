"""Persistence services: typed functions that take the session explicitly (no HTTP here)."""
