"""The tables and series the analysis pages show (Timeline, Sources, Compare, Data quality).

Everything is read off the posture model (:func:`geo.posture.snapshot`,
:func:`~geo.posture.timeline`, :func:`~geo.posture.conflicts`), never re-derived from
the raw tables, so that a page says exactly what the map says for the same date and
"as known on" day. Pure: no Streamlit. Each function returns a pandas DataFrame with
one row per thing shown and columns named for the domain; dates are ``datetime.date``
with a ``*_label`` twin written like "15 Sep 2025" for display.

Honesty rules kept here rather than in the pages:

* a figure keeps its qualifier ("about 2,500", "fewer than 2,000"); a range stays a
  range; an open bound stays open (``shape`` says how to draw it);
* a group figure is its own series and its own row, never a share per place;
* a country total is shown only where a source gives one (claims about the country
  place itself) or where the places' figures add up without guessing
  (:func:`country_series`);
* plans are flagged as plans (``basis``) wherever a figure appears.
"""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pandas as pd

from .csvsafe import csv_bytes
from .dates import age_label, as_date
from .model import IMPRECISE, STATUSES, Claim, Dataset, Movement, Place
from .posture import (
    PLAN_STATE_LABELS, Snapshot, StateInterval, conflicts, group_id, is_group_figure,
    plan_settlements, settle_text, snapshot, timeline, visible_sources,
)

#: Qualifiers whose lower bound is a reading of "no lower bound given" (the loader
#: stores "fewer than 2,000" as 0-1,999): drawn as an open bound, not as a band to 0.
OPEN_LOW_QUALIFIERS = ("fewer than", "up to")
#: Qualifiers that make a sum approximate.
APPROX_QUALIFIERS = ("about", "nearly")

# ----------------------------------------------------------------------- helpers

def day_label(day: dt.date | None) -> str:
    """'15 Sep 2025' (no leading zero), '' for None."""
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}"


def map_params(on: dt.date, place: str = "", known: dt.date | None = None) -> dict[str, str]:
    """The map's URL parameters (ui.state's names) for a day, a place and an "as known on" day."""
    params = {"date": on.isoformat()}
    if place:
        params["place"] = place
    if known is not None:
        params["known"] = known.isoformat()
    return params


def map_link(on: dt.date, place: str = "", known: dt.date | None = None) -> str:
    """The map's URL for a day, a selected place and an "as known on" day.

    Relative to the app's root, so the link stays inside the app (and offline); the
    map page's ``ui.state.init_view`` reads these parameters when the link is opened.

    >>> map_link(dt.date(2025, 10, 20), "ain-al-asad", dt.date(2026, 2, 23))
    '/?date=2025-10-20&place=ain-al-asad&known=2026-02-23'
    """
    return "/?" + urlencode(map_params(on, place, known))


def md_escape(text: object) -> str:
    r"""Text made inert for ``st.markdown``: every ASCII punctuation mark is
    backslash-escaped (CommonMark allows it for all of them), so data text can neither
    open a link, an emphasis, an HTML tag nor a Streamlit directive (":red[...]").

    >>> print(md_escape("[x](javascript:1) <b>*2,500*</b>"))
    \[x\]\(javascript\:1\) \<b\>\*2\,500\*\<\/b\>
    """
    out = "".join("\\" + ch if ch in _MD_PUNCT else ch for ch in str(text))
    # GFM autolinks bare "http://…" and "www.…" even when escaped; a zero-width space
    # breaks the pattern without changing what is read.
    return out.replace("\\:\\/\\/", "\\:\u200b\\/\\/").replace("www\\.", "www\u200b\\.")


_MD_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _known(ds: Dataset, known_on) -> dt.date | None:
    return as_date(known_on) if known_on is not None else ds.latest_published


def _visible(ds: Dataset, known_on: dt.date | None) -> frozenset[str]:
    return visible_sources(ds, known_on)  # the one known-on rule


def place_names(ds: Dataset, place_ids) -> str:
    """'Ain al-Asad Air Base + Al-Harir Air Base': a group is named by all its places."""
    return " + ".join(ds.places[p].name for p in place_ids)


def source_label(ds: Dataset, source_id: str) -> str:
    """'Task & Purpose, 20 Oct 2025' ('(date inferred)' when it is)."""
    s = ds.sources[source_id]
    inferred = " (date inferred)" if s.published_inferred else ""
    return f"{s.outlet}, {day_label(s.published)}{inferred}"


def claim_text(ds: Dataset, c: Claim) -> str:
    """One line that identifies a claim: 'c015 Ain al-Asad + al-Harir, 20 Oct 2025:
    250–350, Residual force (plan; Task & Purpose, 20 Oct 2025)'."""
    return (f"{c.id} {place_names(ds, c.places)}, {c.date.label()}: {c.figure_text()}, "
            f"{STATUSES[c.status]} ({c.basis}; {source_label(ds, c.source)})")


def figure_shape(lo: int | None, hi: int | None, qualifier: str = "") -> str:
    """How a figure is drawn: 'point', 'range', 'at least' (no upper bound), 'at most'
    (no lower bound given) or 'none'.

    >>> figure_shape(2500, 2500, "about"), figure_shape(250, 350), figure_shape(0, 1999, "fewer than")
    ('point', 'range', 'at most')
    >>> figure_shape(2501, None, "more than"), figure_shape(None, None, "a few")
    ('at least', 'none')
    """
    if lo is None and hi is None:
        return "none"
    if hi is None:
        return "at least"
    if lo is None or (lo == 0 and hi > 0 and qualifier in OPEN_LOW_QUALIFIERS):
        return "at most"
    return "point" if lo == hi else "range"


def _line_value(shape: str, lo: int | None, hi: int | None) -> int | None:
    """The one y a single line may be drawn at: the figure, or its known bound."""
    if shape in ("point", "at least"):
        return lo
    if shape == "at most":
        return hi
    return None


def _common_country(places: tuple[Place, ...]) -> str:
    countries = {p.country for p in places}
    return countries.pop() if len(countries) == 1 else ""


# ------------------------------------------------------------------- timeline

