"""A community's rules as a numbered list, so that removals can cite the rule broken. Pure.

Rules are kept as markdown; the list is read from its numbered items (`1. …`), else its bullets,
else its non-empty lines.
"""

from __future__ import annotations

import re

from fedicom.errors import BadRequest

_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(\S.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(\S.*)$")


def rules_list(text: str) -> list[str]:
    lines = text.splitlines()
    for pattern in (_NUMBERED, _BULLET):
        found = [m.group(1).strip() for m in map(pattern.match, lines) if m]
        if found:
            return found
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def removal_reason(community: str, rules: str, rule: int | None, reason: str) -> str:
    """The reason a removal gives: the rule cited (`Rule 2: Stay on topic.`) and the moderator's words."""
    reason = " ".join(reason.split())
    if rule is None:
        if not reason:
            raise BadRequest("say why: give a reason, or the number of the rule broken")
        return reason
    listed = rules_list(rules)
    if not listed:
        raise BadRequest(f"{community} has no rules to cite; give a reason instead")
    if not 1 <= rule <= len(listed):
        raise BadRequest(f"{community} has {len(listed)} rules; there is no rule {rule}")
    cited = f"Rule {rule}: {listed[rule - 1]}"
    return f"{cited} {reason}" if reason else cited
