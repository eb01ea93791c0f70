"""The one exception tree of fedicom: every error a user or a remote server sees is one of these.

Each carries an HTTP status and a one-sentence reason, so routes can answer `{"error": reason}`
without knowing which layer raised it.
"""

from __future__ import annotations


def shown(value: str, limit: int = 80) -> str:
    """A value from a request as quoted in a reason, cut short: it may be a hostile megabyte."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


class FedicomError(Exception):
    """Base of every error fedicom raises on purpose."""

    status: int = 400

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if status is not None:
            self.status = status


class ConfigError(FedicomError):
    """A setting is missing or invalid; raised at start, before anything is served."""


class BadRequest(FedicomError):
    """The request or payload is malformed or does not make sense."""

    status = 400


class MalformedUrl(BadRequest):
    """A URL or host from the network that fedicom cannot name, store or fetch (activitypub/urls.py)."""


class PayloadTooLarge(FedicomError):
    """A body or a fetched document exceeds its size limit."""

    status = 413


class SignatureError(FedicomError):
    """An HTTP signature is missing, malformed, stale, or does not verify."""

    status = 401


class Unauthorized(FedicomError):
    """No credentials, or credentials that are unknown, expired or revoked (an API token)."""

    status = 401


class Forbidden(FedicomError):
    """The request is authenticated but not allowed (wrong signer, blocked domain, …)."""

    status = 403


class NotFound(FedicomError):
    """The named thing does not exist here."""

    status = 404


class Unprocessable(FedicomError):
    """The request is well-formed but its values are not acceptable (the admin API's 422)."""

    status = 422


class FetchError(FedicomError):
    """A remote document could not be fetched or is not acceptable (timeout, size, address, type)."""

    status = 502


class Gone(FetchError):
    """The remote server says the document is gone (410) or was never there (404)."""

    status = 410
