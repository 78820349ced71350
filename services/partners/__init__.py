"""Partner channels: API keys and their limits, Google's booking server, its feeds and updates."""
