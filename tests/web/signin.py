"""Signing a staff member in, over HTTP (httpx) for the fast tests and in Chromium for the browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from playwright.async_api import Browser, Page

from fedicom.staff.accounts import create_staff
from tests.web.http import client, get
from tests.web.scene import PASSWORD


@asynccontextmanager
async def staff_client(
    base: str, username: str, password: str = PASSWORD
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose cookies sign `username` in: `async with staff_client(base, "mia") as http`."""
    async with client(base) as http:
        page = await get(http, "/staff/sign-in")
        resp = await http.post(
            "/staff/sign-in",
            data={"csrf_token": page.csrf_token(), "username": username, "password": password},
        )
        assert resp.status_code == 303, resp.text
        yield http


async def form_token(http: httpx.AsyncClient, path: str) -> str:
    """The CSRF token of the form on a staff page."""
    page = await get(http, path)
    assert page.status == 200, page.text
    return page.csrf_token()


async def admin(username: str = "ada") -> str:
    """An instance admin with the test password; returns the name."""
    await create_staff(username, PASSWORD, is_admin=True)
    return username


async def browser_sign_in(browser: Browser, base: str, username: str, password: str = PASSWORD) -> Page:
    """A new browser context signed in through the real form; the page shows the dashboard."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(base + "/staff")
    await page.get_by_label("Name").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(base + "/staff")
    return page


async def staff_documents(base: str, pages: dict[str, list[str]]) -> dict[str, str]:
    """The HTML of each staff member's pages (`{name: [path, ...]}`), keyed `name: path`, for the
    HTML checker; each must answer 200."""
    documents = {}
    for name, paths in pages.items():
        async with staff_client(base, name) as http:
            for path in paths:
                found = await get(http, path)
                assert found.status == 200, (name, path)
                documents[f"{name}: {path}"] = found.text
    return documents
