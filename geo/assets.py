"""The single place that knows where Posture Atlas's front-end assets live.

Why: the dashboard must work with no internet.  folium's ``Map`` points its
``default_js``/``default_css`` at jsdelivr, cloudflare, code.jquery and
bootstrapcdn, and streamlit-folium injects whatever those lists hold into its
iframe.  Everything here swaps those for files vendored under ``static/``
(see ``scripts/refresh_assets.py``), served by Streamlit at ``/app/static/``
when ``[server] enableStaticServing = true``.

Pure module: imports folium but never streamlit, so callers pass Streamlit's
``server.baseUrlPath`` in as ``base_url_path``.

Main entry points:

* ``OfflineMap(location, zoom_start=..., base_url_path=...)``: a folium.Map
  that loads only local Leaflet (+ a tiny local ``$`` shim), sets Leaflet's
  marker image path explicitly, and refuses remote tile servers.
* ``inline_assets_html(html)``: turn a rendered map page into one
  self-contained HTML file (JS/CSS inlined, CSS images as data: URIs).
* ``external_urls(text)`` / ``remote_assets(element)``: find anything that
  would make the browser fetch from the internet (for tests and guards).
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, unquote, urlsplit

import folium
from branca.element import MacroElement

from .textsafe import Template  # |tojson that never lets a template delimiter through

REPO_ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = REPO_ROOT / "static"
"""Folder Streamlit serves at ``/app/static/`` (must sit next to the main script)."""

STATIC_URL_PREFIX = "/app/static/"

LEAFLET_VERSION = "1.9.4"
LEAFLET_DIR = f"vendor/leaflet-{LEAFLET_VERSION}"
LEAFLET_JS = f"{LEAFLET_DIR}/leaflet.js"
LEAFLET_CSS = f"{LEAFLET_DIR}/leaflet.css"
LEAFLET_IMAGES = f"{LEAFLET_DIR}/images"
FOLIUM_JQUERY_SHIM_JS = "js/folium-jquery-shim.js"
"""Our own ~40-line ``$`` stand-in: folium.Popup and keep_in_front call ``$``."""
POSTURE_ATLAS_JS = "js/posture-atlas-map.js"
"""Our own Leaflet layers (labels, map notes), used by geo.mapview's templates."""

# (name, static relpath) in load order; names match folium's so that an
# element asking for "leaflet" / "leaflet_css" dedupes against ours.
_OFFLINE_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", LEAFLET_JS),
    ("folium_jquery_shim", FOLIUM_JQUERY_SHIM_JS),
    ("posture_atlas_map", POSTURE_ATLAS_JS),
)
_OFFLINE_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", LEAFLET_CSS),)


# --------------------------------------------------------------------------- URLs


def _clean_relpath(relpath: str) -> str:
    rel = str(relpath).replace("\\", "/")
    if "://" in rel or rel.startswith(("/", "//")):
        raise ValueError(
            f"static_url: {relpath!r} must be a path relative to static/ (e.g. {LEAFLET_JS!r}), not a URL or absolute path"
        )
    norm = posixpath.normpath(rel)
    if norm in (".", "") or norm.startswith(".."):
        raise ValueError(f"static_url: {relpath!r} escapes static/; give a path inside it such as {LEAFLET_JS!r}")
    return norm


def _clean_base(base_url_path: str | None) -> str:
    base = (base_url_path or "").strip().strip("/")
    return f"/{base}" if base else ""


def static_path(relpath: str) -> Path:
    """Filesystem path of ``static/<relpath>`` (no existence check)."""
    return STATIC_DIR / _clean_relpath(relpath)


def static_url(relpath: str, base_url_path: str = "") -> str:
    """Root-relative URL Streamlit serves ``static/<relpath>`` at.

    ``base_url_path`` is Streamlit's ``server.baseUrlPath`` (e.g. "atlas" or
    "/atlas/"), giving ``/atlas/app/static/<relpath>``.  Root-relative works
    inside the streamlit-folium iframe because that iframe is served by the
    same Streamlit server.
    """
    return _clean_base(base_url_path) + STATIC_URL_PREFIX + quote(_clean_relpath(relpath), safe="/{}")


def offline_js(base_url_path: str = "") -> list[tuple[str, str]]:
    """A fresh ``default_js`` list holding only local URLs."""
    return [(name, static_url(rel, base_url_path)) for name, rel in _OFFLINE_JS]


def offline_css(base_url_path: str = "") -> list[tuple[str, str]]:
    """A fresh ``default_css`` list holding only local URLs."""
    return [(name, static_url(rel, base_url_path)) for name, rel in _OFFLINE_CSS]


# --------------------------------------------------------------------------- map


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", url, re.I))


