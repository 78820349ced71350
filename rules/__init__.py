"""Booking rules for the restaurant: pure functions, no I/O and no hidden clock.

Each module has one job: ``state_machine`` (reservation lifecycle), ``references``
(``RES-2026-000042``), ``opening_hours`` and ``slots`` (when guests may sit down),
``turn_time``, ``table_fit``, ``occupancy``, ``pacing``, ``availability`` (the engine)
and ``alternatives``.  Import from the modules directly.
"""
