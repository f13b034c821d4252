"""Load and validate the CSV dataset.

Every file is checked on load, then across files; every problem is collected with its
file, row (as a spreadsheet numbers it: the header is row 1), column, the value and
what was expected, and raised together in one :class:`~geo.model.DataError`, so an
analyst fixes a file in one pass instead of one error per run.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Callable

from .dates import PRECISIONS, parse_day, parse_fuzzy
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
REQUIRED_FILES = ("places.csv", "sources.csv", "claims.csv")

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
MAX_QUOTE = 400


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
    if not re.fullmatch(r"\d+", text):
        raise ValueError
    return int(text)


def _yes_no(text: str) -> bool:
    low = text.lower()
    if low in ("yes", "true", "1"):
        return True
    if low in ("no", "false", "0"):
        return False
    raise ValueError


def _float_in(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not (lo <= value <= hi):
            raise ValueError
        return value
    return parse


def _read(path: Path, file: str, problems: list[Problem]) -> list[tuple[int, dict]]:
    """Read one CSV, checking its header. Returns (spreadsheet row, record) pairs."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            rows = list(reader)
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, None, None, "", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as CSV UTF-8"))
        return []
    except csv.Error as exc:
        problems.append(Problem(file, None, None, "", f"not a readable CSV file: {exc}"))
        return []
    expected = COLUMNS[file]
    if header is None:
        problems.append(Problem(file, 1, None, "", f"the file is empty; expected a header row: {','.join(expected)}"))
        return []
    header = [h.strip() for h in header]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if extra:
            parts.append("unknown column(s) " + ", ".join(repr(c) for c in extra))
        problems.append(Problem(file, 1, None, ",".join(header),
                                "; ".join(parts) + f"; expected the header {','.join(expected)}"))
        return []
    out = []
    for i, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line a spreadsheet left behind is not a record
        if len(cells) != len(header):
            problems.append(Problem(file, i, None, ",".join(cells),
                                    f"{len(cells)} cells where the header has {len(header)}; "
                                    "check for an unquoted comma"))
            continue
        out.append((i, dict(zip(header, cells))))
    return out


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


def _quote(t: _Rows, rec: dict, row: int) -> str | None:
    quote = (rec.get("quote") or "").strip()
    if not quote:
        t.bad(row, "quote", quote, "a short verbatim quote from the source that supports the row")
        return None
    if len(quote) > MAX_QUOTE:
        t.bad(row, "quote", quote[:60] + "…", f"a short quote of at most {MAX_QUOTE} characters, not the article")
        return None
    return quote


def _range(t: _Rows, rec: dict, row: int) -> tuple[int | None, int | None]:
    expected = "a whole number of troops (digits only, e.g. 2500), or empty when open or unknown"
    lo = t.cell(rec, row, "troops_min", _int, expected, required=False)
    hi = t.cell(rec, row, "troops_max", _int, expected, required=False)
    if lo is not None and hi is not None and lo > hi:
        t.bad(row, "troops_max", str(hi), f"troops_max at least troops_min ({lo}); swap them or fix the figure")
    return lo, hi


