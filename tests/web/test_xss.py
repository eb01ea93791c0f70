"""Remote posts carrying scripts, event handlers, javascript: URLs and SVG payloads, delivered
through the real inbox signed by a member's server, render inert in a real browser: with the
Content-Security-Policy, and without it too (the sanitizer alone must be enough)."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.support.peer import Peer
from tests.web.browser import screenshot
from tests.web.scene import attack, community

OUR_SCRIPT = "/static/fedicom.js"
INSPECT = """() => {
  const links = [...document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\\\:href]')]
    .flatMap(e => ['href', 'src', 'action', 'formaction', 'xlink:href'].map(a => e.getAttribute(a)))
    .filter(v => v !== null);
  const handlers = [...document.querySelectorAll('*')]
    .flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name));
  return {
    marker: window.__xss === undefined ? null : String(window.__xss),
    scripts: [...document.scripts].map(s => s.getAttribute('src')),
    dangerous: links.filter(v => /^\\s*(javascript|data|vbscript):/i.test(v)),
    handlers,
    embedded: document.querySelectorAll(['svg', 'iframe', 'object', 'embed', 'math', 'form', 'style']
      .map(t => '.content ' + t).join(', ')).length,
    contents: document.querySelectorAll('.content').length,
  };
}"""


async def test_hostile_posts_render_inert_in_the_browser(instance, peer: Peer, browser: Browser) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    await attack(scene)
    thread = await scene.post("xss")
    reply = await scene.post("xss reply")
    pages = ["/", "/c/news", f"/c/news/p/{thread.id}", f"/c/news/p/{reply.id}"]
    dialogs: list[str] = []
    for bypass_csp in (False, True):
        context = await browser.new_context(bypass_csp=bypass_csp)
        page = await context.new_page()
        page.on("dialog", lambda d: dialogs.append(d.message))
        for path in pages:
            await page.goto(inst.base + path)
            await page.mouse.move(10, 10)
            for link in await page.locator("main a").all():  # hover and focus everything, as a reader would
                await link.hover()
            await page.wait_for_timeout(300)  # let any <animate> or late handler fire
            found = await page.evaluate(INSPECT)
            where = f"{path} (CSP {'bypassed' if bypass_csp else 'on'})"
            assert found["marker"] is None, f"a payload ran on {where}: {found['marker']}"
            assert found["scripts"] == [OUR_SCRIPT + found["scripts"][0].removeprefix(OUR_SCRIPT)], where
            assert found["dangerous"] == [], f"{where} links to {found['dangerous']}"
            assert found["handlers"] == [], f"{where} has event handlers {found['handlers']}"
            assert found["embedded"] == 0, where
            if path != "/":
                assert found["contents"] or path == "/c/news", f"{where} shows no post"
        assert dialogs == []
        if not bypass_csp:
            await page.goto(f"{inst.base}/c/news/p/{thread.id}")
            print(f"screenshot: {await screenshot(page, 'hostile-post')}")
            # what the attacker wrote shows as text, not as markup
            assert "<script>window.__xss='title script'</script>" in await page.locator("h1").inner_text()
            assert "Mallory" in await page.locator("main").inner_text()
        await context.close()
