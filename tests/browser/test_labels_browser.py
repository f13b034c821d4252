"""Label placement rules on the live map, measured in a real browser on every milestone.

The placer (``PostureAtlas.LabelLayer._layout`` in static/js/posture-atlas-map.js)
promises four rules; this test checks them on the laid-out page, from the DOM, not from
the placer's own bookkeeping:

1. a label is nearer its own marker than any other marker, or it carries a leader line
   to its marker (two labels that each sit nearer the other's marker read swapped);
2. a label set off from its marker by more than a small gap carries a leader;
3. leader lines cross no other leader, no other label and no other marker (but a
   marker overlapping the one the leader starts from: it leaves through that cluster);
4. no label overlaps another label or a marker;
5. no country name shows cut: one that a box on the frame (a control, the marking or
   projection line) covers even in part, or that runs past the frame's edge, is
   hidden, and no other is;
6. the boxes on the frame (title, callout key, legend, sources, scale, zoom, layers,
   attribution) lie inside it and overlap no other.

Markers are the drawn circles (``path.pa-marker``; a marker's outer edge is the largest
circle drawn on the same centre, its rings and plan ghost included); a label names the
markers it belongs to in ``data-pa-for`` (a group figure: its members); a movement's
figure belongs to the point of its arrow where it is anchored. One app start, one
browser context per screen size, every milestone date opened through ``?date=``.
"""
from __future__ import annotations

import math
import time

import pytest

from geo.loader import load_dataset
from geo.mapview import milestones
from tests.browser.conftest import ARTIFACTS, labels_settled, map_frame, wait_idle, MAP_FRAME, PAGE_TIMEOUT_MS

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]
#: the placer's gap without a leader is 8 px (LEADER_FREE_PX); measured from the drawn
#: circles, a few px of stroke and rounding are allowed on top
FREE_PX = 8 + 3

GEOMETRY_JS = """
() => {
  const c = document.querySelector('.leaflet-container');
  const fr = c.getBoundingClientRect();
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left - fr.left, r.top - fr.top, r.right - fr.left, r.bottom - fr.top]; };
  const shown = e => e.offsetParent !== null && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0;
  // every drawn circle (a square path box): marker edges are the largest one on a centre
  const circles = [...c.querySelectorAll('.leaflet-overlay-pane path')].map(rect)
    .filter(b => b[2] - b[0] > 0.5 && Math.abs((b[2] - b[0]) - (b[3] - b[1])) < 0.6)
    .map(b => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, (b[2] - b[0]) / 2]);
  const markers = [...c.querySelectorAll('path.pa-marker')].map(e => {
    const b = rect(e), x = (b[0] + b[2]) / 2, y = (b[1] + b[3]) / 2;
    let r = (b[2] - b[0]) / 2;
    circles.forEach(q => { if (Math.abs(q[0] - x) < 0.6 && Math.abs(q[1] - y) < 0.6) { r = Math.max(r, q[2]); } });
    const k = [...e.classList].find(n => n.startsWith('pa-key-'));
    return {key: k ? k.slice(7) : '', x: x, y: y, r: r, core: (b[2] - b[0]) / 2};
  });
  const labels = [...c.querySelectorAll('.pa-label')].filter(shown).map(e => {
    const icon = e.closest('.pa-label-icon');
    const ib = icon.getBoundingClientRect();
    const line = icon.querySelector('line'), svg = icon.querySelector('svg.pa-leader');
    let leader = null;
    if (line && line.style.display !== 'none' && svg && getComputedStyle(svg).display !== 'none') {
      const sb = svg.getBoundingClientRect();
      const a = n => parseFloat(line.getAttribute(n));
      leader = [sb.left - fr.left + a('x1'), sb.top - fr.top + a('y1'), sb.left - fr.left + a('x2'), sb.top - fr.top + a('y2')];
    }
    return {text: e.innerText.replace(/\\n/g, ' / '), box: rect(e), own: (e.getAttribute('data-pa-for') || '').split(' ').filter(Boolean),
            anchor: [ib.left - fr.left, ib.top - fr.top], leader: leader, callout: !!e.querySelector('.pa-callout')};
  });
  const row = c.querySelector('.pa-legend .pa-lg-row[data-key="callout"]');
  // the boxes on the frame and the country names (rule 5)
  const boxes = [...c.querySelectorAll('.leaflet-control, .pa-marking, .pa-projection')].filter(shown).map(rect);
  const controls = [...c.querySelectorAll('.leaflet-control')].filter(shown).map(e => ({
    name: (e.className.match(/pa-(?!box)[a-z-]+|leaflet-control-[a-z]+/) || [e.className])[0], box: rect(e)}));
  const names = [...c.querySelectorAll('.pa-country')].map(e => ({
    text: e.textContent, box: rect(e), hidden: getComputedStyle(e).visibility === 'hidden'}));
  return {labels: labels, markers: markers, callouts: c.getAttribute('data-pa-callouts'),
          calloutRow: !!row && row.getBoundingClientRect().height > 0,
          boxes: boxes, names: names, frame: [fr.width, fr.height], controls: controls};
}
"""


