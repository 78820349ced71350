"""Partner channels coming in: marketplaces (TheFork) and POS systems (Square, generic)."""