def _check_tiles(tiles: Any) -> None:
    """Refuse tile sources that would hit the internet (folium names or http URLs)."""
    if tiles is None or tiles is False:
        return
    template = getattr(tiles, "tiles", tiles)  # folium.TileLayer keeps the template in .tiles
    if isinstance(template, str) and "{z}" in template and not _is_remote(template):
        return  # a local template, e.g. static_url("tiles/{z}/{x}/{y}.png")
    raise ValueError(
        f"OfflineMap: tiles={template!r} would load tiles from a server or a named provider; "
        "this app is offline. Use tiles=None with the GeoJSON basemap (geo.basemap.load_countries) "
        "or a local template such as static_url('tiles/{z}/{x}/{y}.png')."
    )


class LeafletIconPath(MacroElement):
    """Map script line telling Leaflet where its default marker images are.

    Why: Leaflet guesses the path from leaflet.css, but streamlit-folium adds
    the CSS without waiting for it to load, so the guess falls back to
    ``.../leaflet-1.9.4`` + ``marker-icon.png`` (no slash) and 404s.  Only
    sets the path if nothing set it before (``inline_assets_html`` does).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
            if (typeof L.Icon.Default.imagePath !== "string") {
                L.Icon.Default.imagePath = {{ this.image_path|tojson }};
            }
        {% endmacro %}"""
    )

    def __init__(self, base_url_path: str = ""):
        super().__init__()
        self._name = "LeafletIconPath"
        self.image_path = static_url(LEAFLET_IMAGES, base_url_path) + "/"


def make_offline(m: folium.Map, base_url_path: str = "") -> folium.Map:
    """Point an existing ``folium.Map`` at local assets; returns ``m``.

    Replaces its ``default_js``/``default_css`` and adds ``LeafletIconPath``;
    call it before adding markers.  Instance-level lists on purpose:
    folium's ``add_js_link`` mutates the list in place, and the class-level
    one is folium's module global.
    """
    m.default_js = offline_js(base_url_path)
    m.default_css = offline_css(base_url_path)
    if not any(isinstance(c, LeafletIconPath) for c in m._children.values()):
        m.add_child(LeafletIconPath(base_url_path))
    return m


class OfflineMap(folium.Map):
    """A ``folium.Map`` that loads only vendored Leaflet and no tiles by default.

    Same arguments as ``folium.Map`` plus keyword ``base_url_path``
    (Streamlit's ``server.baseUrlPath``).  ``tiles`` defaults to None; remote
    tile providers raise ValueError.
    """

    default_js = offline_js()
    default_css = offline_css()

    def __init__(self, *args: Any, tiles: Any = None, base_url_path: str = "", **kwargs: Any):
        _check_tiles(tiles)
        super().__init__(*args, tiles=tiles, **kwargs)
        make_offline(self, base_url_path)


def remote_assets(element: Any) -> list[tuple[str, str]]:
    """(element class, url) for every non-local asset streamlit-folium would inject.

    Mirrors streamlit-folium's own walk: ``default_js``/``default_css`` of
    every child, plus the d3 CDN scripts it adds for any branca ColorMap.
    Empty list = the map is offline-safe.
    """
    found: list[tuple[str, str]] = []

    def walk(el: Any) -> Iterable[Any]:
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(element):
        kind = type(el).__name__
        if type(el).__module__.startswith("branca.colormap"):
            found.append((kind, "streamlit-folium adds d3 from d3js.org / cdnjs for ColorMap legends"))
        for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
            if _is_remote(url):
                found.append((kind, url))
    return found


# --------------------------------------------------------------------------- external URL scan

