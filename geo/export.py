"""GeoJSON (RFC 7946), GeoPackage and CSV exports of a snapshot or of the timeline.

One feature builder serves every format, the map popups and the tests: the GeoJSON is
the reference, the GeoPackage and CSV carry the same properties with list values
written as JSON text (neither format has a list type).

Coordinates are WGS84 longitude, latitude (RFC 7946 section 3.1.1), rounded to 5
decimals (about 1 m), well below the precision of any place in the data.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from functools import lru_cache
from pathlib import Path

import orjson

from .csvsafe import csv_bytes
from .gcpause import gc_paused
from . import __version__
from .model import STATUSES, Claim, Dataset, Source
from .posture import (GroupState, MovementState, PlaceState, PlanState, Snapshot, StateInterval, timeline,
                      timeline_reference)

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV"}
_ROUND = 5


#: Version of the feature properties' contract (README, "GeoJSON schema").
#: 2: reports lead (``basis`` is ``report`` whenever a report is in force), ``plan``
#: object beside it, ``scope``/``within``, ``force``, restated support, projections.
SCHEMA_VERSION = 2


#: place id -> (place, rounded lon, lat): a timeline names each place in a hundred features
_POINTS: dict[str, tuple] = {}


def _pt(place) -> list[float]:
    hit = _POINTS.get(place.id)
    if hit is None or hit[0] is not place:
        if len(_POINTS) >= 65536:
            _POINTS.clear()
        hit = _POINTS[place.id] = (place, round(place.lon, _ROUND), round(place.lat, _ROUND))
    return [hit[1], hit[2]]


#: source id -> (source, its dict): the same few sources stand behind thousands of
#: features, so each has one dict (never mutated downstream; the JSON and GeoPackage
#: writers only read it). Keyed by id, whose hash is cached, not by the record, whose
#: hash is worked out from every field each time; the record itself is checked.
_SOURCE_DICTS: dict[str, tuple[Source, dict]] = {}


def _source_dict(s: Source) -> dict:
    hit = _SOURCE_DICTS.get(s.id)
    if hit is not None and (hit[0] is s or hit[0] == s):
        return hit[1]
    if len(_SOURCE_DICTS) >= 65536:
        _SOURCE_DICTS.clear()
    d = s.as_dict()
    _SOURCE_DICTS[s.id] = (s, d)
    return d


def _sources(sources) -> list[dict]:
    out = []
    get = _SOURCE_DICTS.get
    for s in sources:
        hit = get(s.id)
        out.append(hit[1] if hit is not None and hit[0] is s else _source_dict(s))
    return out


def _claim_props(claim: Claim | None, age_days: int | None, sources: tuple[Source, ...]) -> dict:
    if claim is None:
        return {"status": None, "status_label": "no report", "troops_min": None, "troops_max": None,
                "qualifier": None, "figure": "no report", "basis": None, "force": None,
                "as_of": None, "as_of_precision": None, "age_days": None, "claim": None,
                "quote": None, "quote_checked": None, "restated": None, "sources": []}
    return {
        "status": claim.status, "status_label": STATUSES[claim.status],
        "troops_min": claim.troops_min, "troops_max": claim.troops_max,
        "qualifier": claim.qualifier or None, "figure": claim.figure_text(),
        "basis": claim.basis, "force": claim.force,
        "as_of": claim.date.text, "as_of_precision": claim.date.precision,
        "age_days": age_days, "claim": claim.id, "quote": claim.quote,
        "quote_checked": claim.quote_checked, "restated": claim.restated,
        "sources": _sources(sources),
    }


#: id(plan state) -> (plan state, sources, its dict): the posture builds each plan state
#: once for the days it holds over, and a timeline shows it in every interval of the
#: place until it is settled (read-only downstream, like the source dicts)
_PLAN_DICTS: dict[int, tuple] = {}


def plan_props(plan: PlanState | None, sources: dict[str, Source]) -> dict | None:
    """The plan in force beside the report: what, due when, and where it stands."""
    if plan is None:
        return None
    hit = _PLAN_DICTS.get(id(plan))
    if hit is not None and hit[0] is plan and hit[1] is sources:
        return hit[2]
    if len(_PLAN_DICTS) >= 65536:
        _PLAN_DICTS.clear()
    d = _plan_props(plan, sources)
    _PLAN_DICTS[id(plan)] = (plan, sources, d)
    return d


def _plan_props(plan: PlanState, sources: dict[str, Source]) -> dict:
    c = plan.claim
    return {
        "claim": c.id, "status": c.status, "troops_min": c.troops_min, "troops_max": c.troops_max,
        "qualifier": c.qualifier or None, "figure": c.figure_text(), "force": c.force,
        "due": c.date.text, "due_start": plan.due_start.isoformat(), "due_end": plan.due_end.isoformat(),
        "announced": plan.announced.isoformat() if plan.announced else None,
        "state": plan.state.value, "has_deadline": plan.has_deadline,
        "news_since_due": plan.news_since_due, "settled_by": plan.settled_by.id if plan.settled_by else None,
        "settled_on": plan.settled_on.isoformat() if plan.settled_on else None,
        "hindsight": plan.hindsight_text(sources) or None,
        "group": plan.group, "places": list(c.places), "quote": c.quote,
        "sources": _sources((sources[c.source],)),
    }


def _projection_props(claim: Claim | None, sources: dict[str, Source]) -> dict | None:
    if claim is None:
        return None
    return {"claim": claim.id, "status": claim.status, "troops_min": claim.troops_min,
            "troops_max": claim.troops_max, "qualifier": claim.qualifier or None,
            "figure": claim.figure_text(), "due": claim.date.text,
            "due_end": claim.date.end.isoformat(), "places": list(claim.places),
            "quote": claim.quote, "sources": _sources((sources[claim.source],))}


def place_feature(ps: PlaceState, sources: dict[str, Source] | None = None, *, ages: bool = True) -> dict:
    """One place's state. ``sources`` (the dataset's) names outlets in plan hindsight.

    ``ages=False`` leaves out ``age_days`` and ``figure_age_days``: a timeline interval
    spans many days, and the age of a figure depends on the day looked at.

    One dict literal, in the contract's order: a timeline at 1,000 places builds
    100,000 of these, and building them in steps (a base dict updated with keyword
    arguments) took about 1.5 times as long (issue 11).
    """
    sources = sources if sources is not None else {s.id: s for s in ps.sources + ps.figure_sources}
    place, r, fc, plan, group = ps.place, ps.report, ps.figure_claim, ps.plan, ps.group
    if r is not None:
        label, basis, figure = STATUSES[r.status], r.basis, ps.figure_text()
    elif plan is not None:
        label, basis, figure = "no report yet (plan only)", "plan", "no report yet"
    else:
        label, basis, figure = "no report", None, "no report"
    if group is not None:
        # The figure belongs to the group feature; a place never carries a share of it.
        figure = f"in group {group}: {fc.figure_text()} together"
    # The figure may come from an earlier report than the status (a status-only report
    # does not erase the last figure); both are named, each with its own date.
    has_r, has_fc = r is not None, fc is not None
    props = {
        "id": place.id, "name": place.name, "layer": "place", "kind": place.kind,
        "country": place.country, "precision": place.precision,
        "scope": place.scope.value, "within": place.within or None,
        "status": r.status if has_r else None, "status_label": label,
        "troops_min": ps.troops_min, "troops_max": ps.troops_max, "qualifier": ps.qualifier or None,
        "figure": figure, "basis": basis,
        "force": fc.force if has_fc else (r.force if has_r else None),
        "as_of": r.date.text if has_r else None, "as_of_precision": r.date.precision if has_r else None,
        "age_days": ps.age_days if has_r and ages else None,
        "claim": r.id if has_r else None, "quote": r.quote if has_r else None,
        "quote_checked": r.quote_checked if has_r else None, "restated": r.restated if has_r else None,
        "sources": _sources(ps.sources) if has_r else [],
        "figure_claim": fc.id if has_fc else None, "figure_basis": fc.basis if has_fc else None,
        "figure_as_of": fc.date.text if has_fc else None,
        "figure_as_of_precision": fc.date.precision if has_fc else None,
        "figure_age_days": ps.figure_age_days if ages else None,
        "figure_force": fc.force if has_fc else None, "figure_quote": fc.quote if has_fc else None,
        "figure_restated": fc.restated if has_fc else None,
        "figure_sources": _sources(ps.figure_sources) if has_fc else [],
        "restated_by": [{"claim": c.id, "as_of": c.date.text, "source": c.source} for c in ps.restated_by],
        "group": group, "places": [place.id],
        "plan": plan_props(plan, sources),
        "conflicts": [c.id for c in ps.conflicts],
        "contradicted_by": [c.id for c in ps.contradicted_by],
    }
    if not ages:
        del props["age_days"], props["figure_age_days"]
    if ps.projection is not None:
        props["projection"] = _projection_props(ps.projection, sources)
    return {"type": "Feature", "id": place.id,
            "geometry": {"type": "Point", "coordinates": _pt(place)}, "properties": props}


def group_feature(gs: GroupState, layer: str = "group") -> dict:
    """A group figure: ``layer`` is ``group`` for a report, ``plan-group`` for a plan."""
    fid = gs.id if layer == "group" else f"{gs.id}@plan:{gs.claim.id}"
    props = {"id": fid, "name": gs.name, "layer": layer, "kind": "group", "country": None,
             "precision": _coarsest(p.precision for p in gs.places), "scope": "group", "within": None}
    props.update(_claim_props(gs.claim, gs.age_days, gs.sources))
    props.update(figure_claim=gs.claim.id, figure_basis=gs.claim.basis,
                 figure_as_of=gs.claim.date.text, figure_as_of_precision=gs.claim.date.precision,
                 figure_age_days=gs.age_days, figure_force=gs.claim.force,
                 figure_quote=gs.claim.quote, figure_restated=gs.claim.restated,
                 figure_sources=_sources(gs.sources), restated_by=[],
                 current_places=[p.id for p in gs.current])
    props.update(group=gs.id, places=[p.id for p in gs.places], plan=None,
                 conflicts=[c.id for c in gs.conflicts], contradicted_by=[])
    return {"type": "Feature", "id": fid,
            "geometry": {"type": "MultiPoint", "coordinates": [_pt(p) for p in gs.places]},
            "properties": props}


def movement_feature(ms: MovementState) -> dict:
    m = ms.movement
    props = {"id": m.id, "name": f"{ms.origin.name} → {ms.destination.name}", "layer": "movement",
             "kind": "movement", "country": None,
             "precision": _coarsest((ms.origin.precision, ms.destination.precision)),
             "scope": None, "within": None,
             "status": None, "status_label": "movement",
             "troops_min": m.troops_min, "troops_max": m.troops_max, "qualifier": m.qualifier or None,
             "figure": m.figure_text(), "basis": m.basis, "force": m.force, "as_of": m.start.text,
             "as_of_precision": m.start.precision, "age_days": None, "claim": None,
             "quote": m.quote, "quote_checked": m.quote_checked, "restated": None,
             "sources": [ms.source.as_dict()],
             "figure_claim": None, "figure_basis": m.basis, "figure_as_of": m.start.text,
             "figure_as_of_precision": m.start.precision, "figure_age_days": None,
             "figure_force": m.force, "figure_quote": m.quote, "figure_restated": None,
             "figure_sources": [ms.source.as_dict()], "restated_by": [],
             "group": None, "places": [ms.origin.id, ms.destination.id], "plan": None,
             "conflicts": [], "contradicted_by": [],
             "from": ms.origin.id, "to": ms.destination.id,
             "period_start": m.start.start.isoformat(), "period_end": m.end.end.isoformat()}
    return {"type": "Feature", "id": m.id,
            "geometry": {"type": "LineString", "coordinates": [_pt(ms.origin), _pt(ms.destination)]},
            "properties": props}


def _coarsest(precisions) -> str:
    from .model import PLACE_PRECISIONS

    return max(precisions, key=PLACE_PRECISIONS.index)


def snapshot_geojson(snap: Snapshot, sources: dict[str, Source] | None = None) -> dict:
    """The posture on one day as a FeatureCollection (places, groups, active movements).

    ``sources`` is the dataset's source table (``ds.sources``): plans and projections
    cite sources that need not be among the reports' own.
    """
    sources = sources if sources is not None else snap.catalogue
    feats = [place_feature(ps, sources) for ps in snap.places]
    feats += [group_feature(g) for g in snap.groups]
    feats += [group_feature(g, "plan-group") for g in snap.plan_groups]
    feats += [movement_feature(m) for m in snap.movements]
    return {
        "type": "FeatureCollection",
        "name": f"posture-{snap.on.isoformat()}" + ("-as-planned" if snap.as_planned else ""),
        "schema_version": SCHEMA_VERSION,
        "date": snap.on.isoformat(),
        "known_on": snap.known_on.isoformat(),
        "latest_source": snap.latest_published.isoformat() if snap.latest_published else None,
        "phase": snap.phase.name if snap.phase else None,
        "projection": snap.as_planned,
        "generator": f"posture-atlas {__version__}",
        "features": feats,
    }


def timeline_geojson(ds: Dataset, known_on: dt.date | None = None,
                     until: dt.date | None = None) -> dict:
    """Every state interval as a feature with ``start`` (inclusive) and ``end``
    (exclusive) ISO dates, for QGIS's Temporal Controller ("separate fields")."""
    return _timeline_geojson(ds, known_on, until, reference=False)