SERIES_COLUMNS = [
    "series_key", "series", "layer", "country", "order", "start", "end", "start_label",
    "end_label", "shape", "troops_min", "troops_max", "value", "figure", "qualifier",
    "basis", "figure_status", "status", "status_label", "status_basis", "claim",
    "figure_claim", "as_of", "source", "published", "quote", "quote_checked", "group",
    "known_on", "map_link",
]


def timeline_series(ds: Dataset, known_on: dt.date | str | None = None,
                    until: dt.date | str | None = None,
                    intervals: list[StateInterval] | None = None) -> pd.DataFrame:
    """One row per interval of a place's or a group's state: the step line of the chart.

    Rows come straight from :func:`geo.posture.timeline` (pass ``intervals`` to reuse a
    computed one), so the line is the map's posture day by day. ``start`` is inclusive,
    ``end`` exclusive; ``end_label`` names the last day. A place whose figure is a group
    figure has ``shape`` 'in group' and no number: the number is on the group's series.

    ``basis`` is the basis of the *figure* (a report saying "drawing down" keeps an
    earlier plan's figure, drawn dashed); ``status``/``status_basis`` are those of the
    claim in force, as the map colours the marker.
    """
    known = _known(ds, known_on)
    ivs = intervals if intervals is not None else timeline(ds, known, until)
    order = {pid: i for i, pid in enumerate(ds.places)}
    rows = []
    for iv in ivs:
        if iv.layer == "place":
            rows.append(_place_segment(ds, iv, order, known))
        elif iv.layer == "group":
            rows.append(_group_segment(ds, iv, order, known))
    df = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    return _finish_series(df)


