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
from pathlib import Path

from .csvsafe import csv_bytes
from . import __version__
from .model import STATUSES, Claim, Dataset, Source
from .posture import GroupState, MovementState, PlaceState, Snapshot, StateInterval, timeline

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV"}
_ROUND = 5


def _pt(place) -> list[float]:
    return [round(place.lon, _ROUND), round(place.lat, _ROUND)]


def _claim_props(claim: Claim | None, age_days: int | None, sources: tuple[Source, ...]) -> dict:
    if claim is None:
        return {"status": None, "status_label": "no report", "troops_min": None, "troops_max": None,
                "qualifier": None, "figure": "no report", "basis": None, "as_of": None,
                "as_of_precision": None, "age_days": None, "claim": None, "quote": None,
                "quote_checked": None, "sources": []}
    return {
        "status": claim.status, "status_label": STATUSES[claim.status],
        "troops_min": claim.troops_min, "troops_max": claim.troops_max,
        "qualifier": claim.qualifier or None, "figure": claim.figure_text(),
        "basis": claim.basis, "as_of": claim.date.text, "as_of_precision": claim.date.precision,
        "age_days": age_days, "claim": claim.id, "quote": claim.quote,
        "quote_checked": claim.quote_checked, "sources": [s.as_dict() for s in sources],
    }


def place_feature(ps: PlaceState) -> dict:
    props = {"id": ps.place.id, "name": ps.place.name, "layer": "place", "kind": ps.place.kind,
             "country": ps.place.country, "precision": ps.place.precision}
    props.update(_claim_props(ps.claim, ps.age_days, ps.sources))
    fc = ps.figure_claim
    # The figure may come from an earlier claim than the status (a status-only report
    # does not erase the last figure); both are named, each with its own date.
    props.update(troops_min=ps.troops_min, troops_max=ps.troops_max, qualifier=ps.qualifier or None,
                 figure=ps.figure_text(), figure_claim=fc.id if fc else None,
                 figure_basis=fc.basis if fc else None, figure_as_of=fc.date.text if fc else None,
                 figure_age_days=ps.figure_age_days,
                 figure_quote=fc.quote if fc else None,
                 figure_sources=[s.as_dict() for s in _figure_sources(ps)] if fc else [])
    if fc is not None and fc.basis == "plan":
        # A figure that is only planned makes the feature a plan, whatever basis the
        # later status-only claim had: a filter on basis == 'report' must never see it.
        props["basis"] = "plan"
    if ps.group is not None:
        # The figure belongs to the group feature; a place never carries a share of it.
        props.update(figure=f"in group {ps.group}: {fc.figure_text()} together")
    props.update(group=ps.group, places=[ps.place.id],
                 last_report=ps.last_report.id if ps.last_report else None,
                 upcoming_plan=ps.upcoming_plan.id if ps.upcoming_plan else None,
                 conflicts=[c.id for c in ps.conflicts],
                 contradicted_by=[c.id for c in ps.contradicted_by])
    return {"type": "Feature", "id": ps.place.id,
            "geometry": {"type": "Point", "coordinates": _pt(ps.place)}, "properties": props}


def _figure_sources(ps: PlaceState) -> tuple[Source, ...]:
    fc = ps.figure_claim
    same = [s for s in ps.sources if s.id == fc.source]
    return tuple(same) if same else ()


def group_feature(gs: GroupState) -> dict:
    props = {"id": gs.id, "name": gs.name, "layer": "group", "kind": "group", "country": None,
             "precision": _coarsest(p.precision for p in gs.places)}
    props.update(_claim_props(gs.claim, gs.age_days, gs.sources))
    props.update(figure_claim=gs.claim.id, figure_basis=gs.claim.basis,
                 figure_as_of=gs.claim.date.text, figure_age_days=gs.age_days,
                 figure_quote=gs.claim.quote, figure_sources=[s.as_dict() for s in gs.sources],
                 current_places=[p.id for p in gs.current])
    props.update(group=gs.id, places=[p.id for p in gs.places], last_report=None, upcoming_plan=None,
                 conflicts=[c.id for c in gs.conflicts],
                 contradicted_by=[c.id for c in gs.contradicted_by])
    return {"type": "Feature", "id": gs.id,
            "geometry": {"type": "MultiPoint", "coordinates": [_pt(p) for p in gs.places]},
            "properties": props}


