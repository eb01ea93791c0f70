"""Pages of niche communities: the breadcrumb of ancestors, a parent's children (public and listed
ones for visitors, all for its staff), its children's best threads of the week (never a private or
unlisted child's), the words of each kind, and the directory grouping children under their parent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group, Moderator, Post
from fedicom.staff.accounts import create_staff
from tests.support.servers import Instance
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD
from tests.web.signin import staff_client


@dataclass
class Family:
    threads: dict[str, Post]  # by title


async def given_a_family(inst: Instance) -> Family:
    """Cars (featuring its children) → Muscle cars (an idea board) → Mustang (questions); beside Muscle
    cars a private child, an unlisted one and a quiet one; a thread in each, and an old one."""
    await inst.community("cars", title="Cars", summary="Everything on four wheels.", feature_children=True)
    await inst.community("muscle", title="Muscle cars", parent="cars", kind="ideas")
    await inst.community("mustang", title="Mustang", parent="muscle", kind="questions")
    await inst.community("secret", title="Secret garage", parent="cars", private=True)
    await inst.community("hidden", title="Hidden barn", parent="cars")
    await inst.community("vans", title="Vans", parent="cars")
    await Group.filter(name="hidden").update(discoverable=False)
    await create_staff("mia", PASSWORD)  # moderates cars
    await Moderator.create(group=await Group.get(name="cars"), actor=inst.site.staff_uri("mia"))
    now = datetime.now(UTC)
    threads = {}
    for n, (where, title, ups, age) in enumerate(
        (
            ("muscle", "A V8 in every garage", 9, timedelta(hours=3)),
            ("vans", "Camper conversions", 2, timedelta(hours=5)),
            ("vans", "Ten days old", 50, timedelta(days=10)),
            ("secret", "Secret plans", 40, timedelta(hours=1)),
            ("hidden", "Hidden gem", 40, timedelta(hours=1)),
            ("mustang", "Which year is best?", 40, timedelta(hours=1)),
            ("cars", "Welcome", 1, timedelta(hours=2)),
        )
    ):
        threads[title] = await Post.create(
            group=await Group.get(name=where),
            object_id=f"https://remote.example/objects/{n}",
            type="Page",
            author="https://remote.example/u/alice",
            title=title,
            content="<p>Hello.</p>",
            document={},
            published=now - age,
            upvotes=ups,
        )
        await Post.filter(id=threads[title].id).update(created_at=now - age)
    return Family(threads)


def featured_titles(text: str) -> list[str]:
    section = (
        text.split('id="featured-heading"')[1].split("</section>")[0] if "featured-heading" in text else ""
    )
    return [part.split("</a></h3>")[0].split(">")[-1] for part in section.split('<h3 id="featured-')[1:]]


def children_links(text: str) -> list[str]:
    section = (
        text.split('id="children-heading"')[1].split("</section>")[0] if "children-heading" in text else ""
    )
    return [part.split('"')[0] for part in section.split('<a href="/c/')[1:]]


async def test_a_parent_shows_its_public_listed_children_and_their_best_threads(instance) -> None:
    inst = await instance()
    family = await given_a_family(inst)
    async with client(inst.base) as http:
        cars = await get(http, "/c/cars")
    assert cars.status == 200
    assert featured_titles(cars.text) == ["A V8 in every garage", "Camper conversions"]
    assert f'href="/c/muscle/p/{family.threads["A V8 in every garage"].id}"' in cars.text
    assert "0 comments" in cars.text  # in the words of the idea board it comes from
    assert children_links(cars.text) == ["muscle", "vans"]
    for never in ("Secret plans", "Secret garage", "Hidden gem", "Hidden barn", "Which year is best?"):
        assert never not in cars.text, never
    assert cars.titles() == ["Welcome"]  # its own threads are listed as ever


async def test_its_staff_see_every_child_but_featured_threads_stay_public_ones(instance) -> None:
    inst = await instance()
    await given_a_family(inst)
    async with staff_client(inst.base, "mia") as http:
        cars = await get(http, "/c/cars")
    assert children_links(cars.text) == ["hidden", "muscle", "secret", "vans"]
    assert "Private</span>" in cars.text and "Unlisted</span>" in cars.text
    assert featured_titles(cars.text) == ["A V8 in every garage", "Camper conversions"]


async def test_a_parent_that_does_not_feature_its_children_shows_none(instance) -> None:
    inst = await instance()
    await given_a_family(inst)
    await Group.filter(name="cars").update(feature_children=False)
    async with client(inst.base) as http:
        cars = await get(http, "/c/cars")
    assert featured_titles(cars.text) == [] and children_links(cars.text) == ["muscle", "vans"]


async def test_a_niche_community_shows_its_breadcrumb_and_its_kinds_words(instance) -> None:
    inst = await instance()
    family = await given_a_family(inst)
    question = family.threads["Which year is best?"]
    async with client(inst.base) as http:
        mustang = await get(http, "/c/mustang")
        thread = await get(http, f"/c/mustang/p/{question.id}")
        muscle = await get(http, "/c/muscle")
        empty = await get(http, "/c/muscle?sort=new&page=2")
        top = await get(http, "/c/cars")
    crumb = '<li><a href="/c/cars">Cars</a></li>\n<li><a href="/c/muscle">Muscle cars</a></li>'
    assert crumb in mustang.text and '<span aria-current="page">Mustang</span>' in mustang.text
    assert crumb in thread.text and '<li><a href="/c/mustang">Mustang</a></li>' in thread.text
    assert '<h2 id="posts-heading">Questions</h2>' in mustang.text and "0 answers" in thread.text
    assert '<span class="badge">Questions and answers</span>' in mustang.text
    assert '<h2 id="posts-heading">Ideas</h2>' in muscle.text and "No more ideas." in empty.text
    # an idea board lists the most wanted first: Top is its default order
    assert '<a href="/c/muscle?sort=top" aria-current="page">Top</a>' in muscle.text
    assert 'class="breadcrumb"' not in top.text  # a top community has none


async def test_the_directory_lists_children_under_their_parent(instance) -> None:
    inst = await instance()
    await given_a_family(inst)
    async with client(inst.base) as http:
        home = await get(http, "/")
        found = await get(http, "/?q=mustang")
    cards = home.text.split('<li class="card">')[1:]
    [cars] = [c for c in cards if '<h3><a href="/c/cars">' in c]
    assert '<ul class="children" aria-label="Communities within Cars">' in cars
    assert '<a href="/c/muscle">Muscle cars</a>' in cars and '<a href="/c/mustang">Mustang</a>' in cars
    assert not any('<h3><a href="/c/muscle">' in c for c in cards)  # not again at the top
    assert "Hidden barn" not in home.text  # unlisted, as ever
    assert 'Within <a href="/c/muscle">Muscle cars</a>' in found.text  # a search shows where it lives


async def test_family_pages_are_valid_html_and_accessible_light_and_dark(
    instance, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    family = await given_a_family(inst)
    pages = [
        "/",
        "/c/cars",
        "/c/muscle",
        "/c/mustang",
        f"/c/mustang/p/{family.threads['Which year is best?'].id}",
    ]
    async with client(inst.base) as http:
        documents = {path: (await http.get(path)).text for path in pages}
    assert_valid_html(documents, tmp_path)
    context = await browser.new_context()
    page = await context.new_page()
    problems: dict[str, str] = {}
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for path in pages:
            await page.goto(inst.base + path)
            await check_axe(page, problems, f"{path} ({scheme})")
    await page.emulate_media(color_scheme="light")
    await page.goto(inst.base + "/c/cars")
    await screenshot(page, "community-family")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
