"""Partner channels: API keys and their limits, Google's booking server, feeds and updates;
marketplaces (TheFork) and POS systems (Square, generic) coming in."""
