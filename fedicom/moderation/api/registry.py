"""The one registry every admin API endpoint module declares its endpoints on."""

from __future__ import annotations

from fedicom.moderation.api.framework import AdminApi

api = AdminApi()
