"""A community's time zone (an IANA name such as Europe/Paris): scheduled posts are read in it."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fedicom.errors import BadRequest


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"{name[:60]!r} is not a time zone such as Europe/Paris or UTC") from None


def check_zone(name: str) -> str:
    """The name of a time zone (as stored for a community), or BadRequest."""
    zone(name)
    return name
