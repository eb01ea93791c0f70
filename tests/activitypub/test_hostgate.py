"""The per-server gate: servers that hang or fail get no new requests, and recover through probes."""

from __future__ import annotations

from fedicom.activitypub.hostgate import HostGate

HOST = "hung.example"


def test_a_server_with_an_unanswered_request_past_hang_after_gets_nothing_new() -> None:
    # Given a request to a server, unanswered for longer than hang_after
    gate = HostGate(hang_after=2.0)
    gate.started(HOST, 1, now=100.0)
    # Then new deliveries may go within hang_after, and are deferred after it
    assert gate.admit(HOST, retry=False, now=101.0) is None
    deferral = gate.admit(HOST, retry=False, now=102.5)
    assert deferral is not None and deferral.until == 104.5
    assert "has not answered a request for 2 s" in deferral.reason
    # and other servers are not concerned
    assert gate.admit("other.example", retry=False, now=102.5) is None


def test_no_answer_opens_the_circuit_and_one_retry_probes_it() -> None:
    # Given a request that timed out
    gate = HostGate(hang_after=2.0)
    gate.started(HOST, 1, now=100.0)
    gate.unanswered(HOST, 1, now=110.0, error="TimeoutError")
    # Then first tries wait for the retry schedule's first delay (30 s), with the reason
    deferral = gate.admit(HOST, retry=False, now=111.0)
    assert deferral is not None and deferral.until == 140.0
    assert deferral.reason == "deferred: the server did not answer (TimeoutError)"
    # but a due retry probes it, one at a time
    assert gate.admit(HOST, retry=True, now=111.0) is None
    gate.started(HOST, 2, now=111.0)
    assert gate.admit(HOST, retry=True, now=111.5) is not None
    # and an answer closes the circuit for everyone
    gate.answered(HOST, 2, 202, now=112.0, retry_after=None)
    assert gate.admit(HOST, retry=False, now=112.0) is None


def test_after_the_pause_anything_may_probe_but_only_one_at_a_time() -> None:
    gate = HostGate(hang_after=2.0)
    gate.started(HOST, 1, now=0.0)
    gate.unanswered(HOST, 1, now=10.0, error="ConnectionRefusedError")
    assert gate.admit(HOST, retry=False, now=41.0) is None
    gate.started(HOST, 2, now=41.0)
    assert gate.admit(HOST, retry=False, now=41.1) is not None
    # a second failure pauses longer (the schedule's second step, 2 minutes)
    gate.unanswered(HOST, 2, now=51.0, error="TimeoutError")
    deferral = gate.admit(HOST, retry=False, now=52.0)
    assert deferral is not None and deferral.until == 171.0


def test_server_errors_open_the_circuit_after_three_in_a_row() -> None:
    gate = HostGate(hang_after=2.0, error_threshold=3)
    for n in range(2):
        gate.started(HOST, n, now=float(n))
        gate.answered(HOST, n, 500, now=n + 0.5, retry_after=None)
        assert gate.admit(HOST, retry=False, now=n + 0.5) is None
    gate.started(HOST, 3, now=2.0)
    gate.answered(HOST, 3, 503, now=2.5, retry_after=None)
    deferral = gate.admit(HOST, retry=False, now=2.5)
    assert deferral is not None and "keeps failing (HTTP 503)" in deferral.reason


def test_errors_of_requests_in_flight_together_count_once_a_busy_server_is_not_paused() -> None:
    """An overloaded server's burst of 5xx, or timeouts while it answers others, is the adaptive
    limit's to handle (fewer requests), not a reason to stop sending."""
    gate = HostGate(hang_after=2.0, error_threshold=3)
    for n in range(10):
        gate.started(HOST, n, now=0.0)
    for n in range(8):
        gate.answered(HOST, n, 503, now=0.1, retry_after=None)
    assert gate.admit(HOST, retry=False, now=0.2) is None
    gate.unanswered(HOST, 8, now=1.0, error="TimeoutError: ")  # it answered others meanwhile
    assert gate.admit(HOST, retry=False, now=1.0) is None
    gate.started(HOST, 11, now=1.5)
    gate.unanswered(HOST, 11, now=2.5, error="TimeoutError: ")  # nothing answered since it was sent
    deferral = gate.admit(HOST, retry=False, now=2.5)
    assert deferral is not None and "did not answer" in deferral.reason


def test_429_pauses_for_retry_after_and_a_success_forgets_the_server() -> None:
    gate = HostGate(hang_after=2.0)
    gate.started(HOST, 1, now=0.0)
    gate.answered(HOST, 1, 429, now=1.0, retry_after=90.0)
    deferral = gate.admit(HOST, retry=False, now=2.0)
    assert deferral is not None and deferral.until == 91.0
    gate.started(HOST, 2, now=92.0)
    gate.answered(HOST, 2, 202, now=92.5, retry_after=None)
    assert gate.admit(HOST, retry=False, now=92.5) is None
    assert gate._servers == {}  # nothing kept for healthy servers


def test_a_refusal_of_ours_says_nothing_about_the_server() -> None:
    gate = HostGate(hang_after=2.0)
    gate.started(HOST, 1, now=0.0)
    gate.released(HOST, 1)
    assert gate.admit(HOST, retry=False, now=100.0) is None
