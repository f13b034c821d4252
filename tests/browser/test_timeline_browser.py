"""The Timeline chart in a real browser: it is as wide as its column (no fixed width, no
overflow) and no two milestone labels overlap, measured on the drawn SVG text
(getBoundingClientRect), at the screen sizes a briefer uses. Screenshots to artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_direct_url_browser import _not_probes

pytestmark = pytest.mark.browser

WAIT_MS = 60_000

GEOMETRY_JS = """
() => {
  const el = document.querySelector('[data-testid=stVegaLiteChart]');
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = el.querySelector('svg');
  return {
    container: rect(el), svg: svg ? rect(svg) : null,
    legends: [...el.querySelectorAll('.role-legend-title')].map(t => t.textContent),
    labels: [...el.querySelectorAll('g[class*=milestone_labels] text')].map(t => ({text: t.textContent, box: rect(t)})),
  };
}
"""


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_timeline_follows_its_column_and_its_milestone_labels_do_not_overlap(open_page, size):
    page, _, errors = open_page("/Timeline?date=2025-10-21", wait_for_map=False,
                                viewport={"width": size[0], "height": size[1]})
    page.locator("[data-testid=stVegaLiteChart] svg g[class*=milestone_labels] text").first.wait_for(
        timeout=WAIT_MS)
    geo = page.evaluate(GEOMETRY_JS)
    box, svg = geo["container"], geo["svg"]
    assert svg is not None, "the chart is not drawn as SVG"
    # as wide as its column, not wider (a fixed 1000 px chart was either)
    assert abs(svg[0] - box[0]) <= 1 and abs(svg[2] - box[2]) <= 1, (svg, box)
    assert geo["legends"] == ["Status", "Basis"]  # colour and dash both explained
    labels = geo["labels"]
    assert len(labels) >= 10
    hits = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if _overlap(a["box"], b["box"])]
    assert hits == []
    assert [a["text"] for a in labels if a["box"][0] < svg[0] - 0.5 or a["box"][2] > svg[2] + 0.5] == []
    page.locator("[data-testid=stVegaLiteChart]").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"timeline-{size[0]}x{size[1]}.png"))
    assert _not_probes(errors) == [], "\n".join(errors)
