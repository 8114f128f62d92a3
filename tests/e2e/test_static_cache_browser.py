"""On a slow link every request counts (issue 16): once a page has been seen, the next page
of the site makes no request for the stylesheet, the scripts or the icon. Their fingerprinted
addresses are cached as immutable, so Chromium takes them from its cache without asking.
The notes pages' service worker keeps the fingerprinted versions the page links, so the page
still opens offline with its stylesheet and script."""

import re
import time

import pytest

from tests.e2e.conftest import TEACHER
from tests.e2e.test_observation_notes_browser import observing

pytestmark = [pytest.mark.browser]

STYLESHEET = r"/static/css/rembuk\.[0-9a-f]{12}\.css$"


class NetworkLog:
    """The requests the page sends, as Chromium's DevTools reports them: every request the
    page makes (Playwright's page.on("request") reports cache hits too), and which of them
    Chromium answered from its cache without the network."""

    def __init__(self, page, base_url: str):
        self.base_url = base_url
        self.sent: dict[str, str] = {}
        self.cached: set[str] = set()
        self.seen: list[str] = []
        page.on("request", lambda request: self.seen.append(request.url))
        devtools = page.context.new_cdp_session(page)
        devtools.on("Network.requestWillBeSent",
                    lambda e: self.sent.__setitem__(e["requestId"], e["request"]["url"]))
        devtools.on("Network.requestServedFromCache",
                    lambda e: self.cached.add(e["requestId"]))
        devtools.on("Network.responseReceived", self._received)
        devtools.send("Network.enable")

    def _received(self, event):
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def clear(self):
        self.sent.clear()
        self.cached.clear()
        self.seen.clear()

    def static_seen(self) -> list[str]:
        return [url for url in self.seen if url.startswith(f"{self.base_url}/static/")]

    def static_from_network(self) -> list[str]:
        return [url for rid, url in self.sent.items()
                if url.startswith(f"{self.base_url}/static/") and rid not in self.cached]


def test_a_warm_page_view_requests_no_static_file(site, page, live_server, caplog):
    caplog.set_level("INFO", logger="werkzeug")
    network = NetworkLog(page, live_server.url)
    site.log_in(TEACHER)  # the login page, then home: the first views
    assert any(re.search(STYLESHEET, url) for url in network.static_from_network())
    page.wait_for_load_state("networkidle")

    for path in ("/plans/", "/observations/"):
        network.clear()
        caplog.clear()
        site.open(path)
        page.wait_for_load_state("networkidle")
        # The page asks for its stylesheet and icon, and Chromium answers from its cache.
        assert any(re.search(STYLESHEET, url) for url in network.static_seen())
        # Chromium's favicon loader may revalidate the icon whatever its caching (a 304, no
        # body): that one request is the browser's choice, every other file must come from
        # the cache.
        sent = [url for url in network.static_from_network() if "/favicon." not in url]
        assert sent == [], network.sent
        # The server agrees: no static file reached it.
        served = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
        assert served and not [line for line in served
                               if "/static/" in line and "/favicon." not in line], served
        # The stylesheet did apply.
        assert page.evaluate("() => document.styleSheets.length") >= 1


# The addresses kept in the notes worker's caches.
KEPT = """async () => {
  const kept = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith("rembuk-notes-")) { continue; }
    for (const request of await (await caches.open(name)).keys()) { kept.push(request.url); }
  }
  return kept;
}"""


def test_the_notes_worker_keeps_the_fingerprinted_files_the_page_links(phone_site):
    site, page = phone_site, phone_site.page
    observation, observer = observing()
    site.log_in(observer.email)
    site.open(f"/observations/{observation.id}/notes")
    linked = page.evaluate("""() => [...document.querySelectorAll(
        'link[rel=stylesheet], script[src]')].map(e => e.href || e.src)""")
    assert linked and all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", url) for url in linked), linked
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    deadline = time.monotonic() + 10
    while not set(linked) <= set(page.evaluate(KEPT)):
        assert time.monotonic() < deadline, (linked, page.evaluate(KEPT))
        time.sleep(0.2)

    page.context.set_offline(True)
    page.reload()
    # The stylesheet and the notes script came from the worker's copies.
    assert page.evaluate("() => document.styleSheets[0].cssRules.length") > 10
    clock = page.locator("#notes-clock").inner_text()  # the script ticks the clock
    page.wait_for_function("t => document.getElementById('notes-clock').textContent !== t",
                           arg=clock, timeout=5_000)
    page.context.set_offline(False)
