"""Exports: RFC 7946 GeoJSON, and round trips through pyogrio with identical content."""
import json

import geopandas as gpd
import pytest
from shapely.geometry import shape

from geo import export
from geo.posture import snapshot

FORMATS = [".geojson", ".gpkg"]


@pytest.fixture(scope="module")
def fc_oct(ds):
    return export.snapshot_geojson(snapshot(ds, "2025-10-21"))


def test_collection_states_its_dates(fc_oct, ds):
    assert fc_oct["type"] == "FeatureCollection" and fc_oct["schema_version"] == 2
    assert fc_oct["date"] == "2025-10-21" and fc_oct["known_on"] == ds.latest_published.isoformat()


REQUIRED = {"id", "name", "layer", "status", "troops_min", "troops_max", "qualifier", "basis",
            "as_of", "precision", "sources", "scope", "within", "force", "plan", "figure_as_of",
            "figure_sources", "restated_by"}


def test_every_feature_has_the_documented_properties(fc_oct):
    for f in fc_oct["features"]:
        assert REQUIRED <= set(f["properties"]), f["id"]
        assert f["properties"]["layer"] in ("place", "group", "plan-group", "movement")
        for s in f["properties"]["sources"]:
            assert set(s) >= {"id", "outlet", "url", "published"}


def test_lon_lat_order_and_geometry_types(fc_oct, ds):
    by_id = {f["id"]: f for f in fc_oct["features"]}
    asad = ds.places["ain-al-asad"]
    assert by_id["ain-al-asad"]["geometry"] == {"type": "Point", "coordinates": [asad.lon, asad.lat]}
    group = next(f for f in fc_oct["features"] if f["properties"]["layer"] in ("group", "plan-group"))
    assert group["geometry"]["type"] == "MultiPoint"
    assert len(group["geometry"]["coordinates"]) == len(group["properties"]["places"]) >= 2
    for f in fc_oct["features"]:
        for lon, lat in _coords(f["geometry"]):
            assert 25 < lon < 50 and 25 < lat < 40  # lon first: the region's longitudes are larger


def _coords(geom):
    c = geom["coordinates"]
    return [c] if geom["type"] == "Point" else c


def test_reversal_is_a_plan_group_beside_the_reports(fc_oct):
    group = next(f for f in fc_oct["features"] if f["properties"]["layer"] == "plan-group"
                 and {"ain-al-asad"} <= set(f["properties"]["places"])
                 and f["properties"]["troops_min"] == 250)
    p = group["properties"]
    assert (p["troops_min"], p["troops_max"], p["basis"], p["status"]) == (250, 350, "plan", "residual")
    place = next(f for f in fc_oct["features"] if f["id"] == "ain-al-asad")["properties"]
    assert place["basis"] == "report"  # the plan is beside the report, never in its place
    assert place["plan"]["troops_min"] == 250 and place["plan"]["group"]


def test_every_shown_figure_has_its_date_and_sources(ds):
    from geo.posture import change_dates
    for day in change_dates(ds):
        fc = export.snapshot_geojson(snapshot(ds, day))
        for f in fc["features"]:
            p = f["properties"]
            if p["layer"] in ("place", "group", "plan-group") and (
                    p["troops_min"] is not None or p["troops_max"] is not None):
                assert p["figure_as_of"] and p["figure_sources"], (day, f["id"])
            if p["layer"] == "place" and p["plan"]:
                assert p["plan"]["due_end"] and p["plan"]["state"] and p["plan"]["sources"]


def test_known_on_export_shows_the_plan_then(ds):
    fc = export.snapshot_geojson(snapshot(ds, "2025-10-21", "2025-08-19"))
    asad = next(f for f in fc["features"] if f["id"] == "ain-al-asad")["properties"]
    assert asad["basis"] == "report" and asad["plan"]["status"] == "withdrawn"
    assert asad["plan"]["state"] == "overdue" and asad["plan"]["troops_max"] == 0
    assert asad["plan"]["hindsight"] is None  # nothing known then had settled it
    assert fc["known_on"] == "2025-08-19"
    assert all(s["published"] <= "2025-08-19" for f in fc["features"] for s in f["properties"]["sources"])


