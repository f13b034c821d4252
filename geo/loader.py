"""Load and validate the CSV dataset.

Every file is checked on load, then across files; every problem is collected with its
file, row (as a spreadsheet numbers it: the header is row 1), column, the value and
what was expected, and raised together in one :class:`~geo.model.DataError`, so an
analyst fixes a file in one pass instead of one error per run.

The rules beyond the column types (issue 8; the README's "Data files" lists them):

* a file is UTF-8 CSV with no NUL byte, each column once in the header, every quoted
  cell closed, no cell over :data:`MAX_CELL` characters;
* numbers are ASCII digits (no ``２５００``, ``2_500``, ``1e3``); troop figures are
  0 to :data:`MAX_TROOPS`; coordinates are plain decimals;
* every date (claims, movements, phases, events, sources) lies in
  :data:`YEAR_MIN`-:data:`YEAR_MAX`;
* a place's point lies inside its country's polygon in ``data/basemap/countries.geojson``
  or within :data:`BORDER_TOLERANCE_KM` of it, unless its optional ``border_ok`` column
  says ``yes`` (a true border case); countries the basemap does not hold are not
  checked, nor points beyond the basemap's edge in a country the basemap cuts there;
* ``country`` and a nation's ``force`` are ISO 3166-1 alpha-3 codes (:mod:`geo.iso3166`);
* text is at most :data:`TEXT_LIMITS` characters per column;
* an empty ``quote_checked`` means *not* checked;
* ``seed_file`` is a bare file name (no folder, no ``..``); whether the file exists and
  holds the quote is :func:`check_seeds`' job (``python -m geo check``), since the seeds
  live outside the dataset;
* a qualifier agrees with its figure ("at least" needs ``troops_min``, "fewer than"
  needs ``troops_max``, "about" needs a figure);
* a reference to a row that did not load is reported once, on that row, not as an
  unknown id at every reference; an empty required file says so once.

Speed (issue 11): the big files (sources, claims, movements) are read column by column.
Each distinct value of a column is checked once, by the per-row rule itself run on that
cell (dates, figures, sources and vocabularies repeat thousands of times); one pass
over the rows then applies the rules that join columns. A row that any check questions
goes through the row-by-row rules (``_claim_row`` and its kin), which report exactly
what they always did, in the same order; ``_load(root, fast=False)`` sends every row
that way and is the reference tests/test_loader_fast.py compares against.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import re
from pathlib import Path
from typing import Callable

from .dates import PRECISIONS, parse_day, parse_fuzzy
from .gcpause import gc_paused
from .iso3166 import ALPHA3
from .model import (
    BASES, EVENT_KINDS, FORCE_COALITION, FORCE_US, PLACE_KINDS, PLACE_PRECISIONS, QUALIFIERS,
    STATUSES,
    Claim, DataError, Dataset, Event, Movement, Phase, Place, Problem, Source,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: Each file's columns, in order. Extra columns are an error (a typo in a header would
#: otherwise drop a column silently); missing columns are listed by name.
COLUMNS = {
    "places.csv": ["id", "name", "aliases", "kind", "country", "within", "lat", "lon",
                   "precision", "coord_source", "note"],
    "sources.csv": ["id", "outlet", "title", "url", "published", "published_precision",
                    "published_inferred", "seed_file", "note"],
    "claims.csv": ["id", "places", "date", "date_precision", "troops_min", "troops_max",
                   "qualifier", "status", "basis", "force", "restated", "source", "quote",
                   "quote_checked", "note"],
    "movements.csv": ["id", "from_place", "to_place", "start", "start_precision", "end",
                      "end_precision", "troops_min", "troops_max", "qualifier", "basis", "force",
                      "source", "quote", "quote_checked", "note"],
    "phases.csv": ["id", "name", "start", "end", "description", "source"],
    "events.csv": ["id", "date", "date_precision", "label", "kind", "source"],
}
#: Columns a file may have but need not: files written before them still load.
OPTIONAL_COLUMNS = {
    # yes: the point is a true border case, outside its country's polygon on purpose
    "places.csv": ["border_ok"],
}
REQUIRED_FILES = ("places.csv", "sources.csv", "claims.csv")
#: Files that must hold at least one row (a header alone is reported once, as such).
NONEMPTY_FILES = ("places.csv", "sources.csv")

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$", re.ASCII)
_ISO3 = re.compile(r"^[A-Z]{3}$", re.ASCII)
_DIGITS = re.compile(r"^[0-9]+$", re.ASCII)
_DECIMAL = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{1,10})?$", re.ASCII)
_SEED_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", re.ASCII)
_URL = re.compile(r"^https?://[^\s\"'<>`]+$")

#: The largest troop figure a claim or movement may give. The whole US armed forces
#: are about 1.3 million; 10^20 overflowed the GeoPackage/CSV export and hung the
#: image renderer, so anything above this is a typo.
MAX_TROOPS = 1_000_000
#: Every date in the data lies in these years (year 9999 crashed the timeline export
#: and the app's slider; year 1 crashed the slider).
YEAR_MIN, YEAR_MAX = 1900, 2100
#: How far outside its country's polygon a point may lie before it is an error (the
#: basemap is simplified; a base on the border may sit just outside).
BORDER_TOLERANCE_KM = 25.0
#: The longest text each column may hold, in characters (a quote is a short excerpt,
#: not the article; a name fits a label). Aliases count one by one.
MAX_QUOTE = 400
TEXT_LIMITS = {
    "name": 200, "aliases": 200, "outlet": 200, "label": 200, "title": 300,
    "coord_source": 300, "note": 1000, "description": 1000, "url": 2000, "seed_file": 120,
    "quote": MAX_QUOTE,
}
#: No single cell may be longer than this (Python's csv module stops at 131,072).
MAX_CELL = 100_000


class _Rows:
    """Collects problems while parsing the cells of one file."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems

    def bad(self, row: int | None, column: str | None, value: str, expected: str) -> None:
        self.problems.append(Problem(self.file, row, column, value, expected))

    def cell(self, rec: dict, row: int, col: str, parse: Callable[[str], object],
             expected: str, required: bool = True):
        raw = (rec.get(col) or "").strip()
        if raw == "":
            if required:
                self.bad(row, col, raw, f"a value is required: {expected}")
            return None
        try:
            return parse(raw)
        except (ValueError, TypeError) as exc:
            detail = str(exc) if isinstance(exc, ValueError) and str(exc) else ""
            self.bad(row, col, raw, detail if "expected" in detail else expected)
            return None

    def choice(self, rec: dict, row: int, col: str, allowed, required: bool = True):
        raw = (rec.get(col) or "").strip()
        if raw == "" and not required:
            return ""
        if raw not in allowed:
            shown = ", ".join(repr(a) for a in allowed if a != "") or "—"
            self.bad(row, col, raw, f"expected one of {shown}" + (" or empty" if "" in allowed else ""))
            return None
        return raw