_URL = r"""(?:https?:)?//[^\s"'<>)`]+"""
_EXTERNAL_PATTERNS = (
    re.compile(rf"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrc\s*=\s*["']?({_URL})""", re.I),
    re.compile(rf"""<link\b[^>]*?\bhref\s*=\s*["']?({_URL})""", re.I),
    re.compile(rf"""url\(\s*["']?({_URL})""", re.I),
    re.compile(rf"""@import\s+(?:url\()?\s*["']?({_URL})""", re.I),
    re.compile(rf"""\bsrcset\s*=\s*["']?({_URL})""", re.I),
    # tile templates and other fetch-style calls in JS
    re.compile(rf"""(?:tileLayer(?:\.wms)?|imageOverlay|videoOverlay|fetch|ajax|importScripts)\s*\(\s*["'`]({_URL})""", re.I),
    re.compile(r"""["'`]((?:https?:)?//[^"'`\s]*\{z\}[^"'`\s]*)["'`]""", re.I),
)


def external_urls(text: str) -> list[str]:
    """Every http(s) or protocol-relative URL the browser would *fetch* from ``text``.

    Looks at script/img/iframe src, <link href>, CSS url() and @import,
    tileLayer/fetch/ajax calls and any ``{z}`` tile template.  Plain links
    (``<a href>``) and XML namespaces are ignored on purpose: they load
    nothing.  Sorted, de-duplicated.
    """
    urls: set[str] = set()
    for pattern in _EXTERNAL_PATTERNS:
        urls.update(m.group(1) for m in pattern.finditer(text))
    return sorted(urls)


# --------------------------------------------------------------------------- inlining


def _read_static(relpath: str) -> bytes:
    path = static_path(relpath)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileNotFoundError(
            f"{path} is missing or unreadable ({exc.strerror}); run `python scripts/refresh_assets.py` "
            "to restore the vendored assets, or `--check` to see what differs."
        ) from exc


def _data_uri(relpath: str) -> str:
    mime = mimetypes.guess_type(relpath)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(_read_static(relpath)).decode("ascii")


def _css_with_data_uris(css: str, css_relpath: str) -> str:
    """Replace relative ``url(...)`` in a static CSS file with data: URIs."""
    base = posixpath.dirname(css_relpath)

    def repl(m: re.Match[str]) -> str:
        target = m.group(2).strip()
        if target.startswith(("data:", "#")) or _is_remote(target):
            return m.group(0)  # data:, VML behaviour fragment, or (flagged elsewhere) remote
        rel = posixpath.normpath(posixpath.join(base, unquote(target.split("?")[0].split("#")[0])))
        return f'url("{_data_uri(rel)}")'

    return re.sub(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", repl, css)


def _strip_source_map(js: str) -> str:
    return re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.M)


def leaflet_js_text() -> str:
    """Vendored leaflet.js (source-map comment removed, safe to put in <script>)."""
    return _strip_source_map(_read_static(LEAFLET_JS).decode("utf-8"))


def leaflet_css_text(inline_images: bool = True) -> str:
    """Vendored leaflet.css; with ``inline_images`` its images/ refs become data: URIs."""
    css = _read_static(LEAFLET_CSS).decode("utf-8")
    return _css_with_data_uris(css, LEAFLET_CSS) if inline_images else css


def leaflet_default_icon_js() -> str:
    """JS that makes L.Icon.Default use data: URIs.

    Needed after inlining: Leaflet finds marker images by reading the CSS
    background-image URL and stripping ``marker-icon.png``, which fails for a
    data: URI, so default markers would point at a missing relative file.
    """
    uris = {
        key: _data_uri(f"{LEAFLET_IMAGES}/{name}")
        for key, name in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    }
    opts = ",".join(f'{k}:"{v}"' for k, v in uris.items())
    return f'L.Icon.Default.imagePath="";L.Icon.Default.mergeOptions({{{opts}}});'


def _static_relpath_from_url(url: str) -> str | None:
    """``.../app/static/<rel>`` (any base path) -> ``<rel>``; anything else -> None."""
    path = urlsplit(url).path
    idx = path.find(STATIC_URL_PREFIX)
    if idx == -1 or _is_remote(url):
        return None
    return unquote(path[idx + len(STATIC_URL_PREFIX) :])


def _script_tag(js: str) -> str:
    return "<script>\n" + re.sub(r"</(script)", r"<\\/\1", js, flags=re.I) + "\n</script>"


def _style_tag(css: str) -> str:
    return "<style>\n" + re.sub(r"</(style)", r"<\\/\1", css, flags=re.I) + "\n</style>"


_SCRIPT_SRC = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']([^"']+)["'][^>]*>\s*</script\s*>""", re.I)
_LINK_CSS = re.compile(r"""<link\b(?=[^>]*\brel\s*=\s*["']?stylesheet)[^>]*?\bhref\s*=\s*["']([^"']+)["'][^>]*>""", re.I)


def inline_assets_html(html: str) -> str:
    """Return ``html`` with every local ``/app/static/`` script and stylesheet inlined.

    For a self-contained offline export of a rendered map, e.g.
    ``inline_assets_html(OfflineMap(...).get_root().render())``.  CSS
    ``url()`` references become data: URIs and, when Leaflet is inlined, the
    default marker icons are set to data: URIs too.  Raises ValueError on a
    remote (http/https, //) script or stylesheet, naming it, because it could
    not be inlined offline and would break the export.
    """

    def script(m: re.Match[str]) -> str:
        url = m.group(1)
        rel = _static_relpath_from_url(url)
        if rel is None:
            raise ValueError(
                f"inline_assets_html: <script src={url!r}> is not a local /app/static/ asset; "
                "build the map with geo.assets.OfflineMap and check geo.assets.remote_assets(map)."
            )
        js = _strip_source_map(_read_static(rel).decode("utf-8"))
        out = _script_tag(js)
        if posixpath.normpath(rel) == LEAFLET_JS:
            out += "\n" + _script_tag(leaflet_default_icon_js())
        return out

    def link(m: re.Match[str]) -> str:
        url = m.group(1)
        rel = _static_relpath_from_url(url)
        if rel is None:
            raise ValueError(
                f"inline_assets_html: <link href={url!r}> is not a local /app/static/ stylesheet; "
                "build the map with geo.assets.OfflineMap and check geo.assets.remote_assets(map)."
            )
        return _style_tag(_css_with_data_uris(_read_static(rel).decode("utf-8"), posixpath.normpath(rel)))

    return _LINK_CSS.sub(link, _SCRIPT_SRC.sub(script, html))
