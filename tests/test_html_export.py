"""geo.html_export: one self-contained HTML file of the map, nothing to fetch."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from geo import mapview
from geo.assets import external_urls
from geo.html_export import export_html, write_html
from geo.popup import day_label
from geo.posture import snapshot


@pytest.fixture(scope="module")
def oct21(ds):
    return snapshot(ds, dt.date(2025, 10, 21))


@pytest.fixture(scope="module")
def page(ds, oct21):
    return export_html(ds, oct21, marking="UNCLASSIFIED // OPEN SOURCE")


def test_every_asset_is_inline(page):
    assert page.startswith("<!DOCTYPE html>")
    assert external_urls(page) == []
    assert not re.search(r"<script[^>]+\bsrc=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    # the app's static folder is not there when the file is opened on its own
    assert not re.search(r"""(?:src|href)\s*=\s*["']?/app/static|url\(\s*["']?/app/static""", page)
    assert "Leaflet 1.9.4" in page                       # leaflet.js inlined
    assert "data:image/png;base64," in page              # its images as data: URIs
    assert ".leaflet-container" in page                  # leaflet.css inlined


def test_no_tile_layer_by_default(page):
    assert "L.tileLayer(" not in page
    assert "{z}" not in page


def test_online_tiles_only_offered_in_the_layer_control(ds, oct21):
    page = export_html(ds, oct21, online_tiles=True)
    assert "L.control.layers(" in page
    # tile templates, fetched only if chosen; their braces reach the page JSON-escaped (geo.textsafe)
    assert all("\\u007bz\\u007d" in u for u in external_urls(page))
    assert not re.search(r"<script[^>]+\bsrc=", page)


def test_the_map_of_the_day_is_in_it(page, oct21):
    known = day_label(oct21.known_on)      # the dataset's latest source
    assert "21 Oct 2025" in page and f"as known on {known}" in page
    assert "UNCLASSIFIED // OPEN SOURCE" in page
    specs = mapview.marker_specs(oct21)
    # one clickable marker per place (a group figure is labelled on its members, no marker of its own)
    assert page.count("pa-marker pa-") == len([s for s in specs if s.kind != "group"])
    assert f"<title>US-led coalition troop posture: Iraq and Syria — 21 Oct 2025 (as known on {known})</title>" in page


def test_title_is_escaped(ds, oct21):
    page = export_html(ds, oct21, title='</title><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_write_html(ds, oct21, tmp_path):
    path = write_html(ds, oct21, tmp_path / "out" / "map.html", show_plans=False)
    text = path.read_text(encoding="utf-8")
    assert "plans hidden" in text and external_urls(text) == []
