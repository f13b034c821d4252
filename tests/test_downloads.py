"""ui/downloads.py: every payload opens in its format's reader, file names carry the
dates, the buttons are there in the app, images are made on request, errors are shown."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from geo.assets import external_urls
from tests.conftest import claim
from ui import cache
from ui.downloads import download_name

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
D = dt.date
ON, KNOWN = D(2025, 10, 21), D(2026, 2, 23)


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("kwargs, name", [
    (dict(kind="posture", ext=".geojson", on=D(2025, 10, 21), known_on=D(2025, 10, 21)),
     "posture_2025-10-21_known-2025-10-21.geojson"),
    (dict(kind="timeline", ext=".geojson", known_on=D(2026, 2, 23)), "timeline_known-2026-02-23.geojson"),
    (dict(kind="brief", ext=".png", on=D(2025, 8, 20), known_on=D(2025, 8, 19), plans=False),
     "brief_2025-08-20_known-2025-08-19_reports-only.png"),
    (dict(kind="animation", ext=".gif", known_on=D(2026, 2, 23)), "animation_known-2026-02-23.gif"),
])
def test_download_names_carry_the_dates(kwargs, name):
    assert download_name(**kwargs) == name


# ------------------------------------------------------------------ payloads

@pytest.fixture(autouse=True)
def embedded_data(monkeypatch):
    monkeypatch.delenv(cache.DATA_DIR_ENV, raising=False)


def test_geojson_of_the_day_opens_in_geopandas_and_json():
    data = cache.export_bytes(ON, KNOWN, True, ".geojson")
    fc = json.loads(data)
    assert fc["type"] == "FeatureCollection" and fc["date"] == "2025-10-21" and fc["known_on"] == "2026-02-23"
    gdf = gpd.read_file(io.BytesIO(data), engine="pyogrio")
    assert len(gdf) == len(fc["features"]) > 5 and gdf.crs.to_epsg() == 4326


def test_timeline_geojson_has_start_and_end():
    data = cache.timeline_bytes(KNOWN, ".geojson")
    gdf = gpd.read_file(io.BytesIO(data), engine="pyogrio")
    assert {"start", "end"} <= set(gdf.columns) and len(gdf) > 10
    # made once and shared, never copied per click (at scale it is ~360 MB)
    assert cache.timeline_bytes(KNOWN, ".geojson") is data


def test_geopackage_opens_with_pyogrio(tmp_path):
    path = tmp_path / "p.gpkg"
    path.write_bytes(cache.export_bytes(ON, KNOWN, True, ".gpkg"))
    [(layer, _geom)] = pyogrio.list_layers(path)
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    assert len(gdf) > 5 and "troops_min" in gdf.columns


def test_csv_opens_with_the_csv_module():
    rows = list(csv.DictReader(io.StringIO(cache.export_bytes(ON, KNOWN, True, ".csv").decode("utf-8"))))
    assert rows and {"wkt", "lon", "lat", "name", "status"} <= set(rows[0])
    assert any(r["name"] == "Erbil" for r in rows)


def test_reports_only_export_has_no_plans():
    fc = json.loads(cache.export_bytes(ON, KNOWN, False, ".geojson"))
    assert all(f["properties"]["basis"] != "plan" for f in fc["features"])


@pytest.mark.parametrize("fmt, check", [
    ("png", lambda b: Image.open(io.BytesIO(b)).size == (1920, 1080)),
    ("svg", lambda b: b.startswith(b"<?xml") and b"21 Oct 2025" in b),
    ("pdf", lambda b: b.startswith(b"%PDF-")),
])
def test_brief_payloads_open(fmt, check):
    assert check(cache.brief_bytes(ON, KNOWN, True, "OPEN SOURCE", fmt))


def test_html_payload_is_self_contained():
    page = cache.html_bytes(ON, KNOWN, True, True, "").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and external_urls(page) == []


# ------------------------------------------------------------------ the app

def run(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def labels(at: AppTest, kind: str) -> list[str]:
    return [e.proto.label for e in at.get(kind)] if kind == "download_button" else [b.label for b in at.button]


def test_export_section_has_data_buttons_and_makes_images_on_request():
    at = run(date="2025-10-21")
    assert not at.exception
    got = labels(at, "download_button")
    for label in ("GeoJSON (this day)", "GeoJSON (timeline)", "GeoPackage (this day)", "CSV (this day)"):
        assert label in got
    assert "PNG 1920×1080" not in got               # images only on request
    assert "Make animation (GIF)" in labels(at, "button")
    [prepare] = [b for b in at.button if b.label.startswith("Prepare images")]
    at = prepare.click().run()
    assert not at.exception and not at.error
    got = labels(at, "download_button")
    for label in ("PNG 1920×1080", "SVG", "PDF", "HTML map (offline)"):
        assert label in got
    # moving to another day hides the images made for the previous one
    at.session_state["view_date"] = D(2025, 8, 20)
    at = at.run()
    assert "PNG 1920×1080" not in labels(at, "download_button")


def test_a_rendering_error_is_shown_and_the_app_keeps_running(monkeypatch):
    import geo.render

    def broken(*a, **k):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(geo.render, "render_brief", broken)
    at = run(date="2025-09-16", marking="ERROR PATH TEST")  # a cache key no other test made
    [prepare] = [b for b in at.button if b.label.startswith("Prepare images")]
    at = prepare.click().run()
    assert not at.exception
    assert any("renderer exploded" in e.value for e in at.error)
    assert "GeoJSON (this day)" in labels(at, "download_button")   # the rest still works
    assert at.session_state["_map_view"]["on"] == "2025-09-16"


def test_animation_is_made_on_request_with_progress(make_data, monkeypatch):
    folder = make_data(claims=[
        claim("c1", "alpha", "2025-08-01", lo="500", hi="500"),
        claim("c2", "bravo", "2025-09-01", lo="200", hi="300", status="residual", basis="plan", source="s2"),
        claim("c3", "alpha", "2025-10-01", lo="0", hi="0", status="withdrawn", source="s3"),
    ])
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    at = run()
    assert not at.exception
    [make] = [b for b in at.button if b.label == "Make animation (GIF)"]
    at = make.click().run()
    assert not at.exception and not at.error
    assert "Download animation (GIF)" in labels(at, "download_button")
    key, gif = at.session_state["_dl_animation"]
    im = Image.open(io.BytesIO(gif))
    assert im.format == "GIF" and im.n_frames == 3