def timeline_geojson_reference(ds: Dataset, known_on: dt.date | None = None,
                               until: dt.date | None = None) -> dict:
    """:func:`timeline_geojson` the straightforward way (every state worked out afresh,
    every feature built on its own): the reference the tests hold the fast one to."""
    return _timeline_geojson(ds, known_on, until, reference=True)


def _timeline_geojson(ds: Dataset, known_on, until, reference: bool) -> dict:
    with gc_paused():   # every interval and feature is kept to the end (geo.gcpause)
        ivs = timeline_reference(ds, known_on, until) if reference else timeline(ds, known_on, until)
        feats = [_interval_feature(iv, ds.sources) for iv in ivs]
    known = known_on or ds.latest_published
    return {
        "type": "FeatureCollection",
        "name": "posture-timeline",
        "schema_version": SCHEMA_VERSION,
        "known_on": known.isoformat() if known else None,
        "until": max((iv.end for iv in ivs), default=None) and max(iv.end for iv in ivs).isoformat(),
        "generator": f"posture-atlas {__version__}",
        "features": feats,
    }


@lru_cache(maxsize=65536)
def _iso(day: dt.date) -> str:
    """A day's ISO text, one string per day: a timeline at 1,000 places names some 3,000
    distinct days in 230,000 interval bounds (as geo.dates caches its parses)."""
    return day.isoformat()


