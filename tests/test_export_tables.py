"""geo.export.to_geodataframe, the table behind the GeoPackage and CSV exports: held to a
row-by-row reference, and whole numbers stay whole where some rows have none."""
from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import shape

from geo import export
from geo.loader import load_dataset
from geo.posture import snapshot
from geo.synth import synthesize


def reference_table(fc: dict) -> gpd.GeoDataFrame:
    """The straightforward way: each row's lists and dicts as JSON text, each geometry on
    its own, each column's type decided on the values the features give."""
    rows = [{k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
             for k, v in f["properties"].items()} for f in fc["features"]]
    gdf = gpd.GeoDataFrame(rows, geometry=[shape(f["geometry"]) for f in fc["features"]], crs="EPSG:4326")
    for col in gdf.columns.drop("geometry"):
        given = [f["properties"][col] for f in fc["features"] if f["properties"].get(col) is not None]
        if given and all(isinstance(v, bool) for v in given):
            gdf[col] = pd.array([f["properties"].get(col) for f in fc["features"]], dtype="boolean")
        elif given and all(isinstance(v, int) and not isinstance(v, bool) for v in given):
            gdf[col] = pd.array([f["properties"].get(col) for f in fc["features"]], dtype="Int64")
    return gdf


def assert_same_table(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.crs == want.crs
    assert got.geometry.geom_equals_exact(want.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(want.drop(columns="geometry")))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return load_dataset(synthesize(tmp_path_factory.mktemp("synth"), places=40, claims=1500,
                                   movements=60, seed=7))


def test_timeline_table_is_the_reference(ds):
    fc = export.timeline_geojson(ds)
    assert_same_table(export.to_geodataframe(fc), reference_table(fc))


@pytest.mark.parametrize("day", ["2024-09-01", "2025-01-22", "2025-10-21", "2026-02-20"])
def test_day_tables_are_the_reference(ds, day):
    fc = export.snapshot_geojson(snapshot(ds, day), ds.sources)
    assert_same_table(export.to_geodataframe(fc), reference_table(fc))


def test_synthetic_timeline_table_is_the_reference(synthetic):
    # group figures (MultiPoint), movements (LineString), plans, area totals, gaps
    fc = export.timeline_geojson(synthetic)
    kinds = {f["geometry"]["type"] for f in fc["features"]}
    assert kinds == {"Point", "MultiPoint", "LineString"}
    assert_same_table(export.to_geodataframe(fc), reference_table(fc))


def test_an_empty_collection_is_an_empty_table():
    fc = {"type": "FeatureCollection", "features": []}
    gdf = export.to_geodataframe(fc)
    assert len(gdf) == 0 and gdf.crs == "EPSG:4326"


def test_troop_counts_stay_whole_in_the_csv_and_the_geopackage(ds, tmp_path):
    # Ain al-Asad's 250-350 on 21 Oct 2025, beside places with no figure (a gap): the
    # CSV said 250.0 and the GeoPackage stored REAL before the types were decided on the
    # values given.
    fc = export.snapshot_geojson(snapshot(ds, "2025-10-21"), ds.sources)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export.render_bytes(fc, ".csv").decode("utf-8")))}
    assert (rows["ain-al-asad"]["troops_min"], rows["ain-al-asad"]["troops_max"]) == ("250", "350")
    assert rows["baghdad"]["troops_min"] == ""
    path = export.write(fc, tmp_path / "day.gpkg")
    fields = dict(zip(*[pyogrio.read_info(path)[k] for k in ("fields", "dtypes")]))
    assert (fields["troops_min"], fields["troops_max"], fields["age_days"]) == ("int64", "int64", "int64")
    back = gpd.read_file(path, engine="pyogrio").set_index("id")
    assert back.loc["ain-al-asad", ["troops_min", "troops_max"]].tolist() == [250, 350]


@pytest.mark.parametrize("which", ["embedded", "synthetic"])
def test_geopackage_through_arrow_is_the_row_by_row_file(which, ds, synthetic, tmp_path):
    # geo.export writes the GeoPackage through Arrow (pyogrio use_arrow=True); the file
    # must hold what GDAL's row-by-row writer puts there: fields, types, values, shapes
    fc = export.timeline_geojson(ds if which == "embedded" else synthetic)
    ours = export.write(fc, tmp_path / "ours.gpkg")
    plain = tmp_path / "plain.gpkg"
    export.to_geodataframe(fc).to_file(plain, driver="GPKG", layer=fc["name"], engine="pyogrio")
    a, b = pyogrio.read_info(ours), pyogrio.read_info(plain)
    for key in ("fields", "dtypes"):
        assert list(a[key]) == list(b[key])
    for key in ("crs", "geometry_type", "features", "encoding"):
        assert a[key] == b[key]
    got, want = gpd.read_file(ours, engine="pyogrio"), gpd.read_file(plain, engine="pyogrio")
    assert_same_table(got, want)
    assert pyogrio.list_layers(ours).tolist() == pyogrio.list_layers(plain).tolist()
