"""Dates in a sentence, absolute or relative to the publication day, as dataset periods.

Every date found is returned as a :class:`~geo.dates.FuzzyDate` in one of the dataset's
forms (day ``2025-09-15``, ISO week ``2026-W02``, month ``2025-09``, year ``2026``),
never finer than the words: "late September" stays the month, "mid-September" too.

Two layers:

* a rule layer of our own for the words that name a *period* ("mid-", "early/late",
  "end of", "by", "within N days", seasons, "next week", "last month", weekdays).
  Counts follow data/README.md: an exact count from the publication day is an exact
  deadline ("within a month" said 2026-02-23 is ``2026-03-23``); an approximate one
  ("about 15 days", "a few days") keeps the coarser period it ends in (a handful of
  days the ISO week, more the month). "by", "until", "before" (also before "next week",
  "last month") mark the date as a deadline;
* dateparser 1.5 (``languages=['en']``, ``RELATIVE_BASE`` = the publication day,
  ``PREFER_DATES_FROM`` from the tense) for explicit days ("September 15",
  "January 3, 2020"; the year of a day written without one is then set from the tense
  by the rule layer) and for counted offsets ("two weeks ago", "three days later").
  ``RETURN_TIME_SPAN`` is not used: its spans are datetimes, where the rule layer
  returns the dataset's own periods directly.

``future`` says whether the sentence speaks of what is to come (a plan): it decides
whether "September" means the next September or the last one, and "Monday" the
coming or the past Monday; ``None`` (the verbs do not say) takes the nearest month.

Seasons (northern hemisphere: spring Mar–May, summer Jun–Aug, fall/autumn Sep–Nov,
winter Dec–Feb) span three months, so they are stored as their year (the coarser form
that holds them; winter as the year of its January) and the note names the months.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ..dates import FuzzyDate, parse_fuzzy

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
                 "fifteen": 15, "twenty": 20, "thirty": 30, "few": 3, "several": 3, "couple": 2}
_N = r"(?:\d{1,3}|a\s+few|a\s+couple(?:\s+of)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|few|several|couple(?:\s+of)?)"


@dataclass(frozen=True)
class DateMention:
    """A date in a sentence: ``sentence[start:end] == words``."""

    start: int
    end: int
    words: str
    date: FuzzyDate
    confidence: float
    note: str = ""
    #: True for words that bound a plan's due period ("by", "within", "end of")
    deadline: bool = False


def day(d: dt.date) -> FuzzyDate:
    return parse_fuzzy(d.isoformat(), "day")


def week(d: dt.date) -> FuzzyDate:
    y, w, _ = d.isocalendar()
    return parse_fuzzy(f"{y}-W{w:02d}", "week")


def month(y: int, m: int) -> FuzzyDate:
    return parse_fuzzy(f"{y:04d}-{m:02d}", "month")


def year(y: int) -> FuzzyDate:
    return parse_fuzzy(f"{y:04d}", "year")


def _add_months(d: dt.date, n: int) -> tuple[int, int]:
    k = d.year * 12 + (d.month - 1) + n
    return k // 12, k % 12 + 1


def _count(word: str) -> int:
    w = re.sub(r"^a\s+(?=few|couple)", "", re.sub(r"\s+", " ", word.lower())).replace("couple of", "couple").strip()
    return int(w) if w.isdigit() else _NUMBER_WORDS.get(w, 1)


def _month_year(m: int, y: int | None, published: dt.date, future: bool, next_: bool = False,
                this: bool = False) -> int:
    """The year of a month named without one: the coming such month for a plan or
    "next September", the last one for a report; "this September" is the publication
    year."""
    if y is not None:
        return y
    if this:
        return published.year
    if next_:
        return published.year if m > published.month else published.year + 1
    if future is None:
        # the tense does not say: the occurrence nearest the publication month
        ahead = published.year if m >= published.month else published.year + 1
        behind = published.year if m <= published.month else published.year - 1
        gap = lambda y: abs((y - published.year) * 12 + m - published.month)  # noqa: E731
        return behind if gap(behind) <= gap(ahead) else ahead
    if future:
        return published.year if m >= published.month else published.year + 1
    return published.year if m <= published.month else published.year - 1


def _span(d: dt.date, unit: str) -> FuzzyDate:
    return {"day": day, "week": week}.get(unit, lambda x: month(x.year, x.month) if unit == "month" else year(x.year))(d)


def _shift(published: dt.date, n: int, unit: str, sign: int) -> dt.date:
    if unit == "day":
        return published + dt.timedelta(days=sign * n)
    if unit == "week":
        return published + dt.timedelta(weeks=sign * n)
    if unit == "month":
        y, m = _add_months(published, sign * n)
        return dt.date(y, m, min(published.day, calendar.monthrange(y, m)[1]))
    return dt.date(published.year + sign * n, published.month, min(published.day, 28))


_RULES: list[tuple[re.Pattern, str]] = []


def _rule(pattern: str):
    def deco(fn):
        _RULES.append((re.compile(pattern, re.I), fn))
        return fn
    return deco


# order matters: the longest, most specific forms first; a later rule never matches
# inside an earlier one's words.

@_rule(rf"\b(?:(?P<by>by|until|before|no\s+later\s+than)\s+)?(?:the\s+)?(?P<part>end|beginning|start|middle)\s+of\s+(?:(?P<rel>this|next|last)\s+)?(?P<m>{_MONTH})(?:\s*,?\s*(?P<y>\d{{4}}|this\s+year|next\s+year|last\s+year))?")
def _end_of_month(m, published, future):
    return _named_month(m, published, future, f"{m['part'].lower()} of the month: stays the month",
                        deadline=bool(m["by"]) or m["part"].lower() == "end")


@_rule(rf"\b(?:(?P<by>by|until|before)\s+)?(?:(?P<part>mid|early|late)[- ]\s*|(?:the\s+)?(?P<part2>middle|beginning|start|end)\s+of\s+)(?:(?P<rel>this|next|last)\s+)?(?P<m>{_MONTH})(?:\s*,?\s*(?P<y>\d{{4}}|this\s+year|next\s+year|last\s+year))?")
def _part_month(m, published, future):
    part = (m["part"] or m["part2"] or "").lower()
    return _named_month(m, published, future, f"'{part}' month: stays the month (never finer than the words)",
                        deadline=bool(m["by"]))


@_rule(rf"\b(?:(?P<on>on|by|until|before|since|from)\s+)?(?:{_WEEKDAY},?\s+)?(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}))(?:\s*,?\s*(?P<y>\d{{4}}))?\b")
def _explicit_day(m, published, future):
    import dateparser

    text = m.group().strip()
    core = re.sub(r"^(?:on|by|until|before|since|from)\s+", "", text, flags=re.I)
    settings = {"RELATIVE_BASE": dt.datetime.combine(published, dt.time()),
                "PREFER_DATES_FROM": "future" if future else "past", "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": ["day", "month"]}
    parsed = dateparser.parse(core, languages=["en"], settings=settings)
    if parsed is None:
        return None
    d = parsed.date()
    if not m["y"]:
        # dateparser prefers past/future relative to the base *moment*; a day in the
        # publication month itself counts as this year either way
        mo = MONTHS[(m["m1"] or m["m2"]).lower().rstrip(".")]
        y = _month_year(mo, None, published, future)
        try:
            d = dt.date(y, mo, d.day)
        except ValueError:
            return None
    deadline = (m["on"] or "").lower() in ("by", "until", "before")
    return day(d), 0.9 if m["y"] else 0.8, "" if m["y"] else "year inferred from the tense", deadline


@_rule(rf"\b(?:(?P<by>by|until|before|through|in|during|from|since|for|of)\s+)?(?:(?P<rel>this|next|last)\s+)?(?P<m>{_MONTH})(?:\s*,?\s*(?P<y>\d{{4}}|this\s+year|next\s+year|last\s+year))?(?!\s*\d)")
def _month_rule(m, published, future):
    if m["m"].lower().rstrip(".") == "may" and not (m["y"] or m["by"] or m["rel"]):
        return None  # "may" the verb
    if m["m"][0].islower():
        return None
    return _named_month(m, published, future, "", deadline=(m["by"] or "").lower() in ("by", "until", "before"))


def _named_month(m, published, future, note, deadline=False):
    mo = MONTHS[m["m"].lower().rstrip(".")]
    ytext = (m["y"] or "").lower()
    rel = (m["rel"] or "").lower() if "rel" in m.re.groupindex else ""
    if ytext.isdigit():
        y = int(ytext)
    elif ytext.startswith("this"):
        y = published.year
    elif ytext.startswith("next"):
        y = published.year + 1
    elif ytext.startswith("last"):
        y = published.year - 1
    elif rel == "last":
        y = published.year if mo < published.month else published.year - 1
    else:
        y = _month_year(mo, None, published, True if deadline else future, next_=rel == "next", this=rel == "this")
    conf = 0.9 if ytext else 0.75
    why = note or ("" if ytext.isdigit() else "year inferred from the tense")
    return month(y, mo), conf, why, deadline


@_rule(rf"\b(?:(?P<by>by|until|before|in|during|since)\s+(?:the\s+)?)?(?:(?P<rel>last|this|next|early|late|past|coming)\s+)?(?P<s>spring|summer|fall|autumn|winter)(?:\s+(?:of\s+)?(?P<y>\d{{4}}))?\b")
def _season(m, published, future):
    if not (m["by"] or m["rel"] or m["y"]):
        return None  # "fall", "spring" as verbs: "expected to fall below 2,000"
    s = m["s"].lower()
    first, last = _SEASONS[s]
    rel = (m["rel"] or "").lower().replace("past", "last").replace("coming", "next")
    if m["y"]:
        y = int(m["y"])
    elif rel == "last":
        # the last whole season before publication (winter: the year of its January)
        if first <= last:
            y = published.year if published.month > last else published.year - 1
        else:
            y = published.year if published.month >= 3 else published.year - 1
    elif rel == "next":
        y = published.year if published.month < first else published.year + 1
    else:
        y = published.year
    if first > last:  # winter: December to February, stored as the year of its January
        note = f"{s} {y}: December {y - 1} to February {y}; stored as the year {y}"
        return year(y), 0.5, note, False
    note = f"{s} {y}: {calendar.month_name[first]} to {calendar.month_name[last]} {y}; stored as the year"
    return year(y), 0.55, note, bool(m["by"] and m["by"].lower() == "by")


def _is_vague(n_words: str, about: str | None) -> bool:
    return bool(about) or re.sub(r"^a\s+", "", n_words.lower()).startswith(("few", "several", "couple"))


def _approximate(d: dt.date, n: int, unit: str) -> FuzzyDate:
    """The period an approximate count ("about 15 days", "a few days") ends in, coarser
    than the words' unit (data/README.md: "where the words only approximate
    ("approximately 15 days" from 2026-02-23), keep the coarser period (2026-03)"; "within
    the next few days" said 2025-08-24 is 2025-W35): a handful of days is the week, more
    days or weeks the month, months the month, years the year."""
    if unit == "day" and n < 7:
        return week(d)
    return year(d.year) if unit == "year" else month(d.year, d.month)


@_rule(rf"\b(?P<w>within|in|after|over)\s+(?:the\s+)?(?:next\s+|coming\s+)?(?P<about>about\s+|around\s+|roughly\s+|approximately\s+|some\s+)?(?P<n>{_N})\s+(?P<u>day|week|month|year)s?\b")
def _within(m, published, future):
    n, unit = _count(m["n"]), m["u"].lower()
    due = _shift(published, n, unit, +1)
    within = m["w"].lower() == "within"
    if _is_vague(m["n"], m["about"]):
        return _approximate(due, n, unit), 0.6, \
            f"'{m.group()}' from the publication day {published}: approximate, stored as the period it ends in", within
    if within and unit != "year":
        # "within a month" / "within 20 days" from a known day is an exact deadline
        # (data/README.md: "within a month" said 2026-02-23 is 2026-03-23)
        return day(due), 0.75, f"'{m.group()}' from the publication day {published}: an exact deadline", True
    return _span(due, unit), 0.75, f"'{m.group()}' from the publication day {published}", within


@_rule(rf"\b(?P<about>about\s+|around\s+|roughly\s+|approximately\s+|some\s+)?(?P<n>{_N})\s+(?P<u>day|week|month|year)s?\s+(?P<dir>ago|earlier|before|later|from\s+now|after)\b")
def _ago(m, published, future):
    import dateparser

    n, unit = _count(m["n"]), m["u"].lower()
    sign = -1 if m["dir"].lower() in ("ago", "earlier", "before") else +1
    phrase = f"{n} {unit}s ago" if sign < 0 else f"in {n} {unit}s"
    parsed = dateparser.parse(phrase, languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime.combine(published, dt.time(12)),
        "PREFER_DATES_FROM": "past" if sign < 0 else "future"})
    d = parsed.date() if parsed is not None else _shift(published, n, unit, sign)
    if _is_vague(m["n"], m["about"]):
        return _approximate(d, n, unit), 0.6, f"'{m.group()}': approximate, stored as the period it falls in", False
    return _span(d, unit), 0.75, "", False


@_rule(r"\b(?P<about>about|around|some|roughly|approximately)\s+(?P<n>\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty)\s+(?P<u>day|week|month)s\b")
def _about_duration(m, published, future):
    # "about 15 days" with no anchor: a period counted from publication, as a plan's
    # horizon when the sentence speaks of the future, else before it
    n, unit = _count(m["n"]), m["u"].lower()
    d = _shift(published, n, unit, +1 if future else -1)
    return _approximate(d, n, unit), 0.45, \
        f"'{m.group()}' counted {'from' if future else 'back from'} the publication day; approximate, coarsened", bool(future)


@_rule(r"\b(?:(?P<by>by|until|before|no\s+later\s+than|through|since|in|during)\s+)?(?:the\s+)?(?P<rel>next|last|this|past|coming|previous)\s+(?P<u>week|month|year)\b")
def _relative_unit(m, published, future):
    rel, unit = m["rel"].lower(), m["u"].lower()
    sign = {"next": 1, "coming": 1, "last": -1, "past": -1, "previous": -1, "this": 0}[rel]
    d = _shift(published, 1, unit, sign) if sign else published
    # "by next week", "would be completed by last month": the words bound a due period
    by = re.sub(r"\s+", " ", (m["by"] or "").lower())
    return _span(d, unit), 0.85, "", by in ("by", "until", "before", "no later than")


@_rule(r"\b(?P<w>next\s+few\s+days|coming\s+days|days\s+ahead|coming\s+weeks|next\s+few\s+weeks|weeks\s+ahead)\b")
def _coming(m, published, future):
    if "week" in m["w"].lower():
        y, mo = _add_months(published, 1)
        return month(y, mo) if published.day > 15 else month(published.year, published.month), 0.5, "'coming weeks'", True
    return week(published + dt.timedelta(days=3)), 0.6, "'next few days': the week after about three days", True


@_rule(rf"\b(?:(?P<rel>last|next|this|on|by)\s+)?(?P<d>{_WEEKDAY})\b")
def _weekday(m, published, future):
    target = _WEEKDAYS[m["d"].lower()]
    rel = (m["rel"] or "").lower()
    delta = (published.weekday() - target) % 7
    if rel == "next" or (future and rel != "last"):
        ahead = (target - published.weekday()) % 7 or 7
        d = published + dt.timedelta(days=ahead + (7 if rel == "next" and ahead < 2 else 0))
    else:
        d = published - dt.timedelta(days=delta)
    return day(d), 0.7, f"{m['d']} relative to the publication day {published:%A} {published}", rel == "by"


@_rule(r"\b(?P<w>today|tonight|yesterday|tomorrow|currently|presently|now|at present|at the moment|so far)\b")
def _deictic(m, published, future):
    w = m["w"].lower()
    shift = {"yesterday": -1, "tomorrow": 1}.get(w, 0)
    conf = 0.6 if w in ("currently", "presently", "now", "at present", "at the moment", "so far") else 0.85
    return day(published + dt.timedelta(days=shift)), conf, "", False


@_rule(r"\b(?P<by>by|in|until|through|since|before|from|during|of|end\s+of)?\s*(?<![\d,.-])(?P<y>(?:19|20)\d{2})(?![\d,-])\b")
def _year(m, published, future):
    by = (m["by"] or "").lower()
    return year(int(m["y"])), 0.7, "", by in ("by", "until", "before", "end of", "through")


def find_dates(sentence: str, published: dt.date, future: bool | None = False) -> list[DateMention]:
    """Every date in a sentence, left to right, non-overlapping; earlier rules win.

    ``future``: True for a sentence about what is to come, False for what happened,
    None when its verbs do not say (a month without a year is then the nearest one).

    >>> [d.date.text for d in find_dates("the base will close by the end of September", dt.date(2025, 8, 19), True)]
    ['2025-09']
    """
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for pattern, fn in _RULES:
        for m in pattern.finditer(sentence):
            a, b = m.start(), m.end()
            while b > a and sentence[b - 1] in " ,":
                b -= 1
            if a == b or any(not (b <= s or a >= e) for s, e in taken):
                continue
            res = fn(m, published, future)
            if res is None:
                continue
            date, conf, note, deadline = res
            lead = len(m.group()) - len(m.group().lstrip())
            taken.append((a + lead, b))
            out.append(DateMention(a + lead, b, sentence[a + lead:b], date, conf, note, deadline))
    return sorted(out, key=lambda d: d.start)
