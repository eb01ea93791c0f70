"""Fetching remote ActivityPub documents, WebFinger records and media from servers that may be hostile.

Every hop is address-checked, sizes and time are bounded, and a document must come from its id's origin.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote, urljoin

import aiohttp
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from fedicom.activitypub.json_input import read_json
from fedicom.activitypub.netguard import RefusedAddress, check_url
from fedicom.activitypub.shared_transaction import outside_shared_transaction
from fedicom.activitypub.signatures import sign_request
from fedicom.activitypub.urls import parse_url, url_or_none
from fedicom.activitypub.vocab import origin_of, overlong_reference
from fedicom.errors import (
    BadRequest,
    FedicomError,
    FetchError,
    Forbidden,
    Gone,
    MalformedUrl,
    PayloadTooLarge,
)

AS2_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JRD_ACCEPT = "application/jrd+json, application/json"
MEDIA_ACCEPT = "image/avif, image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.1"
MAX_REDIRECTS = 3
_JSON_TYPES = frozenset(
    {"application/activity+json", "application/ld+json", "application/json", "application/jrd+json"}
)
_AS2_LINK_TYPES = frozenset({"application/activity+json", "application/ld+json"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


class Fetcher:
    """GETs JSON documents through the shared session; signed by the instance actor when one is given."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        allow_private: bool,
        signer: tuple[str, RSAPrivateKey] | None = None,
        max_bytes: int = 1_048_576,
        timeout: float = 10.0,
    ) -> None:
        self._session = session
        self._allow_private = allow_private
        self.signer = signer
        self._max_bytes = max_bytes
        self._timeout = timeout

    async def get_json(self, url: str, *, accept: str = AS2_ACCEPT) -> dict[str, Any]:
        """The JSON object at url; raises Gone (404/410), PayloadTooLarge or FetchError with the reason."""
        try:
            async with outside_shared_transaction(), asyncio.timeout(self._timeout):
                final_url, body = await self._fetch(url, accept)
        except TimeoutError as exc:
            raise FetchError(f"Fetching {url} timed out after {self._timeout:g} s.") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchError(f"Fetching {url} failed: {type(exc).__name__}: {exc}") from exc
        try:
            read = read_json(body, what=f"The document at {final_url}")
        except FedicomError as exc:
            raise FetchError(exc.reason + ".") from None
        document = read.value
        if not isinstance(document, dict):
            raise FetchError(f"The document at {final_url} is not a JSON object.")
        if key := overlong_reference(document, read.text):
            raise FetchError(f"The document at {final_url} names an id longer than any column holds ({key}).")
        ident = document.get("id")
        # A server may only speak for its own origin, or any server could forge any actor.
        if ident is not None and not _same_origin(ident, final_url):
            raise FetchError(f"The document at {final_url} claims the foreign id {str(ident)[:200]!r}.")
        return document

    async def get_media(self, url: str, *, max_bytes: int, seconds: float) -> bytes:
        """The bytes of an attachment, of any type (the caller judges them by their content): unsigned,
        refused past `max_bytes` while streaming, and given `seconds` in all, connecting included.
        Raises Gone (404/410), PayloadTooLarge or FetchError with the reason."""
        try:
            async with outside_shared_transaction(), asyncio.timeout(seconds):
                _, body = await self._fetch(url, MEDIA_ACCEPT, json=False, max_bytes=max_bytes)
        except TimeoutError as exc:
            raise FetchError(f"Fetching {url} timed out after {seconds:g} s.") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            if isinstance(exc.os_error, RefusedAddress):  # our own refusal, not the network's failure
                raise Forbidden(f"Fetching {url} was refused: {exc.os_error.strerror}.") from None
            raise FetchError(f"Fetching {url} failed: {type(exc).__name__}: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchError(f"Fetching {url} failed: {type(exc).__name__}: {exc}") from exc
        return body

    async def _fetch(
        self, url: str, accept: str, *, json: bool = True, max_bytes: int | None = None
    ) -> tuple[str, bytes]:
        """(final URL, body) after at most MAX_REDIRECTS redirects, each target checked (and signed
        anew, for JSON); `json` also requires a JSON content type."""
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, allow_private=self._allow_private)
            headers = self._headers(url, accept) if json else {"Accept": accept}
            async with self._session.get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in _REDIRECT_STATUSES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError(f"{url} answered HTTP {resp.status} without a Location.")
                    url = urljoin(url, location)
                    continue
                if resp.status in (404, 410):
                    raise Gone(f"{url} is gone (HTTP {resp.status}).")
                if not 200 <= resp.status < 300:
                    raise FetchError(f"{url} answered HTTP {resp.status}.")
                content_type = _media_type(resp.headers.get("Content-Type", ""))
                if json and content_type not in _JSON_TYPES:
                    raise FetchError(f"{url} answered {content_type or 'no content type'}, not JSON.")
                return url, await self._read(resp, url, max_bytes or self._max_bytes)
        raise FetchError(f"Fetching went through more than {MAX_REDIRECTS} redirects, ending at {url}.")

    def _headers(self, url: str, accept: str) -> dict[str, str]:
        # Mastodon in authorized-fetch mode and Lemmy with signed fetch refuse unsigned GETs.
        if self.signer is None:
            return {"Accept": accept}
        key_id, private_key = self.signer
        return sign_request(
            method="GET",
            url=url,
            body=None,
            key_id=key_id,
            private_key=private_key,
            headers={"Accept": accept},
        )

    async def _read(self, resp: aiohttp.ClientResponse, url: str, max_bytes: int) -> bytes:
        """The body, refused as soon as it passes max_bytes (decompressed bytes count)."""
        too_large = f"The document at {url} is larger than {max_bytes} bytes."
        if resp.content_length is not None and resp.content_length > max_bytes:
            raise PayloadTooLarge(too_large)
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(too_large)
            chunks.append(chunk)
        return b"".join(chunks)

    async def webfinger(self, handle: str) -> dict[str, Any]:
        """The JRD for `@user@host`, `user@host` or `acct:user@host`."""
        user, sep, host = handle.strip().removeprefix("acct:").removeprefix("@").partition("@")
        # Development instances run on plain http; production ones never accept it (check_url).
        scheme = "http" if self._allow_private else "https"
        try:
            server = parse_url(f"{scheme}://{host}/").origin if sep and not set("/?#") & set(host) else ""
        except MalformedUrl:
            server = ""
        if not server or not user or "/" in user:
            raise BadRequest(f"{handle!r} is not a handle of the form user@host.")
        resource = quote(f"acct:{user}@{host}", safe=":@")
        return await self.get_json(f"{server}/.well-known/webfinger?resource={resource}", accept=JRD_ACCEPT)


def _same_origin(ident: Any, url: str) -> bool:
    parsed = url_or_none(ident)
    return parsed is not None and parsed.origin == origin_of(url)


def actor_link(jrd: dict[str, Any]) -> str | None:
    """The ActivityPub actor URI a WebFinger record points to: its `self` link with an AS2 type."""
    links = jrd.get("links")
    if not isinstance(links, list):
        return None
    for link in links:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and _media_type(str(link.get("type", ""))) in _AS2_LINK_TYPES
            and isinstance(link.get("href"), str)
        ):
            href: str = link["href"]
            return href
    return None
