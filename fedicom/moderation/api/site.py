"""Admin API: the site's look (name, description, accent colours, footer links, stylesheet).

The logo and favicon are uploaded on the staff page or with `fedicom site set` (pictures do not fit the
API's 64 KiB JSON bodies); here they can be read and removed. A change shows on every page of every
process within a few seconds (branding/look.py).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from fedicom.branding.edits import MAX_DESCRIPTION, MAX_NAME, MAX_STYLESHEET, edit_look
from fedicom.branding.links import MAX_LABEL, MAX_LINKS, MAX_URL
from fedicom.branding.look import Defaults, Look, load_look
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, Strict
from fedicom.moderation.api.registry import api

COLOUR = r"^#[0-9a-fA-F]{6}$"


class FooterLinkModel(Strict):
    label: str = Field(min_length=1, max_length=MAX_LABEL, pattern=NO_NUL, examples=["Legal notice"])
    url: str = Field(
        min_length=9,
        max_length=MAX_URL,
        pattern=r"^https://[^\s<>\"'\\]+$",
        examples=["https://brand.example/legal"],
    )


class SiteOut(BaseModel):
    name: str
    description: str
    logo: str | None = Field(description="The logo's URL, if one is set.")
    favicon: str | None = Field(description="The favicon's URL (PNG), if one is set.")
    accent: str | None = Field(description="The light-mode accent colour; null for fedicom's.")
    accent_dark: str | None = Field(description="The dark-mode accent; null: a shade of `accent`.")
    footer_links: list[FooterLinkModel]
    stylesheet: str | None = Field(description="The URL of the operator's stylesheet, if one is set.")
    stylesheet_bytes: int


class SiteUpdate(Strict):
    """Only the fields sent change. Colours are checked for contrast (WCAG 2.x, 4.5:1) in their mode."""

    name: str | None = Field(None, max_length=MAX_NAME, pattern=NO_NUL, description='"": the setting.')
    description: str | None = Field(None, max_length=MAX_DESCRIPTION, pattern=NO_NUL)
    accent: str | None = Field(None, pattern=COLOUR, description="#rrggbb; null for fedicom's colour.")
    accent_dark: str | None = Field(None, pattern=COLOUR, description="#rrggbb; null: a shade of accent.")
    footer_links: list[FooterLinkModel] | None = Field(None, max_length=MAX_LINKS)
    stylesheet: str | None = Field(
        None, max_length=MAX_STYLESHEET, pattern=NO_NUL, description="CSS text; null removes it."
    )
    remove_logo: bool = False
    remove_favicon: bool = False

    @model_validator(mode="after")
    def _no_nulls(self) -> SiteUpdate:
        for key in self.model_fields_set & {"name", "description", "footer_links"}:
            if getattr(self, key) is None:
                raise ValueError(f"{key} cannot be null: leave it out to keep it")
        return self


def site_out(call: Call, look: Look) -> SiteOut:
    base = call.settings.base_url
    return SiteOut(
        name=look.name,
        description=look.description,
        logo=f"{base}/media/{look.logo}" if look.logo else None,
        favicon=f"{base}/media/{look.favicon}" if look.favicon else None,
        accent=look.accent,
        accent_dark=look.accent_dark,
        footer_links=[FooterLinkModel(label=x.label, url=x.url) for x in look.footer_links],
        stylesheet=f"{base}/site/style.css?v={look.stylesheet_version}" if look.stylesheet else None,
        stylesheet_bytes=len(look.stylesheet.encode()),
    )


def _defaults(call: Call) -> Defaults:
    return Defaults(call.settings.instance_name, call.settings.instance_description)


@api.endpoint("GET", "/site", summary="Show the site's look", scope="read", tag="site", response=SiteOut)
async def site_show(call: Call) -> SiteOut:
    """The name, description, pictures, colours, footer links and stylesheet every page shows."""
    return site_out(call, await load_look(_defaults(call)))


@api.endpoint(
    "PATCH",
    "/site",
    summary="Change the site's look",
    scope="admin",
    tag="site",
    body=SiteUpdate,
    response=SiteOut,
)
async def site_update(call: Call, body: SiteUpdate) -> SiteOut:
    """Change the fields sent (instance admins only); nothing is stored when any value is refused."""
    changes = body.model_dump(exclude_unset=True, exclude={"remove_logo", "remove_favicon"})
    if "footer_links" in changes:
        changes["footer_links"] = [(x["label"], x["url"]) for x in changes["footer_links"]]
    for key, remove in (("logo", body.remove_logo), ("favicon", body.remove_favicon)):
        if remove:
            changes[key] = None
    look, _ = await edit_look(call.files, _defaults(call), changes)
    return site_out(call, look)
