"""The committed offline basemap is loadable, small, valid and where we expect.

Why: it is the only map background (no tiles), so a broken or oversized file
means an empty or slow map.  Offline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `pytest` (not `python -m pytest`) does not add the repo root
    sys.path.insert(0, str(REPO))

from geo.basemap import (  # noqa: E402
    COUNTRIES_PATH,
    BasemapError,
    load_countries,
    load_kurdistan_region,
)

BBOX = (29.0, 23.0, 56.0, 41.0)
MAX_BYTES = 300 * 1024


@pytest.fixture(scope="module")
def countries():
    return load_countries()


def test_loads_in_wgs84(countries):
    assert countries.crs is not None and countries.crs.to_epsg() == 4326
    assert len(countries) >= 10


def test_core_countries_present(countries):
    by_iso = dict(zip(countries["iso_a3"], countries["name"]))
    assert by_iso["IRQ"] == "Iraq"
    assert by_iso["SYR"] == "Syria"
    assert by_iso["KWT"] == "Kuwait"
    assert by_iso["JOR"] == "Jordan"
    assert countries["name"].notna().all() and (countries["name"].str.len() > 0).all()


def test_geometries_valid_and_polygonal(countries):
    assert countries.geometry.is_valid.all()
    assert not countries.geometry.is_empty.any()
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapely.coverage_is_valid(countries.geometry.values)  # no overlaps between neighbours


def test_bounds_within_box(countries):
    minx, miny, maxx, maxy = countries.total_bounds
    eps = 1e-9
    assert minx >= BBOX[0] - eps and miny >= BBOX[1] - eps
    assert maxx <= BBOX[2] + eps and maxy <= BBOX[3] + eps


def test_label_points_inside(countries):
    for row in countries.itertuples():
        assert row.geometry.contains(Point(row.label_lon, row.label_lat)), row.name


def test_file_size_and_rfc7946():
    assert COUNTRIES_PATH.stat().st_size < MAX_BYTES
    doc = json.loads(COUNTRIES_PATH.read_text())
    assert doc["type"] == "FeatureCollection" and "crs" not in doc  # RFC 7946: no crs member
    for feature in doc["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        for poly in shapely.get_parts(geom):
            assert poly.exterior.is_ccw, feature["properties"]["name"]  # right-hand rule


def test_cached_but_returns_copies():
    a = load_countries()
    a.loc[a.index[0], "name"] = "changed"
    assert load_countries().loc[a.index[0], "name"] != "changed"


def test_missing_file_error_names_path(tmp_path):
    missing = tmp_path / "nope.geojson"
    with pytest.raises(BasemapError, match="nope.geojson"):
        load_countries(missing)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(BasemapError, match="bad.geojson"):
        load_countries(bad)


def test_kurdistan_region_absent_is_none(tmp_path):
    assert load_kurdistan_region(tmp_path / "none.geojson") is None
    region = load_kurdistan_region()
    assert region is None or (region.crs.to_epsg() == 4326 and region.geometry.is_valid.all())


def test_committed_basemap_matches_build():
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_basemap.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
