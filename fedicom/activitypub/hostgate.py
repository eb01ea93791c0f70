"""Which deliveries may go to a server right now: fail fast on servers that hang or fail.

A server that stops answering would otherwise hold a request (and a connection) of every new
delivery until its timeout, while healthy servers wait. This gate, one per delivery process, sees
each request start and finish and answers, before a request starts, either "go" or "defer until
then, because…". Pure bookkeeping over the clock it is given; no I/O.

Rules (a circuit breaker per server, like Lemmy's per-instance workers pause a dead instance):
- a server whose oldest request has gone unanswered for `hang_after` seconds gets no new request
  until it answers: it is probably hanging, and each new request would only wait with it;
- a request that got no answer (timeout, refused or reset connection) opens the circuit: new
  deliveries wait until the retry schedule says, while one retry at a time probes the server;
- `error_threshold` 5xx answers in a row do the same; 429 opens it for the server's Retry-After;
- any answer that is not a server error closes it again.
A server that is busy rather than down is the adaptive limit's to slow down (pacing.py), not a
reason to stop: a timeout counts only when the server answered nothing since that request was sent,
and 5xx answers to requests that were in flight together count as one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fedicom.activitypub import backoff

MAX_PAUSE = 3600.0  # an open circuit is probed at least hourly (deliveries keep their own schedule)


@dataclass(frozen=True)
class Deferral:
    """Not now: try again at `until` (epoch seconds), for `reason` (shown to staff as the last error)."""

    until: float
    reason: str


@dataclass
class _Server:
    started: dict[int, float] = field(default_factory=dict)  # delivery id -> when its request started
    failures: int = 0  # consecutive failures (no answer, or 5xx)
    closed_until: float = 0.0  # set when the circuit opens: until then only retries probe, then anything
    reason: str = ""
    answered_at: float = float("-inf")  # the latest answer of any kind: the server is up
    failed_at: float = float("-inf")  # the latest 5xx that counted as a failure


class HostGate:
    """Per-server admission of deliveries in one process (see the module docstring)."""

    def __init__(self, *, hang_after: float = 2.0, error_threshold: int = 3) -> None:
        self.hang_after = hang_after
        self.error_threshold = error_threshold
        self._servers: dict[str, _Server] = {}

    def admit(self, host: str, *, retry: bool, now: float) -> Deferral | None:
        """None to send now; a Deferral when the delivery should wait (it is not tried, not failed).

        `retry` is True for a delivery that failed before: it may probe a server whose circuit is
        open, one request at a time, so a server that comes back is found by the retry schedule.
        """
        server = self._servers.get(host)
        if server is None:
            return None
        if server.closed_until:  # the circuit is open, or half-open once the pause is over
            if server.started:  # a probe is out: one request at a time until the server answers
                return Deferral(max(server.closed_until, now + self.hang_after), f"deferred: {server.reason}")
            if server.closed_until > now and not retry:
                return Deferral(server.closed_until, f"deferred: {server.reason}")
            return None
        oldest = min(server.started.values(), default=now)
        if now - oldest >= self.hang_after:
            waited = now - oldest
            return Deferral(
                now + self.hang_after, f"deferred: the server has not answered a request for {waited:.0f} s"
            )
        return None

    def oldest(self, host: str) -> float | None:
        """When the server's oldest unanswered request was sent, if one is out."""
        server = self._servers.get(host)
        return min(server.started.values(), default=None) if server else None

    def started(self, host: str, delivery_id: int, now: float) -> None:
        self._servers.setdefault(host, _Server()).started[delivery_id] = now

    def answered(
        self, host: str, delivery_id: int, status: int, now: float, retry_after: float | None
    ) -> None:
        """The server answered `status`: healthy unless it says it is failing or overloaded."""
        server, sent = self._finish(host, delivery_id)
        server.answered_at = now
        if status == 429 or status >= 500:
            if status != 429 and sent < server.failed_at:
                return  # in flight with the failure that counted: the same overload, counted once
            server.failures += 1
            server.failed_at = now
            if status == 429 and retry_after:
                self._open(
                    server, now, min(retry_after, MAX_PAUSE), f"the server asked to wait (HTTP {status})"
                )
            elif server.failures >= self.error_threshold:
                self._open(
                    server, now, self._pause(server.failures), f"the server keeps failing (HTTP {status})"
                )
            return
        server.failures, server.closed_until, server.reason = 0, 0.0, ""
        self._forget_if_idle(host, server)

    def unanswered(self, host: str, delivery_id: int, now: float, error: str) -> None:
        """The request got no answer (timeout, connection refused or reset): open the circuit, unless
        the server answered other requests meanwhile (it is busy, not down: fewer requests, pacing.py)."""
        server, sent = self._finish(host, delivery_id)
        if server.answered_at >= sent:
            self._forget_if_idle(host, server)
            return
        server.failures += 1
        self._open(server, now, self._pause(server.failures), f"the server did not answer ({error})")

    def released(self, host: str, delivery_id: int) -> None:
        """The request ended without telling anything about the server (refused by us, crashed)."""
        self._forget_if_idle(host, self._finish(host, delivery_id)[0])

    def _finish(self, host: str, delivery_id: int) -> tuple[_Server, float]:
        """The server's state, and when this request was sent."""
        server = self._servers.setdefault(host, _Server())
        return server, server.started.pop(delivery_id, float("inf"))

    def _open(self, server: _Server, now: float, pause: float, reason: str) -> None:
        server.closed_until = max(server.closed_until, now + pause)
        server.reason = reason[:300]

    def _pause(self, failures: int) -> float:
        delay = backoff.retry_delay(min(failures, len(backoff.SCHEDULE)))
        return min(delay if delay is not None else MAX_PAUSE, MAX_PAUSE)

    def _forget_if_idle(self, host: str, server: _Server) -> None:
        if not server.started and not server.failures:
            self._servers.pop(host, None)
