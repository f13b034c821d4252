"""One self-contained HTML file of the live map for a day: opens offline, from a USB stick.

Built from :func:`geo.mapview.build_map` (the same map the dashboard shows: markers,
labels, arrows, legend, title box, source line, popups with quotes), then every asset
is inlined by :func:`geo.assets.inline_assets_html`: Leaflet's JS and CSS go into
``<script>``/``<style>`` and its images become ``data:`` URIs. No tile layer is active:
the background is the embedded Natural Earth countries. Online tile layers are left out
by default; with ``online_tiles=True`` they are offered, switched off, in the layer
control (the page still fetches nothing until a user picks one).

Pure: never imports streamlit. Every text from the data reaches the page through the
map's own escaping (:mod:`geo.textsafe`: ``|tojson`` and :func:`geo.popup.esc`); the page
title here goes through :func:`geo.textsafe.html_text`, and this module's own header lines
are :func:`geo.textsafe.literal` elements, never compiled as templates.
"""
from __future__ import annotations

from pathlib import Path

from . import assets, mapview
from .model import Dataset
from .popup import day_label
from .posture import Snapshot
from .textsafe import html_text, literal

#: Fills the browser window; the map's own CSS sizes the map to its container.
_PAGE_CSS = "html, body { height: 100%; margin: 0; padding: 0; } .folium-map { height: 100vh !important; }"


def export_html(ds: Dataset, snap: Snapshot, *, title: str | None = None, subtitle: str | None = None,
                marking: str | None = None, show_plans: bool = True, labels: bool = True,
                online_tiles: bool = False, selected: str | None = None) -> str:
    """The map of ``snap`` as one HTML document with nothing to fetch.

    Raises RuntimeError if anything in the page would still load from another host
    (a bug in a map element, caught here rather than by a user with no network).
    """
    m = mapview.build_map(
        ds, snap, show_plans=show_plans, labels=labels,
        title=mapview.DEFAULT_TITLE if title is None else title,
        subtitle=mapview.DEFAULT_SUBTITLE if subtitle is None else subtitle,
        marking=marking, online_tiles=online_tiles, selected=selected, base_url_path="")
    root = m.get_root()
    # branca's page template does not escape the title
    root.title = html_text(f"{title or mapview.DEFAULT_TITLE} — {day_label(snap.on)} "
                             f"(as known on {day_label(snap.known_on)})")
    root.header.add_child(literal('<meta name="viewport" content="width=device-width, initial-scale=1" />'),
                          name="pa_viewport")
    root.header.add_child(literal(f"<style>{_PAGE_CSS}</style>"), name="pa_page_css")
    root.header.add_child(literal(
        f"<!-- Posture Atlas map of {snap.on.isoformat()} as known on {snap.known_on.isoformat()}; "
        "self-contained: every script, style and image is inline, so it opens offline. -->"),
        name="pa_note")
    page = assets.inline_assets_html(root.render())
    # a tile URL template reaches the page JSON-escaped ({z} as \u007bz\u007d: geo.textsafe)
    remote = [u for u in assets.external_urls(page)
              if not (online_tiles and ("{z}" in u or "\\u007bz\\u007d" in u))]
    if remote:
        raise RuntimeError(f"the HTML export would fetch {', '.join(remote)}; every asset must be inline "
                           "(see geo.assets.inline_assets_html)")
    return page


def write_html(ds: Dataset, snap: Snapshot, path: str | Path, **opts) -> Path:
    """Write :func:`export_html` atomically (UTF-8)."""
    from .files import write_atomic

    path = Path(path)
    write_atomic(path, export_html(ds, snap, **opts).encode("utf-8"))
    return path