def _box_dist(box, x, y) -> float:
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return math.hypot(nx - x, ny - y)


def _overlap(a, b, tol=0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


def _seg_dist(seg, x, y) -> float:
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x1 + t * dx - x, y1 + t * dy - y)


def _cross(s, t) -> bool:
    """Do two segments cross (not merely touch at an end)?"""
    def orient(ax, ay, bx, by, cx, cy):
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    d1 = orient(*t[:2], *t[2:], *s[:2])
    d2 = orient(*t[:2], *t[2:], *s[2:])
    d3 = orient(*s[:2], *s[2:], *t[:2])
    d4 = orient(*s[:2], *s[2:], *t[2:])
    return d1 * d2 < -1e-6 and d3 * d4 < -1e-6


def _seg_hits_box(seg, box, shrink=1.0) -> bool:
    b = [box[0] + shrink, box[1] + shrink, box[2] - shrink, box[3] - shrink]
    if b[0] >= b[2] or b[1] >= b[3]:
        return False
    x1, y1, x2, y2 = seg
    inside = lambda x, y: b[0] < x < b[2] and b[1] < y < b[3]  # noqa: E731
    if inside(x1, y1) or inside(x2, y2):
        return True
    edges = [(b[0], b[1], b[2], b[1]), (b[2], b[1], b[2], b[3]), (b[2], b[3], b[0], b[3]), (b[0], b[3], b[0], b[1])]
    return any(_cross(seg, e) for e in edges)


def rule_breaks(g: dict) -> list[str]:
    """Every broken rule on one laid-out map, in words."""
    out = []
    markers, labels = g["markers"], g["labels"]
    for i, lab in enumerate(labels):
        name = lab["text"][:40]
        ax, ay = lab["anchor"]
        own = [m for m in markers if m["key"] in lab["own"]] if lab["own"] else \
            [m for m in markers if math.hypot(m["x"] - ax, m["y"] - ay) < 1.0]   # unnamed: the markers under its anchor
        owned = {id(m) for m in own}
        pts = [(m["x"], m["y"], m["r"]) for m in own] or [(lab["anchor"][0], lab["anchor"][1], 0.0)]
        same_spot = lambda m: any(math.hypot(m["x"] - x, m["y"] - y) < 1.0 for x, y, _ in pts)  # noqa: E731
        others = [m for m in markers if id(m) not in owned]
        rivals = [m for m in others if not same_spot(m)]
        d_own = min(_box_dist(lab["box"], x, y) for x, y, _ in pts)
        gap = min(_box_dist(lab["box"], x, y) - r for x, y, r in pts)
        nearer = [m["key"] for m in rivals if _box_dist(lab["box"], m["x"], m["y"]) < d_own - 0.5]
        ld = lab["leader"]
        if ld is not None:
            starts = any(min(math.hypot(ld[0] - x, ld[1] - y), math.hypot(ld[2] - x, ld[3] - y)) <= r + 2.5
                         for x, y, r in pts)
            ends = min(_box_dist(lab["box"], ld[0], ld[1]), _box_dist(lab["box"], ld[2], ld[3])) <= 1.5
            if not (starts and ends):
                out.append(f"{name!r}: its leader does not join it to its own marker")
        if nearer and ld is None:
            out.append(f"{name!r}: nearer the marker of {nearer[0]} than its own, and no leader")
        if gap > FREE_PX and ld is None:
            out.append(f"{name!r}: {gap:.0f} px off its marker with no leader")
        for b in labels[i + 1:]:
            if _overlap(lab["box"], b["box"]):
                out.append(f"{name!r} on {b['text'][:40]!r}")
        for m in markers:
            if _box_dist(lab["box"], m["x"], m["y"]) < m["core"] - 0.5:
                out.append(f"{name!r} on the marker of {m['key']}")
        if ld is None:
            continue
        for j, b in enumerate(labels):
            if j != i and _seg_hits_box(ld, b["box"]):
                out.append(f"{name!r}: its leader crosses the label {b['text'][:40]!r}")
            if j > i and b["leader"] is not None and _cross(ld, b["leader"]):
                out.append(f"{name!r}: its leader crosses the leader of {b['text'][:40]!r}")
        for m in others:
            # a marker overlapping the one the leader starts from is its cluster: no way out avoids it
            cluster = any(math.hypot(m["x"] - x, m["y"] - y) < m["r"] + r for x, y, r in pts)
            if not cluster and _seg_dist(ld, m["x"], m["y"]) < m["core"] - 0.5:
                out.append(f"{name!r}: its leader crosses the marker of {m['key']}")
    return out