def _fuzzy(t: _Rows, rec: dict, row: int, col: str, pcol: str):
    precision = t.choice(rec, row, pcol, PRECISIONS)
    if precision is None:
        return None
    return t.cell(rec, row, col, lambda s: parse_fuzzy(s, precision),
                  f"a {precision} date", required=True)


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Load, validate and index the dataset in ``data_dir`` (default: the embedded one).

    Raises :class:`~geo.model.DataError` listing every problem found.
    """
    root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    problems: list[Problem] = []
    if not root.is_dir():
        raise DataError([Problem(str(root), None, None, "", "a folder holding places.csv, sources.csv and claims.csv")])
    tables: dict[str, list[tuple[int, dict]]] = {}
    for file in COLUMNS:
        path = root / file
        if not path.exists():
            if file in REQUIRED_FILES:
                problems.append(Problem(file, None, None, "", f"missing file; expected {path} with header {','.join(COLUMNS[file])}"))
            tables[file] = []
            continue
        tables[file] = _read(path, file, problems)

    places = _load_places(tables["places.csv"], problems)
    sources = _load_sources(tables["sources.csv"], problems)
    claims = _load_claims(tables["claims.csv"], problems, places, sources)
    movements = _load_movements(tables["movements.csv"], problems, places, sources)
    phases = _load_phases(tables["phases.csv"], problems, sources)
    events = _load_events(tables["events.csv"], problems, sources)
    if problems:
        raise DataError(problems)
    ds = Dataset(places, sources, tuple(claims), tuple(movements), tuple(phases), tuple(events),
                 root=str(root))
    ds.posture  # the index is part of loading: computed once, here
    return ds


def _load_places(rows, problems) -> dict[str, Place]:
    t = _Rows("places.csv", problems)
    seen: dict[str, int] = {}
    out: dict[str, Place] = {}
    rows_of: dict[str, int] = {}
    for row, rec in rows:
        rid = _check_id(t, rec, row, seen)
        name = (rec["name"] or "").strip()
        if not name:
            t.bad(row, "name", name, "the place's display name")
        country = (rec["country"] or "").strip()
        if not _ISO3.match(country):
            t.bad(row, "country", country, "an ISO 3166 alpha-3 code in capitals, e.g. IRQ")
        lat = t.cell(rec, row, "lat", _float_in(-90, 90), "a latitude in decimal degrees (WGS84) between -90 and 90")
        lon = t.cell(rec, row, "lon", _float_in(-180, 180), "a longitude in decimal degrees (WGS84) between -180 and 180")
        precision = t.choice(rec, row, "precision", PLACE_PRECISIONS)
        kind = t.choice(rec, row, "kind", PLACE_KINDS)
        if None in (rid, lat, lon, precision, kind) or not name or not _ISO3.match(country):
            continue
        aliases = tuple(a.strip() for a in (rec["aliases"] or "").split("|") if a.strip())
        out[rid] = Place(rid, name, aliases, kind, country, lat, lon, precision,
                         (rec["coord_source"] or "").strip(), (rec["note"] or "").strip(),
                         within=(rec["within"] or "").strip())
        rows_of[rid] = row
    return _link_within(t, out, rows_of)


def _link_within(t: _Rows, places: dict[str, Place], rows_of: dict[str, int]) -> dict[str, Place]:
    """Check every ``within`` names a loaded place and that no chain loops back, then
    mark the places others lie within (they are areas: see :attr:`Place.scope`)."""
    import dataclasses

    bad: set[str] = set()
    for pid, p in places.items():
        if not p.within:
            continue
        if p.within not in places:
            t.bad(rows_of[pid], "within", p.within,
                  _unknown("place", p.within, places, "places.csv") + " that this place lies within, or empty")
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
    parents = {p.within for pid, p in places.items() if p.within and pid not in bad}
    return {pid: dataclasses.replace(p, has_children=pid in parents) for pid, p in places.items()
            if pid not in bad}


def _load_sources(rows, problems) -> dict[str, Source]:
    t = _Rows("sources.csv", problems)
    seen: dict[str, int] = {}
    out: dict[str, Source] = {}
    for row, rec in rows:
        rid = _check_id(t, rec, row, seen)
        outlet = (rec["outlet"] or "").strip()
        if not outlet:
            t.bad(row, "outlet", outlet, "the outlet's name, e.g. Shafaq News")
        url = (rec["url"] or "").strip()
        if url and not re.match(r"^https?://[^\s\"'<>`]+$", url):
            # quotes and angle brackets have no place in a URL and only serve to break
            # out of an HTML attribute: refused at the boundary, not just escaped later
            t.bad(row, "url", url, "an http(s) URL without spaces, quotes or angle brackets, or empty")
            url = ""
        published = t.cell(rec, row, "published", parse_day, "the publication day, YYYY-MM-DD")
        precision = t.choice(rec, row, "published_precision", ("day", "week", "month"))
        inferred = t.cell(rec, row, "published_inferred", _yes_no, "yes or no", required=False)
        if None in (rid, published, precision) or not outlet:
            continue
        out[rid] = Source(rid, outlet, (rec["title"] or "").strip(), url, published, precision,
                          bool(inferred), (rec["seed_file"] or "").strip(), (rec["note"] or "").strip())
    return out


def _force(t: _Rows, rec: dict, row: int) -> str | None:
    """``US`` (also when empty), ``coalition``, or a nation's ISO 3166 alpha-3 code."""
    raw = (rec.get("force") or "").strip()
    if raw in ("", FORCE_US):
        return FORCE_US
    if raw == FORCE_COALITION or (_ISO3.match(raw) and raw != "USA"):
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


def _load_claims(rows, problems, places, sources) -> list[Claim]:
    t = _Rows("claims.csv", problems)
    seen: dict[str, int] = {}
    out: list[Claim] = []
    for row, rec in rows:
        rid = _check_id(t, rec, row, seen)
        raw_places = (rec["places"] or "").strip()
        place_ids = tuple(p.strip() for p in raw_places.split("|") if p.strip())
        ok = bool(place_ids)
        if not place_ids:
            t.bad(row, "places", raw_places, "one place id, or several joined with | for a group figure")
        for pid in place_ids:
            if pid not in places:
                ok = False
                t.bad(row, "places", pid, _unknown("place", pid, places, "places.csv"))
        if len(set(place_ids)) != len(place_ids):
            ok = False
            t.bad(row, "places", raw_places, "each place at most once in a group")
        date = _fuzzy(t, rec, row, "date", "date_precision")
        lo, hi = _range(t, rec, row)
        qualifier = t.choice(rec, row, "qualifier", QUALIFIERS, required=False)
        status = t.choice(rec, row, "status", tuple(STATUSES))
        basis = t.choice(rec, row, "basis", BASES)
        sid = (rec["source"] or "").strip()
        source = sources.get(sid)
        if source is None:
            t.bad(row, "source", sid, _unknown("source", sid, sources, "sources.csv"))
        quote = _quote(t, rec, row)
        checked = t.cell(rec, row, "quote_checked", _yes_no, "yes or no", required=False)
        force = _force(t, rec, row)
        restated = t.cell(rec, row, "restated", _yes_no,
                          "yes if the source repeats an earlier figure as background, else no or empty",
                          required=False)
        if status == "withdrawn" and lo is not None and lo > 0:
            t.bad(row, "status", status, f"a status other than withdrawn, since troops_min is {lo}")
        if date is not None and basis is not None and source is not None:
            _check_source_supports(t, row, "date", date, basis, source)
        if not ok or None in (rid, date, qualifier, status, basis, source, quote, force):
            continue
        if lo is not None and hi is not None and lo > hi:
            continue
        out.append(Claim(rid, place_ids, date, lo, hi, qualifier, status, basis, sid, quote,
                         checked is not False, (rec["note"] or "").strip(), force=force,
                         restated=bool(restated)))
    return out


