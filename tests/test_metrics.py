"""Prometheus metrics, scraped over HTTP from a running instance after real federation: deliveries to a
loopback server that answers and to one that is down, activities accepted and refused, jobs run; the
queue depths and failing servers read from the database at the scrape."""

from __future__ import annotations

from typing import Any

import aiohttp
from prometheus_client import generate_latest

from fedicom import metrics
from fedicom.doctor import Samples, read_samples
from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import RetryLater, RunningJob
from fedicom.web.appstate import app_state
from tests.support.peer import Peer
from tests.support.servers import free_port
from tests.support.steps import join, thread, until


async def scrape(port: int) -> tuple[str, Samples]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/metrics") as resp:
            assert resp.status == 200
            return resp.headers["Content-Type"], read_samples(await resp.text())


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_scrape_counts_deliveries_inbox_and_jobs_and_reads_the_queues(
    instance: Any, peer: Peer
) -> None:
    port = free_port()
    inst = await instance(metrics_port=port)
    news = (await inst.community("news")).name
    group = inst.site.uri(news)
    alice = peer.person("alice")
    down = Peer()  # a member's server that goes away
    await down.start("127.0.0.2")
    bob = down.person("bob")
    await join(peer, alice, group)
    await join(down, bob, group)
    await down.stop()

    async def ok(job: RunningJob) -> None:
        return None

    async def later(job: RunningJob) -> None:
        raise RetryLater("the other side is busy")

    app_state(inst.app).jobs.register({"test.ok": ok, "test.later": later})
    await enqueue("test.ok", {})
    await enqueue("test.later", {})
    app_state(inst.app).jobs.wake()
    await thread(peer, alice, group, "<p>Hello</p>")  # announced to alice's server, and to bob's: refused
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{group}/inbox", data=b"{not json") as resp:
            assert resp.status == 400

    async def settled() -> Samples | None:
        _, samples = await scrape(port)
        tried = value(samples, "fedicom_deliveries_total", outcome="retry") >= 1
        failing = value(samples, "fedicom_remote_servers", health="failing") == 1
        jobs = value(samples, "fedicom_jobs_finished_total", kind="test.later", outcome="retry") == 1
        jobs = jobs and value(samples, "fedicom_jobs_finished_total", kind="test.ok", outcome="done") == 1
        done = value(samples, "fedicom_deliveries_total", outcome="done")
        written = value(samples, "fedicom_queue_items", queue="deliveries", state="done") == done  # flushed
        return samples if tried and failing and jobs and written else None

    samples = await until(settled)
    content_type, _ = await scrape(port)
    assert content_type.startswith("text/plain; version=")  # the text exposition format

    done = value(samples, "fedicom_deliveries_total", outcome="done")
    assert done >= 3  # two Accepts and the Announces to alice's server
    assert value(samples, "fedicom_delivery_seconds_count", outcome="done") == done
    assert value(samples, "fedicom_delivery_seconds_sum", outcome="done") > 0
    assert value(samples, "fedicom_inbox_received_total", outcome="accepted", status="202") == 3
    assert value(samples, "fedicom_inbox_received_total", outcome="refused", status="400") == 1
    assert value(samples, "fedicom_inbox_processed_total", type="Follow", outcome="done") == 2
    assert value(samples, "fedicom_inbox_processed_total", type="Create", outcome="done") == 1
    assert value(samples, "fedicom_jobs_finished_total", kind="test.ok", outcome="done") == 1

    assert value(samples, "fedicom_queue_items", queue="deliveries", state="pending") >= 1  # bob's, retried
    assert value(samples, "fedicom_queue_items", queue="deliveries", state="done") == done
    assert value(samples, "fedicom_queue_items", queue="inbox", state="done") == 3
    # test.later's retry, and the hourly insights and listening jobs queued for the next hour
    assert value(samples, "fedicom_queue_items", queue="jobs", state="pending") == 3
    assert (
        value(samples, "fedicom_queue_items", queue="deliveries", state="failed") == 0
    )  # zero: still a series
    assert ("fedicom_queue_oldest_due_seconds", (("queue", "inbox"),)) in samples
    down_host = bob.inbox.split("/")[2]
    assert value(samples, "fedicom_remote_server_failing_seconds", host=down_host, health="failing") >= 0
    assert [dict(labels)["host"] for name, labels in samples if name.endswith("failing_seconds")] == [
        down_host
    ]
    assert value(samples, "fedicom_database_up") == 1
    assert value(samples, "fedicom_process", role="serve") == 1


async def test_processes_sharing_the_setting_take_the_next_free_ports() -> None:
    port = free_port()
    first, second = metrics.Metrics("serve"), metrics.Metrics("worker")
    served = [await metrics.serve(first, "127.0.0.1", port), await metrics.serve(second, "127.0.0.1", port)]
    try:
        assert [s[1] for s in served if s] == [port, port + 1]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port + 1}/nothing") as resp:
                assert resp.status == 404
    finally:
        for s in served:
            if s:
                await s[0].cleanup()


def test_activity_types_from_other_servers_are_bounded_labels() -> None:
    meters = metrics.Metrics("serve")
    for kind in ("Create", "Create", "x" * 300, ["Create"], None):
        meters.processed(kind, "pending")
    text = generate_latest(meters.registry).decode()
    samples = read_samples(text)
    assert value(samples, "fedicom_inbox_processed_total", type="Create", outcome="retry") == 2
    assert value(samples, "fedicom_inbox_processed_total", type="other", outcome="retry") == 3
