"""When to try a failed delivery again, and when a server counts as unreachable. Pure policy."""

from __future__ import annotations

# Seconds after the n-th failure: the first retry comes within a minute, then it spreads out over
# about a week, like Mastodon's and Lemmy's schedules.
SCHEDULE = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 48 * 3600, 72 * 3600)
MAX_RETRY_AFTER = 24 * 3600
UNREACHABLE_AFTER = 3 * 24 * 3600  # as Lemmy: a server failing for three days is skipped
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 406, 410, 411, 413, 414, 415, 422, 501})


def is_permanent(status: int) -> bool:
    """A refusal that a retry will not change (unlike 408 timeouts, 429 throttling and 5xx)."""
    return status in PERMANENT_STATUSES


def retry_delay(failures: int, retry_after: float | None = None) -> float | None:
    """Seconds until the next try after `failures` failed tries, or None to give up.

    A server's Retry-After is honoured when it asks for longer than the schedule would wait.
    """
    if failures > len(SCHEDULE):
        return None
    delay = float(SCHEDULE[failures - 1])
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from now; accepts delta-seconds and HTTP dates."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is True too
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