def _within(box, frame) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[2] <= frame[0] and box[3] <= frame[1]


def name_breaks(g: dict) -> list[str]:
    """Rule 5, in words: each country name cut but shown, or hidden with nothing on it."""
    out = []
    for n in g["names"]:
        b = n["box"]
        cut = not _within(b, g["frame"]) or any(_overlap(b, x, tol=0) for x in g["boxes"])
        if cut and not n["hidden"]:
            out.append(f"country name {n['text']!r} shown cut by a box or the frame's edge")
        if n["hidden"] and not cut and not any(_overlap(b, x, tol=-1.5) for x in g["boxes"]):
            out.append(f"country name {n['text']!r} hidden with nothing covering it")
    return out


def box_breaks(g: dict) -> list[str]:
    """Rule 6, in words: each pair of boxes on the frame that overlap (the callout key
    under the sources line, the legend under the zoom buttons), and each box that runs
    past the frame."""
    out = []
    ctl = g["controls"]
    for i, a in enumerate(ctl):
        if not _within(a["box"], g["frame"]):
            out.append(f"the box {a['name']} runs past the frame")
        for b in ctl[i + 1:]:
            if _overlap(a["box"], b["box"], tol=0):
                out.append(f"the boxes {a['name']} and {b['name']} overlap")
    return out


def laid_out(page) -> dict:
    return labels_settled(page).evaluate(GEOMETRY_JS)


def _goto(page, app_url, path) -> None:
    page.goto(app_url + path, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stApp"]', timeout=PAGE_TIMEOUT_MS)
    page.locator(MAP_FRAME).first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.pa-marker").first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_labels_keep_the_placement_rules_on_every_milestone(open_page, app_url, size):
    w, h = size
    days = sorted({m.day for m in milestones(load_dataset())})
    page, _, errors = open_page(f"/?date={days[0].isoformat()}", viewport={"width": w, "height": h})
    problems, placed, names_shown, names_hidden = {}, 0, 0, 0
    for k, day in enumerate(days):
        if k:
            _goto(page, app_url, f"/?date={day.isoformat()}")
        g = laid_out(page)
        placed += len(g["labels"])
        found = rule_breaks(g) + name_breaks(g) + box_breaks(g)
        inside = [n for n in g["names"] if _within(n["box"], g["frame"])]
        names_hidden += sum(n["hidden"] for n in inside)
        names_shown += sum(not n["hidden"] for n in inside)
        numbered = sum(lab["callout"] for lab in g["labels"])
        if g["calloutRow"] != (numbered > 0):   # the legend explains the numbered boxes while there are any
            found.append(f"legend's callout row {'shown' if g['calloutRow'] else 'hidden'} "
                         f"with {numbered} numbered labels on the map")
        if found:
            problems[day.isoformat()] = found
            page.screenshot(path=str(ARTIFACTS / f"labels-{day.isoformat()}-{w}x{h}.png"))
    assert placed >= 5 * len(days)     # the labels were there to be checked
    assert problems == {}, "\n".join(f"{day} at {w}x{h}: {p}" for day, found in problems.items() for p in found)
    # and the names in the frame were there: most shown, some under a box (the legend, the key)
    assert names_shown >= 3 * len(days) and names_hidden >= len(days), (names_shown, names_hidden)
    assert errors == []


def test_with_labels_off_names_and_boxes_keep_rules_5_and_6(open_page):
    """No label layout runs with labels off, so nothing else asks for the names and the
    legend to be fitted once the frame has its size: run too early, every name was
    hidden and the legend shrank to its least height."""
    page, _, errors = open_page("/?date=2025-10-21&labels=0", viewport={"width": 1366, "height": 768})

    def late_css(route):   # Leaflet's stylesheet after the map's script, as on a slow disk
        time.sleep(1.5)
        route.fallback()
    page.context.route("**/leaflet.css", late_css)
    page.reload(timeout=PAGE_TIMEOUT_MS)
    page.locator(MAP_FRAME).first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
    page.frame_locator(MAP_FRAME).first.locator("path.pa-marker").first.wait_for(state="attached",
                                                                                 timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)
    frame = map_frame(page)
    frame.wait_for_function("() => { const c = document.querySelector('.leaflet-container');"
                            " return c && c.hasAttribute('data-pa-names-hidden'); }", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(700)   # and any pass asked for by the frame's last resize
    g = frame.evaluate(GEOMETRY_JS)
    assert g["labels"] == []
    assert name_breaks(g) + box_breaks(g) == []
    inside = [n for n in g["names"] if _within(n["box"], g["frame"])]
    assert sum(not n["hidden"] for n in inside) >= 5, [n["text"] for n in inside]
    legend = next(c for c in g["controls"] if c["name"] == "pa-legend")
    assert legend["box"][3] - legend["box"][1] > 250   # fitted to the frame, not to nothing
    assert errors == []
