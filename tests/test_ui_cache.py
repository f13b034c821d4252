"""What a dashboard rerun does not repeat: the data stamp is read once per run, and the
Export expander's payloads are made only when a button asks for them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.loader import DEFAULT_DATA_DIR
from ui import cache

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, folder, ignore=shutil.ignore_patterns("basemap"))
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    return folder


def test_the_data_stamp_is_read_once_per_run_and_an_edit_is_seen(data_copy, monkeypatch):
    calls = []
    real = cache._stamp

    def counting(folder):
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(cache, "_stamp", counting)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["date"] = "2025-10-21"
    at.run()
    assert not at.exception
    assert len(calls) == 1
    calls.clear()
    claims = data_copy / "claims.csv"
    mtime = claims.stat().st_mtime + 10
    os.utime(claims, (mtime, mtime))
    at.run()
    assert not at.exception and len(calls) == 1
    assert (cache.data_stamp()[1]) == real(data_copy)  # outside a run: read afresh


def test_export_payloads_wait_for_their_button(monkeypatch):
    import geo.export

    def not_now(*args, **kwargs):
        raise AssertionError("an export payload was built while nobody asked for it")

    monkeypatch.setattr(geo.export, "timeline_geojson", not_now)
    monkeypatch.setattr(geo.export, "render_bytes", not_now)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["date"] = "2025-08-20"
    at.run()
    assert not at.exception and not at.error
    labels = [e.proto.label for e in at.get("download_button")]
    for label in ("GeoJSON (this day)", "GeoJSON (timeline)", "GeoPackage (this day)", "CSV (this day)"):
        assert label in labels