def _int(text: str) -> int:
    """ASCII digits only: ``int()`` alone reads ``２５００`` and ``2_500`` as numbers."""
    if not _DIGITS.match(text) or len(text) > 30:
        raise ValueError
    return int(text)


def _troops(text: str) -> int:
    value = _int(text)
    if value > MAX_TROOPS:
        raise ValueError(f"expected a figure of at most {MAX_TROOPS:,} troops; {value:,} is not plausible "
                         "(a typo, or a figure in another unit?)")
    return value


def _in_era(day: dt.date) -> dt.date:
    if not (YEAR_MIN <= day.year <= YEAR_MAX):
        raise ValueError(f"expected a date in the years {YEAR_MIN}-{YEAR_MAX}; {day.year} is outside "
                         "the data's era (a typo in the year?)")
    return day


def _ascii_date(parse: Callable[[str], object]) -> Callable[[str], object]:
    """Dates in ASCII digits (``\\d`` in a pattern also matches ``２０２５``), in the era."""
    def strict(text: str):
        if not text.isascii():
            raise ValueError
        value = parse(text)
        _in_era(value.start if hasattr(value, "start") else value)
        if hasattr(value, "end"):
            _in_era(value.end)
        return value
    return strict


_day = _ascii_date(parse_day)


def _yes_no(text: str) -> bool:
    low = text.lower()
    if low in ("yes", "true", "1"):
        return True
    if low in ("no", "false", "0"):
        return False
    raise ValueError


