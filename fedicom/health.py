"""`/healthz`: whether this process answers and its database does, for container and proxy health checks."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

DATABASE_TIMEOUT = 5.0


async def database_ok() -> str | None:
    """None when a trivial query answers in time, else why not (one line)."""
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), DATABASE_TIMEOUT)
    except TimeoutError:
        return f"the database did not answer within {DATABASE_TIMEOUT:.0f} s"
    except Exception as exc:  # any driver error means the same to a health check: not fine
        return f"the database query failed: {type(exc).__name__}: {exc}".splitlines()[0]
    return None


async def healthz(_request: Request) -> Response:
    problem = await database_ok()
    body = {"status": "ok" if problem is None else "error", "database": problem or "ok"}
    return JSONResponse(
        body, status_code=200 if problem is None else 503, headers={"Cache-Control": "no-store"}
    )


routes = [Route("/healthz", healthz, methods=["GET", "HEAD"])]
