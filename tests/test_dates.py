import datetime as dt

import pytest

from geo.dates import age_label, parse_fuzzy


@pytest.mark.parametrize("text,precision,start,end", [
    ("2025-09-15", "day", dt.date(2025, 9, 15), dt.date(2025, 9, 15)),
    ("2026-W02", "week", dt.date(2026, 1, 5), dt.date(2026, 1, 11)),
    ("2025-02", "month", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
    ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2026", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
])
def test_interval_of_each_precision(text, precision, start, end):
    fz = parse_fuzzy(text, precision)
    assert (fz.start, fz.end, fz.precision, str(fz)) == (start, end, precision, text)


@pytest.mark.parametrize("text,precision,match", [
    ("2025-09", "day", r"not a day date; expected YYYY-MM-DD"),
    ("2025-09-15", "month", r"not a month date; expected YYYY-MM"),
    ("2025-13", "month", r"not a real month date"),
    ("2025-02-30", "day", r"not a real day date"),
    ("2026-W54", "week", r"not a real week date"),
    ("15/09/2025", "day", r"expected YYYY-MM-DD"),
    ("2025", "decade", r"unknown date precision 'decade'"),
    ("", "day", r"'' is not a day date"),
])
def test_bad_dates_say_what_was_expected(text, precision, match):
    with pytest.raises(ValueError, match=match):
        parse_fuzzy(text, precision)


def test_labels():
    assert parse_fuzzy("2026-W02", "week").label() == "week of 5 Jan 2026"
    assert parse_fuzzy("2025-09", "month").label() == "Sep 2025"
    assert age_label(0) == "today" and age_label(1) == "1 day" and age_label(21) == "3 weeks"
    assert age_label(270) == "9 months"