def _interval_feature(iv: StateInterval, sources: dict[str, Source]) -> dict:
    if iv.layer == "place":
        f = place_feature(iv.place_state, sources, ages=False)
    else:
        f = group_feature(iv.group_state) if iv.layer == "group" else movement_feature(iv.movement_state)
        # age depends on the day looked at, not on the interval
        f["properties"].pop("age_days", None)
        f["properties"].pop("figure_age_days", None)
    props, start = f["properties"], _iso(iv.start)
    props["start"] = start
    props["end"] = _iso(iv.end)
    f["id"] = props["feature_id"] = f"{iv.key}@{start}"
    return f


# ------------------------------------------------------------------------ writing

#: ``json.dumps(v, ensure_ascii=False)``, the same text, without its per-call set-up
#: (a timeline at 1,000 places has some 800,000 list and dict values)
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False).encode


def to_geodataframe(fc: dict):
    """The FeatureCollection as a GeoDataFrame (EPSG:4326); list and dict values become
    JSON text so that GeoPackage and CSV can hold them.

    Column by column: a timeline at 1,000 places is 114,000 rows of 45 properties, and
    converting each row's values one by one, then reading every column back to decide
    its type, took most of a 40 s GeoPackage export.
    """
    import geopandas as gpd
    import pandas as pd

    feats = fc["features"]
    props = [f["properties"] for f in feats]
    df = pd.DataFrame(props)   # columns in first-seen order; a missing key is a gap
    for col in df.columns:
        s = df[col]
        if s.dtype == object:
            values = s.tolist()
            if any(isinstance(v, (list, dict)) for v in values):
                # most lists are empty (no conflicts, no restatements): their text is known
                df[col] = [(_JSON_TEXT(v) if v else ("[]" if isinstance(v, list) else "{}"))
                           if isinstance(v, (list, dict)) else v for v in values]
                continue
            # flags with a gap stay objects in pandas (whole numbers with a gap become
            # floats, below)
            present = [v for v in values if v is not None and v == v]
            if present and all(isinstance(v, bool) for v in present):
                df[col] = s.astype("boolean")   # True/False/None, not text
        elif s.dtype.kind == "f":
            # Whole numbers with a gap (troops where there is no figure): pandas made
            # them floats, which GeoPackage stores as REAL and the CSV writes as 250.0.
            # Decided on the values given, not on the floats.
            values = [p.get(col) for p in props]
            present = [v for v in values if v is not None]
            if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
                df[col] = pd.array(values, dtype="Int64")
    return gpd.GeoDataFrame(df, geometry=_geometries(feats), crs="EPSG:4326")


