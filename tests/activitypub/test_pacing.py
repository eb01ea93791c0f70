"""The adaptive per-server limit, as pure bookkeeping over a given clock."""

from __future__ import annotations

import asyncio

from fedicom.activitypub.pacing import AdaptiveLimit, HostSlots


def fill(limit: AdaptiveLimit) -> int:
    """Start as many requests as the limit allows; how many that was."""
    n = 0
    while limit.has_room():
        limit.started()
        n += 1
    return n


def round_trip(limit: AdaptiveLimit, now: float, took: float) -> int:
    """One round trip with work waiting: what is in flight succeeds after `took`, and each slot it
    frees is refilled at once (those requests belong to the next round). How many were in flight."""
    fill(limit)
    sent = limit.in_flight
    for _ in range(sent):
        limit.succeeded(now, now + took)
        fill(limit)
    return sent


def test_a_fast_server_doubles_each_round_trip_up_to_the_ceiling_and_no_further() -> None:
    limit = AdaptiveLimit(ceiling=100, initial=4)
    sent = [round_trip(limit, now=r, took=0.05) for r in range(8)]
    assert sent[:5] == [4, 8, 16, 32, 64]
    assert sent[5:] == [100, 100, 100] and limit.limit == 100


def test_a_timeout_or_5xx_halves_once_per_round_trip_and_growth_turns_additive() -> None:
    limit = AdaptiveLimit(ceiling=256, initial=64)
    assert fill(limit) == 64
    # a whole window of requests sent at t=0 fails at t=1: one cut, not 64
    for _ in range(64):
        limit.failed(started_at=0.0, now=1.0)
    assert limit.limit == 32 and not limit.slow_start
    # a request sent after the cut fails too: the overload goes on, cut again
    limit.started()
    limit.failed(started_at=1.5, now=2.0)
    assert limit.limit == 16
    # then a full round trip of successes adds about one
    round_trip(limit, now=3.0, took=0.05)
    assert 16.9 < limit.limit < 17.1


def test_the_limit_never_falls_below_one() -> None:
    limit = AdaptiveLimit(ceiling=8, initial=2)
    for t in range(10):
        limit.started()
        limit.failed(started_at=float(t), now=t + 0.5)
    assert limit.limit == 1 and limit.has_room()


def test_retry_after_holds_the_server_back_until_then() -> None:
    limit = AdaptiveLimit(ceiling=8, initial=8)
    limit.started()
    limit.failed(started_at=0.0, now=1.0, retry_after=30.0)
    assert limit.waits(30.9) and not limit.waits(31.0) and limit.limit == 4


def test_a_server_that_queues_our_requests_stops_growing() -> None:
    limit = AdaptiveLimit(ceiling=256, initial=8)
    round_trip(limit, now=0.0, took=0.1)  # unloaded: 0.1 s
    assert limit.limit == 16
    round_trip(limit, now=1.0, took=0.7)  # seven times slower: it is queueing
    assert limit.limit == 16
    round_trip(limit, now=2.0, took=0.3)  # a little slower (our own event loop may add that): grows
    assert limit.limit == 32


def test_no_growth_while_a_request_is_held_far_longer_than_answers_take() -> None:
    """A server that holds some requests (they will time out later) must not get more meanwhile."""
    limit = AdaptiveLimit(ceiling=256, initial=8)
    round_trip(limit, now=0.0, took=0.1)
    assert limit.limit == 16
    fill(limit)
    for _ in range(15):
        limit.succeeded(1.0, 1.1, oldest=0.2)  # one request out since 0.2: 0.9 s, answers take 0.1 s
        fill(limit)
    assert limit.limit == 16


def test_an_idle_limit_does_not_grow_on_a_trickle() -> None:
    limit = AdaptiveLimit(ceiling=256, initial=16)
    for t in range(100):
        limit.started()
        limit.succeeded(float(t), t + 0.01)
    assert limit.limit == 16


def test_answers_read_together_still_double_the_limit_while_requests_wait() -> None:
    """A round's answers are often read in one go, before the requests waiting for their slots start:
    in flight then falls to nothing, yet the limit was what held those requests back."""
    limit = AdaptiveLimit(ceiling=256, initial=4)
    for _ in range(3):
        fill(limit)
        limit.waiting = 10
        for _ in range(limit.in_flight):
            limit.succeeded(0.0, 0.1)
    assert limit.limit == 32
    limit.waiting = 0  # nobody waits: a round that never filled the limit proves nothing
    limit.started()
    limit.succeeded(0.0, 0.1)
    assert limit.limit == 32


def test_an_answer_that_is_not_the_servers_fault_changes_nothing() -> None:
    limit = AdaptiveLimit(ceiling=8, initial=4)
    limit.started()
    limit.released()
    assert limit.in_flight == 0 and limit.limit == 4


async def test_room_given_to_a_waiter_cancelled_before_it_ran_goes_to_the_next() -> None:
    slots = HostSlots(AdaptiveLimit(ceiling=1, initial=1))
    await slots.acquire()
    first = asyncio.create_task(slots.acquire())
    second = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0.01)
    slots.limit.succeeded(0.0, 0.01)
    slots.wake()  # the room goes to the first waiter…
    first.cancel()  # …which is cancelled (its delivery abandoned) before it runs
    await asyncio.wait_for(second, 1)
    assert first.cancelled() and slots.limit.in_flight == 1 and slots.limit.waiting == 0


async def test_waiters_get_the_room_a_finished_request_leaves() -> None:
    slots = HostSlots(AdaptiveLimit(ceiling=2, initial=2))
    await slots.acquire()
    await slots.acquire()
    third = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0.01)
    assert not third.done()
    assert slots.limit.waiting == 1  # counted while it waits: evidence the limit holds work back
    slots.limit.succeeded(0.0, 0.01)
    slots.wake()
    await asyncio.wait_for(third, 1)
    assert slots.limit.in_flight == 2 and slots.limit.waiting == 0
