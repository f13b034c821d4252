"""The live map and the static map: an offline basemap, posture layers and overlays.

Three pure builders, kept apart so the dashboard can update the posture without
reloading the map, and so tests can check each one:

* :func:`base_map` — the map that never changes between dates: vendored Leaflet
  (:class:`geo.assets.OfflineMap`), the Natural Earth countries and their names, the
  legend, the scale bar and (off by default) online tile layers in a layer control.
* :func:`posture_layers` — the posture on one day as ``folium.FeatureGroup`` s: group
  joins, movement arrows, place markers, labels. streamlit-folium swaps these in place
  (``feature_group_to_add``), so zoom and pan survive a date change.
* :func:`overlay_layer` — what must change with the date but sit on the map frame so a
  screenshot carries it: title, chosen date, "as known on", phase, the age of the
  newest source, the source line and the marking. It is a Leaflet layer that adds
  controls in ``onAdd`` and removes them in ``onRemove``, so swapping the feature
  groups swaps the box without touching the base map.

:func:`build_map` puts all three on one map (the static HTML export).

Every text from the data reaches JavaScript through ``|tojson`` and HTML through
:func:`geo.popup.esc`; see that module. Colours, sizes, dashes and arrow heads come
from :mod:`geo.style` only (the basemap's land/sea/border greys live here because
they belong to the basemap, not to the posture).
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import folium
from branca.element import MacroElement

from . import style
from .assets import OfflineMap
from .dates import age_label
from .model import Dataset
from .posture import reports_only, snapshot  # noqa: F401  (reports_only re-exported)
from .textsafe import Template  # |tojson that never lets a template delimiter through
from .popup import esc, place_tooltip, popup_html, movement_popup, day_label

DEFAULT_TITLE = "US-led coalition troop posture: Iraq and Syria"
DEFAULT_SUBTITLE = "Troops at bases as reported in open sources"
BASEMAP_CREDIT = "Basemap: Natural Earth (public domain)"

#: Online tiles a user may switch on. Off by default; never needed.
ONLINE_TILES = (
    ("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
     '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors', 19),
    ("Light (CARTO Positron)", "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
     '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
     '&copy; <a href="https://carto.com/attributions">CARTO</a>', 20),
    ("Satellite (Esri World Imagery)",
     "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
     "Tiles &copy; Esri &mdash; Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, "
     "Aerogrid, IGN, IGP, UPR-EGP, and the GIS User Community", 19),
)
OFFLINE_BASE_NAME = "Offline basemap (no tiles)"
COUNTRIES_NAME = "Countries (offline)"

# Basemap greys: light enough that every status colour stands out on them.
SEA = "#dbe6ee"
LAND = "#efece4"
LAND_FOCUS = "#fbfaf7"
BORDER = "#8c8c8c"

#: A typical map frame (px): arrow heads and arrow trims are sized in pixels at the zoom
#: Leaflet's fitBounds picks for it. Labels are placed in the browser (LabelLayer).
LAYOUT_FRAME_PX = (960, 640)
FIT_PADDING_PX = 20
PANEL_PX = 236                # left column: title box and legend
ZOOM_SNAP = 0.25

GROUP_JOIN_DASH = "1 6"       # dotted: apart from the plan dash
IMPRECISE_DASH = "2 4"
FILL_CERTAIN = 0.78           # disc up to the certain minimum
FILL_RANGE = 0.22             # band between minimum and maximum


# ---------------------------------------------------------------- small elements
# Small folium elements in the style of folium.plugins: one template each, values
# through tojson. folium's own Tooltip/Popup paste text into a JS template literal,
# and path_options() drops Leaflet options such as ``interactive``.

class _Css(MacroElement):
    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
    """)

    def __init__(self, css: str):
        super().__init__()
        self._name = "pa_css"
        self.css = css  # our own constant CSS, never data


class Shape(MacroElement):
    """A Leaflet circleMarker, polyline or polygon with optional tooltip and popup."""

    KINDS = ("circleMarker", "polyline", "polygon")
    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.{{ this.kind }}(
                {{ this.latlngs|tojson }}, {{ this.options|tojson }}
            ).addTo({{ this._parent.get_name() }});
            {% if this.tooltip %}{{ this.get_name() }}.bindTooltip({{ this.tooltip|tojson }}, {{ this.tooltip_options|tojson }});{% endif %}
            {% if this.popup %}{{ this.get_name() }}.bindPopup({{ this.popup|tojson }}, {"maxWidth": 380});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, kind: str, latlngs, options: dict, tooltip: str | None = None,
                 popup: str | None = None, tooltip_options: dict | None = None):
        if kind not in self.KINDS:
            raise ValueError(f"Shape kind {kind!r}; expected one of {self.KINDS}")
        super().__init__()
        self._name = "pa_" + kind.lower()
        self.kind = kind
        self.latlngs = latlngs
        self.options = options
        self.tooltip = tooltip
        self.popup = popup
        self.tooltip_options = tooltip_options or {"sticky": True, "direction": "top", "opacity": 0.95}


