"""Machine calibration: what RSA-2048 signing and key parsing cost here, for reading the scenario figures.

Every delivery is one RSA signature, so signatures/s in one process bounds fan-out; this also shows
whether extra threads help (they do not if the library holds the GIL while signing).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization

from fedicom.activitypub.signatures import generate_key_pem, load_private_key, sign_request

BODY = b"x" * 2000


@dataclass
class Calibration:
    sign_1_thread: float
    sign_2_threads: float
    threads_cpu: float
    sign_2_processes: float
    parse_validated_ms: float
    parse_unchecked_ms: float

    def lines(self) -> list[str]:
        return [
            "- RSA-2048 draft-cavage signing (`sign_request`, 2 kB body): "
            f"{self.sign_1_thread:,.0f}/s in one thread, "
            f"{self.sign_2_threads:,.0f}/s with two threads of one process (process CPU "
            f"{self.threads_cpu:.0f} %: near 200 % means RSA runs outside the GIL), "
            f"{self.sign_2_processes:,.0f}/s with two processes",
            f"- parsing a private key PEM (`load_private_key`): {self.parse_validated_ms:.1f} ms; with "
            f"`unsafe_skip_rsa_key_validation=True`: {self.parse_unchecked_ms:.3f} ms",
        ]


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _sign_many(pem: str, count: int) -> float:
    """Seconds to sign `count` requests (each to another host, as in a fan-out)."""
    key = load_private_key(pem)
    began = time.perf_counter()
    for i in range(count):
        sign_request(
            method="POST", url=f"http://127.0.0.1:{1024 + i}/inbox", body=BODY, key_id="k", private_key=key
        )
    return time.perf_counter() - began


def calibrate(count: int = 1000) -> Calibration:
    pem, _ = generate_key_pem()
    one = count / _sign_many(pem, count)

    threads = [threading.Thread(target=_sign_many, args=(pem, count // 2)) for _ in range(2)]
    began, cpu = time.perf_counter(), _cpu()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    two_threads, threads_cpu = count / wall, 100 * (_cpu() - cpu) / wall

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_sign_many, [pem, pem], [1, 1]))  # start both processes first
        began = time.perf_counter()
        list(pool.map(_sign_many, [pem, pem], [count // 2, count // 2]))
        two_processes = count / (time.perf_counter() - began)

    began = time.perf_counter()
    for _ in range(5):
        load_private_key(pem)
    validated = (time.perf_counter() - began) / 5 * 1000
    began = time.perf_counter()
    for _ in range(50):
        serialization.load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)
    unchecked = (time.perf_counter() - began) / 50 * 1000
    return Calibration(one, two_threads, threads_cpu, two_processes, validated, unchecked)
