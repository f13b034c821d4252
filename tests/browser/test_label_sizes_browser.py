"""Label sizes kept across dates: the placer reads the size of a label's words only
the first time it meets them on a map (``map._paLabelSizes`` in
static/js/posture-atlas-map.js), and what it places is what it places with every size
read afresh.

One page, stepped day by day with the slider as a user does; after each step the same
layer is laid out again with the kept sizes forgotten, and every shown label's words,
box and leader must come out the same.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import labels_settled, wait_idle, PAGE_TIMEOUT_MS
from tests.browser.test_labels_browser import GEOMETRY_JS

pytestmark = pytest.mark.browser

STATE_JS = """() => { const c = document.querySelector('.leaflet-container');
  return {layouts: +c.getAttribute('data-pa-layouts'), measured: +c.getAttribute('data-pa-labels-measured'),
          date: document.querySelector('.pa-date').textContent}; }"""


def _placed(frame) -> list:
    geo = frame.evaluate(GEOMETRY_JS)
    return sorted((lb["text"], [round(v, 1) for v in lb["box"]], lb["leader"] and [round(v, 1) for v in lb["leader"]])
                  for lb in geo["labels"])


SIZES_JS = """() => {
  const layer = Object.values(window.map_div._layers).find(l => l._items && l._avoid);
  const sizes = window.map_div._paLabelSizes || {};
  const out = {checked: 0, differ: []};
  layer._items.forEach(it => {
    if (!it.shown || it.div.querySelector('.pa-callout')) { return; }   // a callout is measured as its number
    const k = sizes[it.sizeKey];
    out.checked += 1;
    if (!k || k[0] !== it.div.offsetWidth || k[1] !== it.div.offsetHeight) {
      out.differ.push([it.div.textContent, k, it.div.offsetWidth, it.div.offsetHeight]);
    }
  });
  return out; }"""


def _relayout(frame, page, *, forget: bool) -> list:
    n = frame.evaluate(STATE_JS)["layouts"]
    frame.evaluate("(forget) => { if (forget) { window.map_div._paLabelSizes = null; }"
                   " window.map_div.fire('moveend'); }", forget)
    frame.wait_for_function("(n) => +document.querySelector('.leaflet-container')"
                            ".getAttribute('data-pa-layouts') > n", arg=n, timeout=PAGE_TIMEOUT_MS)
    return _placed(labels_settled(page))


def test_kept_label_sizes_place_every_label_as_sizes_read_afresh(open_page):
    # 18 Aug 2025 onwards: the drawdown's busiest weeks, labels changing on some days only
    page, _requests, errors = open_page("/?date=2025-08-18")
    frame = labels_settled(page)
    thumb = page.get_by_role("slider").first
    reused = 0
    for _ in range(8):
        before = frame.evaluate(STATE_JS)["date"]
        thumb.focus()
        thumb.press("ArrowRight")
        frame.wait_for_function("(b) => document.querySelector('.pa-date').textContent !== b", arg=before,
                                timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        frame = labels_settled(page)
        state = frame.evaluate(STATE_JS)
        placed = _placed(frame)
        assert placed, state
        reused += state["measured"] < len(placed)
        # every size the placer took from what it kept is the size its label has now
        wrong = frame.evaluate(SIZES_JS)
        callouts = sum(1 for text, _box, _leader in placed if text.isdigit())
        assert wrong["checked"] == len(placed) - callouts and not wrong["differ"], (state["date"], wrong)
        # and the layer laid out again with the kept sizes, then with every size read
        # afresh, places every label the same (both with the key box standing)
        kept = _relayout(frame, page, forget=False)
        fresh = _relayout(frame, page, forget=True)
        assert frame.evaluate(STATE_JS)["measured"] >= len(placed)   # nothing was known: every label read
        assert fresh == kept, state["date"]
    # the point of keeping them: a step to the next day reads few sizes, or none
    assert reused >= 4
    assert not errors
