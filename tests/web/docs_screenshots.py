"""Publish the browser tests' screenshots that the documentation shows (docs/screenshots/).

Run after the browser tests, as `make screenshots` does: each picture is the one a test took of a real
page, cut to its first screenfuls and reduced to 256 colours so the repository stays small.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from tests.web.browser import SCREENSHOTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_HEIGHT = 1400  # pixels: a page's top, which is what the docs talk about
SHOWN = (
    "home",
    "community",
    "thread",
    "follow-by-hand",
    "about",
    "community-dark",
    "community-family",
    "staff-sign-in-error",
    "staff-dashboard",
    "staff-communities-list",
    "staff-community-settings",
    "staff-members-requests",
    "staff-held-posts",
    "staff-refused",
    "staff-reports",
    "staff-report",
    "staff-post-moderation",
    "staff-bans",
    "staff-modlog",
    "staff-blocks",
    "staff-blocks-import-preview",
    "staff-inbox",
    "staff-notification-settings",
    "staff-insights",
    "staff-insights-dark",
    "staff-insights-stages",
    "staff-insights-stages-dark",
    "staff-instance-insights",
    "staff-listening",
    "staff-listening-dark",
    "leaderboard",
    "staff-similar-ideas",
    "idea-board",
    "roadmap",
    "question-answered",
    "staff-questions",
    "staff-aliases-light",
    "invite-light",
    "widget-light",
    "staff-invites",
    "staff-move-light",
    "staff-export-light",
    "staff-import-light",
)


def publish(name: str, source: Path = SCREENSHOTS, target: Path = DOCS) -> Path:
    with Image.open(source / f"{name}.png") as shot:
        picture = shot.convert("RGB")
    if picture.height > MAX_HEIGHT:
        picture = picture.crop((0, 0, picture.width, MAX_HEIGHT))
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    picture.quantize(colors=256).save(path, optimize=True)
    return path


def main() -> int:
    missing = [n for n in SHOWN if not (SCREENSHOTS / f"{n}.png").is_file()]
    if missing:
        print(f"run the browser tests first; no screenshot yet of: {', '.join(missing)}", file=sys.stderr)
        return 1
    for name in SHOWN:
        print(publish(name).relative_to(DOCS.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