def _float_in(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        # a plain decimal: float() alone takes '3_3.78', '１２', 'nan', 'inf', '1e1'
        if not _DECIMAL.match(text):
            raise ValueError
        value = float(text)
        if not (lo <= value <= hi):
            raise ValueError
        return value
    return parse


#: A cell (or a pair of cells) that some rule questions: its row goes the per-row way.
_BAD = object()


def _rule(rule: Callable[[_Rows, dict, int], object], *cols: str) -> Callable[..., object]:
    """A per-row rule (``rule(t, rec, row)``, reporting to ``t``) as a function of the
    raw cells it reads: the value the rule gives, or :data:`_BAD` if it reports any
    problem. The rule itself decides, so the column-wise path cannot drift from it."""
    def clean(*raw: str):
        scratch = _Rows("", [])
        value = rule(scratch, dict(zip(cols, raw)), 0)
        return _BAD if scratch.problems else value
    return clean


def _clean_text(col: str, required: str = "") -> Callable[[str], object]:
    """:func:`_text`'s rule for one column (not ``aliases``, limited part by part)."""
    limit = TEXT_LIMITS.get(col, math.inf)

    def clean(raw: str):
        text = raw.strip()
        return _BAD if (required and not text) or len(text) > limit else text
    return clean


def _clean_url(raw: str):
    """:func:`_url`'s rule (a bad URL is reported, and the row loads without it)."""
    url = raw.strip()
    return _BAD if len(url) > TEXT_LIMITS["url"] or (url and not _URL.match(url)) else url


def _column(clean: Callable[..., object], bad: set[int], *columns: tuple[str, ...],
            distinct: bool = True) -> list:
    """``clean`` applied to each row's cell (or cells) of ``columns``, once per distinct
    value (dates, figures, sources, vocabularies repeat thousands of times), adding the
    index of every row it questions to ``bad``. ``distinct=False`` for columns of
    unique values, such as ids and quotes, where remembering them buys nothing."""
    keys = columns[0] if len(columns) == 1 else list(zip(*columns))
    if not distinct:
        values = list(map(clean, keys))
        if any(v is _BAD for v in values):
            bad.update(k for k, v in enumerate(values) if v is _BAD)
        return values
    if len(columns) == 1:
        memo = {key: clean(key) for key in set(keys)}
    else:
        memo = {key: clean(*key) for key in set(keys)}
    questioned = {key for key, value in memo.items() if value is _BAD}
    if questioned:
        bad.update(k for k, key in enumerate(keys) if key in questioned)
    return list(map(memo.__getitem__, keys))


def _clean_id(raw: str):
    """:func:`_check_id`'s form rule (whether it was seen before is the row pass's)."""
    rid = raw.strip()
    return rid if _ID.match(rid) else _BAD


def _clean_quote(raw: str):
    """:func:`_quote`'s rule."""
    quote = raw.strip()
    return quote if quote and len(quote) <= MAX_QUOTE else _BAD


def _clean_ref(loaded: dict) -> Callable[[str], object]:
    """A reference to a loaded id (anything else is :meth:`_Ids.check`'s to report)."""
    def clean(raw: str):
        rid = raw.strip()
        return rid if rid in loaded else _BAD
    return clean


def _clean_places(loaded: dict) -> Callable[[str], object]:
    """A claim's ``places``: loaded ids, at least one, each once (else :func:`_claim_row`)."""
    def clean(raw: str):
        place_ids = tuple(p.strip() for p in raw.strip().split("|") if p.strip())
        if not place_ids or len(set(place_ids)) != len(place_ids) or not all(p in loaded for p in place_ids):
            return _BAD
        return place_ids
    return clean


class _Supports:
    """:func:`_check_source_supports` as a yes/no, with each source's window worked out once."""

    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.windows: dict[str, tuple[dt.date, dt.date, int]] = {}
        self.rank = {p: i for i, p in enumerate(PRECISIONS)}

    def __call__(self, date, basis: str, sid: str) -> bool:
        window = self.windows.get(sid)
        if window is None:
            source = self.sources[sid]
            window = self.windows[sid] = (*_publication_window(source), self.rank[source.published_precision])
        start, end, rank = window
        if basis == "report" and date.start > end:
            return False
        return not (self.rank[date.precision] < rank and start <= date.start <= end)


class _Table:
    """The records of one CSV file that passed the file-level checks, kept as the csv
    module read them: the header, each record's spreadsheet row, and its cells in the
    header's order. Loaders read whole columns (:meth:`columns`); a dict per record is
    built only for the records the per-row rules look at one by one (:meth:`record`)."""

    __slots__ = ("header", "rows", "cells")

    def __init__(self, header: list[str], rows: list[int], cells: list[list[str]]):
        self.header, self.rows, self.cells = header, rows, cells

    def __len__(self) -> int:
        return len(self.rows)

    def record(self, k: int) -> dict:
        return dict(zip(self.header, self.cells[k]))

    def records(self) -> list[tuple[int, dict]]:
        """(spreadsheet row, {column: cell}) pairs, as the per-row rules read them."""
        return [(row, dict(zip(self.header, cells))) for row, cells in zip(self.rows, self.cells)]

    def columns(self, names) -> list[tuple[str, ...]]:
        """The raw cells of each named column (an optional column the header lacks reads
        as empty, as ``rec.get`` does for the per-row rules)."""
        transposed = list(zip(*self.cells)) if self.cells else [()] * len(self.header)
        where = {name: i for i, name in enumerate(self.header)}
        return [transposed[where[n]] if n in where else ("",) * len(self.rows) for n in names]


def _read(path: Path, file: str, problems: list[Problem]) -> _Table | None:
    """Read one CSV, checking its bytes and header. Returns its records, or None when
    the file as a whole could not be read (then references to its ids are not checked:
    the one problem reported for the file says what to fix)."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        problems.append(Problem(file, None, None, str(path), "a CSV file, but this is a folder; "
                                "move the folder away and put the file here"))
        return None
    except OSError as exc:
        problems.append(Problem(file, None, None, str(path), f"a file the app can read; it cannot be read "
                                f"({exc.strerror or exc}); check its permissions"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, None, None, "", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as CSV UTF-8"))
        return None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        problems.append(Problem(file, None, None, "\\x00", f"text with no NUL byte; there is one on line {line} "
                                "(a binary file, or one saved as UTF-16?); save it as CSV UTF-8"))
        return None
    try:
        # the whole file in one call (C speed); only a file the csv module refuses is
        # read again record by record, to say on which line the bad quoting starts
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        problems.append(_unreadable(text, file))
        return None
    expected = COLUMNS[file]
    optional = OPTIONAL_COLUMNS.get(file, [])
    if not records:
        problems.append(Problem(file, 1, None, "", f"the file is empty; expected a header row: {','.join(expected)}"))
        return None
    header = [h.strip() for h in records[0]]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        problems.append(Problem(file, 1, None, ",".join(header), "each column once in the header; "
                                + ", ".join(f"{h!r} appears {header.count(h)} times" for h in twice)
                                + " (the later one would silently win)"))
        return None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected and c not in optional]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if extra:
            parts.append("unknown column(s) " + ", ".join(repr(c) for c in extra))
        problems.append(Problem(file, 1, None, ",".join(header),
                                "; ".join(parts) + f"; expected the header {','.join(expected)}"
                                + (f" (optional: {','.join(optional)})" if optional else "")))
        return None
    width = len(header)
    body = records[1:]
    # the common case in a few C-speed passes: every record as wide as the header, none
    # blank, none longer than a cell may be (then no record needs looking at alone)
    joined = list(map("".join, body))
    if (set(map(len, body)) <= {width} and all(joined) and not any(map(str.isspace, joined))
            and max(map(len, joined), default=0) <= MAX_CELL):
        return _Table(header, list(range(2, len(body) + 2)), body)
    rows: list[int] = []
    kept: list[list[str]] = []
    for i, cells in enumerate(body, start=2):
        joined = "".join(cells)   # one string per record: blank and overlong in one look
        if not joined or joined.isspace():
            continue  # a blank line a spreadsheet left behind is not a record
        if len(cells) != width:
            problems.append(Problem(file, i, None, ",".join(cells)[:200],
                                    f"{len(cells)} cells where the header has {width}; "
                                    "check for an unquoted comma"))
            continue
        if len(joined) > MAX_CELL:   # no cell can be longer than its whole record
            rec = dict(zip(header, cells))
            long = [c for c, v in rec.items() if len(v) > MAX_CELL]
            if long:
                for c in long:
                    problems.append(Problem(file, i, c, rec[c][:60] + "…", f"a cell of at most {MAX_CELL:,} characters; "
                                            f"this one has {len(rec[c]):,}"))
                continue
        rows.append(i)
        kept.append(cells)
    return _Table(header, rows, kept)


def _unreadable(text: str, file: str) -> Problem:
    """The located problem of a file the csv module refuses: read record by record to
    the one it stops at."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    count = 0
    while True:
        opened = reader.line_num + 1
        try:
            next(reader)
        except csv.Error as exc:
            return Problem(file, count + 1, None, "", _csv_error(str(exc), opened, reader.line_num))
        count += 1


def _csv_error(message: str, line: int, now: int) -> str:
    """What Python's csv module's complaint means for the person editing the file
    (``line``: where the record began; ``now``: where the reader stopped)."""
    if "unexpected end of data" in message or ("expected after" in message and now > line):
        # a quote opened on one line and "closed" lines later by another row's quote
        # is an unclosed quote, not text after a closing quote
        return (f'a closing " for the quoted cell opened on line {line}: the quote is never closed, '
                'so the rest of the file ran into that cell (a " inside a quoted cell is written "")')
    if "expected after" in message:
        return (f'a quoted cell that ends at its closing " (line {line}): text follows the closing quote; '
                'write a " inside a quoted cell as ""')
    if "field larger than field limit" in message:
        return (f"a cell of at most {MAX_CELL:,} characters; a cell on line {line} is longer "
                "(often an unclosed quote that swallowed the rest of the file)")
    return f"a readable CSV row (line {line}): {message}"


class _Ids:
    """The ids one file defines, to check references from other files against.

    A reference to an id whose own row did not load is not reported at every reference
    (with fuzzy suggestions for an id that *is* in the file): the row is reported once,
    with how many references wait on it. References into a file that did not load at
    all, or has no rows, are not checked: that file's one problem says what to fix.
    """

    def __init__(self, what: str, file: str, loaded: dict, table: _Table | None):
        self.what, self.file, self.loaded = what, file, loaded
        self.unusable = not table
        self.rows_of = {}
        if table:
            [ids] = table.columns(["id"])
            for row, rid in zip(table.rows, ids):
                self.rows_of.setdefault(rid.strip(), row)
        self.waiting: dict[str, list[str]] = {}

    def check(self, t: "_Rows", row: int, col: str, rid: str, suffix: str = "") -> bool:
        """Is ``rid`` a loaded id? Reports the problem (once) if not."""
        if rid in self.loaded:
            return True
        if self.unusable:
            return False
        if rid in self.rows_of:
            self.waiting.setdefault(rid, []).append(f"{t.file}:{row}")
            return False
        t.bad(row, col, rid, _unknown(self.what, rid, self.loaded, self.file) + suffix)
        return False

    def report(self, problems: list[Problem]) -> None:
        for rid, refs in self.waiting.items():
            shown = ", ".join(refs[:8]) + (f" and {len(refs) - 8} more" if len(refs) > 8 else "")
            problems.append(Problem(self.file, self.rows_of[rid], "id", rid,
                                    f"a row that loads: this {self.what} has a problem listed above, so "
                                    f"{len(refs)} reference(s) to it wait on it ({shown})"))


def _check_id(t: _Rows, rec: dict, row: int, seen: dict[str, int]) -> str | None:
    rid = (rec.get("id") or "").strip()
    if not _ID.match(rid):
        t.bad(row, "id", rid, "an id of lower-case letters, digits and hyphens, e.g. ain-al-asad")
        return None
    if rid in seen:
        t.bad(row, "id", rid, f"a unique id; it is already used on row {seen[rid]}")
        return None
    seen[rid] = row
    return rid


def _text(t: _Rows, rec: dict, row: int, col: str, required: str = "") -> str | None:
    """The stripped text of ``col``: None (and a problem) if it is over its limit, or if
    it is empty and ``required`` (what the column should hold) is given."""
    text = (rec.get(col) or "").strip()
    if not text and required:
        t.bad(row, col, text, required)
        return None
    limit = TEXT_LIMITS.get(col)
    if limit is not None:
        parts = text.split("|") if col == "aliases" else [text]
        for part in parts:
            if len(part) > limit:
                t.bad(row, col, part[:60] + "…", f"at most {limit} characters{' per alias' if col == 'aliases' else ''}"
                      f" ({len(part)} here)" + (": a short quote, not the article" if col == "quote" else ""))
                return None
    return text


def _quote(t: _Rows, rec: dict, row: int) -> str | None:
    quote = (rec.get("quote") or "").strip()
    if not quote:
        t.bad(row, "quote", quote, "a short verbatim quote from the source that supports the row")
        return None
    if len(quote) > MAX_QUOTE:
        t.bad(row, "quote", quote[:60] + "…", f"a short quote of at most {MAX_QUOTE} characters, not the article")
        return None
    return quote


def _checked(t: _Rows, rec: dict, row: int) -> bool:
    """``quote_checked``: yes or no; empty means *not* checked (unknown is not checked)."""
    return t.cell(rec, row, "quote_checked", _yes_no, "yes or no (empty means not checked)",
                  required=False) is True


_TROOPS_EXPECTED = (f"a whole number of troops (digits only, e.g. 2500; from 0 to {MAX_TROOPS:,}), "
                    "or empty when open or unknown")


def _troops_cell(t: _Rows, rec: dict, row: int, col: str) -> int | None:
    return t.cell(rec, row, col, _troops, _TROOPS_EXPECTED, required=False)


def _range(t: _Rows, rec: dict, row: int) -> tuple[int | None, int | None]:
    lo = _troops_cell(t, rec, row, "troops_min")
    hi = _troops_cell(t, rec, row, "troops_max")
    if lo is not None and hi is not None and lo > hi:
        t.bad(row, "troops_max", str(hi), f"troops_max at least troops_min ({lo}); swap them or fix the figure")
    return lo, hi


#: Which end of the range each qualifier needs: "at least 250" has a minimum, "fewer
#: than 500" a maximum, "about 2,500" some figure.
_QUALIFIER_NEEDS = {"at least": "troops_min", "more than": "troops_min",
                    "fewer than": "troops_max", "up to": "troops_max",
                    "about": "a figure", "nearly": "a figure"}


def _fits(qualifier: str | None, lo: int | None, hi: int | None) -> bool:
    need = _QUALIFIER_NEEDS.get(qualifier or "")
    if need is None:
        return True
    return (lo is not None if need == "troops_min" else hi is not None if need == "troops_max"
            else lo is not None or hi is not None)


def _check_qualifier(t: _Rows, row: int, qualifier: str | None, lo: int | None, hi: int | None) -> bool:
    """Does the qualifier agree with the figure? ('at least' with only a maximum does not.)"""
    ok = _fits(qualifier, lo, hi)
    if not ok:
        need = _QUALIFIER_NEEDS[qualifier]
        have = ("only troops_max" if hi is not None else "only troops_min" if lo is not None else "no figure")
        t.bad(row, "qualifier", qualifier, f"a qualifier that fits the figure: {qualifier!r} needs {need}, and "
              f"the row has {have} (e.g. 'at least 250' is troops_min 250, 'fewer than 500' is troops_max 499)")
    return ok


def _fuzzy(t: _Rows, rec: dict, row: int, col: str, pcol: str):
    precision = t.choice(rec, row, pcol, PRECISIONS)
    if precision is None:
        return None
    return t.cell(rec, row, col, _ascii_date(lambda s: parse_fuzzy(s, precision)),
                  f"a {precision} date", required=True)


def load_dataset(data_dir: str | Path | None = None, *, index: bool = True) -> Dataset:
    """Load, validate and index the dataset in ``data_dir`` (default: the embedded one).

    Raises :class:`~geo.model.DataError` listing every problem found. ``index=False``
    leaves the :class:`~geo.posture.Posture` index to be built on first use (``python -m
    geo check`` validates and counts, and never asks for it).
    """
    with gc_paused():   # everything built here is kept (geo.gcpause)
        ds = _load(data_dir, fast=True)
        if index:
            ds.posture  # the index is part of loading: computed once, here
    return ds


def _load(data_dir: str | Path | None, fast: bool) -> Dataset:
    """Read and validate every file. ``fast=False`` runs every row through the per-row
    rules, as the loader always did: the reference the column-wise path is tested
    against (tests/test_loader_fast.py), never used by the product."""
    root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    problems: list[Problem] = []
    if not root.is_dir():
        raise DataError([Problem(str(root), None, None, "", "a folder holding places.csv, sources.csv and claims.csv")])
    tables: dict[str, _Table | None] = {}
    for file in COLUMNS:
        path = root / file
        if not path.exists() and not path.is_symlink():
            if file in REQUIRED_FILES:
                problems.append(Problem(file, None, None, "", f"missing file; expected {path} with header {','.join(COLUMNS[file])}"))
                tables[file] = None
            else:
                tables[file] = _Table(COLUMNS[file], [], [])
            continue
        tables[file] = _read(path, file, problems)
        if tables[file] is not None and not tables[file] and file in NONEMPTY_FILES:
            what = "place" if file == "places.csv" else "source"
            problems.append(Problem(file, None, None, "", f"{file} has no rows: a dataset needs at least one {what} "
                                    "(only the header is there)"))
            tables[file] = None

    places, place_ids = _load_places(tables["places.csv"], problems)
    sources, source_ids = _load_sources(tables["sources.csv"], problems, fast)
    claims = _load_claims(tables["claims.csv"], problems, place_ids, source_ids, fast)
    movements = _load_movements(tables["movements.csv"], problems, place_ids, source_ids, fast)
    phases = _load_phases(tables["phases.csv"], problems, source_ids)
    events = _load_events(tables["events.csv"], problems, source_ids)
    place_ids.report(problems)
    source_ids.report(problems)
    if problems:
        raise DataError(problems)
    return Dataset(places, sources, tuple(claims), tuple(movements), tuple(phases), tuple(events),
                   root=str(root))


def _country(t: _Rows, rec: dict, row: int, col: str = "country") -> str | None:
    code = (rec.get(col) or "").strip()
    if not _ISO3.match(code):
        t.bad(row, col, code, "an ISO 3166 alpha-3 code in capitals, e.g. IRQ")
        return None
    if code not in ALPHA3:
        t.bad(row, col, code, "an ISO 3166 alpha-3 code that exists (e.g. IRQ, SYR, KWT, JOR); "
              f"{code!r} is not one")
        return None
    return code


def _load_places(table: _Table | None, problems) -> tuple[dict[str, Place], _Ids]:
    t = _Rows("places.csv", problems)
    seen: dict[str, int] = {}
    out: dict[str, Place] = {}
    rows_of: dict[str, int] = {}
    border_ok: dict[str, bool] = {}
    # a thousand places at most in practice: the per-row rules, row by row
    for row, rec in table.records() if table else ():
        rid = _check_id(t, rec, row, seen)
        name = _text(t, rec, row, "name", "the place's display name")
        aliases = _text(t, rec, row, "aliases")
        coord_source = _text(t, rec, row, "coord_source")
        note = _text(t, rec, row, "note")
        country = _country(t, rec, row)
        lat = t.cell(rec, row, "lat", _float_in(-90, 90), "a latitude in decimal degrees (WGS84) between -90 and 90, "
                     "e.g. 33.7856")
        lon = t.cell(rec, row, "lon", _float_in(-180, 180), "a longitude in decimal degrees (WGS84) between -180 "
                     "and 180, e.g. 42.4411")
        precision = t.choice(rec, row, "precision", PLACE_PRECISIONS)
        kind = t.choice(rec, row, "kind", PLACE_KINDS)
        ok_border = t.cell(rec, row, "border_ok", _yes_no, "yes if the point is a true border case outside its "
                           "country's polygon, else no or empty", required=False)
        if None in (rid, lat, lon, precision, kind, name, aliases, coord_source, note, country):
            continue
        out[rid] = Place(rid, name, tuple(a.strip() for a in aliases.split("|") if a.strip()), kind, country,
                         lat, lon, precision, coord_source, note, within=(rec["within"] or "").strip())
        rows_of[rid] = row
        border_ok[rid] = ok_border is True
    for pid in _outside_country(t, out, rows_of, border_ok):
        del out[pid]
    ids = _Ids("place", "places.csv", out, table)
    linked = _link_within(t, out, rows_of, ids)
    ids.loaded = linked
    return linked, ids


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@functools.lru_cache(maxsize=4)
def _country_shapes(path: str):
    """{ISO alpha-3: polygon} and the basemap's extent, from the countries GeoJSON."""
    from shapely.geometry import shape

    with open(path, encoding="utf-8") as fh:
        fc = json.load(fh)
    shapes = {f["properties"].get("iso_a3"): shape(f["geometry"]) for f in fc["features"]
              if f["properties"].get("iso_a3")}
    clipped = frozenset(f["properties"].get("iso_a3") for f in fc["features"] if f["properties"].get("clipped"))
    bounds = [g.bounds for g in shapes.values()]
    extent = (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
              max(b[3] for b in bounds))
    return shapes, clipped, extent


COUNTRIES_GEOJSON = DEFAULT_DATA_DIR / "basemap" / "countries.geojson"


def _outside_country(t: _Rows, places: dict[str, Place], rows_of: dict[str, int],
                     border_ok: dict[str, bool]) -> list[str]:
    """Places whose point lies more than :data:`BORDER_TOLERANCE_KM` outside their
    country's polygon (swapped lat/lon, a lost minus sign), unless ``border_ok``."""
    if not COUNTRIES_GEOJSON.is_file():
        return []
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    shapes, clipped, (west, south, east, north) = _country_shapes(str(COUNTRIES_GEOJSON))
    bad = []
    for pid, p in places.items():
        poly = shapes.get(p.country)
        if poly is None or border_ok.get(pid):
            continue   # a country the basemap does not hold cannot be checked
        if p.country in clipped and not (west <= p.lon <= east and south <= p.lat <= north):
            continue   # the basemap cut this country at its edge: beyond it, no polygon to check
        pt = Point(p.lon, p.lat)
        if poly.covers(pt):
            continue
        near = nearest_points(poly, pt)[0]
        km = _haversine_km(p.lat, p.lon, near.y, near.x)
        if km <= BORDER_TOLERANCE_KM:
            continue
        inside = [code for code, g in shapes.items() if g.covers(pt)]
        where = f"; it lies in {inside[0]}" if inside else ""
        swapped = Point(p.lat, p.lon)
        hint = (" (lat and lon look swapped)" if poly.covers(swapped) else
                " (a lost minus sign?)" if poly.covers(Point(-p.lon, p.lat)) or poly.covers(Point(p.lon, -p.lat))
                else "")
        t.bad(rows_of[pid], "lat", f"{p.lat}, {p.lon}",
              f"a point inside {p.country} (within {BORDER_TOLERANCE_KM:g} km of its border on the basemap): "
              f"this one is {km:,.0f} km outside it{where}{hint}; fix lat/lon or country, or set border_ok "
              "to yes for a true border case")
        bad.append(pid)
    return bad


def _link_within(t: _Rows, places: dict[str, Place], rows_of: dict[str, int], ids: _Ids) -> dict[str, Place]:
    """Check every ``within`` names a loaded place and that no chain loops back, then
    mark the places others lie within (they are areas: see :attr:`Place.scope`)."""
    import dataclasses

    bad: set[str] = set()
    for pid, p in places.items():
        if not p.within:
            continue
        if p.within not in places:
            ids.check(t, rows_of[pid], "within", p.within, " that this place lies within, or empty")
            bad.add(pid)
            continue
        seen, cur = [pid], p.within
        while cur:
            if cur in seen:
                t.bad(rows_of[pid], "within", p.within, "a parent that does not lead back to this place: "
                      + " -> ".join(seen + [cur]) + " is a loop")
                bad.add(pid)
                break
            seen.append(cur)
            cur = places[cur].within if cur in places else ""
    # a place within one that did not load does not load either (reported once, there)
    grew = True
    while grew:
        grew = False
        for pid, p in places.items():
            if pid not in bad and p.within in bad:
                ids.waiting.setdefault(p.within, []).append(f"places.csv:{rows_of[pid]}")
                bad.add(pid)
                grew = True
    parents = {p.within for pid, p in places.items() if p.within and pid not in bad}
    return {pid: dataclasses.replace(p, has_children=pid in parents) for pid, p in places.items()
            if pid not in bad}


def _seed_file(t: _Rows, rec: dict, row: int) -> str | None:
    """A bare file name in the seeds folder: no folder part, no ``..``, no hidden file."""
    name = _text(t, rec, row, "seed_file")
    if name and (not _SEED_FILE.match(name) or ".." in name):
        t.bad(row, "seed_file", name, "a bare file name in the seeds folder, e.g. 002_23c18b444b40338d.txt "
              "(no folder, no '..', no leading dot), or empty")
        return None
    return name


def _url(t: _Rows, rec: dict, row: int) -> str | None:
    url = _text(t, rec, row, "url")
    if url and not _URL.match(url):
        # quotes and angle brackets have no place in a URL and only serve to break
        # out of an HTML attribute: refused at the boundary, not just escaped later
        t.bad(row, "url", url, "an http(s) URL without spaces, quotes or angle brackets, or empty")
        url = ""   # the row still loads: its claims are not reported as orphans
    return url


def _source_row(t: _Rows, rec: dict, row: int, seen: dict[str, int]) -> Source | None:
    """One row of sources.csv by the rules, every problem reported (the reference path)."""
    rid = _check_id(t, rec, row, seen)
    outlet = _text(t, rec, row, "outlet", "the outlet's name, e.g. Shafaq News")
    title = _text(t, rec, row, "title")
    note = _text(t, rec, row, "note")
    seed = _seed_file(t, rec, row)
    url = _url(t, rec, row)
    published = t.cell(rec, row, "published", _day, "the publication day, YYYY-MM-DD")
    precision = t.choice(rec, row, "published_precision", ("day", "week", "month"))
    inferred = t.cell(rec, row, "published_inferred", _yes_no, "yes or no", required=False)
    if None in (rid, published, precision, outlet, title, note, seed, url):
        return None
    return Source(rid, outlet, title, url, published, precision, bool(inferred), seed, note)


def _load_sources(table: _Table | None, problems, fast: bool = True) -> tuple[dict[str, Source], _Ids]:
    t = _Rows("sources.csv", problems)
    seen: dict[str, int] = {}
    out: dict[str, Source] = {}
    if table:
        cols = table.columns(COLUMNS["sources.csv"])
        ids, outlets, titles, urls, published, precisions, inferred, seeds, notes = cols
        bad: set[int] = set() if fast else set(range(len(table)))
        if fast:
            ids = _column(_clean_id, bad, ids, distinct=False)
            outlets = _column(_clean_text("outlet", "the outlet's name, e.g. Shafaq News"), bad, outlets)
            titles = _column(_clean_text("title"), bad, titles, distinct=False)
            notes = _column(_clean_text("note"), bad, notes, distinct=False)
            seeds = _column(_rule(_seed_file, "seed_file"), bad, seeds)
            urls = _column(_clean_url, bad, urls, distinct=False)
            published = _column(_rule(lambda t, rec, row: t.cell(rec, row, "published", _day,
                                                                  "the publication day, YYYY-MM-DD"), "published"),
                                bad, published)
            precisions = _column(_rule(lambda t, rec, row: t.choice(rec, row, "published_precision",
                                                                    ("day", "week", "month")), "published_precision"),
                                 bad, precisions)
            inferred = _column(_rule(lambda t, rec, row: t.cell(rec, row, "published_inferred", _yes_no,
                                                                "yes or no", required=False), "published_inferred"),
                               bad, inferred)
        for k, row, rid, outlet, title, url, day, precision, inf, seed, note in zip(
                range(len(table)), table.rows, ids, outlets, titles, urls, published, precisions, inferred, seeds,
                notes):
            if k in bad or rid in seen:
                src = _source_row(t, table.record(k), row, seen)
                if src is not None:
                    out[src.id] = src
                continue
            seen[rid] = row
            out[rid] = Source(rid, outlet, title, url, day, precision, bool(inf), seed, note)
    return out, _Ids("source", "sources.csv", out, table)


def _force(t: _Rows, rec: dict, row: int) -> str | None:
    """``US`` (also when empty), ``coalition``, or a nation's ISO 3166 alpha-3 code."""
    raw = (rec.get("force") or "").strip()
    if raw in ("", FORCE_US):
        return FORCE_US
    if raw == FORCE_COALITION or (_ISO3.match(raw) and raw != "USA" and raw in ALPHA3):
        return raw
    t.bad(row, "force", raw, f"whose troops: {FORCE_US!r} (the default when empty), "
          f"{FORCE_COALITION!r} for US and partner forces counted together, or a nation's "
          "ISO 3166 alpha-3 code in capitals, e.g. GBR")
    return None


def _publication_window(source: Source) -> tuple[dt.date, dt.date]:
    """The days a publication date of the source's precision may mean."""
    if source.published_precision == "week":
        start = source.published - dt.timedelta(days=source.published.weekday())
        return start, start + dt.timedelta(days=6)
    if source.published_precision == "month":
        fz = parse_fuzzy(source.published.strftime("%Y-%m"), "month")
        return fz.start, fz.end
    return source.published, source.published


def _check_source_supports(t: _Rows, row: int, col: str, date, basis: str, source: Source) -> None:
    """A source cannot support a date finer, or later, than what it could know.

    * A report describes what had happened by publication, so it cannot be dated after
      the source's publication window.
    * A claim dated inside the source's publication window cannot be finer than the
      publication date itself ("currently", in an article dated only to the month, is
      that month, not a day).
    """
    win_start, win_end = _publication_window(source)
    if basis == "report" and date.start > win_end:
        t.bad(row, col, str(date), f"a date on or before {win_end.isoformat()}, when source "
              f"{source.id!r} was published: a report cannot describe a later day "
              "(if it is announced for later, set basis to plan)")
    finer = PRECISIONS.index(date.precision) < PRECISIONS.index(source.published_precision)
    if finer and win_start <= date.start <= win_end:
        t.bad(row, col, str(date), f"a date no finer than {source.published_precision}: source "
              f"{source.id!r} is itself dated only to the {source.published_precision}")


def _claim_row(t: _Rows, rec: dict, row: int, seen: dict[str, int], places: _Ids, sources: _Ids) -> Claim | None:
    """One row of claims.csv by the rules, every problem reported (the reference path)."""
    rid = _check_id(t, rec, row, seen)
    raw_places = (rec["places"] or "").strip()
    place_ids = tuple(p.strip() for p in raw_places.split("|") if p.strip())
    ok = bool(place_ids)
    if not place_ids:
        t.bad(row, "places", raw_places, "one place id, or several joined with | for a group figure")
    for pid in place_ids:
        ok = places.check(t, row, "places", pid) and ok
    if len(set(place_ids)) != len(place_ids):
        ok = False
        t.bad(row, "places", raw_places, "each place at most once in a group")
    date = _fuzzy(t, rec, row, "date", "date_precision")
    lo, hi = _range(t, rec, row)
    qualifier = t.choice(rec, row, "qualifier", QUALIFIERS, required=False)
    ok = _check_qualifier(t, row, qualifier, lo, hi) and ok
    status = t.choice(rec, row, "status", tuple(STATUSES))
    basis = t.choice(rec, row, "basis", BASES)
    sid = (rec["source"] or "").strip()
    source = sources.loaded.get(sid) if sources.check(t, row, "source", sid) else None
    quote = _quote(t, rec, row)
    note = _text(t, rec, row, "note")
    checked = _checked(t, rec, row)
    force = _force(t, rec, row)
    restated = _restated(t, rec, row)
    if status == "withdrawn" and lo is not None and lo > 0:
        t.bad(row, "status", status, f"a status other than withdrawn, since troops_min is {lo}")
    if date is not None and basis is not None and source is not None:
        _check_source_supports(t, row, "date", date, basis, source)
    if not ok or None in (rid, date, qualifier, status, basis, source, quote, force, note):
        return None
    if lo is not None and hi is not None and lo > hi:
        return None
    return Claim(rid, place_ids, date, lo, hi, qualifier, status, basis, sid, quote,
                 checked, note, force=force, restated=bool(restated))


def _restated(t: _Rows, rec: dict, row: int):
    return t.cell(rec, row, "restated", _yes_no,
                  "yes if the source repeats an earlier figure as background, else no or empty", required=False)


def _load_claims(table: _Table | None, problems, places: _Ids, sources: _Ids, fast: bool = True) -> list[Claim]:
    """The claims: each column's distinct values checked once, then one pass over the
    rows for the rules that join columns. A row any rule questions (and only such a
    row) goes through :func:`_claim_row`, which reports its problems exactly as the
    row-by-row rules always have."""
    t = _Rows("claims.csv", problems)
    seen: dict[str, int] = {}
    out: list[Claim] = []
    if not table:
        return out
    (ids, raw_places, dates, precisions, mins, maxs, qualifiers, statuses, bases, forces, restated, srcs,
     quotes, checked, notes) = table.columns(COLUMNS["claims.csv"])
    bad: set[int] = set() if fast else set(range(len(table)))
    if fast:
        ids = _column(_clean_id, bad, ids, distinct=False)
        raw_places = _column(_clean_places(places.loaded), bad, raw_places)
        dates = _column(_rule(lambda t, rec, row: _fuzzy(t, rec, row, "date", "date_precision"),
                              "date", "date_precision"), bad, dates, precisions)
        mins = _column(_rule(lambda t, rec, row: _troops_cell(t, rec, row, "troops_min"), "troops_min"), bad, mins)
        maxs = _column(_rule(lambda t, rec, row: _troops_cell(t, rec, row, "troops_max"), "troops_max"), bad, maxs)
        qualifiers = _column(_rule(lambda t, rec, row: t.choice(rec, row, "qualifier", QUALIFIERS, required=False),
                                   "qualifier"), bad, qualifiers)
        statuses = _column(_rule(lambda t, rec, row: t.choice(rec, row, "status", tuple(STATUSES)), "status"),
                           bad, statuses)
        bases = _column(_rule(lambda t, rec, row: t.choice(rec, row, "basis", BASES), "basis"), bad, bases)
        srcs = _column(_clean_ref(sources.loaded), bad, srcs)
        quotes = _column(_clean_quote, bad, quotes, distinct=False)
        notes = _column(_clean_text("note"), bad, notes, distinct=False)
        checked = _column(_rule(_checked, "quote_checked"), bad, checked)
        forces = _column(_rule(_force, "force"), bad, forces)
        restated = _column(_rule(_restated, "restated"), bad, restated)
    supports = _Supports(sources.loaded)
    for k, row, rid, place_ids, date, lo, hi, qualifier, status, basis, force, again, sid, quote, chk, note in zip(
            range(len(table)), table.rows, ids, raw_places, dates, mins, maxs, qualifiers, statuses, bases, forces,
            restated, srcs, quotes, checked, notes):
        if (k in bad or rid in seen or (lo is not None and hi is not None and lo > hi)
                or not _fits(qualifier, lo, hi) or (status == "withdrawn" and lo is not None and lo > 0)
                or not supports(date, basis, sid)):
            claim = _claim_row(t, table.record(k), row, seen, places, sources)
            if claim is not None:
                out.append(claim)
            continue
        seen[rid] = row
        out.append(Claim(rid, place_ids, date, lo, hi, qualifier, status, basis, sid, quote,
                         chk, note, force=force, restated=bool(again)))
    return out


def _movement_row(t: _Rows, rec: dict, row: int, seen: dict[str, int], places: _Ids,
                  sources: _Ids) -> Movement | None:
    """One row of movements.csv by the rules, every problem reported (the reference path)."""
    rid = _check_id(t, rec, row, seen)
    ends = []
    for col in ("from_place", "to_place"):
        pid = (rec[col] or "").strip()
        ends.append(pid if places.check(t, row, col, pid) else None)
    if ends[0] is not None and ends[0] == ends[1]:
        t.bad(row, "to_place", ends[1], "a destination different from from_place")
        ends[1] = None
    start = _fuzzy(t, rec, row, "start", "start_precision")
    end = _fuzzy(t, rec, row, "end", "end_precision")
    if start is not None and end is not None and end.end < start.start:
        t.bad(row, "end", str(end), f"an end on or after the start ({start})")
        end = None
    lo, hi = _range(t, rec, row)
    qualifier = t.choice(rec, row, "qualifier", QUALIFIERS, required=False)
    fits = _check_qualifier(t, row, qualifier, lo, hi)
    basis = t.choice(rec, row, "basis", BASES)
    sid = (rec["source"] or "").strip()
    source = sources.loaded.get(sid) if sources.check(t, row, "source", sid) else None
    quote = _quote(t, rec, row)
    note = _text(t, rec, row, "note")
    checked = _checked(t, rec, row)
    force = _force(t, rec, row)
    if start is not None and basis is not None and source is not None:
        _check_source_supports(t, row, "start", start, basis, source)
    if not fits or None in (rid, *ends, start, end, qualifier, basis, source, quote, force, note):
        return None
    if lo is not None and hi is not None and lo > hi:
        return None
    return Movement(rid, ends[0], ends[1], start, end, lo, hi, qualifier, basis, sid,
                    quote, checked, note, force=force)


def _load_movements(table: _Table | None, problems, places: _Ids, sources: _Ids,
                    fast: bool = True) -> list[Movement]:
    """The movements, column by column as :func:`_load_claims` reads the claims."""
    t = _Rows("movements.csv", problems)
    seen: dict[str, int] = {}
    out: list[Movement] = []
    if not table:
        return out
    (ids, froms, tos, starts, start_precisions, ends, end_precisions, mins, maxs, qualifiers, bases, forces, srcs,
     quotes, checked, notes) = table.columns(COLUMNS["movements.csv"])
    bad: set[int] = set() if fast else set(range(len(table)))
    if fast:
        ids = _column(_clean_id, bad, ids, distinct=False)
        froms = _column(_clean_ref(places.loaded), bad, froms)
        tos = _column(_clean_ref(places.loaded), bad, tos)
        starts = _column(_rule(lambda t, rec, row: _fuzzy(t, rec, row, "start", "start_precision"),
                               "start", "start_precision"), bad, starts, start_precisions)
        ends = _column(_rule(lambda t, rec, row: _fuzzy(t, rec, row, "end", "end_precision"),
                             "end", "end_precision"), bad, ends, end_precisions)
        mins = _column(_rule(lambda t, rec, row: _troops_cell(t, rec, row, "troops_min"), "troops_min"), bad, mins)
        maxs = _column(_rule(lambda t, rec, row: _troops_cell(t, rec, row, "troops_max"), "troops_max"), bad, maxs)
        qualifiers = _column(_rule(lambda t, rec, row: t.choice(rec, row, "qualifier", QUALIFIERS, required=False),
                                   "qualifier"), bad, qualifiers)
        bases = _column(_rule(lambda t, rec, row: t.choice(rec, row, "basis", BASES), "basis"), bad, bases)
        srcs = _column(_clean_ref(sources.loaded), bad, srcs)
        quotes = _column(_clean_quote, bad, quotes, distinct=False)
        notes = _column(_clean_text("note"), bad, notes, distinct=False)
        checked = _column(_rule(_checked, "quote_checked"), bad, checked)
        forces = _column(_rule(_force, "force"), bad, forces)
    supports = _Supports(sources.loaded)
    for k, row, rid, src_place, dest, start, end, lo, hi, qualifier, basis, force, sid, quote, chk, note in zip(
            range(len(table)), table.rows, ids, froms, tos, starts, ends, mins, maxs, qualifiers, bases, forces,
            srcs, quotes, checked, notes):
        if (k in bad or rid in seen or src_place == dest or end.end < start.start
                or (lo is not None and hi is not None and lo > hi) or not _fits(qualifier, lo, hi)
                or not supports(start, basis, sid)):
            movement = _movement_row(t, table.record(k), row, seen, places, sources)
            if movement is not None:
                out.append(movement)
            continue
        seen[rid] = row
        out.append(Movement(rid, src_place, dest, start, end, lo, hi, qualifier, basis, sid,
                            quote, chk, note, force=force))
    return out


def _load_phases(table: _Table | None, problems, sources: _Ids) -> list[Phase]:
    t = _Rows("phases.csv", problems)
    seen: dict[str, int] = {}
    out: list[Phase] = []
    for row, rec in table.records() if table else ():
        rid = _check_id(t, rec, row, seen)
        name = _text(t, rec, row, "name", "the phase's name, e.g. Phase 1")
        description = _text(t, rec, row, "description")
        start = t.cell(rec, row, "start", _day, "the first day, YYYY-MM-DD")
        end = t.cell(rec, row, "end", _day, "the last day, YYYY-MM-DD, or empty if open", required=False)
        if start and end and end < start:
            t.bad(row, "end", end.isoformat(), f"an end on or after the start ({start.isoformat()})")
            end = start = None
        sid = (rec["source"] or "").strip()
        if not sources.check(t, row, "source", sid):
            sid = None
        if None in (rid, start, sid, name, description):
            continue
        out.append(Phase(rid, name, start, end, description, sid))
    return sorted(out, key=lambda p: p.start)


def _load_events(table: _Table | None, problems, sources: _Ids) -> list[Event]:
    t = _Rows("events.csv", problems)
    seen: dict[str, int] = {}
    out: list[Event] = []
    for row, rec in table.records() if table else ():
        rid = _check_id(t, rec, row, seen)
        date = _fuzzy(t, rec, row, "date", "date_precision")
        label = _text(t, rec, row, "label", "a short label for the slider, e.g. 'Reversal: 250–350 stay'")
        kind = t.choice(rec, row, "kind", EVENT_KINDS)
        sid = (rec["source"] or "").strip()
        if not sources.check(t, row, "source", sid):
            sid = None
        if None in (rid, date, kind, sid, label):
            continue
        out.append(Event(rid, date, label, kind, sid))
    return sorted(out, key=lambda e: (e.date.start, e.id))


def check_seeds(ds: Dataset, seeds_dir: str | Path) -> list[Problem]:
    """The quote-in-seed rule, for sources that name a ``seed_file`` in ``seeds_dir``.

    Each such file must exist in ``seeds_dir`` (a bare name: the loader refuses folders
    and ``..``), and every claim or movement citing the source must quote it verbatim
    (whitespace squashed) when its ``quote_checked`` is yes. Run by ``python -m geo
    check`` when the seeds folder exists (``../shared/seeds`` beside the repository, or
    ``--seeds DIR``); not at every load, because the seeds live outside the dataset.
    """
    folder = Path(seeds_dir)
    problems: list[Problem] = []
    texts: dict[str, str | None] = {}
    # a file is read again for its rows only once a problem needs locating in it
    rows_of = _LazyRows(Path(ds.root) / "sources.csv")
    for src in ds.sources.values():
        if not src.seed_file:
            continue
        path = folder / src.seed_file
        if not path.is_file():
            problems.append(Problem("sources.csv", rows_of.get(src.id), "seed_file", src.seed_file,
                                    f"a file in {folder}; there is no such file"))
            texts[src.id] = None
            continue
        texts[src.id] = re.sub(r"\s+", " ", path.read_text(encoding="utf-8", errors="replace"))
    if not texts:
        return problems   # no source names a seed file: no quote to hold to one
    for file, records in (("claims.csv", ds.claims), ("movements.csv", ds.movements)):
        rows_of = _LazyRows(Path(ds.root) / file)
        for rec in records:
            text = texts.get(rec.source)
            if text is None or not rec.quote_checked:
                continue
            if re.sub(r"\s+", " ", rec.quote).strip() not in text:
                problems.append(Problem(file, rows_of.get(rec.id), "quote", rec.quote[:60],
                                        f"a verbatim quote from {ds.sources[rec.source].seed_file} (quote_checked "
                                        "is yes); it is not in that file: correct it, or set quote_checked to no"))
    return problems


class _LazyRows:
    """:func:`_id_rows` of a file, read on the first look-up."""

    def __init__(self, path: Path):
        self.path, self.rows = path, None

    def get(self, rid: str) -> int | None:
        if self.rows is None:
            self.rows = _id_rows(self.path)
        return self.rows.get(rid)


def _id_rows(path: Path) -> dict[str, int]:
    """{id: spreadsheet row} of a CSV file that loaded (to locate a cross-file problem)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return {(rec.get("id") or "").strip(): i for i, rec in enumerate(csv.DictReader(fh), start=2)}
    except OSError:
        return {}


def _unknown(what: str, value: str, known: dict, file: str) -> str:
    """'an id from places.csv (closest: ain-al-asad, al-harir)'."""
    from rapidfuzz import process

    close = [m[0] for m in process.extract(value, list(known), limit=3, score_cutoff=60)] if value else []
    hint = f" (closest: {', '.join(close)})" if close else ""
    return f"a {what} id from {file}{hint}"