class Label(MacroElement):
    """HTML text on the map at a point: a non-interactive divIcon (clicks pass through)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.marker({{ this.latlng|tojson }}, {
                icon: L.divIcon({html: {{ this.html|tojson }}, className: {{ this.class_name|tojson }}, iconSize: [0, 0]}),
                interactive: false, keyboard: false{% if this.pane %}, pane: {{ this.pane|tojson }}{% endif %}
            }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, latlng, html: str, class_name: str = "pa-label-icon", pane: str | None = None):
        super().__init__()
        self._name = "pa_label"
        self.latlng = [round(latlng[0], 5), round(latlng[1], 5)]
        self.html = html
        self.class_name = class_name
        self.pane = pane


class LabelLayer(MacroElement):
    """Permanent labels placed in the browser, beside their markers, clear of each other.

    Placement needs the real pixel positions, which depend on the frame size and the
    zoom the user picks, so it runs in Leaflet: greedy, highest priority first, over 8
    directions at growing distances, avoiding placed labels, markers and the map's
    controls (title, legend); a label set further out gets a leader line. Reruns on
    zoom and pan. ``items``: {latlng, html (escaped), priority}; ``avoid``: {latlng,
    radius} circles.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new (L.Layer.extend({
                onAdd: function (map) {
                    var items = {{ this.items|tojson }};
                    this._avoid = {{ this.avoid|tojson }};
                    this._items = items.map(function (it) {
                        var icon = L.divIcon({className: "pa-label-icon", iconSize: [0, 0],
                            html: '<svg class="pa-leader" width="1" height="1"><line stroke="{{ this.leader_colour }}" stroke-width="1"/></svg>'
                                  + '<div class="pa-label">' + it.html + "</div>"});
                        var mk = L.marker(it.latlng, {icon: icon, interactive: false, keyboard: false}).addTo(map);
                        return {latlng: L.latLng(it.latlng), priority: it.priority, marker: mk};
                    });
                    map.on("zoomend moveend resize", this._schedule, this);
                    this._schedule();
                },
                onRemove: function (map) {
                    map.off("zoomend moveend resize", this._schedule, this);
                    this._items.forEach(function (it) { map.removeLayer(it.marker); });
                    this._items = [];
                },
                _schedule: function () {
                    // after the other layers and the title box of this update are on the map
                    var self = this;
                    window.setTimeout(function () { if (self._map) { self._layout(self._map); } }, 0);
                },
                _layout: function (map) {
                    function overlap(a, b) {
                        var w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
                        var h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
                        return (w > 0 && h > 0) ? w * h : 0;
                    }
                    var size = map.getSize();
                    var frame = map.getContainer().getBoundingClientRect();
                    var blocks = [];
                    var ctls = map.getContainer().querySelectorAll(".leaflet-control");
                    for (var c = 0; c < ctls.length; c++) {
                        var r = ctls[c].getBoundingClientRect();
                        if (r.width > 0) {
                            blocks.push([r.left - frame.left - 4, r.top - frame.top - 4, r.right - frame.left + 4, r.bottom - frame.top + 4]);
                        }
                    }
                    var circles = this._avoid.map(function (a) {
                        var p = map.latLngToContainerPoint(a.latlng);
                        return [p.x - a.radius, p.y - a.radius, p.x + a.radius, p.y + a.radius, a.radius, p.x, p.y];
                    });
                    var placed = [];
                    var order = this._items.slice().sort(function (a, b) { return b.priority - a.priority; });
                    order.forEach(function (it) {
                        var el = it.marker.getElement();
                        if (!el) { return; }
                        var div = el.querySelector(".pa-label");
                        var line = el.querySelector("line");
                        var w = div.offsetWidth, h = div.offsetHeight;
                        var p = map.latLngToContainerPoint(it.latlng);
                        var own = 0;
                        circles.forEach(function (c) {
                            if (Math.abs(c[5] - p.x) < 0.5 && Math.abs(c[6] - p.y) < 0.5) { own = Math.max(own, c[4]); }
                        });
                        var best = null;
                        var steps = [0, 14, 30, 52];
                        for (var s = 0; s < steps.length; s++) {
                            var r = own + 3 + steps[s], d = r * 0.72;
                            var cands = [[r, -h / 2, "left"], [-r - w, -h / 2, "right"], [d, -d - h, "left"], [d, d, "left"],
                                         [-d - w, -d - h, "right"], [-d - w, d, "right"], [-w / 2, -r - h, "center"], [-w / 2, r, "center"]];
                            for (var k = 0; k < cands.length; k++) {
                                var dx = cands[k][0], dy = cands[k][1];
                                var rect = [p.x + dx, p.y + dy, p.x + dx + w, p.y + dy + h];
                                var score = 0;
                                placed.forEach(function (q) { score += 3 * overlap(rect, q); });
                                blocks.forEach(function (q) { score += 3 * overlap(rect, q); });
                                circles.forEach(function (q) {
                                    if (Math.abs(q[5] - p.x) >= 0.5 || Math.abs(q[6] - p.y) >= 0.5) { score += overlap(rect, q); }
                                });
                                var inside = overlap(rect, [0, 0, size.x, size.y]);
                                score += 3 * (w * h - inside);
                                score += steps[s] * 2 + k * 0.1;
                                if (best === null || score < best[0]) { best = [score, dx, dy, cands[k][2], steps[s]]; }
                            }
                            if (best[0] <= steps[s] * 2 + 1) { break; }
                        }
                        div.style.left = best[1] + "px";
                        div.style.top = best[2] + "px";
                        div.style.textAlign = best[3];
                        if (best[4] > 0) {
                            var tx = Math.min(Math.max(0, best[1]), best[1] + w);
                            var ty = Math.min(Math.max(0, best[2]), best[2] + h);
                            var len = Math.sqrt(tx * tx + ty * ty) || 1;
                            line.setAttribute("x1", tx / len * own); line.setAttribute("y1", ty / len * own);
                            line.setAttribute("x2", tx); line.setAttribute("y2", ty);
                            line.style.display = "";
                        } else {
                            line.style.display = "none";
                        }
                        placed.push([p.x + best[1], p.y + best[2], p.x + best[1] + w, p.y + best[2] + h]);
                    });
                }
            }))();
            {{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, items: list[dict], avoid: list[dict]):
        super().__init__()
        self._name = "pa_labels"
        self.items = items
        self.avoid = avoid
        self.leader_colour = style.GROUP_COLOUR


class MapNotes(MacroElement):
    """Boxes pinned to the map frame (title/date, source line, marking) that come and go
    with the layer holding them, so they update with the posture layers."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new (L.Layer.extend({
                onAdd: function (map) {
                    var boxes = {{ this.boxes|tojson }};
                    this._ctls = [];
                    this._divs = [];
                    for (var i = 0; i < boxes.length; i++) {
                        var b = boxes[i];
                        var div = L.DomUtil.create("div", b.cls);
                        div.innerHTML = b.html;
                        L.DomEvent.disableClickPropagation(div);
                        L.DomEvent.disableScrollPropagation(div);
                        if (b.position === "frame") {
                            map.getContainer().appendChild(div);
                            this._divs.push(div);
                        } else {
                            var ctl = L.control({position: b.position});
                            ctl.onAdd = (function (d) { return function () { return d; }; })(div);
                            ctl.addTo(map);
                            if (b.first) {  // above the legend that the base map put there
                                var box = ctl.getContainer();
                                box.parentNode.insertBefore(box, box.parentNode.firstChild);
                            }
                            this._ctls.push(ctl);
                        }
                    }
                },
                onRemove: function (map) {
                    this._ctls.forEach(function (c) { map.removeControl(c); });
                    this._divs.forEach(function (d) { L.DomUtil.remove(d); });
                    this._ctls = [];
                    this._divs = [];
                }
            }))();
            {{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, boxes: list[dict]):
        super().__init__()
        self._name = "pa_notes"
        for b in boxes:
            if b["position"] not in ("topleft", "topright", "bottomleft", "bottomright", "frame"):
                raise ValueError(f"MapNotes position {b['position']!r}; expected a Leaflet corner or 'frame'")
        self.boxes = boxes


class _StaticControl(MacroElement):
    """A fixed HTML control (the legend) that belongs to the base map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.cls|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, html: str, position: str, cls: str):
        super().__init__()
        self._name = "pa_control"
        self.html, self.position, self.cls = html, position, cls


