"""Load the offline basemap layers built by ``scripts/build_basemap.py``.

Why: with no tile server, the map background is country polygons from
``data/basemap/countries.geojson`` (Natural Earth, clipped to the region).
This module is the one reader of those files: it fixes the CRS to EPSG:4326,
checks the columns the map code relies on, and caches by path so Streamlit
reruns do not re-read the file.  Pure: no streamlit import.

Properties per country: ``name``, ``iso_a3`` (None for N. Cyprus),
``iso_n3``, ``label_lon``, ``label_lat``, ``clipped``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd

REPO_ROOT = Path(__file__).resolve().parent.parent
BASEMAP_DIR = REPO_ROOT / "data" / "basemap"
COUNTRIES_PATH = BASEMAP_DIR / "countries.geojson"
KURDISTAN_REGION_PATH = BASEMAP_DIR / "kurdistan_region.geojson"
COUNTRY_COLUMNS = ("name", "iso_a3", "iso_n3", "label_lon", "label_lat", "clipped")
REBUILD_HINT = "rebuild it with `python scripts/build_basemap.py` (offline) and see data/basemap/SOURCE.md"


class BasemapError(RuntimeError):
    """A basemap file is missing, unreadable or not what the builder writes."""


@functools.lru_cache(maxsize=8)
def _read(path_str: str, required: tuple[str, ...]) -> gpd.GeoDataFrame:
    path = Path(path_str)
    if not path.is_file():
        raise BasemapError(f"basemap file {path} is missing; {REBUILD_HINT}.")
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several error types for bad files
        raise BasemapError(f"basemap file {path} is unreadable as GeoJSON ({exc}); {REBUILD_HINT}.") from exc
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise BasemapError(
            f"basemap file {path} lacks column(s) {missing}; expected {list(required)}; {REBUILD_HINT}."
        )
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)  # RFC 7946 GeoJSON is always lon/lat WGS84
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def _resolve(path: str | Path | None, default: Path) -> str:
    return str(Path(path if path is not None else default).expanduser().resolve())


def load_countries(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Country polygons (EPSG:4326) from ``path`` or ``data/basemap/countries.geojson``.

    Cached per resolved path; returns a copy, so callers may modify it.
    Raises BasemapError naming the file if it is missing, unreadable or
    lacks the expected columns.
    """
    return _read(_resolve(path, COUNTRIES_PATH), COUNTRY_COLUMNS).copy()


def load_kurdistan_region(path: str | Path | None = None) -> gpd.GeoDataFrame | None:
    """Kurdistan Region outline (EPSG:4326), or None if the file does not exist.

    Not shipped today (no cleanly licensed admin-1 source; see
    data/basemap/SOURCE.md), so callers must handle None.  A file that
    exists but cannot be read still raises BasemapError.
    """
    resolved = _resolve(path, KURDISTAN_REGION_PATH)
    if not Path(resolved).exists():
        return None
    return _read(resolved, ()).copy()


def clear_cache() -> None:
    """Forget cached files (after rebuilding the basemap in a running process)."""
    _read.cache_clear()