def test_as_planned_export_is_labelled_a_projection(ds):
    fc = export.snapshot_geojson(snapshot(ds, "2025-10-21", "2025-08-19", as_planned=True))
    assert fc["projection"] is True and fc["name"].endswith("-as-planned")
    asad = next(f for f in fc["features"] if f["id"] == "ain-al-asad")["properties"]
    assert asad["projection"]["troops_max"] == 0 and asad["projection"]["status"] == "withdrawn"


def test_august_export_has_iraq_as_an_area_total(ds):
    fc = export.snapshot_geojson(snapshot(ds, "2025-08-20"))
    iraq = next(f for f in fc["features"] if f["id"] == "iraq")["properties"]
    assert (iraq["scope"], iraq["troops_min"], iraq["qualifier"], iraq["basis"]) == ("area", 2500, "about", "report")
    assert not [f for f in fc["features"] if f["properties"]["layer"] == "group"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip_through_pyogrio(fc_oct, tmp_path, suffix):
    path = export.write(fc_oct, tmp_path / f"posture{suffix}")
    back = gpd.read_file(path, engine="pyogrio")
    assert back.crs.to_epsg() == 4326
    assert len(back) == len(fc_oct["features"])
    back = back.set_index("id")
    for f in fc_oct["features"]:
        row = back.loc[f["id"]]
        assert row.geometry.equals(shape(f["geometry"])), f["id"]
        for key, value in f["properties"].items():
            if key == "id":
                continue
            got = row[key]
            if isinstance(value, (list, dict)):
                got = json.loads(got) if isinstance(got, str) else got
                got = got.tolist() if hasattr(got, "tolist") else got
            elif hasattr(got, "item"):
                got = got.item()  # numpy scalar
            elif hasattr(got, "isoformat") and isinstance(value, str):
                got = got.date().isoformat()  # GDAL reads ISO day strings as dates
            if value is None:
                assert got is None or got != got, (f["id"], key, got)  # None or NaN
            else:
                assert got == value, (f["id"], key, got, value)


def test_csv_export_has_wkt_and_lonlat(fc_oct, tmp_path):
    import csv

    path = export.write(fc_oct, tmp_path / "posture.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    asad = next(r for r in rows if r["id"] == "ain-al-asad")
    assert asad["wkt"].startswith("POINT (42.4411 33.7856") and asad["lon"] == "42.4411"
    assert json.loads(asad["sources"])[0]["outlet"]


def test_timeline_has_start_and_end_for_temporal_controller(ds, tmp_path):
    fc = export.timeline_geojson(ds, until=None)
    assert fc["features"]
    for f in fc["features"]:
        p = f["properties"]
        assert p["start"] < p["end"], f["id"]
    ids = [f["id"] for f in fc["features"]]
    assert len(ids) == len(set(ids))
    moves = {(f["properties"]["from"], f["properties"]["to"]) for f in fc["features"]
             if f["properties"]["layer"] == "movement"}
    assert ("ain-al-asad", "syria") in moves and ("baghdad", "erbil") in moves
    assert any(to == "kuwait" for _, to in moves)
    back = gpd.read_file(export.write(fc, tmp_path / "timeline.gpkg"), engine="pyogrio")
    assert len(back) == len(fc["features"]) and {"start", "end"} <= set(back.columns)


def test_unknown_format_is_refused(fc_oct, tmp_path):
    with pytest.raises(ValueError, match=r"unknown export format '\.shp'; expected one of \.geojson"):
        export.write(fc_oct, tmp_path / "x.shp")
    assert not list(tmp_path.iterdir())


def test_a_report_in_force_makes_the_feature_a_report(fc_oct):
    for f in fc_oct["features"]:
        p = f["properties"]
        if p["layer"] == "place" and p["claim"]:
            assert p["basis"] == "report" and p["figure_basis"] in (None, "report"), f["id"]


def test_geojson_bytes_is_the_collection_in_utf8_json(fc_oct):
    data = export.render_bytes(fc_oct, ".geojson")
    assert data.endswith(b"}\n") and data.count(b"\n}\n") == 1
    assert json.loads(data.decode("utf-8")) == fc_oct
    names = [f["properties"]["name"] for f in fc_oct["features"]]
    assert any(not n.isascii() for n in names + ["أربيل"])
    odd = {"type": "FeatureCollection", "features": [], "name": "أربيل", "value": float("nan")}
    text = export.geojson_bytes(odd).decode("utf-8")
    assert '"أربيل"' in text and "\\u" not in text          # written as UTF-8, not escaped
    assert json.loads(text)["value"] is None                 # NaN is not JSON: null
    with pytest.raises(TypeError):
        export.geojson_bytes({"features": [], 1: "a number as a key"})


def test_gc_pause_restores_the_collector_even_on_error():
    import gc

    from geo.gcpause import gc_paused

    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with gc_paused():
            assert not gc.isenabled()
            1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()   # it was off before: it stays off
    finally:
        gc.enable()


def test_timeline_features_share_read_only_parts_but_not_their_own(ds):
    fc = export.timeline_geojson(ds)
    feats = [f for f in fc["features"] if f["properties"]["layer"] == "place"]
    assert len({id(f["properties"]) for f in feats}) == len(feats)
    assert len({id(f["geometry"]["coordinates"]) for f in feats}) == len(feats)
    plans = [f["properties"]["plan"] for f in feats if f["properties"]["plan"]]
    assert len({id(p) for p in plans}) < len(plans)        # one dict per plan state
    again = export.timeline_geojson_reference(ds)
    assert json.dumps(fc, sort_keys=True) == json.dumps(again, sort_keys=True)


#: A place feature's properties in the order the files carry them (the columns a user
#: sees in QGIS and in the CSV); the feature is one literal, so this pins it.
PLACE_PROPERTY_ORDER = [
    "id", "name", "layer", "kind", "country", "precision", "scope", "within",
    "status", "status_label", "troops_min", "troops_max", "qualifier", "figure", "basis", "force",
    "as_of", "as_of_precision", "age_days", "claim", "quote", "quote_checked", "restated", "sources",
    "figure_claim", "figure_basis", "figure_as_of", "figure_as_of_precision", "figure_age_days",
    "figure_force", "figure_quote", "figure_restated", "figure_sources", "restated_by",
    "group", "places", "plan", "conflicts", "contradicted_by",
]


def test_place_properties_keep_their_order_in_a_snapshot_and_a_timeline(ds, fc_oct):
    places = [f for f in fc_oct["features"] if f["properties"]["layer"] == "place"]
    assert places
    for f in places:
        assert list(f["properties"]) == PLACE_PROPERTY_ORDER, f["id"]
    no_ages = [k for k in PLACE_PROPERTY_ORDER if k not in ("age_days", "figure_age_days")]
    tl = [f for f in export.timeline_geojson(ds)["features"] if f["properties"]["layer"] == "place"]
    assert tl
    for f in tl:
        assert list(f["properties"]) == no_ages + ["start", "end", "feature_id"], f["id"]


def test_a_place_in_a_group_names_the_group_figure_and_never_a_share(tmp_path_factory):
    # the embedded data has no group figure; a small synthetic set has several
    from geo import synth
    from geo.loader import load_dataset
    from geo.posture import change_dates

    sds = load_dataset(synth.synthesize(tmp_path_factory.mktemp("synth"), 40, 2000, 20, seed=5))
    members = [ps for d in change_dates(sds)[::25] for ps in snapshot(sds, d).places if ps.group]
    assert members
    for ps in members:
        p = export.place_feature(ps, sds.sources)["properties"]
        assert p["troops_min"] is None and p["troops_max"] is None, ps.place.id
        assert p["figure"] == f"in group {ps.group}: {ps.figure_claim.figure_text()} together"
        assert p["group"] == ps.group and p["figure_claim"] == ps.figure_claim.id
