"""Dates relative to the publication day, as dataset periods (never finer than the words)."""
from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import parse_fuzzy
from geo.ingest.dates import find_dates

TUE = dt.date(2025, 8, 19)   # a Tuesday
WED = dt.date(2025, 12, 31)  # a Wednesday


@pytest.mark.parametrize("sentence, published, future, expected", [
    ("On Monday, the first phase began.", TUE, False, "2025-08-18"),
    ("The base will be handed over on Monday.", TUE, True, "2025-08-25"),
    ("Ain al-Asad will witness a full withdrawal next week.", WED, True, "2026-W02"),
    ("The withdrawal was to be completed by last month.", dt.date(2025, 10, 20), False, "2025-09"),
    ("The last soldier will leave in mid-September.", TUE, True, "2025-09"),
    ("Troops will go in early October.", TUE, True, "2025-10"),
    ("Troops left in late October.", dt.date(2025, 11, 5), False, "2025-10"),
    ("CENTCOM acknowledged it in late September.", dt.date(2025, 10, 20), False, "2025-09"),
    ("The mission ends by the end of September.", TUE, True, "2025-09"),
    ("Complete withdrawal by September 2026.", TUE, True, "2026-09"),
    ("Within a month, they will have withdrawn.", dt.date(2026, 2, 23), True, "2026-03"),
    ("A diplomat said within 20 days.", dt.date(2026, 2, 23), True, "2026-03-15"),
    ("Under the agreement reached last fall.", dt.date(2025, 10, 20), False, "2024"),
    ("They will leave in about 15 days.", TUE, True, "2025-W36"),
    ("It will take about 15 days.", TUE, True, "2025-W36"),
    ("The base closes on September 15.", TUE, True, "2025-09-15"),
    ("The strike came on January 3, 2020.", TUE, False, "2020-01-03"),
    ("Monday 18 August 2025 - 14:50", TUE, False, "2025-08-18"),
    ("The military withdrawal by next September.", TUE, True, "2025-09"),
    ("The first phase is scheduled for September this year.", TUE, True, "2025-09"),
    ("The full completion set for September next year.", TUE, True, "2026-09"),
    ("A presence through 2026.", TUE, True, "2026"),
    ("Two weeks ago the convoy left.", TUE, False, "2025-W32"),
    ("It was announced yesterday.", TUE, False, "2025-08-18"),
    ("Currently, around 2,500 troops are present.", TUE, False, "2025-08-19"),
    ("Within the next few days units will move.", dt.date(2025, 8, 24), True, "2025-W35"),
    ("A move planned for this summer.", dt.date(2025, 3, 1), True, "2025"),
    ("The troops moved last winter.", dt.date(2025, 4, 1), False, "2025"),
])
def test_dates(sentence, published, future, expected):
    found = find_dates(sentence, published, future)
    assert [d.date.text for d in found] == [expected], found
    d = found[0]
    assert sentence[d.start:d.end] == d.words
    # the text is in the dataset's own date form, so the loader accepts it
    assert parse_fuzzy(d.date.text, d.date.precision) == d.date


@pytest.mark.parametrize("sentence", [
    "Troop numbers are expected to fall below 2,000.",   # 'fall' the verb, not the season
    "Hundreds of US troops may remain in advisory roles.",  # 'may' the verb, not the month
    "The spring offensive was long expected.",
])
def test_words_that_are_not_dates(sentence):
    assert find_dates(sentence, TUE, True) == []


def test_part_of_month_is_never_finer_than_the_month():
    (d,) = find_dates("They left in late September.", dt.date(2025, 10, 20), False)
    assert d.date.precision == "month"


def test_deadlines_are_marked():
    (d,) = find_dates("They will go by the end of September.", TUE, True)
    assert d.deadline
    (d,) = find_dates("They went in September.", dt.date(2025, 10, 2), False)
    assert not d.deadline
