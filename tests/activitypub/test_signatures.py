"""HTTP signatures on the wire: what fedicom sends verifies; what Mastodon or Lemmy refuse is refused."""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import json
from collections.abc import Mapping

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from starlette.datastructures import Headers

from fedicom.activitypub.signatures import (
    IncomingRequest,
    content_digest_header,
    digest_header,
    generate_key_pem,
    load_private_key,
    load_public_key,
    sign_request,
    sign_request_rfc9421,
    signature_key_id,
    verify_request,
)
from fedicom.errors import ConfigError, SignatureError

NOW = 1_780_000_000.0
INBOX = "https://groups.example/inbox"
KEY_ID = "https://social.example/users/alice#main-key"
BODY = json.dumps(
    {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://social.example/users/alice/statuses/1/activity",
        "type": "Create",
        "actor": "https://social.example/users/alice",
        "object": {"id": "https://social.example/users/alice/statuses/1", "type": "Note", "content": "hi"},
    }
).encode()


@pytest.fixture(scope="module")
def keypair() -> tuple[RSAPrivateKey, str]:
    private_pem, public_pem = generate_key_pem()
    return load_private_key(private_pem), public_pem


@pytest.fixture(scope="module")
def other_public_pem() -> str:
    return generate_key_pem()[1]


def _req(method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> IncomingRequest:
    return IncomingRequest(method=method, url=url, headers=headers, body=body)


def _signed_post(key: RSAPrivateKey, body: bytes = BODY, now: float = NOW) -> dict[str, str]:
    return sign_request(method="POST", url=INBOX, body=body, key_id=KEY_ID, private_key=key, now=now)


def _rsa_b64(key: RSAPrivateKey, data: str) -> str:
    return base64.b64encode(key.sign(data.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _cavage(
    key: RSAPrivateKey,
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    covered: str,
    algorithm: str | None = "rsa-sha256",
    pseudo: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """A Signature header built by hand, to test header lists and parameters sign_request never emits."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    values = {k.lower(): v for k, v in headers.items()}
    values["(request-target)"] = f"{method.lower()} /{path}"
    for name, value in (pseudo or {}).items():
        values[f"({name})"] = str(value)
    signing_string = "\n".join(f"{name}: {values[name]}" for name in covered.split())
    params = [f'keyId="{KEY_ID}"']
    if algorithm is not None:
        params.append(f'algorithm="{algorithm}"')
    params += [f"{name}={value}" for name, value in (pseudo or {}).items()]
    params += [f'headers="{covered}"', f'signature="{_rsa_b64(key, signing_string)}"']
    return {**headers, "Signature": ",".join(params)}


def _post_headers(body: bytes = BODY, now: float = NOW) -> dict[str, str]:
    return {
        "Host": "groups.example",
        "Date": email.utils.formatdate(now, usegmt=True),
        "Digest": digest_header(body),
        "Content-Type": "application/activity+json",
    }


def _rfc9421(
    key: RSAPrivateKey,
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    components: list[str],
    params: str,
    label: str = "sig1",
) -> dict[str, str]:
    """RFC 9421 headers built by hand from the signature base, to test inputs the library would refuse."""
    derived = {"@method": method, "@target-uri": url}
    values = {k.lower(): v for k, v in headers.items()}
    inner = "(" + " ".join(f'"{c}"' for c in components) + ")" + params
    lines = [f'"{c}": {derived[c] if c in derived else values[c]}' for c in components]
    lines.append(f'"@signature-params": {inner}')
    signature = _rsa_b64(key, "\n".join(lines))
    return {**headers, "Signature-Input": f"{label}={inner}", "Signature": f"{label}=:{signature}:"}


# Key handling


def test_generated_keys_are_rsa_2048_pems() -> None:
    private_pem, public_pem = generate_key_pem()
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert load_private_key(private_pem).key_size == 2048
    assert load_public_key(public_pem).key_size == 2048


def test_a_key_from_outside_is_checked_and_one_of_our_own_is_not(keypair: tuple[RSAPrivateKey, str]) -> None:
    # Given a key whose numbers do not agree (a CRT exponent is off): what an archive could carry
    numbers = keypair[0].private_numbers()
    broken = rsa.RSAPrivateNumbers(
        numbers.p, numbers.q, numbers.d, numbers.dmp1 + 2, numbers.dmq1, numbers.iqmp, numbers.public_numbers
    ).private_key(unsafe_skip_rsa_key_validation=True)
    pem = broken.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    # Then it is refused from outside; from our own database it is loaded unchecked (the check costs
    # 50 ms at each process's first signature for each community)
    with pytest.raises(ConfigError):
        load_private_key(pem)
    assert load_private_key(pem, trusted=True).key_size == 2048


def test_public_key_is_parsed_once_per_pem(keypair: tuple[RSAPrivateKey, str]) -> None:
    assert load_public_key(keypair[1]) is load_public_key(keypair[1])


def test_non_rsa_public_key_is_a_signature_error() -> None:
    pem = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(SignatureError):
        load_public_key(pem)


def test_unparsable_public_key_is_a_signature_error() -> None:
    with pytest.raises(SignatureError):
        load_public_key("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


def test_digest_headers_have_the_draft_and_rfc_9530_shapes() -> None:
    b64 = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    assert digest_header(b"x") == f"SHA-256={b64}"
    assert content_digest_header(b"x") == f"sha-256=:{b64}:"


# draft-cavage: what fedicom sends


def test_signed_post_carries_the_mastodon_header_set(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = sign_request(
        method="POST",
        url="https://groups.example:8443/inbox?x=1",
        body=BODY,
        key_id=KEY_ID,
        private_key=keypair[0],
        headers={"User-Agent": "fedicom"},
        now=NOW,
    )
    assert headers["Host"] == "groups.example:8443"
    assert headers["Date"] == email.utils.formatdate(NOW, usegmt=True)
    assert headers["Digest"] == digest_header(BODY)
    assert headers["Content-Type"] == "application/activity+json"
    assert headers["User-Agent"] == "fedicom"
    assert headers["Signature"].startswith(
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",'
        'signature="'
    )


def test_signed_get_covers_request_target_host_and_date_only(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = sign_request(
        method="GET", url="https://groups.example/u/x", body=None, key_id=KEY_ID, private_key=keypair[0]
    )
    assert 'headers="(request-target) host date"' in headers["Signature"]
    assert "Digest" not in headers
    assert "Content-Type" not in headers
    assert headers["Host"] == "groups.example"


def test_given_content_type_is_kept(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = sign_request(
        method="POST",
        url=INBOX,
        body=BODY,
        key_id=KEY_ID,
        private_key=keypair[0],
        headers={"content-type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'},
        now=NOW,
    )
    assert "Content-Type" not in headers
    verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


# draft-cavage: round trips and refusals


def test_signed_post_verifies(keypair: tuple[RSAPrivateKey, str]) -> None:
    verify_request(_req("POST", INBOX, _signed_post(keypair[0]), BODY), keypair[1], now=NOW)


def test_signed_get_with_query_verifies(keypair: tuple[RSAPrivateKey, str]) -> None:
    url = "https://groups.example/c/cats/outbox?page=2"
    headers = sign_request(method="GET", url=url, body=None, key_id=KEY_ID, private_key=keypair[0], now=NOW)
    verify_request(_req("GET", url, headers), keypair[1], now=NOW)


def test_headers_are_read_whatever_their_case(keypair: tuple[RSAPrivateKey, str]) -> None:
    lower = {k.lower(): v for k, v in _signed_post(keypair[0]).items()}
    verify_request(_req("POST", INBOX, lower, BODY), keypair[1], now=NOW)
    starlette = Headers(headers=lower)
    verify_request(_req("POST", INBOX, starlette, BODY), keypair[1], now=NOW)


def test_tampered_body_fails_on_digest(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _signed_post(keypair[0])
    with pytest.raises(SignatureError, match="Digest"):
        verify_request(_req("POST", INBOX, headers, BODY.replace(b"hi", b"ho")), keypair[1], now=NOW)


def test_tampered_body_with_matching_unsigned_digest_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    forged = BODY.replace(b"hi", b"ho")
    headers = {**_signed_post(keypair[0]), "Digest": digest_header(forged)}
    with pytest.raises(SignatureError, match="does not verify"):
        verify_request(_req("POST", INBOX, headers, forged), keypair[1], now=NOW)


@pytest.mark.parametrize(
    ("name", "value"),
    [("Host", "evil.example"), ("Content-Type", "text/plain"), ("Date", "Thu, 01 Jan 2026 00:00:00 GMT")],
)
def test_changed_signed_header_fails(keypair: tuple[RSAPrivateKey, str], name: str, value: str) -> None:
    headers = {**_signed_post(keypair[0]), name: value}
    with pytest.raises(SignatureError):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_other_path_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    with pytest.raises(SignatureError, match="does not verify"):
        verify_request(_req("POST", INBOX + "2", _signed_post(keypair[0]), BODY), keypair[1], now=NOW)


def test_wrong_key_fails(keypair: tuple[RSAPrivateKey, str], other_public_pem: str) -> None:
    with pytest.raises(SignatureError, match="does not verify"):
        verify_request(_req("POST", INBOX, _signed_post(keypair[0]), BODY), other_public_pem, now=NOW)


@pytest.mark.parametrize(("age", "fresh"), [(50 * 60, True), (2 * 3600, False), (-2 * 3600, False)])
def test_date_window_is_mastodons(keypair: tuple[RSAPrivateKey, str], age: int, fresh: bool) -> None:
    """50 minutes old passes; 2 hours old or 2 hours ahead is refused."""
    req = _req("POST", INBOX, _signed_post(keypair[0], now=NOW - age), BODY)
    if fresh:
        verify_request(req, keypair[1], now=NOW)
    else:
        with pytest.raises(SignatureError, match=r"future|expired"):
            verify_request(req, keypair[1], now=NOW)


def test_unparsable_date_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={**_post_headers(), "Date": "yesterday-ish"},
        covered="(request-target) host date digest",
    )
    with pytest.raises(SignatureError, match="Date"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_missing_digest_on_post_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _signed_post(keypair[0])
    del headers["Digest"]
    with pytest.raises(SignatureError, match="Digest header is missing"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_post_not_signing_digest_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _cavage(
        keypair[0], method="POST", url=INBOX, headers=_post_headers(), covered="(request-target) host date"
    )
    with pytest.raises(SignatureError, match="must cover digest"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_get_not_signing_host_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = {"Host": "groups.example", "Date": email.utils.formatdate(NOW, usegmt=True)}
    signed = _cavage(keypair[0], method="GET", url=INBOX, headers=headers, covered="(request-target) date")
    with pytest.raises(SignatureError, match="must cover host"):
        verify_request(_req("GET", INBOX, signed), keypair[1], now=NOW)


def test_signature_without_date_or_created_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _cavage(
        keypair[0], method="POST", url=INBOX, headers=_post_headers(), covered="(request-target) host digest"
    )
    with pytest.raises(SignatureError, match=r"date or \(created\)"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


@pytest.mark.parametrize("algorithm", ["rsa-sha512", "hmac-sha256", "ecdsa-sha256"])
def test_unknown_algorithm_fails(keypair: tuple[RSAPrivateKey, str], algorithm: str) -> None:
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers=_post_headers(),
        covered="(request-target) host date digest",
        algorithm=algorithm,
    )
    with pytest.raises(SignatureError, match="not supported"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


@pytest.mark.parametrize("algorithm", ["hs2019", None, "RSA-SHA256"])
def test_hs2019_and_absent_algorithm_are_accepted(
    keypair: tuple[RSAPrivateKey, str], algorithm: str | None
) -> None:
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers=_post_headers(),
        covered="(request-target) host date digest",
        algorithm=algorithm,
    )
    verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_lemmy_header_list_verifies(keypair: tuple[RSAPrivateKey, str]) -> None:
    """Lemmy (activitypub-federation-rust, compat mode) signs hs2019 over this order of headers."""
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers=_post_headers(),
        covered="(request-target) content-type date digest host",
        algorithm="hs2019",
    )
    verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_digest_with_several_values_passes_when_one_sha256_matches(
    keypair: tuple[RSAPrivateKey, str],
) -> None:
    wrong = digest_header(b"something else")
    sha512 = "SHA-512=" + base64.b64encode(hashlib.sha512(BODY).digest()).decode()
    digest = f"{sha512}, {wrong}, {digest_header(BODY)}"
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={**_post_headers(), "Digest": digest},
        covered="(request-target) host date digest",
    )
    verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_digest_without_sha256_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    sha512 = "SHA-512=" + base64.b64encode(hashlib.sha512(BODY).digest()).decode()
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={**_post_headers(), "Digest": sha512},
        covered="(request-target) host date digest",
    )
    with pytest.raises(SignatureError, match="no SHA-256"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_created_and_expires_pseudo_headers_verify(keypair: tuple[RSAPrivateKey, str]) -> None:
    pseudo = {"created": int(NOW) - 60, "expires": int(NOW) + 600}
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers=_post_headers(),
        covered="(request-target) (created) (expires) host digest",
        algorithm="hs2019",
        pseudo=pseudo,
    )
    verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_expired_pseudo_header_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    pseudo = {"created": int(NOW) - 3 * 3600, "expires": int(NOW) - 2 * 3600}
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers=_post_headers(),
        covered="(request-target) (created) (expires) host digest",
        algorithm="hs2019",
        pseudo=pseudo,
    )
    with pytest.raises(SignatureError, match="expired"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_listed_header_missing_from_request_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _cavage(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={**_post_headers(), "X-Extra": "1"},
        covered="(request-target) host date digest x-extra",
    )
    del headers["X-Extra"]
    with pytest.raises(SignatureError, match="x-extra is missing"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


# RFC 9421


def test_rfc9421_post_and_get_round_trip(keypair: tuple[RSAPrivateKey, str]) -> None:
    post = sign_request_rfc9421(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key=keypair[0], now=NOW
    )
    assert post["Content-Digest"] == content_digest_header(BODY)
    assert post["Signature-Input"] == (
        f'sig1=("@method" "@target-uri" "content-digest" "content-type");created={int(NOW)}'
        f';keyid="{KEY_ID}";alg="rsa-v1_5-sha256"'
    )
    verify_request(_req("POST", INBOX, post, BODY), keypair[1], now=NOW)

    url = "https://groups.example/c/cats?page=1"
    get = sign_request_rfc9421(
        method="GET", url=url, body=None, key_id=KEY_ID, private_key=keypair[0], now=NOW
    )
    assert get["Signature-Input"].startswith('sig1=("@method" "@target-uri");created=')
    verify_request(_req("GET", url, get), keypair[1], now=NOW)


def test_rfc9421_tampered_body_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    post = sign_request_rfc9421(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key=keypair[0], now=NOW
    )
    with pytest.raises(SignatureError, match="Content-Digest"):
        verify_request(_req("POST", INBOX, post, BODY + b" "), keypair[1], now=NOW)


def test_rfc9421_wrong_key_and_other_url_fail(
    keypair: tuple[RSAPrivateKey, str], other_public_pem: str
) -> None:
    post = sign_request_rfc9421(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key=keypair[0], now=NOW
    )
    with pytest.raises(SignatureError, match="does not verify"):
        verify_request(_req("POST", INBOX, post, BODY), other_public_pem, now=NOW)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_request(_req("POST", INBOX + "?x", post, BODY), keypair[1], now=NOW)


def test_rfc9421_stale_signature_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    post = sign_request_rfc9421(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key=keypair[0], now=NOW - 2 * 3600
    )
    with pytest.raises(SignatureError, match="expired"):
        verify_request(_req("POST", INBOX, post, BODY), keypair[1], now=NOW)


def test_rfc9421_hand_built_signature_verifies(keypair: tuple[RSAPrivateKey, str]) -> None:
    """The signature base as RFC 9421 section 2.5 spells it, built without any library."""
    headers = _rfc9421(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={"Content-Digest": content_digest_header(BODY)},
        components=["@method", "@target-uri", "content-digest"],
        params=f';created={int(NOW)};keyid="{KEY_ID}"',
    )
    verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)
    assert signature_key_id(_req("POST", INBOX, headers, BODY)) == KEY_ID


def test_rfc9421_without_created_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _rfc9421(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={"Content-Digest": content_digest_header(BODY)},
        components=["@method", "@target-uri", "content-digest"],
        params=f';keyid="{KEY_ID}"',
    )
    with pytest.raises(SignatureError, match="created"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_rfc9421_without_target_uri_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _rfc9421(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={"Content-Digest": content_digest_header(BODY)},
        components=["@method", "content-digest"],
        params=f';created={int(NOW)};keyid="{KEY_ID}"',
    )
    with pytest.raises(SignatureError, match="@target-uri"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_rfc9421_post_without_content_digest_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _rfc9421(
        keypair[0],
        method="POST",
        url=INBOX,
        headers={},
        components=["@method", "@target-uri"],
        params=f';created={int(NOW)};keyid="{KEY_ID}"',
    )
    with pytest.raises(SignatureError, match="content-digest"):
        verify_request(_req("POST", INBOX, headers, BODY), keypair[1], now=NOW)


def test_rfc9421_other_algorithm_fails(keypair: tuple[RSAPrivateKey, str]) -> None:
    headers = _rfc9421(
        keypair[0],
        method="GET",
        url=INBOX,
        headers={},
        components=["@method", "@target-uri"],
        params=f';created={int(NOW)};keyid="{KEY_ID}";alg="rsa-pss-sha512"',
    )
    with pytest.raises(SignatureError, match="not supported"):
        verify_request(_req("GET", INBOX, headers), keypair[1], now=NOW)


def test_rfc9421_two_signatures_fail(keypair: tuple[RSAPrivateKey, str]) -> None:
    post = sign_request_rfc9421(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key=keypair[0], now=NOW
    )
    post["Signature-Input"] += ", " + post["Signature-Input"].replace("sig1=", "sig2=")
    post["Signature"] += ", " + post["Signature"].replace("sig1=", "sig2=")
    with pytest.raises(SignatureError, match="exactly one"):
        verify_request(_req("POST", INBOX, post, BODY), keypair[1], now=NOW)


# Key ids and malformed input


def test_key_id_is_read_from_both_formats(keypair: tuple[RSAPrivateKey, str]) -> None:
    assert signature_key_id(_req("POST", INBOX, _signed_post(keypair[0]), BODY)) == KEY_ID
    post = sign_request_rfc9421(
        method="POST", url=INBOX, body=BODY, key_id=KEY_ID, private_key=keypair[0], now=NOW
    )
    assert signature_key_id(_req("POST", INBOX, post, BODY)) == KEY_ID


def test_unsigned_request_has_no_key_id() -> None:
    with pytest.raises(SignatureError, match="not signed"):
        signature_key_id(_req("POST", INBOX, {"Host": "groups.example"}))


_COVERED = '("@method" "@target-uri" "content-digest")'
MALFORMED = [
    {"Signature": "garbage"},
    {"Signature": 'keyId="a" signature="b"'},
    {"Signature": 'keyId="a",keyId="b",signature="c"'},
    {"Signature": 'algorithm="rsa-sha256",signature="abc"'},
    {"Signature": 'keyId="k",signature="!!not base64!!",headers="(request-target) host date digest"'},
    {"Signature": 'keyId="k",signature="abcd",headers="(created) digest (request-target)",created=1.5.5'},
    {"Signature": 'keyId="k",signature="abcd",headers="(created) (request-target) digest"'},
    {"Signature-Input": "sig1=(((", "Signature": "sig1=:abcd:"},
    {"Signature-Input": "sig1=1", "Signature": "sig1=:abcd:"},
    {"Signature-Input": 'sig1=("@method" "@target-uri");created=1', "Signature": "sig1=:abcd:"},
    {"Signature-Input": 'sig1=("@method" "@target-uri");created="x";keyid="k"', "Signature": "sig1=:a:"},
    {"Signature-Input": f'sig1={_COVERED};created={int(NOW)};keyid="k"', "Signature": "x"},
    {"Signature-Input": f'sig1={_COVERED};created={int(NOW)};keyid="k"', "Signature": "sig2=:abcd:"},
    {"Signature-Input": f'sig1={_COVERED};created={int(NOW)};keyid="k"', "Signature": "sig1=:!!:"},
    {"Signature-Input": 'sig1=("@method" "@target-uri");created=99999999999999999999;keyid="k"'},
    {"Signature-Input": "caf\u00e9=()", "Signature": "sig1=:abcd:"},
]


@pytest.mark.parametrize("headers", MALFORMED)
def test_malformed_headers_raise_signature_error_only(
    keypair: tuple[RSAPrivateKey, str], headers: dict[str, str]
) -> None:
    req = _req("POST", INBOX, {**_post_headers(), **headers}, BODY)
    with pytest.raises(SignatureError):
        verify_request(req, keypair[1], now=NOW)
    with contextlib.suppress(SignatureError):  # a key id may be readable; any other exception fails
        signature_key_id(req)
