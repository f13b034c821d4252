"""A page opened by its own URL, as the first visitor of a freshly started server, shows
the app's top navigation (all six pages) and never Streamlit's sidebar page menu.

Why a server per case: Streamlit decides once per process whether it runs the legacy
``pages/`` directory (a sidebar menu of file names, "dashboard" among them, with the page
script run *instead of* the entry script) until some session calls ``st.navigation``.
A link to ``/Timeline`` opened before anyone opened the map fell into that mode; on the
shared test server the map has always been opened first, which hid it.
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
NAV = ["Map", "Timeline", "Sources", "Compare", "Data quality", "Add report"]
#: URL opened -> the title of the page it must show (tab: "<title> · Posture Atlas")
DIRECT = {
    "/Timeline?date=2025-10-21": "Timeline",
    "/Sources?date=2025-10-21": "Sources",
    "/Compare?date=2025-10-21": "Compare",
    "/Data_quality?date=2025-10-21": "Data quality",
    "/Add_report": "Add report",
    "/?date=2025-10-21": "Map",
}
#: Streamlit's front end first asks for <page>/_stcore/health and .../host-config on a
#: page's own URL, then at the root (streamlit/streamlit#7074, open): those two 404s and
#: their console lines are Streamlit's, every other failed request still fails the test.
PROBE_404 = re.compile(r"HTTP 404: http://127\.0\.0\.1:\d+/[A-Za-z_]+/_stcore/(health|host-config)$")
CONSOLE_404 = "console: Failed to load resource: the server responded with a status of 404 (Not Found)"


def _not_probes(errors: list[str]) -> list[str]:
    probes = sum(1 for e in errors if PROBE_404.match(e))
    out = [e for e in errors if not PROBE_404.match(e)]
    for _ in range(probes):
        if CONSOLE_404 in out:
            out.remove(CONSOLE_404)
    return out


@pytest.mark.parametrize("path", list(DIRECT))
def test_a_direct_url_shows_the_top_navigation_and_no_sidebar(open_page, fresh_app_url, path):
    from playwright.sync_api import expect

    title = DIRECT[path]
    page, _, errors = open_page(path, base=fresh_app_url, wait_for_map=(title == "Map"))
    links = page.locator("[data-testid=stTopNavLink]")
    expect(links).to_have_count(len(NAV), timeout=WAIT_MS)
    assert [t.strip() for t in links.all_inner_texts()] == NAV
    for i in range(len(NAV)):
        assert links.nth(i).is_visible(), f"{NAV[i]} is not visible in the top navigation ({path})"
    assert page.locator("[data-testid=stSidebarNav]").count() == 0, f"a sidebar page menu on {path}"
    assert page.locator("[data-testid=stSidebar]").count() == 0, f"a sidebar on {path}"
    # the page asked for is the one shown, and the browser tab names it
    expect(page).to_have_title(f"{title} · Posture Atlas", timeout=WAIT_MS)
    if title != "Map":
        expect(page.locator("[data-testid=stMain] h1").first).to_have_text(re.compile(rf"^{title}\b"),
                                                                          timeout=WAIT_MS)
    assert _not_probes(errors) == [], "\n".join(errors)
