"""Troop figures in a sentence, as a range plus the source's hedge.

The hedge is kept in the dataset's qualifier vocabulary (:data:`geo.model.QUALIFIERS`,
data/README.md *Qualifiers*); the exact words are kept in :attr:`Figure.words` and in
the proposal's note.

Vague words, and the range each is coded as (our choice, following ACLED's practice of
coding vague counts by a conservative lower bound and leaving the top open):

==========================================  =========  =========  ================
words                                       troops_min troops_max qualifier
==========================================  =========  =========  ================
"dozens (of)"                               12         (open)     ``at least``
"scores (of)"                               40         (open)     ``at least``
"hundreds (of)"                             100        (open)     ``at least``
"several hundred"                           300        (open)     ``at least``
"thousands (of)"                            1000       (open)     ``at least``
"a few", "a handful"                        (empty)    (empty)    ``a few``
"a small force", "a limited number",
"a small number", "a very small number",
"a small contingent"                        (empty)    (empty)    ``limited number``
==========================================  =========  =========  ================

ACLED codes "dozens" as 12 and "hundreds" as 100 (ACLED Codebook, fatalities); we use
the same lower bounds so figures stay comparable, and never invent an upper bound.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}

_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
# "two thousand", "five hundred", "twenty-five", "two thousand five hundred", "a thousand"
_NUMWORDS = (rf"(?:(?:{_WORD}|a)(?:[- ](?:{_WORD}))?(?:\s+(?:hundred|thousand))?"
             rf"(?:\s+(?:and\s+)?(?:{_WORD})(?:[- ](?:{_WORD}))?(?:\s+hundred)?)?)")
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\s*(?:thousand|hundred))?"
NUM = rf"(?:{_DIGITS}|\b{_NUMWORDS}\b)"

#: what troops are called; a number counts as a figure only with one of these close by
TROOP_NOUN = (r"(?:troops?|soldiers?|personnel|forces?|servicemembers?|service\s*members?|"
              r"advis[eo]rs?|trainers?|marines|sailors|airmen|contractors|fighters|commandos|"
              r"staff|members|instructors|military\s+personnel|Americans)")

_QUALIFIER_WORDS = [
    (r"just\s+(?:over|above|more\s+than)|more\s+than|over|upwards\s+of|in\s+excess\s+of|above", "more than"),
    (r"fewer\s+than|less\s+than|under|below|no\s+more\s+than|not\s+more\s+than", "fewer than"),
    (r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|a\s+minimum\s+of", "at least"),
    (r"up\s+to|as\s+many\s+as|a\s+maximum\s+of", "up to"),
    (r"nearly|almost|close\s+to|just\s+under|not\s+quite", "nearly"),
    (r"about|around|roughly|approximately|some|an\s+estimated|estimated|approx\.|circa|c\.|~", "about"),
]
_QUAL = "|".join(f"(?P<q{i}>{p})" for i, (p, _) in enumerate(_QUALIFIER_WORDS))

_RANGE = re.compile(rf"(?<![\w,])(?P<lo>{NUM})\s*(?:-|–|—|to|and)\s*(?P<hi>{NUM})(?!\w|,\d)", re.I)
_SINGLE = re.compile(rf"(?:(?:{_QUAL})\s+)?(?<![\w,.])(?P<n>{NUM})(?!\w|,\d|\.\d)", re.I)

_VAGUE = [
    (r"several\s+hundred", 300, None, "at least"),
    (r"(?:many\s+)?hundreds(?:\s+of)?", 100, None, "at least"),
    (r"(?:many\s+)?thousands(?:\s+of)?", 1000, None, "at least"),
    (r"(?:several\s+)?dozens?(?:\s+of)?", 12, None, "at least"),
    (r"scores\s+of", 40, None, "at least"),
    (r"a\s+(?:few|handful\s+of)", None, None, "a few"),
    (r"a\s+(?:very\s+)?(?:small|limited)\s+(?:number|force|contingent|presence|group)", None, None, "limited number"),
]
_VAGUE_RE = re.compile("|".join(f"(?P<v{i}>\\b{p}\\b)" for i, (p, *_r) in enumerate(_VAGUE)), re.I)

#: what a number is, when it is not troops: dates, distances, durations, shares, ranks
_NOT_TROOPS = re.compile(
    r"^\s*(?:-|\s)?(?:days?|weeks?|months?|years?|hours?|minutes?|km|kilomet(?:er|re)s?|miles?|"
    r"meters?|metres?|percent|per\s*cent|%|st|nd|rd|th|million|billion|dollars?|bases|"
    r"countries|nations|kilograms?|tons?|phases?|stages?|times|people\s+killed|killed|dead|"
    r"wounded|rockets?|drones?|missiles?|attacks?|vehicles|trucks)\b", re.I)
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE_BEFORE = re.compile(rf"(?:{_MONTHS}\.?|\bin|\bsince|\bby|\bof|\buntil|\bthrough|\bfrom|\bsummer|\bfall|\bautumn|\bwinter|\bspring|\bend)\s*$", re.I)
_DATE_AFTER = re.compile(rf"^\s*(?:{_MONTHS}|,\s*\d{{4}})\b", re.I)


@dataclass(frozen=True)
class Figure:
    """A troop figure: ``sentence[start:end] == words``."""

    start: int
    end: int
    words: str
    troops_min: int | None
    troops_max: int | None
    qualifier: str
    confidence: float


def number_value(text: str) -> int | None:
    """'2,500' -> 2500, 'two thousand' -> 2000, 'four' -> 4, 'twenty-five' -> 25."""
    t = text.strip().lower().replace(",", "")
    m = re.fullmatch(r"(\d+)\s*(thousand|hundred)?", t)
    if m:
        return int(m[1]) * (_SCALES[m[2]] if m[2] else 1)
    total, current = 0, 0
    for w in re.split(r"[\s-]+", t):
        if w == "and":
            continue
        if w == "a":
            current = 1
        elif w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


def _qualifier(m: re.Match) -> str:
    for i, (_, q) in enumerate(_QUALIFIER_WORDS):
        if m.group(f"q{i}"):
            return q
    return ""


def _troop_context(sentence: str, start: int, end: int) -> float:
    """How surely the number at ``start:end`` counts troops: 1 with a troop noun just
    after it, less with one a few words away, 0 without one."""
    after = sentence[end:end + 70]
    before = sentence[max(0, start - 90):start]
    if re.match(rf"^\s*(?:[\w.'’-]+\s+){{0,5}}?{TROOP_NOUN}\b", after, re.I):
        return 0.9
    if re.search(rf"\b{TROOP_NOUN}\b(?:\s+[\w.'’,-]+){{0,10}}\s*(?:from|to|at|of|by|reaching|totall?ing|number(?:ing|ed)?|is|was|stands?\s+at)?\s*$",
                 before, re.I):
        return 0.7
    return 0.0


def _looks_like_date_or_measure(sentence: str, start: int, end: int, value: int | None) -> bool:
    after = sentence[end:]
    before = sentence[:start]
    if _NOT_TROOPS.match(after):
        return True
    digits = re.fullmatch(r"\d{4}", sentence[start:end].strip())
    if digits and 1900 <= (value or 0) <= 2100:
        return True  # a year
    if value is not None and value <= 31 and (_DATE_BEFORE.search(before) and re.search(_MONTHS + r"\.?\s*$", before, re.I)
                                              or _DATE_AFTER.match(after)):
        return True  # "September 15", "15 September"
    return False


def find_figures(sentence: str) -> list[Figure]:
    """Every troop figure in a sentence, left to right, non-overlapping.

    >>> [(f.troops_min, f.troops_max, f.qualifier) for f in find_figures("fewer than 500 troops")]
    [(0, 499, 'fewer than')]
    """
    taken: list[tuple[int, int]] = []
    out: list[Figure] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _RANGE.finditer(sentence):
        lo, hi = number_value(m["lo"]), number_value(m["hi"])
        if lo is None or hi is None or lo >= hi:
            continue
        if re.search(r"\bfrom\s*$", sentence[:m.start()], re.I) and re.match(r"\s*to", sentence[m.end("lo"):], re.I):
            continue  # "from 2,500 to 2,000" is a change, not a range
        if re.search(r"\b(?:and|to)\b", m.group(), re.I) and lo < 20 <= hi:
            continue
        if _looks_like_date_or_measure(sentence, m.start(), m.end(), hi) or _looks_like_date_or_measure(sentence, m.start(), m.end("lo"), lo):
            continue
        ctx = _troop_context(sentence, m.start(), m.end())
        if ctx == 0:
            continue
        taken.append((m.start(), m.end()))
        out.append(Figure(m.start(), m.end(), m.group(), lo, hi, "", ctx))
    for m in _SINGLE.finditer(sentence):
        a, b = m.start("n"), m.end("n")
        if not free(m.start(), m.end()):
            continue
        value = number_value(m["n"])
        if value is None or m["n"].strip().lower() == "a":
            continue
        if _looks_like_date_or_measure(sentence, a, b, value):
            continue
        ctx = _troop_context(sentence, a, b)
        if ctx == 0:
            continue
        q = _qualifier(m)
        lo, hi = value, value
        if q == "fewer than":
            lo, hi = 0, value - 1
        elif q == "more than":
            lo, hi = value + 1, None
        elif q == "at least":
            hi = None
        elif q == "up to":
            lo = None
        taken.append((m.start(), m.end()))
        out.append(Figure(m.start(), m.end(), m.group(), lo, hi, q, ctx))
    for m in _VAGUE_RE.finditer(sentence):
        if not free(m.start(), m.end()):
            continue
        i = next(i for i in range(len(_VAGUE)) if m.group(f"v{i}"))
        _, lo, hi, q = _VAGUE[i]
        ctx = _troop_context(sentence, m.start(), m.end())
        if ctx == 0 and q not in ("limited number",):
            continue
        if q == "limited number" and ctx == 0 and not re.search(r"force|contingent|presence", m.group(), re.I):
            continue
        taken.append((m.start(), m.end()))
        out.append(Figure(m.start(), m.end(), m.group(), lo, hi, q, max(ctx, 0.6) * 0.8))
    return sorted(out, key=lambda f: f.start)