class _Basemap(MacroElement):
    """Country polygons in their own panes under the posture, an empty offline base
    layer, and the online tile layers offered (not added) in a layer control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var map = {{ this._parent.get_name() }};
            map.createPane("paLand").style.zIndex = 250;
            map.createPane("paCountryNames").style.zIndex = 350;
            map.getPane("paCountryNames").style.pointerEvents = "none";
            var focus = {{ this.focus|tojson }};
            var {{ this.get_name() }} = L.geoJSON({{ this.countries|tojson }}, {
                pane: "paLand", interactive: false,
                style: function (f) {
                    var inFocus = focus.indexOf(f.properties.iso_a3) !== -1;
                    return {color: {{ this.border|tojson }}, weight: inFocus ? 1.2 : 0.8, opacity: 1,
                            fillColor: inFocus ? {{ this.land_focus|tojson }} : {{ this.land|tojson }},
                            fillOpacity: 1};
                }
            }).addTo(map);
            var offline = L.layerGroup().addTo(map);
            var bases = {};
            bases[{{ this.offline_name|tojson }}] = offline;
            {% for t in this.tiles %}
            bases[{{ t.name|tojson }}] = L.tileLayer({{ t.url|tojson }}, {attribution: {{ t.attr|tojson }}, maxZoom: {{ t.max_zoom|tojson }}});
            {% endfor %}
            var overlays = {};
            overlays[{{ this.countries_name|tojson }}] = {{ this.get_name() }};
            {% if this.tiles %}
            L.control.layers(bases, overlays, {collapsed: true, position: "topright"}).addTo(map);
            // With tiles on, the countries turn into see-through outlines over them.
            map.on("baselayerchange", function (e) {
                var off = e.layer === offline;
                {{ this.get_name() }}.setStyle(function (f) {
                    return {fillOpacity: off ? 1 : 0.05};
                });
            });
            {% endif %}
            // The left column of the frame holds the title box and the legend: keep the
            // places to the right of it.
            // not animated: the map opens on its final view, nothing moves under a first click
            map.fitBounds({{ this.bounds|tojson }}, {paddingTopLeft: {{ this.pad_tl|tojson }},
                                                     paddingBottomRight: {{ this.pad_br|tojson }},
                                                     animate: false});
        {% endmacro %}
    """)

    def __init__(self, countries: dict, focus: list[str], bounds, tiles: list[dict]):
        super().__init__()
        self._name = "pa_basemap"
        self.countries = countries
        self.focus = focus
        self.bounds = bounds
        self.tiles = tiles
        self.pad_tl = [PANEL_PX + FIT_PADDING_PX, FIT_PADDING_PX]
        self.pad_br = [FIT_PADDING_PX, FIT_PADDING_PX + 30]
        self.border, self.land, self.land_focus = BORDER, LAND, LAND_FOCUS
        self.offline_name, self.countries_name = OFFLINE_BASE_NAME, COUNTRIES_NAME


# ------------------------------------------------------------------ projection

