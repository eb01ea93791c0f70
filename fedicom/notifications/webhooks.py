"""Notification webhooks: a JSON POST signed with HMAC-SHA256, for chat tools and scripts.

The signature covers the timestamp and the raw body, `sha256=hex(HMAC(secret, "<timestamp>." + body))`,
in `X-Fedicom-Signature`, with the timestamp (Unix seconds) in `X-Fedicom-Timestamp`: a receiver that
checks both, and refuses timestamps older than five minutes, cannot be fed a replayed request.
docs/notifications.md shows how to verify it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import aiohttp

from fedicom.activitypub import backoff
from fedicom.activitypub.netguard import RefusedAddress, check_url
from fedicom.errors import FetchError
from fedicom.jobs.runner import FinalFailure, RetryLater
from fedicom.notifications.told import Told

SIGNATURE_HEADER = "X-Fedicom-Signature"
TIMESTAMP_HEADER = "X-Fedicom-Timestamp"
TOLERANCE = 300  # seconds a receiver should accept a timestamp either side of its clock
TIMEOUT = aiohttp.ClientTimeout(total=10, sock_connect=5)
RETRIED = frozenset({408, 429})  # 4xx answers that may pass; every other 4xx is final


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Fedicom-Signature` value of a request."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(secret: str, timestamp: str, body: bytes, signed: str, *, now: float) -> bool:
    """What a receiver checks: a fresh timestamp, and the signature over it and the raw body."""
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(now - int(timestamp)) > TOLERANCE:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signed)


def body_of(item: Told, *, instance: str) -> bytes:
    """The JSON posted for one notification."""
    event = {
        "event": item.kind.value,
        "id": item.id,
        "instance": instance,
        "community": item.community,
        "actor": item.actor,
        "actor_name": item.actor_name,
        "summary": item.sentence,
        "url": item.url,
        "excerpt": item.excerpt,
        "created": item.created.isoformat(),
    }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def outcome(status: int, retry_after: float | None) -> None:
    """Nothing for a 2xx; RetryLater for a timeout, throttling or server error; FinalFailure else."""
    if 200 <= status < 300:
        return
    reason = f"the webhook answered HTTP {status}"
    if status in RETRIED or status >= 500:
        raise RetryLater(reason, retry_after)
    raise FinalFailure(reason + ("" if status < 400 else ": a retry would not change that"))


async def post(
    session: aiohttp.ClientSession, url: str, secret: str, body: bytes, *, allow_private: bool
) -> None:
    """POST the signed body to `url` (public addresses only outside development mode)."""
    try:
        check_url(url, allow_private=allow_private)
    except FetchError as exc:
        raise FinalFailure(f"the webhook address is refused: {exc.reason}") from None
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: signature(secret, stamp, body),
    }
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        ) as resp:
            await resp.read()
            retry_after = backoff.parse_retry_after(resp.headers.get("Retry-After"), time.time())
            status = resp.status
    except aiohttp.ClientConnectorDNSError as exc:
        if isinstance(exc.os_error, RefusedAddress):
            raise FinalFailure(f"the webhook address is refused: {exc.os_error.strerror}") from None
        raise RetryLater(f"the webhook's host was not found: {exc}") from None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise RetryLater(f"the webhook could not be reached: {type(exc).__name__}: {exc}"[:500]) from None
    outcome(status, retry_after)
