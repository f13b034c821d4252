"""Past geo.mapview.CANVAS_OVER_PLACES places the map draws its marks on a canvas: the
markers are still all there, counted, hoverable, and a date change replaces them.

The app runs on a synthetic dataset (geo.synth) just over the threshold."""
from __future__ import annotations

import os

import pytest

from geo import mapview
from geo.synth import synthesize
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, PAGE_TIMEOUT_MS, map_frame, serve_app, wait_idle

pytestmark = pytest.mark.browser

#: the map's own Leaflet object (folium names it map_<hash>), and every layer on it whose
#: class names it a place marker: what the canvas draws, found without the DOM
MARKER_LAYERS_JS = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const out = [];
    map.eachLayer(l => {
        if (l.options && /(^| )pa-marker( |$)/.test(l.options.className || '') && l.getLatLng) {
            const p = map.latLngToContainerPoint(l.getLatLng());
            out.push({x: p.x, y: p.y, r: l.getRadius(), tip: l.getTooltip() ? l.getTooltip().getContent() : ''});
        }
    });
    const c = map.getContainer();
    return {layers: out, counted: c.getAttribute('data-pa-markers'), canvas: c.getAttribute('data-pa-canvas'),
            canvases: document.querySelectorAll('.leaflet-overlay-pane canvas').length,
            paths: document.querySelectorAll('path.pa-marker').length,
            size: [c.clientWidth, c.clientHeight]};
}"""


@pytest.fixture(scope="module")
def canvas_app(tmp_path_factory):
    data = synthesize(tmp_path_factory.mktemp("canvas") / "data", places=mapview.CANVAS_OVER_PLACES + 30,
                      claims=3000, movements=60, seed=7)
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_app(dict(os.environ, POSTURE_ATLAS_DATA=str(data)), ARTIFACTS / "streamlit-canvas.log") as base:
        yield base


def _marks(page):
    frame = map_frame(page)
    frame.wait_for_function("() => { const c = document.querySelector('.leaflet-container');"
                            " return c && +c.getAttribute('data-pa-markers') > 0; }", timeout=PAGE_TIMEOUT_MS)
    return frame, frame.evaluate(MARKER_LAYERS_JS)


def test_marks_on_a_canvas_are_counted_hoverable_and_replaced_on_a_date_change(browser, canvas_app):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        (canvas_app, canvas_app.replace("http", "ws"), "data:", "blob:")) else (errors.append(r.request.url), r.abort()))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        page.goto(canvas_app + "/", timeout=PAGE_TIMEOUT_MS)
        page.locator(MAP_FRAME).first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        frame, got = _marks(page)
        assert got["canvas"] == "1" and got["canvases"] >= 1
        assert got["paths"] == 0                      # no SVG element per marker
        assert len(got["layers"]) > 50
        assert int(got["counted"]) == len(got["layers"])   # the count is of what is on the map

        # hover a marker well inside the frame: its tooltip comes up, as on SVG
        w, h = got["size"]
        inside = [m for m in got["layers"] if 300 < m["x"] < w - 300 and 150 < m["y"] < h - 150 and m["tip"]]
        assert inside, "no marker inside the frame to hover"
        m = max(inside, key=lambda m: m["r"])
        box = page.locator(MAP_FRAME).first.bounding_box()
        page.mouse.move(box["x"] + m["x"], box["y"] + m["y"])
        tip = frame.locator(".leaflet-tooltip")
        tip.first.wait_for(state="visible", timeout=10_000)
        text = tip.first.inner_text()
        assert any(t.split("</b>")[0].removeprefix("<b>") in text for t in (x["tip"] for x in got["layers"]) if t)

        # a date change swaps the layers: the count follows, it does not pile up
        page.mouse.move(5, 5)
        before = frame.evaluate("() => document.querySelector('.pa-date').textContent")
        thumb = page.get_by_role("slider").first
        thumb.focus()
        thumb.press("Home")    # the first day: far fewer places are known to have troops yet
        frame.wait_for_function("(b) => document.querySelector('.pa-date').textContent !== b", arg=before,
                                timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        frame.wait_for_function("""() => { const map = Object.values(window).find(v => v instanceof L.Map);
            let n = 0; map.eachLayer(l => { if (l.options && /(^| )pa-marker( |$)/.test(l.options.className || '')) n++; });
            return String(n) === map.getContainer().getAttribute('data-pa-markers'); }""", timeout=PAGE_TIMEOUT_MS)
        _frame, after = _marks(page)
        assert int(after["counted"]) == len(after["layers"]) != len(got["layers"]) and after["paths"] == 0
        assert errors == []
    finally:
        context.close()


def test_the_embedded_map_stays_svg(open_page):
    page, _requests, errors = open_page("/?date=2025-10-21")
    got = map_frame(page).evaluate(MARKER_LAYERS_JS)
    assert got["canvas"] == "0" and got["paths"] == len(got["layers"]) == int(got["counted"]) > 0
    assert errors == []
