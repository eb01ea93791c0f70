"""The OpenAPI document says what the admin API does: schemathesis generates requests for every operation
(valid ones and invalid ones) against a real running instance with a valid admin token, and no answer is
a server error or strays from the document (status codes, content types, response schemas)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from fedicom.moderation.moderators import add_moderator
from fedicom.staff.accounts import create_staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD
from tests.support.servers import Instance

# Few examples per operation, derandomized: every operation runs in both modes on each database in a
# few seconds; the same cases every run, so a failure reproduces.
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 3}
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [not_a_server_error, status_code_conformance, negative_data_rejection]


def fuzz(doc: dict[str, Any], base_url: str, mint: Callable[[], str]) -> tuple[Counter[str], list[str]]:
    """Run every operation (in a thread: the server answers from the test's event loop); the calls made
    per operation and mode, and the failures."""
    # 413 (a body over the size limit) is a rejection too
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                "negative_data_rejection": {
                    "expected-statuses": ["400", "401", "403", "404", "413", "415", "422"]
                }
            }
        }
    )
    schema = schemathesis.openapi.from_dict(doc, config=config)
    session = requests.Session()
    failures: list[str] = []
    calls: Counter[str] = Counter()
    token = [mint()]

    def run(operation: schemathesis.APIOperation, mode: GenerationMode) -> None:
        checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            headers = {"Authorization": f"Bearer {token[0]}"}
            response = case.call(base_url=base_url, session=session, headers=headers)
            calls[f"{operation.method.upper()} {operation.path} {mode.value}"] += 1
            if response.status_code == 401:  # a generated call revoked the token: the next one gets a new one
                token[0] = mint()
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except Exception as exc:  # schemathesis raises a FailureGroup
                failures.append(f"{operation.label} ({mode}): {str(exc)[:1500]}")

        exercise()

    for result in schema.get_all_operations():
        for mode in EXAMPLES:
            run(result.ok(), mode)
    return calls, failures


async def test_every_operation_answers_as_the_openapi_document_says(
    instance: Callable[..., Awaitable[Instance]],
) -> None:
    # Given a running instance with an admin, a community with a moderator, and a token factory
    inst = await instance()
    admin = await create_staff("root", PASSWORD, is_admin=True)
    await create_staff("helper", PASSWORD)
    group = await inst.community("news")
    await add_moderator(
        inst.groups, group, inst.site.staff_uri("root"), by=inst.site.staff_uri("root"), role="owner"
    )
    loop = asyncio.get_running_loop()

    def mint() -> str:
        future = asyncio.run_coroutine_threadsafe(create_token(admin, "fuzz", ["admin"]), loop)
        return future.result(timeout=10)[1]

    async with httpx.AsyncClient() as client:
        doc = (await client.get(f"{inst.base}/api/v1/admin/openapi.json")).json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": f"{inst.base}/api/v1/admin"}]

    # When schemathesis exercises every operation
    calls, failures = await asyncio.to_thread(fuzz, doc, f"{inst.base}/api/v1/admin", mint)

    # Then nothing failed, and every operation was called with valid and with invalid data
    assert not failures, "\n\n".join(failures)
    expected = {
        f"{method.upper()} {path} {mode.value}"
        for path, methods in doc["paths"].items()
        for method in methods
        for mode in EXAMPLES
    }
    assert set(calls) == expected
