"""The HTML export in a real browser, opened as a local file (as a user with no network
would): zero requests beyond the file itself, markers and labels drawn, no JS errors."""
from __future__ import annotations

import datetime as dt

import pytest

from geo import mapview
from geo.html_export import write_html
from geo.posture import reports_only, snapshot

pytestmark = pytest.mark.browser


def open_file(browser, path):
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    requests, errors = [], []

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:  # anything else would need a network the user does not have
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.locator("path.pa-marker").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_function("() => document.querySelectorAll('.pa-label').length > 0", timeout=30_000)
    return context, page, requests, errors


@pytest.mark.parametrize("day, plans", [(dt.date(2025, 10, 21), True), (dt.date(2025, 8, 20), False)])
def test_export_opens_offline_and_draws_its_markers(browser, ds, tmp_path, day, plans):
    snap = snapshot(ds, day)
    path = write_html(ds, snap, tmp_path / "map.html", show_plans=plans, marking="UNCLASSIFIED // OPEN SOURCE")
    context, page, requests, errors = open_file(browser, path)
    try:
        external = [u for u in requests if not u.startswith(("file:", "data:"))]
        assert external == [], f"the export asked for {external}"
        assert [u for u in requests if u.startswith("file:")] == [path.as_uri()]
        assert errors == []
        shown = snap if plans else snapshot(reports_only(ds), day, snap.known_on)
        specs = mapview.marker_specs(shown, show_plans=plans)
        # one clickable marker per place; a group figure is labelled on its members (no marker)
        specs = [s for s in specs if s.kind != "group"]
        assert page.locator("path.pa-marker").count() == len(specs)
        assert page.locator("path.leaflet-interactive").count() >= len(specs)
        # the basemap (countries) is drawn, the frame carries the date and the marking
        assert page.locator(".leaflet-pane path").count() > len(specs)
        assert page.locator(".pa-date").inner_text() == f"{day.day} {day:%b %Y}"
        assert page.locator(".pa-marking").count() == 2
        if plans:
            assert page.locator("path.pa-move-plan").count() >= 1
        else:
            assert page.locator("path.pa-move-plan").count() == 0
    finally:
        context.close()


def test_clicking_a_marker_opens_its_claim_history(browser, ds, tmp_path):
    path = write_html(ds, snapshot(ds, dt.date(2025, 10, 21)), tmp_path / "map.html")
    context, page, requests, errors = open_file(browser, path)
    try:
        page.locator("path.pa-key-erbil").first.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        assert "Erbil" in popup.inner_text()
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        assert errors == []
    finally:
        context.close()
