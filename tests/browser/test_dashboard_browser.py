"""The dashboard in a real browser: offline, markers drawn, the slider updating the map in
place, a click opening the claim history, the briefing view. Screenshots go to
artifacts/ for a person to look at."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_FRAME, map_frame, wait_idle

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
#: each marker's place and kind (figure, withdrawn, member...): a date change changes the kinds
MARKERS_JS = """() => Array.from(document.querySelectorAll('path.pa-marker'))
    .map(p => p.getAttribute('class').match(/pa-key-\\S+/)[0] + ' ' + p.getAttribute('class').match(/pa-(figure|nofigure|member|withdrawn|noclaim|area)\\b/)[0]).sort()"""


def wait_for_date(frame, label: str) -> None:
    frame.wait_for_function(
        "(want) => { const d = document.querySelector('.pa-date'); return d && d.textContent === want; }",
        arg=label, timeout=WAIT_MS)


@pytest.mark.parametrize("day", ["2025-08-20", "2025-10-21", "2026-02-15"])
def test_page_loads_offline_with_markers_and_frame_furniture(open_page, day):
    page, requests, errors = open_page(f"/?date={day}")
    frame = map_frame(page)
    frame.wait_for_selector(".pa-date", timeout=WAIT_MS)
    assert frame.locator("path.pa-marker").count() >= 8
    # on the frame, so a screenshot carries them: title, dates, legend, scale, sources
    assert frame.locator(".pa-title").count() == 1
    assert "as known on" in frame.locator(".pa-known").inner_text()
    # each part of that line ("as known on …", the phase) sits on one line of its own
    heights = frame.evaluate("""() => Array.from(document.querySelectorAll('.pa-known .pa-chunk'))
        .map(e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || 16))""")
    assert heights and all(h < 1.5 for h in heights), heights
    assert frame.locator(".pa-legend").count() == 1
    assert frame.locator(".leaflet-control-scale").count() == 1
    assert "Sources:" in frame.locator(".pa-sources").inner_text()
    assert frame.locator(".pa-label").count() >= 4
    page.wait_for_timeout(400)  # let the label layout settle before the picture
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{day}.png"))
    assert [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:"))] == []
    assert errors == []


def test_labels_do_not_overlap(open_page):
    page, _, errors = open_page("/?date=2025-10-21")
    frame = map_frame(page)
    frame.wait_for_selector(".pa-label", timeout=WAIT_MS)
    page.wait_for_timeout(300)
    rects = frame.evaluate("""() => Array.from(document.querySelectorAll('.pa-label'))
        .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, e.innerText]; })""")
    clashes = []
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            if w > 2 and h > 2:
                clashes.append((a[4].splitlines()[0], b[4].splitlines()[0], round(w), round(h)))
    assert clashes == []
    assert errors == []


def test_keyboard_on_the_slider_updates_markers_without_reloading_the_map(open_page):
    page, _, errors = open_page("/?date=2025-08-20")
    frame = map_frame(page)
    wait_for_date(frame, "20 Aug 2025")
    before = frame.evaluate(MARKERS_JS)
    frame.evaluate("() => { window.__paProbe = 'still here'; window.map.setView([34.0, 44.0], 7); }")
    # the move's own rerun (view= to the URL) first: a rerun that starts while the
    # browser still has an older query string re-applies that string's date (a known
    # race, see the issue 11 note), which is not what this test is about
    page.wait_for_function("() => /[?&]view=3[34]\\./.test(location.search)", timeout=WAIT_MS)
    wait_idle(page)

    thumb = page.get_by_role("slider").first
    thumb.focus()
    thumb.press("ArrowRight")
    wait_for_date(frame, "21 Aug 2025")
    wait_idle(page)
    thumb.press("End")
    frame.wait_for_function("() => document.querySelector('.pa-date').textContent.endsWith('2026')",
                            timeout=WAIT_MS)
    frame = map_frame(page)  # the same frame object if it was not reloaded; looked up afresh anyway
    # the date box and the markers are separate layers: wait for the markers to change too
    # (Ain al-Asad goes from "drawing down, no figure" to handed over) rather than assume
    # they are swapped in the same animation frame
    frame.wait_for_function(f"(before) => JSON.stringify(({MARKERS_JS})()) !== JSON.stringify(before)",
                            arg=before, timeout=WAIT_MS)
    assert frame.evaluate("() => window.__paProbe") == "still here", "the map frame was reloaded"
    assert frame.evaluate("() => window.map.getZoom()") == 7, "the user's zoom was lost"
    after = frame.evaluate(MARKERS_JS)
    assert after != before and "pa-key-ain-al-asad pa-withdrawn" in after
    assert "No source published after" in frame.locator(".pa-head").inner_text()
    page.wait_for_function("() => /[?&]date=2026-/.test(location.search)", timeout=WAIT_MS)  # the link follows
    page.screenshot(path=str(ARTIFACTS / "dashboard-slider-end.png"))
    assert errors == []


STRIP_JS = """() => { const s = document.querySelector('.pa-strip');
    const d = document.querySelector('.pa-strip-day > div');
    if (!s || !d) { return null; }
    const kids = Array.from(s.children);
    const box = s.getBoundingClientRect(), mark = d.getBoundingClientRect();
    return {titles: kids.map(k => k.getAttribute('title')), day: d.getAttribute('title'),
            placed: kids.every(k => getComputedStyle(k).position === 'absolute')
                    && getComputedStyle(d).position === 'absolute',
            height: box.height, kept: s.dataset.paSeen === '1',
            // where the mark is drawn: across the strip, at the day's share of its width
            markTop: mark.top - box.top, markBottom: mark.bottom - box.top,
            markCentre: (mark.left + mark.right) / 2 - box.left, width: box.width}; }"""


def test_milestone_strip_keeps_its_ticks_hover_text_and_the_chosen_day(open_page):
    # st.html sanitises what it inserts (DOMPurify): the strip's titles and inline styles
    # must come through, and the chosen day (an element of its own, drawn over the strip)
    # must follow the slider while the strip itself stays as it was inserted
    page, _, errors = open_page("/?date=2025-10-21")
    map_frame(page).wait_for_selector(".pa-date", timeout=WAIT_MS)
    page.wait_for_function(f"() => ({STRIP_JS})() !== null", timeout=WAIT_MS)
    strip = page.evaluate(STRIP_JS)
    assert strip["placed"] and 20 <= strip["height"] <= 32
    assert strip["day"] == "chosen day 21 Oct 2025"
    assert any(t and "Ain al-Asad" in t for t in strip["titles"]), strip["titles"]
    assert any(t and t.startswith("no source after") for t in strip["titles"])
    # the mark over the strip's lower half (14-23 px down its 26 px), at the day's place
    assert 12 <= strip["markTop"] <= 16 and 21 <= strip["markBottom"] <= 25, strip
    from geo.loader import load_dataset
    from geo.popup import _strip_pct
    from ui.state import bounds
    b = bounds(load_dataset(), dt.date.today())
    want = _strip_pct(dt.date(2025, 10, 21), b.first, b.last) / 100 * strip["width"]
    assert abs(strip["markCentre"] - want) <= 2, (strip, want)
    page.evaluate("() => { document.querySelector('.pa-strip').dataset.paSeen = '1'; }")
    thumb = page.get_by_role("slider").first
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_function(f"() => ({STRIP_JS})().day === 'chosen day 22 Oct 2025'", timeout=WAIT_MS)
    wait_idle(page)
    assert page.evaluate(STRIP_JS)["kept"], "the strip was inserted again on a new date"
    assert errors == []


TOOLTIPS_JS = """() => { const out = [];
    window.map.eachLayer(l => { const t = l.getTooltip && l.getTooltip(); if (t) { out.push(t.getContent()); } });
    return out; }"""


def test_tooltips_sent_as_parts_are_put_back_together_as_python_wrote_them(open_page):
    # geo.mapview.tooltip_parts sends a place tooltip as its parts; tooltipFrom in
    # static/js/posture-atlas-map.js must give back exactly geo.popup.place_tooltip's text
    from geo import mapview
    from geo.loader import load_dataset
    from geo.posture import snapshot

    ds = load_dataset()
    snap = snapshot(ds, dt.date(2025, 10, 21), ds.latest_published)
    want = sorted(sh["tooltip"] for layer in mapview.posture_layers(snap, popups=False, ds=ds)
                  for el in layer._children.values() for sh in getattr(el, "shapes", ()) if sh.get("tooltip"))
    assert sum(1 for t in want if mapview.tooltip_parts(t)) >= 15   # the case under test
    page, _, errors = open_page("/?date=2025-10-21")
    frame = map_frame(page)
    frame.wait_for_selector(".pa-date", timeout=WAIT_MS)
    assert sorted(frame.evaluate(TOOLTIPS_JS)) == want
    assert errors == []


def test_click_on_a_marker_opens_its_claim_history(open_page):
    page, _, errors = open_page("/?date=2025-10-21")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.pa-key-ain-al-asad").click()
    page.get_by_text("Claim history").wait_for(timeout=WAIT_MS)
    panel = page.locator(".pa-panel").inner_text()
    assert "Ain al-Asad Air Base" in panel and "MGRS" in panel and "in force" in panel
    assert "250–350" in panel
    page.wait_for_function("() => location.search.includes('place=ain-al-asad')", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "dashboard-click-ain-al-asad.png"))
    assert errors == []


def test_briefing_view_is_a_clean_frame(open_page):
    page, _, errors = open_page("/?date=2025-10-21&brief=1&marking=UNCLASSIFIED%20//%20OPEN%20SOURCE")
    frame = map_frame(page)
    frame.wait_for_selector(".pa-marking", timeout=WAIT_MS)
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    box = page.locator(MAP_FRAME).first.bounding_box()
    assert box["width"] / box["height"] == pytest.approx(16 / 9, rel=0.02)
    assert frame.locator(".pa-marking").count() == 2
    page.locator(MAP_FRAME).first.screenshot(path=str(ARTIFACTS / "dashboard-brief-2025-10-21.png"))
    assert errors == []


def test_play_steps_through_changes_and_stops(open_page):
    page, _, errors = open_page("/?date=2025-08-20")
    frame = map_frame(page)
    wait_for_date(frame, "20 Aug 2025")
    frame.evaluate("() => { window.__paProbe = 'still here'; }")
    page.get_by_role("button", name="▶ Play").click()
    frame.wait_for_function("() => document.querySelector('.pa-date').textContent !== '20 Aug 2025'",
                            timeout=WAIT_MS)
    page.get_by_role("button", name="■ Stop").click()
    page.get_by_role("button", name="▶ Play").wait_for(timeout=WAIT_MS)
    assert map_frame(page).evaluate("() => window.__paProbe") == "still here"
    assert errors == []
