"""Screen fit, label collisions and the map's extent in the URL, in a real browser, at
the three laptop/desktop sizes a briefer uses (1366x768, 1440x900, 1920x1080).

The map page must show its source line without scrolling; the briefing view must show
the whole 16:9 frame, its source line, its scale bar and a visible exit control with
nothing to scroll; no label may overlap another label, a marker, a country name or a
map control. Geometry is measured on the laid-out page (getBoundingClientRect), not
taken from the placer's own bookkeeping. Screenshots go to artifacts/.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_FRAME, labels_settled, map_frame

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1440, 900), (1920, 1080)]
WAIT_MS = 60_000

#: In the map's frame: every visible label, marker, country name and control, in page px.
GEOMETRY_JS = """
() => {
  const c = document.querySelector('.leaflet-container');
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = e => e.offsetParent !== null && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0;
  return {
    laidOut: c.getAttribute('data-pa-labels'),
    labels: [...c.querySelectorAll('.pa-label')].filter(shown).map(e => ({text: e.innerText, box: rect(e)})),
    markers: [...c.querySelectorAll('path.pa-marker')].map(rect),
    names: [...c.querySelectorAll('.pa-country')].filter(shown).map(e => ({text: e.innerText, box: rect(e)})),
    controls: [...c.querySelectorAll('.leaflet-control')].filter(shown).map(e => ({cls: e.className, box: rect(e)})),
    frame: rect(c),
  };
}
"""


def _overlap(a, b, tol=0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


def _hits_circle(box, square) -> bool:
    cx, cy = (square[0] + square[2]) / 2, (square[1] + square[3]) / 2
    r = (square[2] - square[0]) / 2
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    return ((nx - cx) ** 2 + (ny - cy) ** 2) ** 0.5 < r - 0.5


def geometry(page) -> dict:
    return labels_settled(page, WAIT_MS, polling_ms=700).evaluate(GEOMETRY_JS)


def collisions(g: dict) -> list[str]:
    out = []
    labels = g["labels"]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if _overlap(a["box"], b["box"]):
                out.append(f"{a['text']!r} on {b['text']!r}")
        out += [f"{a['text']!r} on a marker" for m in g["markers"] if _hits_circle(a["box"], m)]
        out += [f"{a['text']!r} on {n['text']}" for n in g["names"] if _overlap(a["box"], n["box"])]
        out += [f"{a['text']!r} under {c['cls']}" for c in g["controls"] if _overlap(a["box"], c["box"])]
    return out


def in_viewport(page, box, offset=(0, 0)) -> bool:
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    x0, y0, x1, y1 = box[0] + offset[0], box[1] + offset[1], box[2] + offset[0], box[3] + offset[1]
    return x0 >= -0.5 and y0 >= -0.5 and x1 <= vw + 0.5 and y1 <= vh + 0.5


def iframe_offset(page) -> tuple[float, float]:
    r = page.locator(MAP_FRAME).first.bounding_box()
    return r["x"], r["y"]


def inner_box(page, selector: str):
    return map_frame(page).evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }",
        selector)


def nothing_to_scroll(page) -> bool:
    return page.evaluate("""() => [document.scrollingElement, ...document.querySelectorAll(
        '[data-testid=stMain], [data-testid=stAppViewContainer], section.main')].filter(Boolean)
        .every(e => e.scrollHeight <= e.clientHeight + 1)""")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_page_shows_its_source_line_and_labels_never_collide(open_page, size):
    w, h = size
    page, _, errors = open_page("/?date=2025-10-21", viewport={"width": w, "height": h})
    g = geometry(page)
    page.screenshot(path=str(ARTIFACTS / f"layout-map-{w}x{h}.png"))
    assert in_viewport(page, inner_box(page, ".pa-sources"), iframe_offset(page)), "source line below the fold"
    assert collisions(g) == []
    assert int(g["laidOut"]) >= 8
    assert errors == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_briefing_view_fits_the_screen_whole(open_page, size):
    w, h = size
    page, _, errors = open_page("/?date=2025-10-21&brief=1", viewport={"width": w, "height": h})
    g = geometry(page)
    page.screenshot(path=str(ARTIFACTS / f"layout-brief-{w}x{h}.png"))
    frame_box = page.locator(MAP_FRAME).first.bounding_box()
    assert in_viewport(page, [frame_box["x"], frame_box["y"], frame_box["x"] + frame_box["width"],
                              frame_box["y"] + frame_box["height"]]), frame_box
    assert abs(frame_box["width"] / frame_box["height"] - 16 / 9) < 0.02
    off = iframe_offset(page)
    for sel in (".pa-sources", ".leaflet-control-scale", ".pa-head", ".pa-legend"):
        assert in_viewport(page, inner_box(page, sel), off), sel
    leave = page.get_by_role("button", name=re.compile("Leave briefing view"))
    assert leave.is_visible()
    b = leave.bounding_box()
    assert in_viewport(page, [b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]])
    assert nothing_to_scroll(page)
    assert collisions(g) == []
    assert errors == []


def test_the_map_extent_goes_to_the_url_and_a_link_reopens_it(open_page):
    page, _, errors = open_page("/?date=2025-10-21&view=35.0000,44.0000,7")
    frame = map_frame(page)
    view = json.loads(frame.evaluate("() => document.querySelector('.leaflet-container').getAttribute('data-pa-view')"))
    assert (view["lat"], view["lon"], view["zoom"]) == (35.0, 44.0, 7)
    # zoom in with the map's own button: the URL follows
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_url(re.compile(r"view=[-\d.]+(%2C|,)[-\d.]+(%2C|,)7\.5\b"), timeout=WAIT_MS)
    link = page.url
    lat, lon, zoom = (float(v) for v in re.search(r"view=([^&]+)", link)[1].replace("%2C", ",").split(","))
    assert abs(lat - 35.0) < 0.05 and abs(lon - 44.0) < 0.05 and zoom == 7.5
    again, _, errors2 = open_page(link[link.index("/?"):])
    view2 = json.loads(map_frame(again).evaluate(
        "() => document.querySelector('.leaflet-container').getAttribute('data-pa-view')"))
    assert (view2["lat"], view2["lon"], view2["zoom"]) == (lat, lon, zoom)
    assert errors == [] and errors2 == []
