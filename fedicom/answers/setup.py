"""Plug Q&A into communities (called from `build_federation`): the asker's acceptance command as
replies arrive, and the Answered / Accepted marks on pages."""

from __future__ import annotations

from fedicom.answers import asking
from fedicom.answers.listing import ADDON, AnswerMarks
from fedicom.groups.context import Groups


def install(groups: Groups) -> None:
    asking.connect(groups.events)
    groups.addons.add(ADDON, AnswerMarks())
