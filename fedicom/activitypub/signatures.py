"""HTTP signatures as the fediverse uses them: draft-cavage (Mastodon, Lemmy) and RFC 9421.

Pure functions of their inputs (keys, headers, body, clock): no I/O, so every rule is tested directly.
"""

from __future__ import annotations

import base64
import calendar
import email.utils
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from time import time
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver
from http_message_signatures.algorithms import RSA_V1_5_SHA256

from fedicom.errors import ConfigError, SignatureError

AS2_CONTENT_TYPE = "application/activity+json"
RFC9421_ALGORITHM = "rsa-v1_5-sha256"
# Mastodon: expires defaults to created + 5 min and is capped at created + 12 h
# (app/controllers/concerns/signature_verification.rb).
DEFAULT_EXPIRY = 300
MAX_EXPIRY = 12 * 3600

_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_CAVAGE_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
_CAVAGE_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([0-9]+(?:\.[0-9]+)?))\s*(?:,|$)')
_MONTHS = {m: i for i, m in enumerate(("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split(), 1)}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTENT_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def load_private_key(pem: str, *, trusted: bool = False) -> RSAPrivateKey:
    """A local actor's signing key; anything but an RSA key is a configuration fault.

    `trusted`: a key of our own database (generated here, or checked when it was imported), whose
    mathematical checks (50 ms of CPU, at each process's first signature for each community) are
    skipped; a key from outside (an archive) is always checked."""
    try:
        key = serialization.load_pem_private_key(
            pem.encode(), password=None, unsafe_skip_rsa_key_validation=trusted
        )
    except ValueError as exc:
        raise ConfigError("The private key PEM cannot be parsed.") from exc
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError("The private key is not an RSA key; fediverse servers expect RSA.")
    return key


@lru_cache(maxsize=4096)
def load_public_key(pem: str) -> RSAPublicKey:
    """A remote actor's key; cached because parsing costs more than a verification."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise SignatureError("The actor's public key PEM cannot be parsed.") from exc
    if not isinstance(key, RSAPublicKey):
        raise SignatureError("The actor's public key is not an RSA key.")
    return key


def generate_key_pem() -> tuple[str, str]:
    """(private PKCS#8 PEM, public SubjectPublicKeyInfo PEM): RSA 2048, what Mastodon and Lemmy use."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode(), public_pem.decode()


def digest_header(body: bytes) -> str:
    """The draft-cavage `Digest` value Mastodon and Lemmy require on POST."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def content_digest_header(body: bytes) -> str:
    """The RFC 9530 `Content-Digest` value that RFC 9421 signatures cover."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


@dataclass(frozen=True)
class IncomingRequest:
    """What a signature check needs from a request; `url` is absolute, with the path as received."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    _lower: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One pass over items() keeps repeated fields (starlette, multidict) and any spelling of a dict key.
        lower: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            lower[key] = f"{lower[key]}, {value}" if key in lower else value
        object.__setattr__(self, "_lower", lower)

    def header(self, name: str) -> str | None:
        """The field's value whatever its case, repeated lines joined by ", "."""
        return self._lower.get(name.lower())


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def _request_target(method: str, url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{method.lower()} {path}?{parts.query}" if parts.query else f"{method.lower()} {path}"


def _b64decode(value: str | bytes, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise SignatureError(f"The {what} is not valid base64.") from exc


def _rsa_verify(key: RSAPublicKey, signature: bytes, data: bytes) -> None:
    try:
        key.verify(signature, data, _PKCS1, _SHA256)
    except InvalidSignature as exc:
        raise SignatureError("The signature does not verify with the actor's key.") from exc


def _check_freshness(created: float, expires: float | None, now: float | None, max_skew: int) -> None:
    """Mastodon's window: not created more than max_skew ahead, not expired more than max_skew ago."""
    current = time() if now is None else now
    limit = created + MAX_EXPIRY
    expires = min(created + DEFAULT_EXPIRY if expires is None else expires, limit)
    if created > current + max_skew:
        raise SignatureError("The signature is dated in the future; check the sender's clock.")
    if current > expires + max_skew:
        raise SignatureError("The signature has expired; its Date or created time is too old.")


def _parse_http_date(value: str) -> float:
    """Epoch seconds of an HTTP date; the IMF-fixdate fast path avoids the slow generic parser."""
    parts = value.split()
    if len(parts) == 6 and parts[5] == "GMT":
        try:
            hour, minute, second = parts[4].split(":")
            return calendar.timegm(
                (int(parts[3]), _MONTHS[parts[2]], int(parts[1]), int(hour), int(minute), int(second))
            )
        except (KeyError, ValueError):
            pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise SignatureError("The Date header cannot be parsed.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


# draft-cavage (Signature header)


def sign_request(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key: RSAPrivateKey,
    headers: Mapping[str, str] | None = None,
    now: float | None = None,
) -> dict[str, str]:
    """Every header to send, signed the way Mastodon signs (`rsa-sha256`, Host, Date, Digest)."""
    out = dict(headers or {})
    own = {"host", "date", "digest", "signature"}
    for name in [n for n in out if n.lower() in own]:
        del out[name]
    out["Host"] = _host_header(url)
    out["Date"] = email.utils.formatdate(time() if now is None else now, usegmt=True)
    covered = ["(request-target)", "host", "date"]
    if body is not None:
        out["Digest"] = digest_header(body)
        if not any(n.lower() == "content-type" for n in out):
            out["Content-Type"] = AS2_CONTENT_TYPE
        covered += ["digest", "content-type"]
    values = {n.lower(): v for n, v in out.items()}
    values["(request-target)"] = _request_target(method, url)
    signing_string = "\n".join(f"{name}: {values[name]}" for name in covered)
    signature = base64.b64encode(private_key.sign(signing_string.encode(), _PKCS1, _SHA256)).decode()
    out["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(covered)}",signature="{signature}"'
    )
    return out


def _parse_cavage(value: str) -> dict[str, str]:
    """Parameters of a draft-cavage Signature header, names lower-cased (`keyId` -> `keyid`)."""
    params: dict[str, str] = {}
    value = value.strip()
    pos, end = 0, len(value)
    while pos < end:
        match = _CAVAGE_PARAM.match(value, pos)
        if match is None or match.end() == pos:
            raise SignatureError("The Signature header is malformed.")
        name = match.group(1).lower()
        if name in params:
            raise SignatureError(f"The Signature header repeats the parameter {name}.")
        quoted = match.group(2)
        params[name] = quoted if quoted is not None else match.group(3)
        pos = match.end()
    return params


def _check_digest(value: str | None, body: bytes) -> None:
    """Like Lemmy, one matching SHA-256 part among several passes; other algorithms are skipped."""
    if not value:
        raise SignatureError("The Digest header is missing.")
    expected = hashlib.sha256(body).digest()
    seen = False
    for part in value.split(","):
        algorithm, sep, encoded = part.strip().partition("=")
        if not sep or algorithm.lower() != "sha-256":
            continue
        seen = True
        try:
            actual = base64.b64decode(encoded, validate=True)
        except ValueError:
            continue
        if hmac.compare_digest(actual, expected):
            return
    if seen:
        raise SignatureError("The Digest header does not match the body.")
    raise SignatureError("The Digest header has no SHA-256 digest.")


def _pseudo_time(params: dict[str, str], name: str) -> float:
    raw = params.get(name)
    if raw is None:
        raise SignatureError(f"The signature covers ({name}) but has no {name} parameter.")
    return float(raw)


def _verify_cavage(
    req: IncomingRequest, value: str, key: RSAPublicKey, now: float | None, max_skew: int
) -> None:
    params = _parse_cavage(value)
    if "keyid" not in params or "signature" not in params:
        raise SignatureError("The Signature header lacks keyId or signature.")
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in _CAVAGE_ALGORITHMS:
        raise SignatureError(
            f"The signature algorithm {algorithm} is not supported; use rsa-sha256 or hs2019."
        )
    covered = params.get("headers", "date").lower().split()
    method = req.method.upper()
    # Mastodon's coverage rules (signature_verification.rb).
    if "date" not in covered and "(created)" not in covered:
        raise SignatureError("The signature must cover date or (created).")
    if "(request-target)" not in covered and "digest" not in covered:
        raise SignatureError("The signature must cover (request-target) or digest.")
    if method == "GET" and "host" not in covered:
        raise SignatureError("A GET signature must cover host.")
    if (method == "POST" or req.body) and "digest" not in covered:
        raise SignatureError("A POST signature must cover digest.")

    if "(created)" in covered:
        created = _pseudo_time(params, "created")
    else:
        date = req.header("date")
        if date is None:
            raise SignatureError("The signed header date is missing from the request.")
        created = _parse_http_date(date)
    expires = _pseudo_time(params, "expires") if "(expires)" in covered else None
    _check_freshness(created, expires, now, max_skew)
    if "digest" in covered:
        _check_digest(req.header("digest"), req.body)

    lines = []
    for name in covered:
        if name == "(request-target)":
            line_value: str | None = _request_target(method, req.url)
        elif name in ("(created)", "(expires)"):
            line_value = params[name[1:-1]]
        else:
            line_value = req.header(name)
            if line_value is None:
                raise SignatureError(f"The signed header {name} is missing from the request.")
            line_value = line_value.strip()
        lines.append(f"{name}: {line_value}")
    _rsa_verify(key, _b64decode(params["signature"], "signature"), "\n".join(lines).encode())


# RFC 9421 (Signature-Input + Signature)


@dataclass
class _Message:
    """The request shape http-message-signatures signs; it writes the signature headers into `headers`."""

    method: str
    url: str
    headers: dict[str, str]


def _byte_sequences(value: str, what: str) -> dict[str, bytes]:
    """Members of a dictionary of bare byte sequences (`Signature`, `Content-Digest`).

    Parsed by hand because a generic structured-field parser costs as much as the RSA check itself.
    """
    members: dict[str, bytes] = {}
    for part in value.split(","):
        key, sep, raw = part.strip().partition("=")
        if not sep or len(raw) < 2 or raw[0] != ":" or raw[-1] != ":" or key in members:
            raise SignatureError(f"The {what} header is malformed.")
        members[key] = _b64decode(raw[1:-1], f"{what} value")
    return members


class _SignatureInput(NamedTuple):
    """The parts of a Signature-Input header that verification reads."""

    label: str
    components: list[tuple[Any, dict[str, Any]]]
    params: dict[str, Any]
    # The signed @signature-params value is the serialized inner list. Signers send it canonical, so the
    # received text after "label=" is that serialization; re-serializing would cost more than RSA itself.
    serialized: str


def _rfc9421_input(req: IncomingRequest) -> _SignatureInput:
    """The single RFC 9421 signature's label, covered components and parameters."""
    value = (req.header("signature-input") or "").strip()
    try:
        parsed: Any = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    except (ValueError, TypeError, UnicodeError) as exc:
        raise SignatureError("The Signature-Input header is malformed.") from exc
    if not isinstance(parsed, dict) or len(parsed) != 1:
        raise SignatureError("The request must carry exactly one RFC 9421 signature.")
    [(label, (components, params))] = parsed.items()
    if not isinstance(components, list):
        raise SignatureError("The Signature-Input member must be an inner list of components.")
    return _SignatureInput(label, components, params, value[len(label) + 1 :])


def _derived_component(name: str, method: str, url: str) -> str:
    """RFC 9421 section 2.2 derived components that fediverse signers use."""
    if name == "@method":
        return method
    if name == "@target-uri":
        return url.partition("#")[0]
    if name == "@authority":
        return _host_header(url)
    parts = urlsplit(url)
    if name == "@scheme":
        return parts.scheme.lower()
    if name == "@path":
        return parts.path or "/"
    if name == "@query":
        return f"?{parts.query}"
    if name == "@request-target":
        return f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"
    raise SignatureError(f"The covered component {name} is not supported.")


def _check_content_digest(value: str | None, body: bytes) -> None:
    """RFC 9530: every SHA-256 / SHA-512 member must match and at least one must be present."""
    if value is None:
        raise SignatureError("The Content-Digest header is missing.")
    checked = False
    for algorithm, digest in _byte_sequences(value, "Content-Digest").items():
        hasher = _CONTENT_DIGESTS.get(algorithm)
        if hasher is None:
            continue
        if not hmac.compare_digest(digest, hasher(body).digest()):
            raise SignatureError("The Content-Digest header does not match the body.")
        checked = True
    if not checked:
        raise SignatureError("The Content-Digest header has no sha-256 or sha-512 digest.")


def _verify_rfc9421(req: IncomingRequest, key: RSAPublicKey, now: float | None, max_skew: int) -> None:
    """Mastodon 4.5's rules: one signature, created, @method and @target-uri, a signed Content-Digest."""
    sig_input = _rfc9421_input(req)
    label, params = sig_input.label, sig_input.params
    if not isinstance(params.get("keyid"), str):
        raise SignatureError("The RFC 9421 signature has no keyid.")
    alg = params.get("alg", RFC9421_ALGORITHM)
    if alg != RFC9421_ALGORITHM:
        raise SignatureError(f"The signature algorithm {alg} is not supported; use {RFC9421_ALGORITHM}.")
    created, expires = params.get("created"), params.get("expires")
    if type(created) is not int:
        raise SignatureError("The RFC 9421 signature must carry an integer created parameter.")
    if expires is not None and type(expires) is not int:
        raise SignatureError("The RFC 9421 expires parameter must be an integer.")
    _check_freshness(created, expires, now, max_skew)
    covered = [name for name, _ in sig_input.components]
    if "@method" not in covered or "@target-uri" not in covered:
        raise SignatureError("The RFC 9421 signature must cover @method and @target-uri.")
    if req.body and "content-digest" not in covered:
        raise SignatureError("The RFC 9421 signature must cover content-digest.")
    if len(set(covered)) != len(covered):
        raise SignatureError("The RFC 9421 signature covers a component twice.")

    signatures = _byte_sequences(req.header("signature") or "", "Signature")
    if list(signatures) != [label]:
        raise SignatureError(f"The Signature header must hold exactly the signature {label}.")
    method = req.method.upper()
    lines = []
    for name, component_params in sig_input.components:
        if not isinstance(name, str) or component_params:
            raise SignatureError(f"The covered component {name} with parameters is not supported.")
        if name.startswith("@"):
            lines.append(f'"{name}": {_derived_component(name, method, req.url)}')
            continue
        field_value = req.header(name)
        if field_value is None:
            raise SignatureError(f"The signed header {name} is missing from the request.")
        if name == "content-digest":
            _check_content_digest(field_value, req.body)
        lines.append(f'"{name}": {field_value.strip()}')
    lines.append(f'"@signature-params": {sig_input.serialized}')
    _rsa_verify(key, signatures[label], "\n".join(lines).encode())


def sign_request_rfc9421(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key: RSAPrivateKey,
    now: float | None = None,
) -> dict[str, str]:
    """Every header to send with an RFC 9421 signature labelled sig1, shaped as Mastodon 4.5 checks it."""
    current = time() if now is None else now
    headers = {"Host": _host_header(url), "Date": email.utils.formatdate(current, usegmt=True)}
    covered: tuple[str, ...] = ("@method", "@target-uri")
    if body is not None:
        headers["Content-Type"] = AS2_CONTENT_TYPE
        covered += ("content-digest", "content-type")
    # Signing goes through http-message-signatures: an independent implementation, so tests that
    # verify its output also check our verifier against someone else's reading of RFC 9421.
    signer = HTTPMessageSigner(
        signature_algorithm=RSA_V1_5_SHA256,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
    )
    signer.sign(
        _Message(method.upper(), url, headers),
        key_id=key_id,
        created=datetime.fromtimestamp(current, UTC),
        label="sig1",
        covered_component_ids=covered,
        body=body,
    )
    return headers


# Both formats


def signature_key_id(req: IncomingRequest) -> str:
    """The keyId the sender names, so the caller can fetch that actor's key before verifying."""
    if req.header("signature-input") is not None:
        keyid = _rfc9421_input(req).params.get("keyid")
        if not isinstance(keyid, str) or not keyid:
            raise SignatureError("The RFC 9421 signature has no keyid.")
        return keyid
    value = req.header("signature")
    if not value:
        raise SignatureError("The request is not signed: no Signature header.")
    keyid = _parse_cavage(value).get("keyid")
    if not keyid:
        raise SignatureError("The Signature header has no keyId.")
    return keyid


def verify_request(
    req: IncomingRequest, public_key_pem: str, *, now: float | None = None, max_skew: int = 3600
) -> None:
    """Raise SignatureError unless the request is signed by this key, fresh, and its body intact."""
    key = load_public_key(public_key_pem)
    try:
        if req.header("signature-input") is not None:
            _verify_rfc9421(req, key, now, max_skew)
            return
        value = req.header("signature")
        if not value:
            raise SignatureError("The request is not signed: no Signature header.")
        _verify_cavage(req, value, key, now, max_skew)
    except (ValueError, TypeError, OverflowError) as exc:
        # Malformed numbers, URLs or encodings anywhere in the headers are the sender's fault.
        raise SignatureError(f"The signature headers are malformed: {exc}.") from exc
