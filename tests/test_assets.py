"""Offline-asset guarantees: vendored files intact, maps reference no CDN.

Why: a single remote <script> or tile URL makes the dashboard break (or leak
requests) on an air-gapped machine, and folium adds CDN links by default.
All tests here are offline.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `pytest` (not `python -m pytest`) does not add the repo root
    sys.path.insert(0, str(REPO))

import folium  # noqa: E402

from geo import assets  # noqa: E402
from geo.assets import (  # noqa: E402
    LEAFLET_CSS,
    LEAFLET_JS,
    OfflineMap,
    external_urls,
    inline_assets_html,
    make_offline,
    remote_assets,
    static_path,
    static_url,
)


def _offline_map() -> folium.Map:
    m = OfflineMap(location=[33.0, 43.0], zoom_start=5, control_scale=True)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "box"},
                    "geometry": {"type": "Polygon", "coordinates": [[[40, 30], [45, 30], [45, 35], [40, 30]]]},
                }
            ],
        },
        tooltip=folium.GeoJsonTooltip(["name"]),
    ).add_to(m)
    folium.Marker([33.3, 44.4], popup=folium.Popup("<b>Baghdad</b>"), tooltip="Baghdad").add_to(m)
    folium.PolyLine([[33, 40], [35, 44]]).add_to(m)
    return m


def test_manifest_check_passes():
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "refresh_assets.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


def test_manifest_check_detects_tampering(tmp_path, monkeypatch):
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("refresh_assets", REPO / "scripts" / "refresh_assets.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "refresh_assets", mod)  # dataclasses look the module up
    spec.loader.exec_module(mod)
    vendor = tmp_path / "static" / "vendor"
    shutil.copytree(REPO / "static" / "vendor", vendor)
    monkeypatch.setattr(mod, "REPO", tmp_path)
    monkeypatch.setattr(mod, "VENDOR_DIR", vendor)
    monkeypatch.setattr(mod, "MANIFEST", vendor / "manifest.json")
    assert mod.check() == []
    with open(vendor / "leaflet-1.9.4" / "leaflet.js", "ab") as fh:
        fh.write(b"//tampered")
    (vendor / "leaflet-1.9.4" / "stray.js").write_text("x")
    problems = mod.check()
    assert any("sha256 mismatch" in p and "leaflet.js" in p for p in problems)
    assert any("unlisted file" in p and "stray.js" in p for p in problems)


def test_asset_files_exist():
    for rel in (LEAFLET_JS, LEAFLET_CSS, assets.FOLIUM_JQUERY_SHIM_JS, f"{assets.LEAFLET_IMAGES}/layers.png"):
        assert static_path(rel).is_file(), rel


def test_default_js_css_are_local():
    m = OfflineMap()
    for _, url in m.default_js + m.default_css:
        assert url.startswith("/app/static/"), url
        assert static_path(url.removeprefix("/app/static/")).is_file(), url
    assert ("leaflet", "/app/static/" + LEAFLET_JS) in m.default_js
    # Class-level list is not shared with the instance (folium's add_js_link mutates in place).
    m.add_js_link("extra", "/app/static/js/x.js")
    assert all(name != "extra" for name, _ in OfflineMap.default_js)
    assert remote_assets(_offline_map()) == []


def test_static_url_base_path():
    assert static_url(LEAFLET_JS) == "/app/static/vendor/leaflet-1.9.4/leaflet.js"
    assert static_url(LEAFLET_JS, "/atlas/") == "/atlas/app/static/vendor/leaflet-1.9.4/leaflet.js"
    assert static_url("a b.js", "x/y") == "/x/y/app/static/a%20b.js"
    m = OfflineMap(base_url_path="atlas")
    assert all(url.startswith("/atlas/app/static/") for _, url in m.default_js + m.default_css)
    for bad in ("../secrets.txt", "/etc/passwd", "https://cdn.example/x.js"):
        with pytest.raises(ValueError):
            static_url(bad)


def test_rendered_offline_map_has_no_external_urls():
    html = _offline_map().get_root().render()
    assert external_urls(html) == []
    assert "/app/static/" + LEAFLET_JS in html
    assert "/app/static/" + LEAFLET_CSS in html
    # Default marker images path is explicit (Leaflet's own guess 404s under st_folium).
    assert '"/app/static/vendor/leaflet-1.9.4/images/"' in html


def test_external_urls_detects_folium_defaults():
    html = folium.Map().get_root().render()  # plain folium: CDNs + OSM tiles
    found = external_urls(html)
    assert any("cdn.jsdelivr.net" in u for u in found)
    assert any("{z}" in u for u in found)
    assert remote_assets(folium.Map(tiles=None))
    # ... and make_offline fixes a plain Map instance.
    assert external_urls(make_offline(folium.Map(tiles=None)).get_root().render()) == []


def test_external_urls_ignores_plain_links_but_not_fetches():
    assert external_urls('<a href="https://leafletjs.com">Leaflet</a>') == []
    assert external_urls('<svg xmlns="http://www.w3.org/2000/svg"></svg>') == []
    assert external_urls("a{background:url(https://x.org/i.png)}") == ["https://x.org/i.png"]
    assert external_urls('L.tileLayer("//t.example/{z}/{x}/{y}.png")') == ["//t.example/{z}/{x}/{y}.png"]


def test_offline_map_refuses_remote_tiles():
    for tiles in ("OpenStreetMap", "https://t.example/{z}/{x}/{y}.png", folium.TileLayer("OpenStreetMap")):
        with pytest.raises(ValueError, match="offline"):
            OfflineMap(tiles=tiles)
    OfflineMap(tiles=static_url("tiles/{z}/{x}/{y}.png"), attr="local")  # local template is fine


def test_inlined_html_is_self_contained():
    html = inline_assets_html(_offline_map().get_root().render())
    assert external_urls(html) == []
    assert "<script src" not in html.lower()
    assert "<link" not in html.lower()
    # The data: URI icon setup runs before the map's guarded imagePath line, so it wins.
    assert html.index('L.Icon.Default.imagePath=""') < html.index("L.Icon.Default.imagePath = ")
    assert "url(images/" not in html and 'url("data:image/png;base64,' in html
    assert "sourceMappingURL" not in html
    assert "L.Icon.Default.mergeOptions" in html  # default markers use data: URIs
    assert html.count("</script>") == html.lower().count("<script")


def test_inline_rejects_remote_assets():
    with pytest.raises(ValueError, match="cdn.jsdelivr.net"):
        inline_assets_html(folium.Map(tiles=None).get_root().render())


def test_leaflet_css_text_inlines_images():
    css = assets.leaflet_css_text()
    assert "images/" not in css
    assert "url(#default#VML)" in css  # fragment reference left alone


def test_geo_does_not_import_streamlit():
    code = "import sys, geo.assets, geo.basemap; sys.exit('streamlit' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, "geo/ imported streamlit" + proc.stderr
