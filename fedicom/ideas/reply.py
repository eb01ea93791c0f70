"""The community's reply to a new idea that others already say: links to them, so the author (and
whoever reads the thread) may vote there instead. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from fedicom.ideas.catalog import Similar

_ESCAPED = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]()<>#+-.!|"})


def reply_markdown(similar: Sequence[Similar], page_of: dict[int, str]) -> str:
    """Markdown naming each similar idea by its title, linked to its page here (`page_of`: post id
    -> URL), best first."""
    lines = ["This idea looks like ideas already proposed here; you may vote for one of them instead:", ""]
    for found in similar:
        title = " ".join(found.title.split())[:200] or "(untitled)"
        lines.append(f"- [{title.translate(_ESCAPED)}]({page_of[found.post_id]})")
    return "\n".join(lines)