def movement_feature(ms: MovementState) -> dict:
    m = ms.movement
    props = {"id": m.id, "name": f"{ms.origin.name} → {ms.destination.name}", "layer": "movement",
             "kind": "movement", "country": None,
             "precision": _coarsest((ms.origin.precision, ms.destination.precision)),
             "status": None, "status_label": "movement",
             "troops_min": m.troops_min, "troops_max": m.troops_max, "qualifier": m.qualifier or None,
             "figure": m.figure_text(), "basis": m.basis, "as_of": m.start.text,
             "as_of_precision": m.start.precision, "age_days": None, "claim": None,
             "quote": m.quote, "quote_checked": m.quote_checked, "sources": [ms.source.as_dict()],
             "figure_claim": None, "figure_basis": m.basis, "figure_as_of": m.start.text,
             "figure_age_days": None, "figure_quote": m.quote, "figure_sources": [ms.source.as_dict()],
             "group": None, "places": [ms.origin.id, ms.destination.id], "last_report": None,
             "upcoming_plan": None, "conflicts": [], "contradicted_by": [],
             "from": ms.origin.id, "to": ms.destination.id,
             "period_start": m.start.start.isoformat(), "period_end": m.end.end.isoformat()}
    return {"type": "Feature", "id": m.id,
            "geometry": {"type": "LineString", "coordinates": [_pt(ms.origin), _pt(ms.destination)]},
            "properties": props}


def _coarsest(precisions) -> str:
    from .model import PLACE_PRECISIONS

    return max(precisions, key=PLACE_PRECISIONS.index)


def snapshot_geojson(snap: Snapshot) -> dict:
    """The posture on one day as a FeatureCollection (places, groups, active movements)."""
    feats = [place_feature(ps) for ps in snap.places]
    feats += [group_feature(g) for g in snap.groups]
    feats += [movement_feature(m) for m in snap.movements]
    return {
        "type": "FeatureCollection",
        "name": f"posture-{snap.on.isoformat()}",
        "date": snap.on.isoformat(),
        "known_on": snap.known_on.isoformat(),
        "latest_source": snap.latest_published.isoformat() if snap.latest_published else None,
        "phase": snap.phase.name if snap.phase else None,
        "generator": f"posture-atlas {__version__}",
        "features": feats,
    }


def timeline_geojson(ds: Dataset, known_on: dt.date | None = None,
                     until: dt.date | None = None) -> dict:
    """Every state interval as a feature with ``start`` (inclusive) and ``end``
    (exclusive) ISO dates, for QGIS's Temporal Controller ("separate fields")."""
    ivs = timeline(ds, known_on, until)
    feats = [_interval_feature(iv) for iv in ivs]
    known = known_on or ds.latest_published
    return {
        "type": "FeatureCollection",
        "name": "posture-timeline",
        "known_on": known.isoformat() if known else None,
        "until": max((iv.end for iv in ivs), default=None) and max(iv.end for iv in ivs).isoformat(),
        "generator": f"posture-atlas {__version__}",
        "features": feats,
    }


def _interval_feature(iv: StateInterval) -> dict:
    if iv.layer == "place":
        f = place_feature(iv.place_state)
    elif iv.layer == "group":
        f = group_feature(iv.group_state)
    else:
        f = movement_feature(iv.movement_state)
    # age depends on the day looked at, not on the interval
    f["properties"].pop("age_days", None)
    f["properties"].pop("figure_age_days", None)
    f["properties"]["start"] = iv.start.isoformat()
    f["properties"]["end"] = iv.end.isoformat()
    f["id"] = f"{iv.key}@{iv.start.isoformat()}"
    f["properties"]["feature_id"] = f["id"]
    return f


# ------------------------------------------------------------------------ writing

def to_geodataframe(fc: dict):
    """The FeatureCollection as a GeoDataFrame (EPSG:4326); list and dict values become
    JSON text so that GeoPackage and CSV can hold them."""
    import geopandas as gpd
    from shapely.geometry import shape

    rows, geoms = [], []
    for f in fc["features"]:
        props = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
                 for k, v in f["properties"].items()}
        rows.append(props)
        geoms.append(shape(f["geometry"]))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    # Columns that mix values with None would be written as text; give them pandas'
    # nullable types so GeoPackage keeps integers as integers and flags as booleans.
    for col in gdf.columns.drop("geometry"):
        values = [v for v in gdf[col] if v is not None and v == v]
        if values and all(isinstance(v, bool) for v in values):
            gdf[col] = gdf[col].astype("boolean")
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            gdf[col] = gdf[col].astype("Int64")
    return gdf


def render_bytes(fc: dict, fmt: str) -> bytes:
    """The collection in a format ('.geojson', '.gpkg', '.csv'), as bytes for a download."""
    fmt = fmt if fmt.startswith(".") else "." + fmt
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if FORMATS[fmt] == "GeoJSON":
        return (json.dumps(fc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    gdf = to_geodataframe(fc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("export" + fmt)
        if fmt == ".gpkg":
            gdf.to_file(path, driver="GPKG", layer=fc.get("name", "posture"), engine="pyogrio")
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