def _load_movements(rows, problems, places, sources) -> list[Movement]:
    t = _Rows("movements.csv", problems)
    seen: dict[str, int] = {}
    out: list[Movement] = []
    for row, rec in rows:
        rid = _check_id(t, rec, row, seen)
        ends = []
        for col in ("from_place", "to_place"):
            pid = (rec[col] or "").strip()
            if pid not in places:
                t.bad(row, col, pid, _unknown("place", pid, places, "places.csv"))
                pid = None
            ends.append(pid)
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
        basis = t.choice(rec, row, "basis", BASES)
        sid = (rec["source"] or "").strip()
        source = sources.get(sid)
        if source is None:
            t.bad(row, "source", sid, _unknown("source", sid, sources, "sources.csv"))
        quote = _quote(t, rec, row)
        checked = t.cell(rec, row, "quote_checked", _yes_no, "yes or no", required=False)
        force = _force(t, rec, row)
        if start is not None and basis is not None and source is not None:
            _check_source_supports(t, row, "start", start, basis, source)
        if None in (rid, *ends, start, end, qualifier, basis, source, quote, force):
            continue
        if lo is not None and hi is not None and lo > hi:
            continue
        out.append(Movement(rid, ends[0], ends[1], start, end, lo, hi, qualifier, basis, sid,
                            quote, checked is not False, (rec["note"] or "").strip(), force=force))
    return out


def _load_phases(rows, problems, sources) -> list[Phase]:
    t = _Rows("phases.csv", problems)
    seen: dict[str, int] = {}
    out: list[Phase] = []
    for row, rec in rows:
        rid = _check_id(t, rec, row, seen)
        name = (rec["name"] or "").strip()
        if not name:
            t.bad(row, "name", name, "the phase's name, e.g. Phase 1")
        start = t.cell(rec, row, "start", parse_day, "the first day, YYYY-MM-DD")
        end = t.cell(rec, row, "end", parse_day, "the last day, YYYY-MM-DD, or empty if open", required=False)
        if start and end and end < start:
            t.bad(row, "end", end.isoformat(), f"an end on or after the start ({start.isoformat()})")
            end = start = None
        sid = (rec["source"] or "").strip()
        if sid not in sources:
            t.bad(row, "source", sid, _unknown("source", sid, sources, "sources.csv"))
            sid = None
        if None in (rid, start, sid) or not name:
            continue
        out.append(Phase(rid, name, start, end, (rec["description"] or "").strip(), sid))
    return sorted(out, key=lambda p: p.start)


def _load_events(rows, problems, sources) -> list[Event]:
    t = _Rows("events.csv", problems)
    seen: dict[str, int] = {}
    out: list[Event] = []
    for row, rec in rows:
        rid = _check_id(t, rec, row, seen)
        date = _fuzzy(t, rec, row, "date", "date_precision")
        label = (rec["label"] or "").strip()
        if not label:
            t.bad(row, "label", label, "a short label for the slider, e.g. 'Reversal: 250–350 stay'")
        kind = t.choice(rec, row, "kind", EVENT_KINDS)
        sid = (rec["source"] or "").strip()
        if sid not in sources:
            t.bad(row, "source", sid, _unknown("source", sid, sources, "sources.csv"))
            sid = None
        if None in (rid, date, kind, sid) or not label:
            continue
        out.append(Event(rid, date, label, kind, sid))
    return sorted(out, key=lambda e: (e.date.start, e.id))


def _unknown(what: str, value: str, known: dict, file: str) -> str:
    """'an id from places.csv (closest: ain-al-asad, al-harir)'."""
    from rapidfuzz import process

    close = [m[0] for m in process.extract(value, list(known), limit=3, score_cutoff=60)] if value else []
    hint = f" (closest: {', '.join(close)})" if close else ""
    return f"a {what} id from {file}{hint}"
