"""Configuration from environment variables (see `.env.example`)."""

from __future__ import annotations

import ipaddress
import re
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from reservations.cache import DEFAULT_MAX_CONNECTIONS


class Environment(StrEnum):
    """Where the process runs; production refuses unsafe defaults."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


VAR_DIR = Path("var")
PROJECT_DIR = Path(__file__).resolve().parent.parent
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
FRAME_ANCESTOR = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")
DEFAULT_WORKER_METRICS_PORT = 9464


class WorkerRole(StrEnum):
    """The task queues a worker process polls (worker/roles.py)."""

    ALL = "all"  # the main queue and its -messages queue, in one process
    BOOKINGS = "bookings"  # the main queue: workflows and every activity but message sends
    MESSAGES = "messages"  # the -messages queue: message sends only


class Settings(BaseSettings):
    """Every setting the API, the worker and the dev runner read."""

    # an empty variable (NO_SHOW_GRACE_MINUTES=) means "not set"
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_parse_none_str=""
    )

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; unset = SQLite under ./var"
    )
    # connections each API or worker process keeps to PostgreSQL, and how many more it may
    # open in a burst (SQLite ignores both); size them so that processes x (pool + overflow)
    # stays under the server's max_connections
    database_pool_size: int = Field(default=10, ge=1, le=500)
    database_max_overflow: int = Field(default=20, ge=0, le=500)
    redis_url: str | None = Field(default=None, description="unset = in-process cache")
    # connections each process keeps to Redis; past them a command waits (0.5 s at most)
    redis_max_connections: int = Field(default=DEFAULT_MAX_CONNECTIONS, ge=1, le=10000)
    temporal_address: str | None = Field(default=None, description="unset = embedded dev server")
    temporal_namespace: str = "default"
    temporal_task_queue: str = "reservations"
    temporal_ui_port: int = 8233
    # Worker Versioning (worker/versioning.py): both set = this worker is one version of
    # a deployment and polls only for the workflows that version owns; unset = unversioned
    worker_deployment_name: str | None = Field(default=None, max_length=200)
    worker_build_id: str | None = Field(default=None, max_length=200)
    # what a new workflow does when a newer version becomes current: stay (pinned) or move
    worker_versioning_behavior: Literal["pinned", "auto_upgrade"] = "pinned"
    jwt_secret: str | None = None
    # a staff token lives at most 30 days: a leaked one must run out
    jwt_ttl_minutes: int = Field(default=12 * 60, gt=0, le=30 * 24 * 60)
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, gt=0, lt=65536)
    public_base_url: str = "http://127.0.0.1:8000"
    # Square's Orders API, read for the table and total of a check (POS webhooks)
    square_access_token: str | None = None
    square_api_url: str = "https://connect.squareup.com"
    hold_minutes: int = Field(default=15, gt=0)
    # the table optimizer: a staff-asked re-seating of a service, and make-room at booking
    optimiser_time_budget_ms: int = Field(default=2_000, ge=1, le=60_000)
    make_room_time_budget_ms: int = Field(default=100, ge=0, le=5_000)
    # refuse a surely full time before starting a workflow (the release rush)
    booking_precheck: bool = True
    reminder_hours_before: int = Field(default=24, gt=0)
    manual_confirmation_hours: int = Field(default=24, gt=0)
    no_show_grace_minutes: int | None = Field(default=None, gt=0)
    no_show_after_minutes: int = Field(default=15, ge=-24 * 60, le=24 * 60)
    review_request_delay_hours: int = Field(default=3, ge=0)
    # a seated party nobody completed is completed this long after its expected end
    seated_grace_minutes: int = Field(default=60, ge=0, le=24 * 60)
    # a confirmed booking nobody checked in or marked is closed this long after its start
    unresolved_after_hours: int = Field(default=6, gt=0, le=7 * 24)
    payment_provider: Literal["local", "adyen"] = "local"
    # Adyen (payment_provider=adyen): Customer Area > Developers > API credentials / Webhooks
    adyen_api_key: str | None = None
    adyen_merchant_account: str | None = None
    adyen_client_key: str | None = None
    adyen_hmac_key: str | None = Field(default=None, description="webhook HMAC key, hex")
    adyen_environment: Literal["test", "live"] = "test"
    adyen_live_url_prefix: str | None = None
    adyen_webhook_username: str | None = None
    adyen_webhook_password: str | None = None
    # the Adyen Web (Drop-in) release the guest's manage page loads from Adyen's CDN
    adyen_web_version: str = Field(default="6.9.0", pattern=r"^\d+\.\d+\.\d+$")
    adyen_checkout_url: str | None = Field(
        default=None, description="override of the Checkout API base (a local test server)"
    )
    # how long after a forfeit or a fee staff may still waive it (the workflow stays open)
    waiver_window_days: int = Field(default=30, ge=0)
    # how long after an unpaid hold ends a late payment is still caught and refunded
    late_payment_window_hours: int = Field(default=24, ge=1)
    sms_provider: Literal["outbox", "twilio"] = "outbox"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_from_number: str | None = None
    twilio_api_url: str | None = Field(
        default=None, description="override of https://api.twilio.com (a local test server)"
    )
    email_provider: Literal["outbox", "smtp"] = "outbox"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    email_from: str = "Reservations <reservations@localhost>"
    # outbound webhooks: private and loopback URLs are refused in production (SSRF)
    # unless this says otherwise; unset = allowed in development only
    webhook_allow_private_urls: bool | None = None
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    webhook_first_retry_seconds: int = Field(default=30, ge=1, le=3600)
    # a subscription is disabled after this many failed deliveries in a row, or after
    # failing without a success for this long
    webhook_disable_after_failures: int = Field(default=20, ge=1)
    webhook_disable_after_hours: int = Field(default=24, ge=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # one JSON object per log line; unset = JSON in production, key=value in development
    log_json: bool | None = None
    # the worker's Prometheus /metrics (ours and the Temporal SDK's); unset = 9464 on
    # 0.0.0.0 in production, off in development; 0 = any free port
    worker_metrics_port: int | None = Field(default=None, ge=0, lt=65536)
    worker_metrics_host: str | None = None
    # which task queues the worker polls: all (the main queue and its -messages queue, one
    # process), bookings (the main queue) or messages (message sends only)
    worker_role: WorkerRole = WorkerRole.ALL
    # workflows a worker keeps in memory between their tasks (the SDK's sticky cache);
    # about 0.3 MiB each, a workflow evicted is replayed from its history when it next runs
    worker_max_cached_workflows: int = Field(default=1_000, ge=0, le=100_000)
    # run workflow code in the SDK's sandbox (our modules passed through); off by default,
    # because passed through it checks none of our code and costs CPU (worker/sandbox.py)
    workflow_sandbox: bool = False
    # on SIGTERM, how long running activities may finish before they are cancelled (a
    # send cut off after the provider took it would be sent again by the retry)
    worker_graceful_shutdown_seconds: int = Field(default=20, ge=0, le=3_600)
    # on SIGTERM, how long the API lets requests in flight finish (one waiting on a
    # workflow whose worker is down would keep it up for good); a cut request is retried
    # by its caller and its update, already in Temporal, is applied once all the same
    api_graceful_shutdown_seconds: int = Field(default=30, ge=0, le=3_600)
    # OpenTelemetry traces by OTLP/HTTP (e.g. http://collector:4318/v1/traces); unset = off
    tracing_otlp_endpoint: str | None = None
    # share of traces kept (head sampling by trace id), 0.0 to 1.0
    tracing_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    # partner API keys: requests per key per window (counted in Redis; fail open without it)
    partner_rate_limit: int = Field(default=600, gt=0)
    partner_rate_window_seconds: int = Field(default=60, gt=0, le=3600)
    # Reserve with Google: HTTP Basic credentials Google's booking requests carry, as
    # "user:password" pairs separated by commas; two at once lets them rotate without downtime
    google_booking_credentials: str | None = Field(default=None, repr=False)
    google_partner_id: str = "0"
    google_service_id: str = "reservation"
    # Google's dining party-size limit (10 by default, up to 20 on request)
    google_max_party_size: int = Field(default=10, ge=1, le=20)
    google_feed_days: int = Field(default=30, ge=1, le=180)
    google_feeds_dir: Path = VAR_DIR / "google-feeds"
    google_feeds_every_minutes: int = Field(default=60, ge=5)
    # the worker keeps a Temporal Schedule that rewrites the feeds into GOOGLE_FEEDS_DIR
    google_feeds_schedule: bool = False
    # real-time updates: the Maps Booking API (or a local fake); unset = not sent
    google_notification_url: str | None = None
    google_notification_token: str | None = Field(default=None, repr=False)
    # the partner's service account key file (JSON, from Google Cloud): updates then carry
    # its OAuth access token (scope mapsbooking) instead of google_notification_token
    google_service_account_file: Path | None = None
    # MailerLite: the API token of the account consenting guests are synced to; unset = off
    mailerlite_api_token: str | None = Field(default=None, repr=False)
    mailerlite_base_url: str = "https://connect.mailerlite.com/api"
    # the secret MailerLite signs its webhook calls with (unsubscribes made at MailerLite
    # are read back from them); unset = the webhook answers 404
    mailerlite_webhook_secret: str | None = Field(default=None, repr=False)
    # GDPR: how long a guest's export or erasure link stays valid, and how many links one
    # email address may ask for per hour (counted in the cache; fail open without it)
    privacy_link_days: int = Field(default=7, ge=1, le=30)
    privacy_requests_per_hour: int = Field(default=3, ge=1, le=100)
    # how often the worker's PrivacyLinkSweep Schedule starts the sends of links left
    # queued because Temporal was unreachable at the request (0: no schedule)
    privacy_link_sweep_minutes: int = Field(default=5, ge=0, le=1440)
    # retention: guests with no activity for this long are anonymised; message bodies
    # older than the shorter period are deleted (a daily Temporal Schedule)
    retention_guest_months: int = Field(default=36, ge=1, le=240)
    retention_message_body_months: int = Field(default=12, ge=1, le=240)
    # requests turned away as full (no guest data) are kept for analytics' longest range
    retention_demand_months: int = Field(default=25, ge=1, le=240)
    retention_batch_size: int = Field(default=200, ge=1, le=5000)
    # true: the worker keeps the daily retention Schedule
    retention_schedule: bool = False

    # per-IP rate limits on the public routes, requests per client address per window
    # (counted in Redis when configured, else in the API process; fail open if Redis is down)
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=3600)
    rate_limit_bookings: int = Field(default=30, ge=1)
    rate_limit_lookups: int = Field(default=30, ge=1)
    rate_limit_waitlist: int = Field(default=30, ge=1)
    rate_limit_guest_actions: int = Field(default=60, ge=1)
    rate_limit_privacy: int = Field(default=10, ge=1)
    # reverse proxies whose X-Forwarded-For is believed, addresses or CIDR ranges separated
    # by commas; unset = the socket peer is the client
    trusted_proxies: str | None = None
    # client addresses never rate-limited (after TRUSTED_PROXIES is applied): by default
    # loopback, so the embedded default, local scripts and test harnesses are not limited;
    # behind a proxy on the same host list it in TRUSTED_PROXIES, or set this empty
    rate_limit_exempt: str | None = "127.0.0.0/8, ::1"
    # browser origins allowed to call the API cross-origin (the booking widget), commas
    cors_allowed_origins: str | None = None
    # sites allowed to frame the guest pages (CSP frame-ancestors), commas; unset = none
    guest_frame_ancestors: str | None = None
    # request bodies: larger ones get a 413; provider webhooks have their own bound
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_webhook_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # the built web front ends (web/dist: `make web`), served at /book/, /console/, /web/
    web_dist_dir: Path = PROJECT_DIR / "web" / "dist"
    # how long one attempt of database work, or of a provider call (keep it above the
    # providers' own timeouts), may run before Temporal gives it to another worker: a
    # worker killed mid-attempt never reports back. Frozen into each new booking.
    database_attempt_seconds: int = Field(default=30, ge=1, le=3600)
    provider_attempt_seconds: int = Field(default=60, ge=1, le=3600)
    # how long the Adyen SDK waits for one Checkout API answer
    adyen_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    # a staff console's live event stream ends after this long and the console
    # reconnects: its token is checked again, and a proxy may move it to another process
    live_stream_max_seconds: float = Field(default=900.0, gt=0, le=86400)

    def google_credentials(self) -> list[tuple[str, str]]:
        """The valid (user, password) pairs for Google's booking requests."""
        pairs: list[tuple[str, str]] = []
        for item in (self.google_booking_credentials or "").split(","):
            user, sep, password = item.strip().partition(":")
            if sep and user and password:
                pairs.append((user, password))
        return pairs

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {exc}") from None
        if url.drivername not in {"postgresql+asyncpg", "sqlite+aiosqlite"}:
            raise ValueError("use postgresql+asyncpg://... or sqlite+aiosqlite:///...")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:port/db")
        return value or None

    @field_validator("trusted_proxies", "rate_limit_exempt")
    @classmethod
    def _proxy_networks(cls, value: str | None) -> str | None:
        for item in _items(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR range") from None
        return value or None

    @field_validator("cors_allowed_origins")
    @classmethod
    def _cors_origins(cls, value: str | None) -> str | None:
        for item in _items(value):
            if not ORIGIN.fullmatch(item):
                raise ValueError(f"{item!r} is not an origin like https://www.example.com")
        return value or None

    @field_validator("guest_frame_ancestors")
    @classmethod
    def _frame_ancestors(cls, value: str | None) -> str | None:
        for item in _items(value):
            if item != "'self'" and not FRAME_ANCESTOR.fullmatch(item):
                raise ValueError(f"{item!r} is not an origin like https://*.example.com")
        return value or None

    @property
    def cors_origins(self) -> list[str]:
        """The origins the booking widget may call the API from."""
        return _items(self.cors_allowed_origins)

    @property
    def guest_frame_sources(self) -> str:
        """The CSP frame-ancestors source list of the guest pages."""
        return " ".join(_items(self.guest_frame_ancestors)) or "'none'"

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(VAR_DIR / 'reservations.db').resolve()}"

    @property
    def webhook_private_urls_allowed(self) -> bool:
        """Whether subscriptions may point at loopback or private addresses."""
        if self.webhook_allow_private_urls is not None:
            return self.webhook_allow_private_urls
        return self.environment is not Environment.PRODUCTION

    @property
    def logs_as_json(self) -> bool:
        """Whether log lines are JSON objects (LOG_JSON, else production)."""
        if self.log_json is not None:
            return self.log_json
        return self.environment is Environment.PRODUCTION

    @property
    def worker_metrics_address(self) -> tuple[str, int] | None:
        """(host, port) of the worker's /metrics, or None when it is off."""
        production = self.environment is Environment.PRODUCTION
        port = self.worker_metrics_port
        if port is None:
            if not production:
                return None
            port = DEFAULT_WORKER_METRICS_PORT
        host = self.worker_metrics_host or ("0.0.0.0" if production else "127.0.0.1")
        return host, port

    def effective_jwt_secret(self) -> str:
        """The JWT secret; in development one is generated once and kept under ./var."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.environment is Environment.PRODUCTION:
            raise ConfigurationError("JWT_SECRET", "must be set in production")
        path = VAR_DIR / "jwt_secret"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def _items(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class ConfigurationError(Exception):
    """A setting that stops start-up; its message is one line naming the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"configuration error: {variable}: {problem}")
        self.variable = variable


def load_settings() -> Settings:
    """Read settings, turning a validation failure into one line that names the variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        raise ConfigurationError(variable, first["msg"]) from None
    if settings.environment is Environment.PRODUCTION and len(settings.jwt_secret or "") < 32:
        raise ConfigurationError("JWT_SECRET", "must be set in production, 32 characters or more")
    _require_provider_settings(settings)
    return settings


def _require_provider_settings(settings: Settings) -> None:
    """A real provider without its credentials stops start-up, naming the missing variable."""
    needed: list[str] = []
    if settings.payment_provider == "adyen":
        needed += [
            "adyen_api_key",
            "adyen_merchant_account",
            "adyen_client_key",
            "adyen_hmac_key",
            "adyen_webhook_username",
            "adyen_webhook_password",
        ]
        if settings.adyen_environment == "live":
            needed.append("adyen_live_url_prefix")
    if settings.sms_provider == "twilio":
        needed += ["twilio_account_sid", "twilio_auth_token"]
        if not (settings.twilio_messaging_service_sid or settings.twilio_from_number):
            needed.append("twilio_messaging_service_sid")
    for name in needed:
        if not getattr(settings, name):
            raise ConfigurationError(name.upper(), "must be set for the configured provider")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings."""
    return load_settings()
