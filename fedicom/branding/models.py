"""Storage of the brand's look: one row, edited by instance admins while the server runs."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

ROW = 1  # the only row


class SiteLook(Model):
    """How the site presents itself. Empty name and description fall back to the settings
    (FEDICOM_INSTANCE_NAME, FEDICOM_INSTANCE_DESCRIPTION), so a new server shows those."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, default="")
    description = fields.TextField(default="")
    # pictures are file names under DATA_DIR/media, re-encoded like community icons
    logo = fields.CharField(max_length=80, null=True)
    logo_width = fields.IntField(default=0)
    logo_height = fields.IntField(default=0)
    favicon = fields.CharField(max_length=80, null=True)
    accent = fields.CharField(max_length=7, null=True)  # light mode, #rrggbb
    accent_dark = fields.CharField(max_length=7, null=True)  # None: derived from `accent`
    footer_links: list[dict[str, Any]] = fields.JSONField(default=list)
    stylesheet = fields.TextField(default="")  # the operator's own CSS, served from this origin
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "site_look"
