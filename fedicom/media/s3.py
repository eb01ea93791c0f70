"""The store in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Garage, R2…), shared by every
process on every machine, through obstore: a maintained asyncio client (Rust's object_store) with no
thread pool and no botocore to install.

Every call has a timeout and a bounded number of retries, so a dead store fails a request in seconds
instead of holding a page or a worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import obstore
from obstore.store import S3Store

from fedicom.media.objects import StoredObject
from fedicom.settings import Settings

TIMEOUT = timedelta(seconds=30)
CONNECT_TIMEOUT = timedelta(seconds=5)
RETRIES = 2
_used = False


def used() -> bool:
    """Whether this process made an object-store client: obstore's Tokio threads then outlive every
    call, and may still be finishing one (releasing its Python objects) when the interpreter exits."""
    return _used


class S3Files:
    """Objects in one bucket, under the same names as LocalFiles uses on disk."""

    def __init__(self, settings: Settings) -> None:
        global _used
        _used = True
        self.bucket = settings.s3_bucket
        self.description = f"the bucket {settings.s3_bucket} at {settings.s3_endpoint}"
        self._public = settings.s3_public_url.rstrip("/")
        self._store = S3Store(
            settings.s3_bucket,
            endpoint=settings.s3_endpoint,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key,
            secret_access_key=settings.s3_secret_key,
            virtual_hosted_style_request=False,  # path style: what every S3-compatible server speaks
            client_options={
                "allow_http": urlsplit(settings.s3_endpoint).scheme == "http",
                "timeout": TIMEOUT,
                "connect_timeout": CONNECT_TIMEOUT,
            },
            retry_config={"max_retries": RETRIES, "retry_timeout": TIMEOUT},
        )

    async def put(self, name: str, data: bytes, content_type: str) -> None:
        await obstore.put_async(self._store, name, data, attributes={"Content-Type": content_type})

    async def get(self, name: str, *, touch: bool = False) -> bytes | None:
        """The object's bytes (pictures are at most a few MiB, read whole); `touch` cannot be honoured
        by an object store, so a cache in one evicts the oldest written rather than the least read."""
        try:
            found = await obstore.get_async(self._store, name)
            return bytes(await found.bytes_async())
        except FileNotFoundError:
            return None

    async def delete(self, name: str) -> None:
        await obstore.delete_async(self._store, name)  # S3 answers 204 for a missing key too

    async def listing(self, folder: str) -> list[StoredObject]:
        found: list[StoredObject] = []
        async for chunk in obstore.list(self._store, prefix=folder, chunk_size=1000):
            found.extend(_entry(meta) for meta in chunk)
        return found

    def public_url(self, name: str) -> str | None:
        return f"{self._public}/{name}" if self._public else None


def _entry(meta: Any) -> StoredObject:
    return StoredObject(meta["path"], int(meta["size"]), meta["last_modified"].timestamp())
