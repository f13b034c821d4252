"""Dates of uneven precision.

Reports say "on Monday", "next week", "in September", "by 2026". A :class:`FuzzyDate`
keeps the precision the source gave and turns it into the closed interval of days it
may mean, so that ordering and "is this in force on D?" never pretend to know more
than the source said.

Written forms, one per precision (the form *is* the precision, and a mismatch is a
data error rather than a silent guess):

=========  ==============  ==============================
precision  form            interval
=========  ==============  ==============================
day        ``2025-09-15``  that day
week       ``2026-W02``    ISO week, Monday to Sunday
month      ``2025-09``     first to last day of the month
year       ``2026``        1 January to 31 December
=========  ==============  ==============================
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

PRECISIONS = ("day", "week", "month", "year")

_FORMS = {
    "day": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "YYYY-MM-DD, e.g. 2025-09-15"),
    "week": (re.compile(r"^(\d{4})-W(\d{2})$"), "YYYY-Www (ISO week), e.g. 2026-W02"),
    "month": (re.compile(r"^(\d{4})-(\d{2})$"), "YYYY-MM, e.g. 2025-09"),
    "year": (re.compile(r"^(\d{4})$"), "YYYY, e.g. 2026"),
}


@dataclass(frozen=True, order=True)
class FuzzyDate:
    """A date as precise as its source: the interval ``[start, end]`` of days it may mean."""

    start: dt.date
    end: dt.date
    precision: str
    text: str

    def __str__(self) -> str:
        return self.text

    def label(self) -> str:
        """Human wording: '15 Sep 2025', 'week of 5 Jan 2026', 'Sep 2025', '2026'."""
        return _label(self.precision, self.start)


@lru_cache(maxsize=65536)
def _label(precision: str, start: dt.date) -> str:
    # memoised: a map at 1,000 places words some 3,000 dates per day drawn, from a few
    # thousand distinct ones, and strftime is most of the cost
    if precision == "day":
        return f"{start.day} {start:%b %Y}"
    if precision == "week":
        return f"week of {start.day} {start:%b %Y}"
    if precision == "month":
        return f"{start:%b %Y}"
    return f"{start.year}"


def expected_form(precision: str) -> str:
    return _FORMS[precision][1]


@lru_cache(maxsize=65536)
def _parse_cached(text: str, precision: str) -> FuzzyDate:
    return _parse(text, precision)


def parse_fuzzy(text: str, precision: str) -> FuzzyDate:
    """Parse ``text`` written in the form of ``precision`` (memoised: a dataset repeats
    the same few thousand dates, and :class:`FuzzyDate` is immutable).

    Raises ``ValueError`` with a message that says what form was expected.

    >>> parse_fuzzy("2026-W02", "week").start
    datetime.date(2026, 1, 5)
    >>> parse_fuzzy("2025-09", "month").end
    datetime.date(2025, 9, 30)
    """
    if not isinstance(text, str) or not isinstance(precision, str):
        return _parse(text, precision)
    return _parse_cached(text, precision)


def _parse(text: str, precision: str) -> FuzzyDate:
    """Parse ``text`` written in the form of ``precision``.

    Raises ``ValueError`` with a message that says what form was expected.

    >>> parse_fuzzy("2026-W02", "week").start
    datetime.date(2026, 1, 5)
    >>> parse_fuzzy("2025-09", "month").end
    datetime.date(2025, 9, 30)
    """
    text = (text or "").strip()
    precision = (precision or "").strip()
    if precision not in _FORMS:
        raise ValueError(f"unknown date precision {precision!r}; expected one of {', '.join(PRECISIONS)}")
    pattern, form = _FORMS[precision]
    m = pattern.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a {precision} date; expected {form}")
    try:
        if precision == "day":
            start = end = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif precision == "week":
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            end = start + dt.timedelta(days=6)
        elif precision == "month":
            year, month = int(m[1]), int(m[2])
            start = dt.date(year, month, 1)
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
        else:
            start, end = dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real {precision} date ({exc}); expected {form}") from None
    return FuzzyDate(start, end, precision, text)


def parse_day(text: str) -> dt.date:
    """Parse an exact ISO day (``YYYY-MM-DD``), with the same error wording as :func:`parse_fuzzy`."""
    return parse_fuzzy(text, "day").start


def as_date(value: dt.date | str | None) -> dt.date | None:
    """Accept a ``date``, a ``datetime`` or an ISO day string; ``None`` passes through."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return parse_day(str(value))


def age_label(days: int) -> str:
    """'today', '3 days', '5 weeks', '7 months': how old a figure is, in words."""
    if days <= 0:
        return "today"
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 60:
        return f"{days // 7} weeks"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{days / 365.25:.1f} years"