def _finish_series(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("troops_min", "troops_max", "value"):
        df[col] = df[col].astype("Int64")
    return df.sort_values(["order", "series_key", "start"], kind="stable").reset_index(drop=True)


def _segment(iv: StateInterval, **kw) -> dict:
    last = iv.end - dt.timedelta(days=1)
    row = dict(start=iv.start, end=iv.end, start_label=day_label(iv.start), end_label=day_label(last))
    row.update(kw)
    return row


def _place_segment(ds: Dataset, iv: StateInterval, order: dict, known) -> dict:
    ps = iv.place_state
    claim, fc = ps.claim, ps.figure_claim
    shown = fc or claim
    src = ds.sources[shown.source]
    if ps.group is not None:
        lo = hi = None
        shape = "in group"
        group = place_names(ds, fc.places)
    else:
        lo, hi = ps.troops_min, ps.troops_max
        shape = figure_shape(lo, hi, fc.qualifier if fc else "")
        group = ""
    return _segment(
        iv, series_key=ps.place.id, series=ps.place.name, layer="place",
        country=ps.place.country, order=float(order.get(ps.place.id, 0)), shape=shape,
        troops_min=lo, troops_max=hi, value=_line_value(shape, lo, hi), figure=ps.figure_text(),
        qualifier=(fc.qualifier if fc else ""), basis=shown.basis,
        figure_status=fc.status if fc else None, status=claim.status,
        status_label=STATUSES[claim.status], status_basis=claim.basis, claim=claim.id,
        figure_claim=fc.id if fc else None, as_of=shown.date.label(), source=src.outlet,
        published=day_label(src.published) + (" (inferred)" if src.published_inferred else ""),
        quote=shown.quote, quote_checked=shown.quote_checked, group=group, known_on=known,
        map_link=map_link(iv.start, ps.place.id, known))


def _group_segment(ds: Dataset, iv: StateInterval, order: dict, known) -> dict:
    gs = iv.group_state
    c = gs.claim
    src = ds.sources[c.source]
    lo, hi = c.troops_min, c.troops_max
    shape = figure_shape(lo, hi, c.qualifier)
    first = min(order.get(p.id, 0) for p in gs.places)
    return _segment(
        iv, series_key=gs.id, series=gs.name, layer="group", country=_common_country(gs.places),
        # Just after the group's first member, so a group sits beside its places.
        order=first + 0.5 + 0.01 * len(gs.places), shape=shape, troops_min=lo, troops_max=hi,
        value=_line_value(shape, lo, hi), figure=c.figure_text(), qualifier=c.qualifier,
        basis=c.basis, figure_status=c.status, status=c.status, status_label=STATUSES[c.status],
        status_basis=c.basis, claim=c.id, figure_claim=c.id, as_of=c.date.label(),
        source=src.outlet,
        published=day_label(src.published) + (" (inferred)" if src.published_inferred else ""),
        quote=c.quote, quote_checked=c.quote_checked, group=gs.name, known_on=known,
        map_link=map_link(iv.start, gs.places[0].id, known))


def publication_days(ds: Dataset, before: dt.date | str | None = None) -> list[dt.date]:
    """The distinct publication days of the sources, earlier than ``before`` if given:
    the days on which what could be known changed."""
    before = as_date(before)
    return sorted({s.published for s in ds.sources.values() if before is None or s.published < before})


def default_earlier_day(ds: Dataset, known_on: dt.date | str | None = None) -> dt.date | None:
    """A useful earlier "as known on" day to set beside ``known_on``: the first day on
    which a plan with a figure that later sources contradicted was known (what was then
    expected, next to what was later reported); else the latest earlier publication day."""
    known = _known(ds, known_on)
    days = publication_days(ds, before=known)
    if not days:
        return None
    planned = [ds.sources[cf.first.source].published for cf in conflicts(ds, known)
               if cf.kind == "plan contradicted" and cf.first.has_figure
               and ds.sources[cf.first.source].published < known]
    return min(planned) if planned else days[-1]


def series_catalogue(series: pd.DataFrame) -> pd.DataFrame:
    """The distinct series of a :func:`timeline_series` frame, in display order:
    series_key, series, layer, country, has_figure (any numeric segment)."""
    if series.empty:
        return pd.DataFrame({"series_key": [], "series": [], "layer": [], "country": [],
                             "has_figure": pd.Series([], dtype=bool)})
    numeric = series["shape"].isin(["point", "range", "at least", "at most"])
    out = (series.assign(has_figure=numeric)
           .groupby(["order", "series_key", "series", "layer", "country"], sort=True)["has_figure"]
           .any().reset_index().drop(columns="order"))
    return out


def country_series(ds: Dataset, known_on: dt.date | str | None = None,
                   until: dt.date | str | None = None,
                   intervals: list[StateInterval] | None = None) -> pd.DataFrame:
    """Troops per country, only where no guess is needed.

    Two kinds of series per country (``layer``):

    * ``country``: what sources say of the country place itself (e.g. ``iraq``), as the
      map shows that place;
    * ``country sum``: the sum of the country's places, only over days on which every
      place of the country named in the data has a point figure (a group figure counts
      once, for all its places, when they all lie in the country), all those figures
      refer to the same date, are of the same basis, and no place is a region (a region
      holds other places: adding it would count troops twice). Otherwise no total:
      a missing, ranged or unsummable figure is never filled in.
    """
    known = _known(ds, known_on)
    ivs = intervals if intervals is not None else timeline(ds, known, until)
    per_place = timeline_series(ds, known, until, intervals=ivs)
    reported = per_place[per_place["series_key"].map(
        lambda pid: pid in ds.places and ds.places[pid].precision == "country")].copy()
    reported["layer"] = "country"
    reported["series"] = reported["series"] + ": figures given for the country"
    sums = _country_sums(ds, ivs, known)
    out = pd.concat([reported, sums], ignore_index=True) if not sums.empty else reported
    return _finish_series(out)


def _country_sums(ds: Dataset, ivs: list[StateInterval], known) -> pd.DataFrame:
    place_ivs = [iv for iv in ivs if iv.layer == "place"]
    if not place_ivs:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    # Every place named in what is known (whether or not it has a claim on a given day).
    day0 = min(iv.start for iv in place_ivs)
    named = [ps.place for ps in snapshot(ds, day0, known).places]
    cuts = sorted({iv.start for iv in place_ivs} | {iv.end for iv in place_ivs})
    order = {pid: i for i, pid in enumerate(ds.places)}
    rows = []
    for country in sorted({p.country for p in named}):
        members = [p for p in named if p.country == country and p.precision != "country"]
        if not members or any(p.precision == "region" for p in members):
            continue
        ids = {p.id for p in members}
        open_run = None  # (start, units key, total row fields)
        for a, b in zip(cuts, cuts[1:]):
            states = {iv.key: iv.place_state for iv in place_ivs if iv.start <= a < iv.end and iv.key in ids}
            units = _summable_units(ds, members, states, ids)
            key = tuple(sorted(c.id for c in units)) if units else None
            if open_run and open_run[1] != key:
                rows.append(_sum_row(ds, country, open_run, a, order, known))
                open_run = None
            if key and open_run is None:
                open_run = (a, key, units)
        if open_run:
            rows.append(_sum_row(ds, country, open_run, cuts[-1], order, known))
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def _summable_units(ds: Dataset, members: list[Place], states: dict, ids: set[str]) -> list[Claim] | None:
    """The claims whose figures add up to the country's total on a day, or None."""
    units: dict[str, Claim] = {}
    for p in members:
        ps = states.get(p.id)
        if ps is None or ps.figure_claim is None:
            return None
        fc = ps.figure_claim
        if ps.group is not None and not set(fc.places) <= ids:
            return None  # a group reaching over the border cannot be apportioned
        if ps.group is None and (ps.troops_min is None or ps.troops_min != ps.troops_max):
            return None
        if ps.group is not None and (fc.troops_min is None or fc.troops_min != fc.troops_max):
            return None
        units[fc.id] = fc
    claims = list(units.values())
    if len({(c.date.start, c.date.end) for c in claims}) != 1 or len({c.basis for c in claims}) != 1:
        return None
    return claims


def _sum_row(ds: Dataset, country: str, run, end: dt.date, order: dict, known) -> dict:
    start, _key, units = run
    total = sum(c.troops_min for c in units)
    approx = any(c.qualifier in APPROX_QUALIFIERS for c in units)
    figure = (f"about {total:,}" if approx else f"{total:,}") + f" (sum of {len(units)} figures)"
    parts = "; ".join(f"{place_names(ds, c.places)}: {c.figure_text()} ({ds.sources[c.source].outlet})"
                      for c in units)
    first = units[0]
    country_place = next((p for p in ds.places.values()
                          if p.country == country and p.precision == "country"), None)
    name = country_place.name if country_place else country
    iv = StateInterval("country sum", f"sum:{country}", start, end)
    return _segment(
        iv, series_key=f"sum:{country}", series=f"{name}: sum of place figures", layer="country sum",
        country=country, order=float(order.get(country_place.id, 0) if country_place else 0) + 0.25,
        shape="point", troops_min=total, troops_max=total, value=total, figure=figure,
        qualifier="about" if approx else "", basis=first.basis, figure_status=None, status=None,
        status_label="", status_basis=first.basis, claim=",".join(c.id for c in units),
        figure_claim=",".join(c.id for c in units), as_of=first.date.label(), source=parts,
        published="", quote="", quote_checked=all(c.quote_checked for c in units), group="",
        known_on=known, map_link=map_link(start, "", known))


def phase_rows(ds: Dataset, known_on: dt.date | str | None = None,
               until: dt.date | str | None = None) -> pd.DataFrame:
    """Phases as shaded periods: name, start, end (exclusive; an open phase runs to
    ``until``), labels and description. Hidden if their source was not yet published."""
    known = _known(ds, known_on)
    visible = _visible(ds, known)
    until = as_date(until) if until is not None else None
    rows = []
    for p in ds.phases:
        if p.source not in visible:
            continue
        end = p.end + dt.timedelta(days=1) if p.end else (until or p.start + dt.timedelta(days=365))
        rows.append(dict(phase=p.id, name=p.name, start=p.start, end=end,
                         start_label=day_label(p.start),
                         end_label=day_label(p.end) if p.end else "open",
                         description=p.description, source=source_label(ds, p.source)))
    return pd.DataFrame(rows, columns=["phase", "name", "start", "end", "start_label", "end_label",
                                       "description", "source"])


def milestone_rows(ds: Dataset, known_on: dt.date | str | None = None,
                   min_gap_days: int = 50, lanes: int = 3) -> pd.DataFrame:
    """Milestones (events) known on ``known_on``: date, label, kind, source, and a
    ``lane`` (0..lanes-1) so that labels of close events do not overprint."""
    known = _known(ds, known_on)
    visible = _visible(ds, known)
    events = sorted((e for e in ds.events if e.source in visible), key=lambda e: (e.date.start, e.id))
    last_in_lane: list[dt.date | None] = [None] * lanes
    rows = []
    for e in events:
        day = e.date.start
        free = [i for i, d in enumerate(last_in_lane) if d is None or (day - d).days >= min_gap_days]
        lane = free[0] if free else min(range(lanes), key=lambda i: last_in_lane[i])
        last_in_lane[lane] = day
        rows.append(dict(event=e.id, date=day, date_label=e.date.label(), label=e.label, kind=e.kind,
                         source=source_label(ds, e.source), lane=lane))
    return pd.DataFrame(rows, columns=["event", "date", "date_label", "label", "kind", "source", "lane"])


def _outcome(outcome: dict, c: Claim, key: str) -> str:
    """How the plan was settled at the place (for a group: at each member, where they differ)."""
    if key in c.places:
        return outcome.get((c.id, key), "not settled by the sources known")
    per = {p: outcome.get((c.id, p), "not settled") for p in c.places}
    if len(set(per.values())) == 1:
        return next(iter(per.values()))
    return "; ".join(f"{p}: {o}" for p, o in per.items())


def plan_rows(ds: Dataset, known_on: dt.date | str | None = None) -> pd.DataFrame:
    """Every plan with a figure known on ``known_on``, on the series it speaks of (the
    group's for a group figure, each place's otherwise): the plans as announced, also
    those a later claim replaced before they took effect."""
    known = _known(ds, known_on)
    visible = _visible(ds, known)
    outcome: dict[tuple[str, str], str] = {}  # (plan, place) -> how it was settled there
    for plan, pid, state, by, day in plan_settlements(ds, known):
        if state is not None:
            outcome[plan.id, pid] = settle_text(state, day, plan.date.end, by, ds.sources)
    rows = []
    for c in ds.claims:
        if c.basis != "plan" or not c.has_figure or c.source not in visible:
            continue
        keys = [group_id(c)] if is_group_figure(c) else list(c.places)
        shape = figure_shape(c.troops_min, c.troops_max, c.qualifier)
        for key in keys:
            rows.append(dict(series_key=key, series=place_names(ds, c.places) if key.startswith("group:")
                             else ds.places[key].name, claim=c.id, date=c.date.start, date_label=c.date.label(),
                             value=_line_value(shape, c.troops_min, c.troops_max)
                             if shape != "range" else c.troops_max,
                             troops_min=c.troops_min, troops_max=c.troops_max, shape=shape,
                             figure=c.figure_text(), status_label=STATUSES[c.status],
                             announced=source_label(ds, c.source), due_end=c.date.end,
                             outcome=_outcome(outcome, c, key),
                             quote=c.quote))
    df = pd.DataFrame(rows, columns=["series_key", "series", "claim", "date", "date_label", "value", "troops_min",
                                     "troops_max", "shape", "figure", "status_label", "announced",
                                     "due_end", "outcome", "quote"])
    for col in ("value", "troops_min", "troops_max"):
        df[col] = df[col].astype("Int64")
    return df.sort_values(["series_key", "date", "claim"]).reset_index(drop=True)


# --------------------------------------------------------------------- sources

def contradictions(ds: Dataset, known_on: dt.date | str | None = None) -> dict[str, list[tuple[str, Claim]]]:
    """claim id -> [(relation, other claim)] from :func:`geo.posture.conflicts`, both ways.

    Relations: 'conflicts with' (same time, cannot both hold), 'plan contradicted by'
    (on the plan's row), 'contradicts plan' (on the later claim's row).
    """
    out: dict[str, list[tuple[str, Claim]]] = {}
    for cf in conflicts(ds, _known(ds, known_on)):
        if cf.kind == "conflict":
            out.setdefault(cf.first.id, []).append(("conflicts with", cf.second))
            out.setdefault(cf.second.id, []).append(("conflicts with", cf.first))
        else:
            out.setdefault(cf.first.id, []).append(("plan contradicted by", cf.second))
            out.setdefault(cf.second.id, []).append(("contradicts plan", cf.first))
    return out


def _matches_place(ds: Dataset, item: Claim | Movement, place: str | None) -> bool:
    if not place:
        return True
    if isinstance(item, Movement):
        return place in (item.from_place, item.to_place)
    return place in item.places


def _source_filter(ds: Dataset, known, outlets, published_from, published_to):
    outlets = set(outlets or ())
    lo, hi = as_date(published_from), as_date(published_to)
    visible = _visible(ds, known)

    def keep(sid: str) -> bool:
        s = ds.sources[sid]
        return (sid in visible and (not outlets or s.outlet in outlets)
                and (lo is None or s.published >= lo) and (hi is None or s.published <= hi))
    return keep


SOURCE_COLUMNS = ["source", "outlet", "title", "published", "published_label", "inferred", "url",
                  "claims", "movements", "milestones", "places", "note"]


def source_rows(ds: Dataset, known_on: dt.date | str | None = None, place: str | None = None,
                outlets=None, published_from=None, published_to=None) -> pd.DataFrame:
    """Every source known on ``known_on`` (newest last), filtered by place (it supports a
    claim or movement there), outlet and publication dates, with what it supports."""
    known = _known(ds, known_on)
    keep = _source_filter(ds, known, outlets, published_from, published_to)
    rows = []
    for s in sorted(ds.sources.values(), key=lambda s: (s.published, s.id)):
        if not keep(s.id):
            continue
        claims = [c for c in ds.claims if c.source == s.id and _matches_place(ds, c, place)]
        moves = [m for m in ds.movements if m.source == s.id and _matches_place(ds, m, place)]
        if place and not claims and not moves:
            continue
        pids = list(dict.fromkeys([p for c in claims for p in c.places]
                                  + [p for m in moves for p in (m.from_place, m.to_place)]))
        rows.append(dict(
            source=s.id, outlet=s.outlet, title=s.title, published=s.published,
            published_label=day_label(s.published) + (" (inferred)" if s.published_inferred else ""),
            inferred=s.published_inferred, url=s.url or None, claims=len(claims), movements=len(moves),
            milestones=sum(e.source == s.id for e in ds.events) + sum(p.source == s.id for p in ds.phases),
            places=", ".join(ds.places[p].name for p in pids), note=s.note))
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


EVIDENCE_COLUMNS = ["source", "outlet", "published_label", "url", "item", "kind", "places", "date",
                    "date_label", "figure", "status", "basis", "quote", "quote_checked",
                    "contradictions", "n_contradictions", "map_place", "map_link"]


def evidence_rows(ds: Dataset, known_on: dt.date | str | None = None, place: str | None = None,
                  outlets=None, published_from=None, published_to=None) -> pd.DataFrame:
    """Every claim and movement of the filtered sources, each with its verbatim quote,
    whether the quote was checked against the article, the claims it contradicts or is
    contradicted by, and a link that opens the map at its place and date."""
    known = _known(ds, known_on)
    keep = _source_filter(ds, known, outlets, published_from, published_to)
    against = contradictions(ds, known)
    rows = []
    for c in ds.claims:
        if not keep(c.source) or not _matches_place(ds, c, place):
            continue
        rel = against.get(c.id, [])
        rows.append(_evidence(ds, c.source, item=c.id, kind="claim", places=place_names(ds, c.places),
                              date=c.date.start, date_label=c.date.label(), figure=c.figure_text(),
                              status=STATUSES[c.status], basis=c.basis, quote=c.quote,
                              quote_checked=c.quote_checked,
                              contradictions="; ".join(f"{r} {claim_text(ds, o)}" for r, o in rel),
                              n_contradictions=len(rel), map_place=place or c.places[0],
                              map_link=map_link(c.date.start, place or c.places[0], known)))
    for m in ds.movements:
        if not keep(m.source) or not _matches_place(ds, m, place):
            continue
        rows.append(_evidence(ds, m.source, item=m.id, kind="movement",
                              places=f"{ds.places[m.from_place].name} → {ds.places[m.to_place].name}",
                              date=m.start.start, date_label=_move_period(m), figure=m.figure_text(),
                              status="movement", basis=m.basis, quote=m.quote,
                              quote_checked=m.quote_checked, contradictions="", n_contradictions=0,
                              map_place=place or m.from_place,
                              map_link=map_link(m.start.start, place or m.from_place, known)))
    df = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    pub = {sid: s.published for sid, s in ds.sources.items()}
    df["_pub"] = df["source"].map(pub)
    return (df.sort_values(["_pub", "source", "kind", "date", "item"], kind="stable")
            .drop(columns="_pub").reset_index(drop=True))


def _evidence(ds: Dataset, sid: str, **kw) -> dict:
    s = ds.sources[sid]
    row = dict(source=sid, outlet=s.outlet,
               published_label=day_label(s.published) + (" (inferred)" if s.published_inferred else ""),
               url=s.url or None)
    row.update(kw)
    return row


def _move_period(m: Movement) -> str:
    if m.start.text == m.end.text:
        return m.start.label()
    return f"{m.start.label()} – {m.end.label()}"


# --------------------------------------------------------------------- compare

COMPARE_COLUMNS = ["key", "layer", "name", "country", "places", "figure_a", "status_a", "basis_a",
                   "as_of_a", "claim_a", "plan_a", "figure_b", "status_b", "basis_b", "as_of_b",
                   "claim_b", "plan_b", "change", "changed"]


def plan_text(plan) -> str:
    """'0, Handed over / withdrawn, due 15 Sep 2025 · overdue' for a :class:`PlanState`."""
    if plan is None:
        return ""
    c = plan.claim
    return f"{c.figure_text()}, {STATUSES[c.status]}, due {c.date.label()} · {PLAN_STATE_LABELS[plan.state]}"


def _place_side(ps) -> dict:
    if ps is None or ps.claim is None:
        return dict(figure="no report", status="", basis="", as_of="", claim=None, plan="")
    plan = plan_text(ps.plan)
    if ps.report is None:
        return dict(figure="no report yet", status="", basis="plan", as_of="",
                    claim=ps.plan.claim.id, plan=plan)
    figure = ps.figure_text()
    fc = ps.figure_claim
    if fc is not None and fc is not ps.report:
        figure += f" ({fc.date.label()})"
    return dict(figure=figure, status=STATUSES[ps.report.status], basis="report",
                as_of=ps.report.date.label(), claim=ps.report.id, plan=plan)


def _group_side(gs) -> dict:
    if gs is None:
        return dict(figure="not in force", status="", basis="", as_of="", claim=None, plan="")
    c = gs.claim
    return dict(figure=c.figure_text(), status=STATUSES[c.status], basis=c.basis,
                as_of=c.date.label(), claim=c.id, plan="")


def _change(a: dict, b: dict, absent: str) -> str:
    if a["claim"] is None and b["claim"] is None:
        return "no report on either day"
    if a["claim"] is None:
        return "new"
    if b["claim"] is None:
        return "no longer reported" if absent == "no report" else "no longer in force"
    parts = []
    if a["figure"] != b["figure"]:
        parts.append(f"figure: {a['figure']} → {b['figure']}")
    if a["status"] != b["status"]:
        parts.append(f"status: {a['status']} → {b['status']}")
    if a["basis"] != b["basis"]:
        parts.append(f"basis: {a['basis']} → {b['basis']}")
    if a.get("plan", "") != b.get("plan", ""):
        parts.append(f"plan: {a.get('plan') or 'none'} → {b.get('plan') or 'none'}")
    if not parts and a["claim"] != b["claim"]:
        parts.append(f"restated by a newer claim ({a['claim']} → {b['claim']})")
    return "; ".join(parts) or "no change"


def compare_rows(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """Per place and per group in force on either side: figure, status, basis and the
    claim on each side, and what changed ('new', 'no longer reported', 'figure: … → …',
    'status: … → …', 'basis: report → plan', 'no change')."""
    order: dict[str, float] = {}
    rows = []
    pa = {ps.place.id: ps for ps in a.places}
    pb = {ps.place.id: ps for ps in b.places}
    places = {ps.place.id: ps.place for ps in (*a.places, *b.places)}
    for i, pid in enumerate(dict.fromkeys([*pa, *pb])):
        order[pid] = i
        sa, sb = _place_side(pa.get(pid)), _place_side(pb.get(pid))
        rows.append(_compare_row(pid, "place", places[pid].name, places[pid].country, pid, sa, sb,
                                 "no report"))
    ga = {g.id: g for g in a.groups + a.plan_groups}
    gb = {g.id: g for g in b.groups + b.plan_groups}
    for gid in dict.fromkeys([*ga, *gb]):
        g = ga.get(gid) or gb.get(gid)
        sa, sb = _group_side(ga.get(gid)), _group_side(gb.get(gid))
        row = _compare_row(gid, "group", g.name, _common_country(g.places),
                           "|".join(p.id for p in g.places), sa, sb, "not in force")
        rows.append(row)
        order[gid] = min(order.get(p.id, 0) for p in g.places) + 0.5
    df = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    df["changed"] = df["changed"].astype(bool)  # also when empty, so it can filter rows
    df["_order"] = df["key"].map(order)
    return df.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _compare_row(key, layer, name, country, places, sa: dict, sb: dict, absent: str) -> dict:
    change = _change(sa, sb, absent)
    return dict(key=key, layer=layer, name=name, country=country, places=places,
                figure_a=sa["figure"], status_a=sa["status"], basis_a=sa["basis"], as_of_a=sa["as_of"],
                claim_a=sa["claim"], plan_a=sa["plan"], figure_b=sb["figure"], status_b=sb["status"],
                basis_b=sb["basis"], as_of_b=sb["as_of"], claim_b=sb["claim"], plan_b=sb["plan"],
                change=change,
                changed=change not in ("no change", "no report on either day"))


MOVE_COLUMNS = ["movement", "from_place", "to_place", "from_name", "to_name", "start", "period",
                "figure", "basis", "source", "quote", "quote_checked", "map_link"]


def moves_between(ds: Dataset, day_a: dt.date | str, day_b: dt.date | str,
                  known_on: dt.date | str | None = None) -> pd.DataFrame:
    """Movements active on any day between the two dates (either order, both included)
    whose source was published by ``known_on``."""
    a, b = sorted((as_date(day_a), as_date(day_b)))
    known = _known(ds, known_on)
    visible = _visible(ds, known)
    rows = []
    for m in sorted(ds.movements, key=lambda m: (m.start.start, m.id)):
        if m.source not in visible or m.end.end < a or m.start.start > b:
            continue
        rows.append(dict(movement=m.id, from_place=m.from_place, to_place=m.to_place,
                         from_name=ds.places[m.from_place].name, to_name=ds.places[m.to_place].name,
                         start=m.start.start, period=_move_period(m), figure=m.figure_text(),
                         basis=m.basis, source=source_label(ds, m.source), quote=m.quote,
                         quote_checked=m.quote_checked,
                         map_link=map_link(max(m.start.start, a), m.from_place, known)))
    return pd.DataFrame(rows, columns=MOVE_COLUMNS)


def compare_filename(a: Snapshot, b: Snapshot, ext: str) -> str:
    """'posture_2025-08-20_vs_2025-10-21.csv'; the "as known on" days join the name
    when they differ between the sides (same date, two states of knowledge)."""
    def side(s: Snapshot) -> str:
        if a.known_on != b.known_on:
            return f"{s.on.isoformat()}_known-{s.known_on.isoformat()}"
        return s.on.isoformat()
    return f"posture_{side(a)}_vs_{side(b)}.{ext.lstrip('.')}"


def union_extent(*extents: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The (west, south, east, north) box holding every given box: one frame for both
    sides of a comparison, so that the two maps line up."""
    return (min(e[0] for e in extents), min(e[1] for e in extents),
            max(e[2] for e in extents), max(e[3] for e in extents))


def compare_csv(rows: pd.DataFrame, a: Snapshot, b: Snapshot) -> bytes:
    """The comparison table as CSV (UTF-8). Every row names both sides (date and "as
    known on" of A and of B) so that the file stands alone in a spreadsheet or a script."""
    out = rows.copy()
    out.insert(0, "date_a", a.on.isoformat())
    out.insert(1, "known_on_a", a.known_on.isoformat())
    out.insert(2, "date_b", b.on.isoformat())
    out.insert(3, "known_on_b", b.known_on.isoformat())
    return csv_bytes(out)   # the product's one CSV writer: formula-safe cells (geo.csvsafe)


def compare_geojson(ds: Dataset, a: Snapshot, b: Snapshot, rows: pd.DataFrame | None = None,
                    moves: pd.DataFrame | None = None) -> dict:
    """The comparison as an RFC 7946 FeatureCollection (lon, lat; WGS84): one feature per
    place (Point) and group (MultiPoint) with the A and B properties and the change, and
    the movements between the two dates (LineString)."""
    rows = compare_rows(a, b) if rows is None else rows
    moves = moves_between(ds, a.on, b.on, max(a.known_on, b.known_on)) if moves is None else moves
    feats = []
    for rec in rows.to_dict("records"):
        pts = [ds.places[p] for p in rec["places"].split("|")]
        coords = [[round(p.lon, 5), round(p.lat, 5)] for p in pts]
        geom = ({"type": "Point", "coordinates": coords[0]} if rec["layer"] == "place"
                else {"type": "MultiPoint", "coordinates": coords})
        props = {k: (None if (isinstance(v, float) and pd.isna(v)) else v) for k, v in rec.items()}
        props["places"] = rec["places"].split("|")
        feats.append({"type": "Feature", "id": rec["key"], "geometry": geom, "properties": props})
    for rec in moves.to_dict("records"):
        o, d = ds.places[rec["from_place"]], ds.places[rec["to_place"]]
        props = {k: v for k, v in rec.items() if k not in ("start", "map_link")}
        props.update(layer="movement", start=rec["start"].isoformat())
        feats.append({"type": "Feature", "id": rec["movement"], "geometry": {
            "type": "LineString",
            "coordinates": [[round(o.lon, 5), round(o.lat, 5)], [round(d.lon, 5), round(d.lat, 5)]]},
            "properties": props})
    return {"type": "FeatureCollection", "name": compare_filename(a, b, "").rstrip("."),
            "date_a": a.on.isoformat(), "known_on_a": a.known_on.isoformat(),
            "date_b": b.on.isoformat(), "known_on_b": b.known_on.isoformat(), "features": feats}


def geojson_bytes(fc: dict) -> bytes:
    return (json.dumps(fc, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")


# ---------------------------------------------------------------- data quality

CONFLICT_COLUMNS = ["kind", "places", "first", "first_text", "second", "second_text", "reason",
                    "first_link", "second_link"]


def conflict_rows(ds: Dataset, known_on: dt.date | str | None = None) -> pd.DataFrame:
    """Conflicting claims and contradicted plans (:func:`geo.posture.conflicts`), each
    with both claims in words and a map link to each."""
    known = _known(ds, known_on)
    rows = []
    for cf in conflicts(ds, known):
        shared = [p for p in cf.first.places if p in cf.second.places] or list(cf.first.places)
        rows.append(dict(kind=cf.kind, places=place_names(ds, shared), first=cf.first.id,
                         first_text=claim_text(ds, cf.first), second=cf.second.id,
                         second_text=claim_text(ds, cf.second), reason=cf.reason,
                         first_link=map_link(cf.first.date.start, shared[0], known),
                         second_link=map_link(cf.second.date.start, shared[0], known)))
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


def stale_rows(snap: Snapshot, max_age_days: int) -> pd.DataFrame:
    """Places whose latest report is older than ``max_age_days`` on ``snap.on`` (or
    that have no report at all yet, only plans), oldest first."""
    rows = []
    for ps in snap.places:
        if ps.claim is None:
            continue
        lr = ps.last_report
        age = None if lr is None else max(0, (snap.on - lr.date.end).days)
        if age is not None and age <= max_age_days:
            continue
        rows.append(dict(place=ps.place.id, name=ps.place.name, country=ps.place.country,
                         last_report=lr.date.label() if lr else "none (plans only)",
                         last_report_claim=lr.id if lr else None,
                         age_days=age, age=age_label(age) if age is not None else "never reported",
                         in_force=f"{ps.figure_text()}, {STATUSES[ps.claim.status]} ({ps.claim.basis})",
                         map_link=map_link(snap.on, ps.place.id, snap.known_on)))
    df = pd.DataFrame(rows, columns=["place", "name", "country", "last_report", "last_report_claim",
                                     "age_days", "age", "in_force", "map_link"])
    df["age_days"] = df["age_days"].astype("Int64")
    return df.sort_values("age_days", ascending=False, na_position="first", kind="stable").reset_index(drop=True)


def no_figure_rows(snap: Snapshot) -> pd.DataFrame:
    """Places with no number on ``snap.on``: nothing in force yet, or claims that give
    a status only ("drawing down", "handed over", "a limited number")."""
    rows = []
    for ps in snap.places:
        if ps.group is not None or ps.has_figure:
            continue
        if ps.claim is None:
            why = "named in the data, but no claim in force on this day"
        elif ps.figure_claim is None:
            why = "claims give a status only, never a figure"
        elif ps.figure_claim.qualifier in ("a few", "limited number"):
            why = f"'{ps.figure_claim.qualifier}': no number given"
        else:
            why = f"{STATUSES[ps.figure_claim.status].lower()}, no number given"
        rows.append(dict(place=ps.place.id, name=ps.place.name, country=ps.place.country,
                         status=STATUSES[ps.claim.status] if ps.claim else "",
                         basis=ps.claim.basis if ps.claim else "", why=why,
                         map_link=map_link(snap.on, ps.place.id, snap.known_on)))
    return pd.DataFrame(rows, columns=["place", "name", "country", "status", "basis", "why", "map_link"])


def imprecise_rows(ds: Dataset, on: dt.date, known_on: dt.date | str | None = None) -> pd.DataFrame:
    """Places geocoded only to a region or a country, and how many claims and
    movements use them (a marker there stands for somewhere in that area)."""
    known = _known(ds, known_on)
    rows = []
    for p in ds.places.values():
        if p.precision not in IMPRECISE:
            continue
        n_claims = sum(p.id in c.places for c in ds.claims)
        n_moves = sum(p.id in (m.from_place, m.to_place) for m in ds.movements)
        rows.append(dict(place=p.id, name=p.name, precision=p.precision, kind=p.kind, country=p.country,
                         claims=n_claims, movements=n_moves, coord_source=p.coord_source, note=p.note,
                         map_link=map_link(as_date(on), p.id, known)))
    return pd.DataFrame(rows, columns=["place", "name", "precision", "kind", "country", "claims",
                                       "movements", "coord_source", "note", "map_link"])


def inferred_source_rows(ds: Dataset, known_on: dt.date | str | None = None) -> pd.DataFrame:
    """Sources whose publication date was inferred (it decides when their claims became
    known, so an inferred date moves the "as known on" replay)."""
    known = _known(ds, known_on)
    visible = _visible(ds, known)
    rows = []
    for s in sorted(ds.sources.values(), key=lambda s: (s.published, s.id)):
        if not s.published_inferred or s.id not in visible:
            continue
        first = min((c.date.start for c in ds.claims if c.source == s.id), default=s.published)
        rows.append(dict(source=s.id, outlet=s.outlet, title=s.title,
                         published_label=day_label(s.published) + " (inferred)", note=s.note,
                         url=s.url or None, claims=sum(c.source == s.id for c in ds.claims),
                         map_link=map_link(first, "", known)))
    return pd.DataFrame(rows, columns=["source", "outlet", "title", "published_label", "note", "url",
                                       "claims", "map_link"])


def unchecked_quote_rows(ds: Dataset, known_on: dt.date | str | None = None) -> pd.DataFrame:
    """Claims and movements whose quote was not checked against the article."""
    known = _known(ds, known_on)
    visible = _visible(ds, known)
    rows = []
    for c in ds.claims:
        if c.quote_checked or c.source not in visible:
            continue
        rows.append(dict(item=c.id, kind="claim", places=place_names(ds, c.places), date_label=c.date.label(),
                         figure=c.figure_text(), source=source_label(ds, c.source), quote=c.quote,
                         note=c.note, map_link=map_link(c.date.start, c.places[0], known)))
    for m in ds.movements:
        if m.quote_checked or m.source not in visible:
            continue
        rows.append(dict(item=m.id, kind="movement",
                         places=f"{ds.places[m.from_place].name} → {ds.places[m.to_place].name}",
                         date_label=_move_period(m), figure=m.figure_text(), source=source_label(ds, m.source),
                         quote=m.quote, note=m.note, map_link=map_link(m.start.start, m.from_place, known)))
    return pd.DataFrame(rows, columns=["item", "kind", "places", "date_label", "figure", "source", "quote",
                                       "note", "map_link"])


def data_edge(snap: Snapshot) -> str:
    """How old the newest known source is on the chosen day, in words, e.g.
    'Newest source known: 23 Feb 2026, 7 months before 1 Oct 2026.'"""
    latest = snap.latest_published
    if latest is None:
        return "No source is known on this day."
    days = (snap.on - latest).days
    if days > 0:
        return f"Newest source known: {day_label(latest)}, {age_label(days)} before {day_label(snap.on)}."
    if days == 0:
        return f"Newest source known: {day_label(latest)}, the chosen day."
    return f"Newest source known: {day_label(latest)} (after the chosen day, {day_label(snap.on)})."


# ---------------------------------------------------------------- containment

CONTAINMENT_COLUMNS = ["kind", "total_key", "total_name", "total_figure", "total_claim", "members",
                       "members_figure", "member_claims", "start", "end_label", "map_link"]


def containment_rows(ds: Dataset, known_on: dt.date | str | None = None,
                     intervals: list[StateInterval] | None = None) -> pd.DataFrame:
    """Periods in which the figures of the sites inside an area add up to more than the
    area's own total (one of them is wrong, or they are dated differently), and in
    which members of a group figure that have since had figures of their own exceed it.

    Like forces only: a US site figure is compared with a US or coalition total, never a
    coalition one with a US total. Only lower bounds are added (never a guess), against
    the total's upper bound with the "about" tolerance of conflicts. A sweep over the
    timeline's intervals: the cost grows with the intervals, not with days × places.
    """
    from .posture import APPROX_TOLERANCE

    known = _known(ds, known_on)
    ivs = intervals if intervals is not None else timeline(ds, known)
    sites_in: dict[str, set[str]] = {}
    for p in ds.places.values():
        if p.scope != "site":
            continue
        cur = p.within
        while cur:
            sites_in.setdefault(cur, set()).add(p.id)
            cur = ds.places[cur].within if cur in ds.places else ""
    place_ivs: dict[str, list[StateInterval]] = {}
    for iv in ivs:
        if iv.layer == "place":
            place_ivs.setdefault(iv.key, []).append(iv)
    rows = []
    for area, members in sites_in.items():
        for tot in place_ivs.get(area, ()):
            total = tot.place_state.figure_claim
            if total is None or total.troops_max is None or tot.place_state.group is not None:
                continue
            cap = total.troops_max * (1 + APPROX_TOLERANCE if total.qualifier in APPROX_QUALIFIERS else 1)
            rows += _over_total(ds, "area", area, ds.places[area].name, total, cap, tot.start, tot.end,
                                [iv for m in members for iv in place_ivs.get(m, ())], known)
    for iv in ivs:
        if iv.layer != "group":
            continue
        g = iv.group_state
        c = g.claim
        if c.troops_max is None:
            continue
        cap = c.troops_max * (1 + APPROX_TOLERANCE if c.qualifier in APPROX_QUALIFIERS else 1)
        rows += _over_total(ds, "group", g.id, g.name, c, cap, iv.start, iv.end,
                            [m for p in g.superseded for m in place_ivs.get(p.id, ())], known)
    df = pd.DataFrame(rows, columns=CONTAINMENT_COLUMNS)
    return df.sort_values(["start", "total_key"], kind="stable").reset_index(drop=True)


def _over_total(ds: Dataset, kind, key, name, total: Claim, cap: float, start: dt.date, end: dt.date,
                member_ivs: list[StateInterval], known) -> list[dict]:
    """Runs within [start, end) where the members' own lower bounds add up above ``cap``."""
    events: dict[dt.date, list] = {}
    for iv in member_ivs:
        ps = iv.place_state
        fc = ps.figure_claim
        if (fc is None or ps.group is not None or ps.troops_min is None
                or not (fc.force == total.force or total.force == "coalition")):
            continue
        a, b = max(iv.start, start), min(iv.end, end)
        if a >= b:
            continue
        events.setdefault(a, []).append((+1, fc))
        events.setdefault(b, []).append((-1, fc))
    out, active, run = [], {}, None
    for day in sorted(events):
        for sign, fc in events[day]:
            if sign > 0:
                active[fc.id] = fc
            else:
                active.pop(fc.id, None)
        lows = sum(c.troops_min for c in active.values())
        over = lows > cap
        sig = tuple(sorted(active)) if over else None
        if run is not None and run[1] != sig:
            out.append({**run[2], "end_label": day_label(day - dt.timedelta(days=1))})
            run = None
        if over and run is None:
            claims = list(active.values())
            run = (day, sig, dict(
                kind=kind, total_key=key, total_name=name, total_figure=total.figure_text(),
                total_claim=total.id,
                members=", ".join(dict.fromkeys(ds.places[p].name for c in claims for p in c.places)),
                members_figure=f"at least {lows:,}", member_claims=", ".join(c.id for c in claims),
                start=day, map_link=map_link(day, "", known)))
    if run is not None:
        out.append({**run[2], "end_label": day_label(end - dt.timedelta(days=1))})
    return out


def plan_state_rows(snap: Snapshot) -> pd.DataFrame:
    """Every place's plan in force on the chosen day: what, due when, where it stands on
    that day, and (from reporting known later, up to "as known on") how it turned out."""
    rows = []
    for ps in snap.places:
        p = ps.plan
        if p is None:
            continue
        c = p.claim
        rows.append(dict(place=ps.place.id, name=ps.place.name, plan=c.figure_text(),
                         status=STATUSES[c.status], due=c.date.label(), due_end=p.due_end,
                         state=PLAN_STATE_LABELS[p.state], settled=settle_text(p.state, p.settled_on, p.due_end,
                                                                               p.settled_by, snap.catalogue)
                         if p.settled_by else "", hindsight=p.hindsight_text(snap.catalogue),
                         report=ps.figure_text() if ps.report else "no report yet",
                         claim=c.id, map_link=map_link(snap.on, ps.place.id, snap.known_on)))
    return pd.DataFrame(rows, columns=["place", "name", "plan", "status", "due", "due_end", "state",
                                       "settled", "hindsight", "report", "claim", "map_link"])
