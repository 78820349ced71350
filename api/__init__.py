"""The HTTP API (FastAPI): routers per resource, auth and problem+json errors."""
