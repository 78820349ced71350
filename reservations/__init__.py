"""Durable restaurant reservations: process-level plumbing (settings, database, cache, CLI)."""
