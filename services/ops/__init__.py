"""Operator tools that read the whole database: invariant checks."""
