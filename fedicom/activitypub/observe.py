"""What the protocol layer reports as it works (deliveries tried, activities received and processed), for
whoever counts them: `create_app` wires in the Prometheus metrics (fedicom/metrics.py); by default nobody
listens. Plain callbacks, so this package knows nothing of how or whether they are counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _ignore(*_args: object) -> None:
    return None


@dataclass
class Observers:
    # a delivery's outcome (done, pending: to be retried, failed, cancelled, deferred: not tried, its
    # server is resting) and the seconds its attempt took (None when it was not attempted)
    delivered: Callable[[str, float | None], None] = _ignore
    # the HTTP status an inbox POST was answered with: 202 accepted, 4xx refused
    received: Callable[[int], None] = _ignore
    # a stored activity's type as sent, and how its processing ended (done, refused, pending, failed)
    processed: Callable[[object, str], None] = _ignore