def _world_px(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at ``zoom`` (as Leaflet computes them)."""
    scale = 256 * 2 ** zoom
    x = (lon + 180) / 360 * scale
    s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def fit_zoom(bounds, frame_px=LAYOUT_FRAME_PX, padding=FIT_PADDING_PX, snap=ZOOM_SNAP) -> float:
    """The zoom Leaflet's fitBounds picks for ``bounds`` [[s, w], [n, e]] in a frame."""
    (s, w), (n, e) = bounds
    x0, y0 = _world_px(n, w, 0)
    x1, y1 = _world_px(s, e, 0)
    zx = math.log2((frame_px[0] - PANEL_PX - 2 * padding) / max(x1 - x0, 1e-9))
    zy = math.log2((frame_px[1] - 2 * padding - 30) / max(y1 - y0, 1e-9))
    return math.floor(min(zx, zy) / snap) * snap


def posture_bounds(ds: Dataset) -> list[list[float]]:
    """[[south, west], [north, east]] around every place the posture can name."""
    from .posture import posture  # the posture lists the places any claim or move names

    ids = posture(ds).posture_places or tuple(ds.places)
    lats = [ds.places[p].lat for p in ids]
    lons = [ds.places[p].lon for p in ids]
    if not lats:
        return [[29.0, 38.0], [37.5, 48.5]]
    pad_lat, pad_lon = 0.35, 0.45
    return [[round(min(lats) - pad_lat, 3), round(min(lons) - pad_lon, 3)],
            [round(max(lats) + pad_lat, 3), round(max(lons) + pad_lon, 3)]]


# ---------------------------------------------------------------------- styles

CSS = f"""
.leaflet-container {{ background: {SEA}; font-family: "Source Sans Pro", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }}
.pa-label-icon {{ background: none; border: none; }}
.leaflet-tooltip {{ font-size: 12px; line-height: 1.3; max-width: 340px; white-space: normal; width: max-content; }}
.pa-label {{ position: absolute; white-space: nowrap; font-size: 11px; line-height: 13px; color: {style.TEXT_COLOUR};
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; pointer-events: none; }}
.pa-label b {{ font-size: 12px; }}
.pa-label .pa-l-plan {{ font-style: italic; }}
.pa-label .pa-l-warn {{ color: {style.WARN_TEXT_COLOUR}; font-weight: 700; }}
.pa-leader {{ position: absolute; left: 0; top: 0; overflow: visible; pointer-events: none; }}
.pa-country {{ position: absolute; transform: translate(-50%, -50%); white-space: nowrap; font-size: 11px;
  letter-spacing: 0.18em; text-transform: uppercase; color: #8d8a82; font-weight: 600; pointer-events: none; }}
.pa-country.pa-focus {{ font-size: 13px; color: #77746c; }}
.pa-box {{ background: rgba(255,255,255,0.93); border: 1px solid #bbb; border-radius: 4px; padding: 6px 9px;
  color: {style.TEXT_COLOUR}; font-size: 12px; line-height: 1.3; box-shadow: 0 1px 3px rgba(0,0,0,0.2); }}
.pa-title {{ font-weight: 700; font-size: 15px; }}
.pa-subtitle {{ color: #555; font-size: 11px; }}
.pa-date {{ font-weight: 700; font-size: 20px; margin-top: 2px; }}
.pa-known {{ font-size: 12px; }}
.pa-stale {{ margin-top: 4px; padding: 3px 6px; border-left: 4px solid {style.CONFLICT_COLOUR}; background: #fff6e5;
  font-size: 11.5px; white-space: normal; }}
.pa-sources {{ max-width: 640px; font-size: 11px; white-space: normal; }}
.pa-marking {{ position: absolute; left: 50%; transform: translateX(-50%); z-index: 1000; background: rgba(255,255,255,0.95);
  border: 1px solid #444; padding: 1px 10px; font-weight: 700; font-size: 12px; letter-spacing: 0.06em;
  color: #111; pointer-events: none; white-space: nowrap; }}
.pa-marking.pa-top {{ top: 6px; }}
.pa-marking.pa-bottom {{ bottom: 4px; }}
.pa-head, .pa-legend {{ width: {PANEL_PX - 30}px; box-sizing: content-box; }}
.pa-legend {{ font-size: 10.5px; line-height: 1.15; }}
.pa-legend .pa-lg-h {{ font-weight: 700; margin: 3px 0 1px; }}
.pa-legend table {{ border-collapse: collapse; }}
.pa-legend td {{ padding: 0 3px 0 0; vertical-align: middle; }}
.pa-legend svg {{ display: block; }}
.pa-pop {{ font-size: 12px; max-width: 360px; }}
.pa-pop-title {{ font-weight: 700; font-size: 13px; }}
.pa-pop .pa-quote {{ display: block; font-style: italic; margin-top: 2px; }}
.pa-pop .pa-src {{ color: #444; }}
.pa-pop .pa-flag {{ color: {style.WARN_TEXT_COLOUR}; font-weight: 700; }}
.pa-pop .pa-claim {{ margin: 4px 0; }}
.pa-badge {{ display: inline-block; font-size: 10px; font-weight: 700; padding: 0 3px; border-radius: 3px; border: 1px solid #444; }}
.pa-badge.pa-plan {{ border-style: dashed; }}
.pa-badge.pa-report {{ background: #444; color: #fff; }}
.pa-chip {{ display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 3px; border: 1px solid #444; }}
"""

#: Briefing view: no zoom or layer buttons on the slide, and the map fills whatever frame
#: holds it (the dashboard sizes the streamlit-folium iframe to 16:9).
BRIEF_CSS = """
.leaflet-control-zoom, .leaflet-control-layers { display: none; }
html, body { margin: 0; height: 100%; overflow: hidden; }
#map_div { height: 100vh !important; width: 100vw !important; }
"""


# ------------------------------------------------------------------- base map

def _countries_geojson(ds: Dataset | None):
    from .basemap import load_countries

    gdf = load_countries()
    keep = ["name", "iso_a3", "label_lon", "label_lat", "geometry"]
    gdf = gdf[[c for c in keep if c in gdf.columns]]
    # 0.01 degree (about 1 km) is finer than a pixel at the zooms used, and halves the page.
    gdf = gdf.set_geometry(gdf.geometry.simplify(0.01, preserve_topology=True))
    return gdf, json.loads(gdf.to_json(drop_id=True))


def country_label_points(gdf, avoid: list[tuple[float, float]]) -> list[tuple[str, float, float]]:
    """Country name points, nudged off posture places so a name never sits under a marker."""
    out = []
    for _, row in gdf.iterrows():
        lon0, lat0 = float(row["label_lon"]), float(row["label_lat"])
        area = row.geometry.buffer(0.3)
        best = (lon0, lat0)
        candidates = [(lon0, lat0)] + [
            (lon0 + r * math.cos(math.radians(a)), lat0 + r * 0.8 * math.sin(math.radians(a)))
            for r in (0.9, 1.5, 2.2) for a in range(-90, 270, 45)]
        from shapely.geometry import Point

        for lon, lat in candidates:
            if not area.contains(Point(lon, lat)):
                continue
            if all(abs(lat - a) > 0.55 or abs(lon - b) > 1.6 for a, b in avoid):
                best = (lon, lat)
                break
        out.append((str(row["name"]), best[1], best[0]))
    return out


def base_map(ds: Dataset | None = None, *, online_tiles: bool = True, base_url_path: str = "",
             brief: bool = False, legend: bool = True) -> folium.Map:
    """The map that stays put while the date changes.

    Offline Natural Earth countries with their names, a scale bar, the legend and (with
    ``online_tiles``) OpenStreetMap, CARTO Positron and Esri imagery offered in a layer
    control but *not* added, so nothing is fetched until a user picks one. Deterministic:
    the same inputs give the same JavaScript, which is what lets streamlit-folium keep
    the map mounted across reruns.
    """
    bounds = posture_bounds(ds) if ds is not None else [[28.5, 36.0], [37.5, 48.7]]
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = OfflineMap(location=center, zoom_start=6, tiles=None, control_scale=True,
                   zoom_control="bottomright", zoomSnap=ZOOM_SNAP, zoomDelta=0.5,
                   base_url_path=base_url_path)
    m.add_child(_Css(CSS + (BRIEF_CSS if brief else "")))
    gdf, countries = _countries_geojson(ds)
    focus = sorted({p.country for p in ds.places.values()}) if ds is not None else ["IRQ", "SYR"]
    tiles = [dict(name=n, url=u, attr=a, max_zoom=z) for n, u, a, z in ONLINE_TILES] if online_tiles else []
    m.add_child(_Basemap(countries, focus, bounds, tiles))

    avoid = []
    if ds is not None:
        from .posture import posture

        avoid = [(ds.places[p].lat, ds.places[p].lon) for p in posture(ds).posture_places]
    names = folium.FeatureGroup(name="Country names", control=False)
    iso_by_name = dict(zip(gdf["name"], gdf["iso_a3"]))
    for name, lat, lon in country_label_points(gdf, avoid):
        cls = "pa-country pa-focus" if iso_by_name.get(name) in focus else "pa-country"
        names.add_child(Label((lat, lon), f'<div class="{cls}">{esc(name)}</div>', pane="paCountryNames"))
    m.add_child(names)
    if legend:
        m.add_child(_StaticControl(legend_html(), "topleft", "pa-box pa-legend"))
    return m


# ----------------------------------------------------------------- marker specs

@dataclass(frozen=True)
class MarkerSpec:
    """How one place or one group figure is drawn; pure data, rendered by
    :func:`posture_layers` and checked by the tests."""

    key: str                     # place id, or group id
    kind: str                    # figure | nofigure | member | withdrawn | group
    place_id: str                # the place a click selects (a group: its first member)
    name: str
    lat: float
    lon: float
    status: str | None
    basis: str | None
    colour: str
    radius: float                # outer edge of what is drawn, px
    inner: float | None          # certain-minimum disc, px
    outer: float | None          # maximum ring, px
    opacity: float
    dashed: bool
    imprecise: bool
    conflict: bool
    figure: str
    label_lines: tuple[str, ...]
    tooltip: str
    popup: str
    members: tuple[tuple[float, float], ...] = ()
    priority: float = 0.0


def short_name(name: str) -> str:
    """Map label form: 'Victory Base Complex / Baghdad …' -> 'Victory Base Complex'."""
    head = name.split(" / ")[0]
    if head.endswith(")") and " (" in head:
        head = head[: head.rindex(" (")]
    return head


def _age_note(age: int | None) -> str:
    if age is None:
        return ""
    return "current" if age <= style.FRESH_DAYS else f"{age_label(age)} old"


def marker_specs(snap, *, show_plans: bool = True, sources=None, places=None) -> list[MarkerSpec]:
    """One spec per place in the snapshot (claim in force or named by a movement) and one
    per group figure. ``sources``/``places`` (the dataset's dicts) enrich popups."""
    sources = sources or {s.id: s for s in snap.sources}
    places = places or {}
    specs: list[MarkerSpec] = []
    groups = {g.id: g for g in snap.groups}
    for ps in snap.places:
        if not show_plans and ps.basis == "plan":
            continue
        specs.append(_place_spec(ps, groups, sources, places))
    for g in snap.groups:
        if not show_plans and g.claim.basis == "plan":
            continue
        specs.append(_group_spec(g, snap, sources, places))
    # Big first: Leaflet draws in order, so small markers stay on top and clickable.
    specs.sort(key=lambda s: (-s.radius, s.key))
    return specs


def _place_spec(ps, groups, sources, places) -> MarkerSpec:
    place = ps.place
    fig_claim = getattr(ps, "figure_claim", ps.claim)
    status, basis = ps.status, ps.basis
    conflict = bool(ps.conflicts or ps.contradicted_by)
    age = ps.age_days
    inner = outer = None
    if ps.claim is None:
        # named by a source, but nothing said of it for this day yet
        kind, colour, radius = "noclaim", style.NO_FIGURE_COLOUR, style.NO_FIGURE_RADIUS_PX - 1.5
        figure = "nothing reported for this day"
    elif ps.group is not None:
        kind, colour, radius = "member", style.status_colour(status), style.NO_FIGURE_RADIUS_PX - 0.5
        figure = "in a group figure"
    elif status == "withdrawn" or ps.troops_max == 0:
        kind, colour, radius = "withdrawn", style.status_colour("withdrawn"), style.MIN_RADIUS_PX
        figure = ps.figure_text()
    elif ps.has_figure:
        kind, colour = "figure", style.status_colour(status)
        inner, outer = style.ring_radii(ps.troops_min, ps.troops_max)
        radius = outer or inner or style.MIN_RADIUS_PX
        figure = ps.figure_text()
        age = getattr(ps, "figure_age_days", age)
    else:
        kind, colour, radius = "nofigure", style.status_colour(status), style.NO_FIGURE_RADIUS_PX
        figure = ps.figure_text()
    opacity = style.age_opacity(age)
    # A sized marker draws the figure, so its dash follows the figure's claim: a planned
    # figure stays dashed even when a later report (with no figure) set the status.
    fig_basis = fig_claim.basis if kind == "figure" and fig_claim is not None else basis
    name = place.name
    label = short_name(name) + (" (whole country)" if place.precision == "country" else "")
    lines: list[str] = []
    if ps.claim is not None:
        if kind == "member":
            lines = [label]
        else:
            # "no figure" is said by the marker's shape; a withdrawal needs no figure
            shown = "" if figure == "no figure" else figure
            state_word = "withdrawn" if kind == "withdrawn" else style.status_label(status).lower()
            if kind == "figure" and fig_basis == "plan" and basis != "plan":
                shown += " (plan)"  # a planned figure beside a reported status: say which is which
            lines = [label, " · ".join(w for w in (shown, state_word) if w)]
            if basis == "plan":
                lines[1] += " (plan)"
        if conflict:
            lines.append("⚠ sources disagree" if ps.conflicts else "⚠ plan contradicted later")
    tip = [f"{figure}" + (f" ({fig_basis})" if kind == "figure" and fig_basis != basis else "")
           + f" — {style.status_label(status)}" + (f" ({basis})" if basis else "")]
    if ps.claim is not None:
        tip.append(f"claim dated {ps.claim.date.label()} ({_age_note(ps.age_days)})")
    if ps.group is not None and ps.group in groups:
        g = groups[ps.group]
        tip.append(f"shares one figure ({g.claim.figure_text()}) with " +
                   ", ".join(p.name for p in g.places if p.id != place.id))
    if place.imprecise:
        tip.append(f"location known only to the {place.precision}")
    if conflict:
        tip.append("⚠ sources disagree — see claim history" if ps.conflicts else "⚠ plan contradicted by later reporting")
    tip.append("click for the claim history")
    claims = []
    if ps.claim is not None:
        claims.append((ps.claim, "in force"))
        if fig_claim is not None and fig_claim is not ps.claim:
            claims.append((fig_claim, "figure in force"))
    claims += [(c, "conflicts") for c in ps.conflicts]
    claims += [(c, "contradicts this plan") for c in ps.contradicted_by]
    note = "No claim in force on this day." if ps.claim is None else ""
    pop = popup_html(name, claims, sources, places or None, note=note)
    return MarkerSpec(
        key=place.id, kind=kind, place_id=place.id, name=name, lat=place.lat, lon=place.lon,
        status=status, basis=basis, colour=colour, radius=radius, inner=inner, outer=outer,
        opacity=opacity, dashed=fig_basis == "plan", imprecise=place.imprecise, conflict=conflict,
        figure=figure, label_lines=tuple(lines), tooltip=place_tooltip(name, place.id, tip), popup=pop,
        priority=radius + (0 if ps.claim is not None else -50))


def _group_spec(g, snap, sources, places) -> MarkerSpec:
    lat = sum(p.lat for p in g.places) / len(g.places)
    lon = sum(p.lon for p in g.places) / len(g.places)
    inner, outer = style.ring_radii(g.troops_min, g.troops_max)
    radius = outer or inner or style.MIN_RADIUS_PX
    conflict = bool(g.conflicts or g.contradicted_by)
    names = " + ".join(short_name(p.name) for p in g.places)
    # " Air Base" dropped on the label only: three full names would not fit beside a marker
    label = " + ".join(short_name(p.name).removesuffix(" Air Base") for p in g.places)
    figure = g.claim.figure_text()
    second = f"one figure: {figure} · {style.status_label(g.claim.status).lower()}"
    if g.claim.basis == "plan":
        second += " (plan)"
    lines = [label, second]
    # A member with a figure of its own since is no longer joined to the group: the
    # group's words stand as stated, and the label says who has moved on.
    gone = g.superseded if g.current else ()
    if gone:
        lines.append("as stated; since reported separately: " + ", ".join(short_name(p.name) for p in gone))
    if conflict:
        lines.append("⚠ sources disagree" if g.conflicts else "⚠ plan contradicted later")
    tip = [f"{figure} at {names} together (one figure, never split)",
           f"{style.status_label(g.claim.status)} ({g.claim.basis}), claim dated {g.claim.date.label()} "
           f"({_age_note(g.age_days)})",
           "drawn at the middle of its places"]
    if conflict:
        tip.append("⚠ sources disagree" if g.conflicts else "⚠ plan contradicted by later reporting")
    claims = [(g.claim, "in force")] + [(c, "conflicts") for c in g.conflicts]
    claims += [(c, "contradicts this plan") for c in g.contradicted_by]
    pop = popup_html(f"{names} (one figure together)", claims, sources, places or None)
    return MarkerSpec(
        key=g.id, kind="group", place_id=g.places[0].id, name=names, lat=lat, lon=lon,
        status=g.claim.status, basis=g.claim.basis, colour=style.status_colour(g.claim.status),
        radius=radius, inner=inner, outer=outer, opacity=style.age_opacity(g.age_days),
        dashed=g.claim.basis == "plan", imprecise=any(p.imprecise for p in g.places),
        conflict=conflict, figure=figure, label_lines=tuple(lines),
        tooltip=place_tooltip(f"{names}", g.places[0].id, tip), popup=pop,
        members=tuple((p.lat, p.lon) for p in g.places if p not in gone), priority=radius + 100)


# ---------------------------------------------------------------- drawing

def _marker_shapes(spec: MarkerSpec, popups: bool) -> list[Shape]:
    """The circles of one marker, outermost first; the last one carries tooltip and popup."""
    op = spec.opacity
    # A figure for a whole region or country is an envelope, not a place: fill it
    # lightly so it does not read as one more base beside the bases it contains.
    fill_k = 0.45 if spec.imprecise else 1.0
    dash = style.PLAN_DASH if spec.dashed else None
    base = {"color": spec.colour, "weight": 2, "opacity": op, "dashArray": dash,
            "interactive": False, "lineCap": "butt"}
    shapes: list[Shape] = []
    loc = [spec.lat, spec.lon]
    if spec.imprecise:
        shapes.append(Shape("circleMarker", loc, {
            "radius": spec.radius + 7, "color": style.GROUP_COLOUR, "weight": 1.2, "opacity": 0.8 * op,
            "dashArray": IMPRECISE_DASH, "fill": False, "interactive": False}))
    if spec.conflict:
        shapes.append(Shape("circleMarker", loc, {
            "radius": spec.radius + 3.5, "color": style.CONFLICT_COLOUR, "weight": 3.5, "opacity": max(op, 0.8),
            "fill": False, "interactive": False}))
    cls = f"pa-marker pa-{spec.kind} pa-key-{spec.key.replace(':', '-').replace('+', '-')}"
    if spec.kind in ("figure", "group"):
        if spec.outer is not None and spec.inner is not None and spec.outer - spec.inner > 0.5:
            shapes.append(Shape("circleMarker", loc, dict(base, radius=spec.outer, fill=True,
                                                         fillColor=spec.colour, fillOpacity=FILL_RANGE * op * fill_k)))
            main = dict(base, radius=spec.inner, fill=True, fillColor=spec.colour,
                        fillOpacity=FILL_CERTAIN * op * fill_k, weight=1.5)
        elif spec.inner is None and spec.outer is not None:
            # "fewer than N": nothing certain, only the ceiling
            main = dict(base, radius=spec.outer, fill=True, fillColor=spec.colour,
                        fillOpacity=FILL_RANGE * op * fill_k)
        else:
            main = dict(base, radius=spec.radius, fill=True, fillColor=spec.colour,
                        fillOpacity=FILL_CERTAIN * op * fill_k)
    elif spec.kind == "withdrawn":
        main = dict(base, radius=spec.radius, color=style.GROUP_COLOUR, weight=1.5, fill=True,
                    fillColor=spec.colour, fillOpacity=0.9 * op)
    elif spec.kind == "member":
        main = dict(base, radius=spec.radius, color="#ffffff", weight=1.5, fill=True,
                    fillColor=spec.colour, fillOpacity=0.95 * op)
        if spec.dashed:  # a white dashed edge would vanish: keep the plan dash visible
            main.update(color=spec.colour, fillOpacity=0.55 * op, weight=2)
    elif spec.kind == "noclaim":
        main = dict(base, radius=spec.radius, weight=1.5, opacity=0.75, fill=True, fillColor="#ffffff",
                    fillOpacity=0.6)
    else:  # no figure: hollow, never sized
        main = dict(base, radius=spec.radius, weight=2.5, fill=True, fillColor="#ffffff", fillOpacity=0.9 * op)
    main.update(interactive=True, className=cls)
    shapes.append(Shape("circleMarker", loc, main, tooltip=spec.tooltip, popup=spec.popup if popups else None))
    return shapes


def _ppd(zoom: float, lat: float) -> float:
    """Screen pixels per degree of latitude near ``lat`` at ``zoom``."""
    return (_world_px(lat - 0.5, 0, zoom)[1] - _world_px(lat + 0.5, 0, zoom)[1])


def curve(lat0, lon0, lat1, lon1, bend: float, trim0_deg: float, trim1_deg: float, n: int = 20):
    """A gentle quadratic arc from origin to destination, trimmed at both ends so the
    arrow starts and stops at the markers' edges. Returns [(lat, lon), ...]."""
    k = math.cos(math.radians((lat0 + lat1) / 2))
    x0, y0, x1, y1 = lon0 * k, lat0, lon1 * k, lat1
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1e-9
    cx, cy = (x0 + x1) / 2 - dy * bend, (y0 + y1) / 2 + dx * bend
    t0 = min(0.4, trim0_deg / length)
    t1 = max(0.6, 1 - trim1_deg / length)
    pts = []
    for i in range(n + 1):
        t = t0 + (t1 - t0) * i / n
        x = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1
        y = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1
        pts.append((y, x / k))
    return pts


def _label_lines_html(lines: tuple[str, ...]) -> str:
    out = [f"<b>{esc(lines[0])}</b>"]
    for line in lines[1:]:
        cls = "pa-l-warn" if line.startswith("⚠") else ("pa-l-plan" if line.endswith("(plan)") else "")
        out.append(f'<br><span class="{cls}">{esc(line)}</span>')
    return "".join(out)


def posture_layers(snap, *, show_plans: bool = True, labels: bool = True, selected: str | None = None,
                   popups: bool = True, ds: Dataset | None = None,
                   arrow_zoom: float | None = None) -> list[folium.FeatureGroup]:
    """The posture on ``snap.on`` as feature groups: group joins, movements, places, labels.

    ``show_plans=False`` drops every plan (markers and arrows); give it a snapshot of
    :func:`reports_only` so places show their last *report* instead of nothing.
    ``selected`` rings one place. ``ds`` (optional) lets popups name group members.
    """
    # Arrow trims and heads are sized in pixels at the zoom the map opens at.
    zoom = arrow_zoom if arrow_zoom is not None else fit_zoom(posture_bounds(ds)) if ds else 6.25
    sources = dict(ds.sources) if ds is not None else None
    places = dict(ds.places) if ds is not None else None
    specs = marker_specs(snap, show_plans=show_plans, sources=sources, places=places)

    joins = folium.FeatureGroup(name="Group figures: places joined", control=False)
    moves = folium.FeatureGroup(name="Movements", control=False)
    marks = folium.FeatureGroup(name="Places", control=False)
    texts = folium.FeatureGroup(name="Labels", control=False)

    radius_at = {}
    for s in specs:
        if s.kind != "group":
            radius_at[(round(s.lat, 4), round(s.lon, 4))] = max(
                s.radius, radius_at.get((round(s.lat, 4), round(s.lon, 4)), 0))

    # points along lines, so labels prefer not to sit across an arrow or a join
    line_points: list[tuple[float, float]] = []
    for s in specs:
        if s.kind == "group":
            for mlat, mlon in s.members:
                line_points += [(s.lat + (mlat - s.lat) * t / 6, s.lon + (mlon - s.lon) * t / 6) for t in range(1, 6)]
                joins.add_child(Shape("polyline", [[s.lat, s.lon], [mlat, mlon]], {
                    "color": style.GROUP_COLOUR, "weight": 2, "opacity": 0.85 * max(s.opacity, 0.5),
                    "dashArray": GROUP_JOIN_DASH, "lineCap": "round", "interactive": False}))

    for i, ms in enumerate(snap.movements):
        m = ms.movement
        if not show_plans and m.basis == "plan":
            continue
        ppd = _ppd(zoom, (ms.origin.lat + ms.destination.lat) / 2)
        r0 = radius_at.get((round(ms.origin.lat, 4), round(ms.origin.lon, 4)), style.NO_FIGURE_RADIUS_PX)
        r1 = radius_at.get((round(ms.destination.lat, 4), round(ms.destination.lon, 4)), style.NO_FIGURE_RADIUS_PX)
        bend = 0.16 * (1 if i % 2 == 0 else -1) * (1 + 0.5 * (i // 2))
        pts = curve(ms.origin.lat, ms.origin.lon, ms.destination.lat, ms.destination.lon, bend,
                     (r0 + 3) / ppd, (r1 + 4) / ppd)
        plan = m.basis == "plan"
        src = ms.source
        tip = place_tooltip(f"{ms.origin.name} → {ms.destination.name}", ms.origin.id, [
            f"{m.figure_text()} — {m.basis}", f"{m.start.label()} – {m.end.label()}",
            f"{src.outlet}, {day_label(src.published)}"])
        pop = movement_popup(m, ms.origin, ms.destination, src)
        line_points += pts[1:-1:2]
        moves.add_child(Shape("polyline", [[round(a, 5), round(b, 5)] for a, b in pts], {
            "color": style.MOVEMENT_COLOUR, "weight": 3, "opacity": 0.95,
            "dashArray": style.PLAN_DASH if plan else None, "lineCap": "butt",
            "className": f"pa-move pa-move-{m.basis}"}, tooltip=tip, popup=pop))
        (la0, lo0), (la1, lo1) = pts[-3], pts[-1]
        head = style.arrow_head(lo0, la0, lo1, la1, size_deg=13 / ppd)
        moves.add_child(Shape("polygon", [[round(lat, 5), round(lon, 5)] for lon, lat in head], {
            "color": style.MOVEMENT_COLOUR, "weight": 1.5, "opacity": 1, "fill": True,
            "fillColor": "#ffffff" if plan else style.MOVEMENT_COLOUR, "fillOpacity": 1,
            "interactive": False, "className": "pa-arrowhead"}))
        if labels and (m.troops_min is not None or m.troops_max is not None):
            mid = pts[len(pts) // 2]
            texts.add_child(Label(mid, f'<div class="pa-label" style="left:4px;top:-7px">'
                                       f'{esc(m.figure_text())}{" (plan)" if plan else ""}</div>'))

    for s in specs:
        for shape in _marker_shapes(s, popups):
            marks.add_child(shape)
    if selected:
        for s in specs:
            if s.key == selected:
                marks.add_child(Shape("circleMarker", [s.lat, s.lon], {
                    "radius": s.radius + (11 if s.imprecise else 7), "color": "#000000", "weight": 2.5,
                    "fill": False, "interactive": False, "className": "pa-selected"}))

    if labels:
        items = [{"latlng": [s.lat, s.lon], "html": _label_lines_html(s.label_lines),
                  "priority": s.priority} for s in specs if s.label_lines]
        avoid = [{"latlng": [s.lat, s.lon], "radius": s.radius + (3.5 if s.conflict else 0)
                  + (7 if s.imprecise else 0)} for s in specs]
        avoid += [{"latlng": [round(a, 4), round(b, 4)], "radius": 3} for a, b in line_points]
        texts.add_child(LabelLayer(items, avoid))
    layers = [joins, moves, marks]
    if labels:
        layers.append(texts)
    return layers


# -------------------------------------------------------------------- overlays

def shown_sources(snap, show_plans: bool = True):
    """The sources behind what the map draws on this day, oldest first."""
    seen = {}
    for ps in snap.places:
        if ps.claim is None or (not show_plans and ps.basis == "plan"):
            continue
        for s in ps.sources:
            seen[s.id] = s
    for g in snap.groups:
        if show_plans or g.claim.basis != "plan":
            for s in g.sources:
                seen[s.id] = s
    for ms in snap.movements:
        if show_plans or ms.movement.basis != "plan":
            seen[ms.source.id] = ms.source
    return sorted(seen.values(), key=lambda s: (s.published, s.id))


#: A chosen day this far past the newest source gets the warning box; a few days' gap
#: is normal between reports and would only train users to ignore the box.
STALE_WARNING_DAYS = 14


def staleness_text(snap) -> str | None:
    """'No source published after 23 Feb 2026 — 9 months before the chosen date; …', or
    None while the chosen day is within STALE_WARNING_DAYS of the newest source known."""
    gap = snap.days_since_latest_source
    if gap is None or gap <= STALE_WARNING_DAYS:
        return None
    return (f"No source published after {day_label(snap.latest_published)} — "
            f"{age_label(gap)} before the chosen date; figures shown are the last claims known, plans included.")


def overlay_layer(snap, *, title: str = DEFAULT_TITLE, subtitle: str = DEFAULT_SUBTITLE,
                  marking: str | None = None, show_plans: bool = True) -> folium.FeatureGroup:
    """Title, dates, phase, data age, source line and marking, pinned to the map frame."""
    phase = f" · {snap.phase.name}" if snap.phase else ""
    known = f"as known on {day_label(snap.known_on)}{phase}"
    plans = "" if show_plans else " · plans hidden"
    head = [f'<div class="pa-title">{esc(title)}</div>']
    if subtitle:
        head.append(f'<div class="pa-subtitle">{esc(subtitle)}</div>')
    head.append(f'<div class="pa-date">{esc(day_label(snap.on))}</div>')
    head.append(f'<div class="pa-known">{esc(known + plans)}</div>')
    stale = staleness_text(snap)
    if stale:
        head.append(f'<div class="pa-stale">{esc(stale)}</div>')
    srcs = shown_sources(snap, show_plans)
    listed = " · ".join(f"{esc(s.outlet)} ({esc(day_label(s.published))})" for s in srcs)
    src_html = f"<b>Sources:</b> {listed}" if srcs else "<b>Sources:</b> none for this day"
    src_html += f". {esc(BASEMAP_CREDIT)}."
    boxes = [{"position": "topleft", "cls": "pa-box pa-head", "html": "".join(head), "first": True},
             {"position": "bottomleft", "cls": "pa-box pa-sources", "html": src_html}]
    if marking and marking.strip():
        for where in ("pa-top", "pa-bottom"):
            boxes.append({"position": "frame", "cls": f"pa-marking {where}", "html": esc(marking.strip())})
    fg = folium.FeatureGroup(name="Map notes", control=False)
    fg.add_child(MapNotes(boxes))
    return fg


def _svg(width: int, height: int, body: str) -> str:
    return f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}">{body}</svg>'


def legend_html() -> str:
    """The legend: status colours, size scale, range, plan/report, movement, group,
    precision, conflict and age. Built from :mod:`geo.style`, so it cannot drift from
    the markers."""
    c = style.STATUS_COLOURS["present"]
    rows = []
    for status, colour in style.STATUS_COLOURS.items():
        stroke = style.GROUP_COLOUR if status == "withdrawn" else colour
        rows.append((_svg(26, 12, f'<circle cx="13" cy="6" r="5" fill="{colour}" stroke="{stroke}" stroke-width="1.2"/>'),
                     style.status_label(status)))
    rows.append((_svg(26, 12, f'<circle cx="13" cy="6" r="4.5" fill="#fff" stroke="{style.NO_FIGURE_COLOUR}" '
                              f'stroke-width="2"/>'), "no figure given (not sized)"))

    sizes = style.LEGEND_SIZES
    h = int(2 * style.radius_px(max(sizes)) + 14)
    x, body = 2.0, ""
    for n in sizes:
        r = style.radius_px(n)
        body += (f'<circle cx="{x + r:.1f}" cy="{h - 12 - r:.1f}" r="{r:.1f}" fill="{c}" fill-opacity="{FILL_CERTAIN}" '
                 f'stroke="{c}"/><text x="{x + r:.1f}" y="{h - 1}" font-size="9.5" text-anchor="middle">{n:,}</text>')
        x += 2 * r + 12
    size_svg = _svg(int(x), h, body)

    r_in, r_out = style.radius_px(250), style.radius_px(350)
    mv = style.MOVEMENT_COLOUR
    g = style.GROUP_COLOUR
    symbols = [
        (_svg(26, 20, f'<circle cx="13" cy="10" r="{r_out:.1f}" fill="{c}" fill-opacity="{FILL_RANGE}" stroke="{c}" stroke-width="1.5"/>'
                      f'<circle cx="13" cy="10" r="{r_in:.1f}" fill="{c}" fill-opacity="{FILL_CERTAIN}" stroke="{c}"/>'),
         "range: core = min, ring = max"),
        (_svg(26, 12, f'<line x1="1" y1="6" x2="25" y2="6" stroke="{g}" stroke-width="2.5"/>'), "report (said to have happened)"),
        (_svg(26, 12, f'<line x1="1" y1="6" x2="25" y2="6" stroke="{g}" stroke-width="2.5" stroke-dasharray="{style.PLAN_DASH}"/>'),
         "plan (announced): dashed"),
        (_svg(26, 12, f'<line x1="1" y1="6" x2="17" y2="6" stroke="{mv}" stroke-width="3"/><polygon points="25,6 16,1.5 16,10.5" fill="{mv}"/>'),
         "movement, arrow = direction"),
        (_svg(26, 12, f'<line x1="2" y1="6" x2="24" y2="6" stroke="{g}" stroke-width="2" stroke-dasharray="{GROUP_JOIN_DASH}" '
                      f'stroke-linecap="round"/>'), "places sharing one figure"),
        (_svg(26, 22, f'<circle cx="13" cy="11" r="5" fill="{c}" fill-opacity="{FILL_CERTAIN * 0.45:.2f}" stroke="{c}"/>'
                      f'<circle cx="13" cy="11" r="10" fill="none" stroke="{g}" stroke-dasharray="{IMPRECISE_DASH}"/>'),
         "region/country: no exact place"),
        (_svg(26, 18, f'<circle cx="13" cy="9" r="4.5" fill="{c}" fill-opacity="{FILL_CERTAIN}" stroke="{c}"/>'
                      f'<circle cx="13" cy="9" r="7.5" fill="none" stroke="{style.CONFLICT_COLOUR}" stroke-width="3"/>'),
         "sources disagree / plan contradicted"),
        (_svg(26, 12, "".join(
            f'<circle cx="{4.5 + 8.5 * i}" cy="6" r="4" fill="{c}" fill-opacity="{FILL_CERTAIN * style.age_opacity(a):.2f}" '
            f'stroke="{c}" stroke-opacity="{style.age_opacity(a):.2f}"/>' for i, a in enumerate((0, 100, style.STALE_DAYS)))),
         f"figure age: new → {style.STALE_DAYS // 30}+ months"),
    ]
    table = "".join(f"<tr><td>{a}</td><td>{esc(b)}</td></tr>" for a, b in rows + symbols)
    return (f'<div class="pa-lg-h">Legend</div><table>{table}</table>'
            f'<div class="pa-lg-h">Troops (circle area)</div>{size_svg}')


# -------------------------------------------------------------------- together

def build_map(ds: Dataset, snap, *, show_plans: bool = True, labels: bool = True,
              title: str = DEFAULT_TITLE, subtitle: str = DEFAULT_SUBTITLE, marking: str | None = None,
              online_tiles: bool = False, selected: str | None = None, base_url_path: str = "",
              brief: bool = False) -> folium.Map:
    """One complete static map (base + posture + overlays), e.g. for the HTML export.

    With ``show_plans=False`` the posture is recomputed from :func:`reports_only` for
    the same day and "as known on" day. Online tiles are left out by default so the
    page fetches nothing.
    """
    if not show_plans:
        snap = snapshot(reports_only(ds), snap.on, snap.known_on)
    m = base_map(ds, online_tiles=online_tiles, base_url_path=base_url_path, brief=brief)
    for fg in posture_layers(snap, show_plans=show_plans, labels=labels, selected=selected, ds=ds):
        m.add_child(fg)
    m.add_child(overlay_layer(snap, title=title, subtitle=subtitle, marking=marking, show_plans=show_plans))
    return m


# ------------------------------------------------------------------ milestones

@dataclass(frozen=True)
class Milestone:
    day: dt.date
    label: str
    kind: str            # an event kind (announcement, handover, …) or "phase"


def milestones(ds: Dataset, known_on: dt.date | None = None) -> list[Milestone]:
    """Stops for the date slider: events whose source is known on ``known_on`` and the
    starts and ends of phases, in date order."""
    known = known_on or ds.latest_published
    out = [Milestone(e.date.start, e.label, e.kind) for e in ds.events
           if known is None or ds.sources[e.source].published <= known]
    for p in ds.phases:
        out.append(Milestone(p.start, f"{p.name} begins", "phase"))
        if p.end is not None:
            out.append(Milestone(p.end, f"{p.name} ends", "phase"))
    return sorted(set(out), key=lambda m: (m.day, m.kind != "phase", m.label))