def _geometries(feats: list[dict]):
    """The features' geometries in order: the points (nearly all of them) made in one
    call, the rest one by one."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    geoms = np.empty(len(feats), dtype=object)
    at, xy = [], []
    for i, f in enumerate(feats):
        g = f["geometry"]
        if g["type"] == "Point":
            at.append(i)
            xy.append(g["coordinates"])
        else:
            geoms[i] = shape(g)
    if at:
        geoms[at] = shapely.points(np.asarray(xy, dtype=float))
    return geoms


def geojson_bytes(fc: dict) -> bytes:
    """The collection as GeoJSON: UTF-8 (RFC 8259; no ``\\u`` escapes for Arabic names),
    indented two spaces, one newline at the end.

    Written by orjson: a timeline at 1,000 places is some 250 MB of text, which the
    standard ``json`` module takes 8 s to write compact and several times that indented
    (its C encoder is not used with ``indent``). A NaN is written as null (``json``
    writes ``NaN``, which is not JSON); non-string keys and unknown types raise
    ``TypeError`` rather than being written as text.
    """
    return orjson.dumps(fc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def render_bytes(fc: dict, fmt: str) -> bytes:
    """The collection in a format ('.geojson', '.gpkg', '.csv'), as bytes for a download."""
    fmt = fmt if fmt.startswith(".") else "." + fmt
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if FORMATS[fmt] == "GeoJSON":
        return geojson_bytes(fc)
    with gc_paused():   # the table is kept until written, like the features (geo.gcpause)
        return _table_bytes(fc, fmt)


def _table_bytes(fc: dict, fmt: str) -> bytes:
    gdf = to_geodataframe(fc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("export" + fmt)
        if fmt == ".gpkg":
            # through Arrow: the same fields, types and values as row by row (a test holds
            # it), and the scale timeline's file in 0.9 s instead of 3.3
            gdf.to_file(path, driver="GPKG", layer=fc.get("name", "posture"), engine="pyogrio",
                        use_arrow=True)
        else:
            df = gdf.drop(columns="geometry")
            df.insert(0, "wkt", gdf.geometry.to_wkt(rounding_precision=_ROUND))
            df.insert(1, "lon", [g.x if g.geom_type == "Point" else None for g in gdf.geometry])
            df.insert(2, "lat", [g.y if g.geom_type == "Point" else None for g in gdf.geometry])
            return csv_bytes(df)   # formula-safe cells (geo.csvsafe)
        return path.read_bytes()


def write(fc: dict, path: str | Path) -> Path:
    """Write by extension, atomically: the file appears whole or not at all."""
    path = Path(path)
    data = render_bytes(fc, path.suffix.lower())
    write_atomic(path, data)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Kept for callers of ``geo.export``: see :func:`geo.files.write_atomic` (fsync,
    rename, no ``.part`` left on failure or interrupt, permissions kept, symlinks)."""
    from .files import write_atomic as _write

    _write(path, data)
