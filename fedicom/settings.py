"""Settings read from the environment (and an optional `.env`), validated once at start.

Nothing here runs at import time: `load_settings()` is called by the CLI or by tests, and the
resulting object is passed explicitly to `create_app` and the services.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fedicom.errors import ConfigError

_DOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")


class Settings(BaseSettings):
    """Every setting fedicom reads; names are the environment variables with the FEDICOM_ prefix."""

    model_config = SettingsConfigDict(env_prefix="FEDICOM_", env_file=".env", extra="ignore")

    domain: str = Field("localhost:8000", description="Handle domain: communities are NAME@DOMAIN.")
    base_url: str = Field("", description="Public base URL; defaults to https://DOMAIN (http in dev).")
    data_dir: Path = Field(Path("data"), description="Where the SQLite file, secret key and uploads live.")
    database_url: str = Field("", description="Default: sqlite://DATA_DIR/fedicom.sqlite3.")
    secret_key: str = Field("", description="Signs cookies and tokens; generated in DATA_DIR if empty.")
    dev: bool = Field(False, description="Development mode: plain http and private addresses allowed.")
    instance_name: str = Field("fedicom", description="Name shown on pages and in NodeInfo.")
    instance_description: str = Field("", description="What this server is (markdown), on / and /about.")
    instance_rules: str = Field("", description="The server's rules (markdown), on /about.")
    contact: str = Field("", description="Whom to contact: an email address, a web address or a handle.")
    delivery: Literal["inline", "external"] = Field(
        "inline", description="inline: `serve` also delivers; external: only `fedicom worker` does."
    )
    delivery_concurrency: int = Field(256, ge=1, le=4096, description="Deliveries in flight at once.")
    delivery_per_host: int = Field(
        128,
        ge=1,
        le=1024,
        description="The most requests one server gets at once; how many it gets adapts to how it answers.",
    )
    delivery_timeout_seconds: float = Field(
        10.0, gt=0, le=300, description="How long one delivery may take before it counts as failed."
    )
    delivery_hang_seconds: float = Field(
        2.0,
        gt=0,
        le=300,
        description="A server that has not answered for this long gets no new delivery until it does.",
    )
    delivery_lease_seconds: float = Field(
        30.0, gt=0, description="How long a claimed job is held before another worker may retry it."
    )
    inbox_concurrency: int = Field(
        8, ge=1, le=256, description="Unrelated inbox activities processed at once."
    )
    backfill_posts: int = Field(10, ge=0, le=100, description="Recent posts sent to a new member.")
    backfill_replies: int = Field(
        20, ge=0, le=200, description="Replies of each of those threads sent too, the oldest first."
    )
    max_group_mentions: int = Field(3, ge=1, description="Posts mentioning more groups are not announced.")
    move_grace_days: int = Field(
        90, ge=0, le=3650, description="Days a moved community passes its new home's posts on."
    )
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest accepted inbox body.")
    rate_limit_actor: int = Field(0, ge=0, description="Posts one actor may make per hour (0: no limit).")
    rate_limit_server: int = Field(0, ge=0, description="Posts one server may send per hour (0: no limit).")
    max_links: int = Field(25, ge=0, description="Links a post may carry before a moderator must approve it.")
    demo_community: bool = Field(True, description="Create a demo community on first start if none exists.")
    modlog_hide_moderators: bool = Field(False, description="The public modlog names no moderators.")
    media_max_bytes: int = Field(
        10_485_760, ge=65_536, le=104_857_600, description="Largest remote picture the media proxy fetches."
    )
    media_fetch_seconds: float = Field(
        10.0, gt=0, le=120, description="How long the media proxy waits for one remote picture, in all."
    )
    media_cache_bytes: int = Field(
        1_073_741_824,
        ge=1_048_576,
        description="Space for proxied pictures (media-cache/ in the store); the least recently shown go.",
    )
    media_failure_seconds: float = Field(
        600.0, ge=0, le=86_400, description="How long a failed picture fetch is remembered before a retry."
    )
    media_store: Literal["local", "s3"] = Field(
        "local", description="Where uploads and the media cache live: DATA_DIR on disk, or an S3 bucket."
    )
    s3_endpoint: str = Field(
        "", description="The object store's URL, e.g. https://s3.eu-west-1.amazonaws.com."
    )
    s3_bucket: str = Field("", description="The bucket media go to (it must exist).")
    s3_region: str = Field("us-east-1", description="The bucket's region (most other stores take any).")
    s3_access_key: str = Field("", description="Access key id of an account that may read and write it.")
    s3_secret_key: str = Field("", description="Its secret access key.")
    s3_public_url: str = Field(
        "",
        description="Where browsers may read the bucket directly (empty: served by fedicom).",
    )
    federation_mode: Literal["open", "blocklist", "allowlist", "quarantine"] = Field(
        "blocklist", description="Which servers federate; see docs/defederation.md."
    )
    job_concurrency: int = Field(
        4,
        ge=1,
        le=64,
        description="Queued jobs (emails, webhooks) run at once, beside federation's own work.",
    )
    cleanup_batch: int = Field(
        200,
        ge=1,
        le=10_000,
        description="Rows a clean-up job (a ban's removeData, a suspension) handles per transaction.",
    )
    smtp_host: str = Field("", description="SMTP server for staff notification emails (empty: no email).")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port: 587 with starttls, 465 with tls.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls, tls (implicit, port 465) or none (a relay on this machine only)."
    )
    smtp_username: str = Field("", description="SMTP login (empty: send without logging in).")
    smtp_password: str = Field("", description="SMTP password.")
    smtp_from: str = Field("", description="Sender address of notification emails, e.g. fedicom@example.org.")
    metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Serve Prometheus metrics on this port (0: off); each further process takes the next "
        "free one (docs/metrics.md).",
    )
    metrics_host: str = Field(
        "127.0.0.1", description="Address the metrics port listens on; keep it private (loopback or a VPN)."
    )
    notify_digest_hour: int = Field(
        8, ge=0, le=23, description="Hour of the day (UTC) when daily notification digests are sent."
    )
    insights_keep_days: int = Field(
        400,
        ge=30,
        le=3650,
        description="Insights: days a member's daily records are kept (the community's daily totals stay).",
    )
    listen_keep_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Listening: days a matched public post is kept (the daily counts stay).",
    )
    stage_regular_days: int = Field(
        4, ge=1, le=30, description="Insights: days with activity in the last 30 that make a member regular."
    )
    stage_passionate_days: int = Field(
        12,
        ge=1,
        le=30,
        description="Insights: days with activity in the last 30 that make a member passionate.",
    )

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        value = value.strip().lower()
        if not _DOMAIN_RE.match(value):
            raise ValueError("must be a host name, optionally with :port (e.g. community.example)")
        return value

    @field_validator("instance_description", "instance_rules")
    @classmethod
    def _line_breaks(cls, value: str) -> str:
        return value.replace("\\n", "\n").strip()  # env files (systemd, Docker) hold no real line break

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not self.base_url:
            scheme = "http" if self.dev else "https"
            self.base_url = f"{scheme}://{self.domain}"
        self.base_url = self.base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise ValueError("FEDICOM_BASE_URL must be an origin like https://community.example")
        if parts.scheme == "http" and not self.dev:
            raise ValueError("FEDICOM_BASE_URL must use https outside development mode (FEDICOM_DEV=1)")
        if not self.database_url:
            self.database_url = f"sqlite://{self.data_dir / 'fedicom.sqlite3'}"
        if not self.database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError("FEDICOM_DATABASE_URL must start with sqlite:// or postgres://")
        if self.media_store == "s3":
            _check_s3(self)
        if self.smtp_host and "@" not in self.smtp_from:
            raise ValueError("FEDICOM_SMTP_FROM must be an email address when FEDICOM_SMTP_HOST is set")
        return self

    @property
    def web_host(self) -> str:
        """Host (and port) of the base URL: where actors and inboxes live."""
        return urlsplit(self.base_url).netloc

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")


def _check_s3(settings: Settings) -> None:
    for name in ("s3_endpoint", "s3_bucket", "s3_access_key", "s3_secret_key"):
        if not getattr(settings, name):
            raise ValueError(f"FEDICOM_{name.upper()} must be set when FEDICOM_MEDIA_STORE is s3")
    for name in ("s3_endpoint", "s3_public_url"):
        value = getattr(settings, name)
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"FEDICOM_{name.upper()} must be an http or https URL")


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; a problem becomes one ConfigError naming the setting."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "_".join(str(p) for p in err["loc"]).upper()
        setting = f"FEDICOM_{name}" if name else "settings"
        raise ConfigError(f"{setting}: {err['msg'].removeprefix('Value error, ')}") from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not settings.secret_key:
        settings.secret_key = _stored_secret(settings.data_dir / "secret_key")
    return settings


def _stored_secret(path: Path) -> str:
    """Generate the secret once and keep it in the data dir, readable by its owner only."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value
