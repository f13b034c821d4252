"""Add report in a real browser: paste, review, save, and the map shows the new claim.

The app runs on a temporary copy of the data (``POSTURE_ATLAS_DATA``), so the embedded
dataset is never modified."""
from __future__ import annotations

import os
import shutil

import pytest

from geo.loader import COLUMNS, DEFAULT_DATA_DIR, load_dataset
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, serve_app, wait_idle

pytestmark = pytest.mark.browser
WAIT_MS = 60_000
ARTICLE = ("About 300 US troops remain at Al-Harir Air Base, officials said on Monday. "
           "The troops will relocate to Erbil by the end of November.")


@pytest.fixture(scope="module")
def app_on_copy(tmp_path_factory):
    """``(base_url, data_folder)``: the app serving a writable copy of the data."""
    data = tmp_path_factory.mktemp("ingest-browser") / "data"
    data.mkdir()
    for name in COLUMNS:
        if (DEFAULT_DATA_DIR / name).exists():
            shutil.copy(DEFAULT_DATA_DIR / name, data / name)
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_app(dict(os.environ, POSTURE_ATLAS_DATA=str(data)), ARTIFACTS / "streamlit-ingest.log") as base:
        yield base, data


def test_paste_review_save_and_the_map_shows_it(browser, app_on_copy):
    from playwright.sync_api import expect

    base, data = app_on_copy
    embedded = {n: (DEFAULT_DATA_DIR / n).read_bytes() for n in COLUMNS if (DEFAULT_DATA_DIR / n).exists()}
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base.replace("http", "ws"))
                  or r.request.url.startswith(base) else (errors.append(r.request.url), r.abort()))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        page.goto(base + "/Add_report", timeout=WAIT_MS)
        page.get_by_text("Add report", exact=True).first.wait_for(timeout=WAIT_MS)
        wait_idle(page)
        page.get_by_label("Outlet").fill("Test Wire")
        page.get_by_label("Outlet").press("Enter")
        wait_idle(page)
        page.get_by_role("spinbutton", name="year, Published").click()
        page.keyboard.type("2025")
        page.get_by_role("spinbutton", name="month, Published").click()
        page.keyboard.type("11")
        page.get_by_role("spinbutton", name="day, Published").click()
        page.keyboard.type("03")
        page.keyboard.press("Tab")
        page.mouse.click(5, 5)
        wait_idle(page)
        page.get_by_label("Article text").fill(ARTICLE)
        page.get_by_label("Article text").press("Control+Enter")
        wait_idle(page)
        expect(page.get_by_label("Outlet")).to_have_value("Test Wire")
        page.get_by_role("button", name="Propose rows").click()
        page.get_by_text("How the map would change").wait_for(timeout=WAIT_MS)
        wait_idle(page)
        # the article is shown with its matches highlighted
        expect(page.locator("mark.pa-place", has_text="Al-Harir Air Base").first).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("mark.pa-figure", has_text="About 300")).to_have_count(1, timeout=WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / "ingest-review.png"))
        page.get_by_text("How the map would change").scroll_into_view_if_needed()
        page.locator("[data-testid=stDataFrame]").last.wait_for(timeout=WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / "ingest-review-tables.png"))
        page.get_by_role("button", name="Save to the dataset").click()
        page.get_by_text("Saved:").wait_for(timeout=WAIT_MS)
        wait_idle(page)
        ds = load_dataset(data)
        assert any(c.source == "test-wire-2025-11-03" and c.troops_min == 300 for c in ds.claims)
        # the map, on the claim's day, shows the new figure at Al-Harir
        page.goto(base + "/?date=2025-11-03", timeout=WAIT_MS)
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator("path.pa-key-al-harir").first.wait_for(state="attached", timeout=WAIT_MS)
        wait_idle(page)
        frame.locator("path.pa-key-al-harir").first.click(force=True)
        page.get_by_text("Claim history").wait_for(timeout=WAIT_MS)
        panel = page.locator(".pa-panel")
        expect(panel).to_contain_text("Al-Harir Air Base", timeout=WAIT_MS)
        expect(panel).to_contain_text("about 300", timeout=WAIT_MS)
        expect(panel).to_contain_text("Test Wire", timeout=WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / "ingest-map-after-save.png"))
    finally:
        context.close()
    assert errors == [], errors
    # the embedded dataset was never touched
    assert {n: (DEFAULT_DATA_DIR / n).read_bytes() for n in embedded} == embedded
