"""geo.popup's milestone strip and the chosen day's mark drawn over it."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

from geo.popup import chosen_day_html, milestone_strip_html

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2026, 1, 1)
STOPS = [SimpleNamespace(day=dt.date(2025, 1, 1), label="Handover <b>", kind="handover")]


def _left(html: str, title_start: str) -> float:
    m = re.search(r'title="' + re.escape(title_start) + r'[^"]*" style="[^"]*left:calc\(([\d.]+)% - \d+px\)', html)
    assert m, html
    return float(m.group(1))


def test_the_strip_has_no_day_and_the_mark_stands_where_the_strip_puts_that_day():
    strip = milestone_strip_html(STOPS, FIRST, LAST, dt.date(2025, 12, 1))
    assert "chosen day" not in strip and "Handover &lt;b&gt;" in strip
    # a mark on a milestone's day is at the milestone's tick
    assert _left(chosen_day_html(dt.date(2025, 1, 1), FIRST, LAST), "chosen day") == _left(strip, "1 Jan 2025")
    assert _left(chosen_day_html(dt.date(2025, 1, 1), FIRST, LAST), "chosen day") == 50.07


def test_the_mark_stays_on_the_strip_outside_its_dates():
    assert _left(chosen_day_html(dt.date(2020, 5, 5), FIRST, LAST), "chosen day 5 May 2020") == 0
    assert _left(chosen_day_html(dt.date(2030, 5, 5), FIRST, LAST), "chosen day 5 May 2030") == 100


def test_the_mark_is_drawn_up_over_the_strip_from_a_box_of_no_height():
    html = chosen_day_html(dt.date(2025, 1, 1), FIRST, LAST)
    assert html.startswith('<div class="pa-strip-day" style="position:relative;height:0;margin:0 8px">')
    assert "top:-14px" in html   # 14 px down the 26 px strip (and its 2 px margin) above the box
