"""Page views are counted without tracking: people's browsers viewing a community's page or a thread
count, by referring site; crawlers, fediverse servers, ActivityPub fetches and errors do not; counting
sets no cookie."""

from __future__ import annotations

import httpx

from fedicom.groups.models import Group
from fedicom.insights.report import insights
from fedicom.insights.traffic import is_reader, source_of
from fedicom.web.appstate import app_state
from tests.support.servers import Instance

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
MASTODON = "http.rb/5.2.0 (Mastodon/4.3.2; +https://mastodon.social/)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def test_who_counts_as_a_reader_and_where_they_came_from() -> None:
    assert is_reader(FIREFOX)
    assert (
        not is_reader(GOOGLEBOT) and not is_reader(MASTODON) and not is_reader("") and not is_reader("curl/8")
    )
    assert source_of("https://News.Example.org/item?id=1", "groups.example") == "news.example.org"
    assert source_of("https://groups.example/c/other", "groups.example") == "(this site)"
    assert source_of("", "groups.example") == ""


async def test_page_views_are_counted_by_source_and_nothing_else(instance) -> None:
    inst: Instance = await instance()
    await inst.community("news")
    async with httpx.AsyncClient(base_url=inst.base) as http:
        for referrer in ("https://forum.example/t/1", "https://forum.example/t/2", "", f"{inst.base}/"):
            headers = {"User-Agent": FIREFOX} | ({"Referer": referrer} if referrer else {})
            resp = await http.get("/c/news", headers=headers)
            cookies = [c.split("=")[0] for c in resp.headers.get_list("set-cookie")]
            assert resp.status_code == 200 and cookies in (
                [],
                ["fedicom-csrf"],
            )  # the follow form's, nothing else
        uncounted = [
            await http.get("/c/news", headers={"User-Agent": GOOGLEBOT}),
            await http.get("/c/news", headers={"User-Agent": MASTODON}),
            await http.get("/c/news", headers={"User-Agent": FIREFOX, "Accept": "application/activity+json"}),
            await http.get("/c/nothing", headers={"User-Agent": FIREFOX}),
            await http.get("/c/news/p/999", headers={"User-Agent": FIREFOX}),
            await http.head("/c/news", headers={"User-Agent": FIREFOX}),
        ]
    assert [r.status_code for r in uncounted] == [200, 200, 200, 404, 404, 200]
    assert await app_state(inst.app).page_views.flush() == 4
    found = await insights(await Group.get(name="news"), days=7)
    assert found.views == 4 and found.days[-1]["views"] == 4
    assert found.referrers == [
        {"source": "forum.example", "views": 2},
        {"source": "(direct)", "views": 1},
        {"source": "(this site)", "views": 1},
    ]
    assert found.previous["views"] == 0 and any(f.name == "traffic" and f.score == 100 for f in found.factors)
