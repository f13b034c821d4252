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
import functools
import json
import math
from collections import Counter
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.elements import ElementAddToElement
from markupsafe import Markup

from . import style, symbology
from .assets import OfflineMap
from .dates import age_label
from .model import Dataset
from .posture import reports_only, snapshot  # noqa: F401  (reports_only re-exported)
from .textsafe import Template, js_json, js_json_parsed, literal  # |tojson that never lets a template delimiter through
from .popup import esc, place_tooltip, popup_html, movement_popup, day_label  # noqa: F401
from .popup import tooltip_from_parts, tooltip_parts  # noqa: F401  (re-exported)
from .symbology import MarkerSpec, curve, marker_specs, short_name  # noqa: F401  (re-exported)

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

# Basemap greys (geo.style), under the names the tests and the renderer know.
SEA, LAND, LAND_FOCUS, BORDER = style.SEA, style.LAND, style.LAND_FOCUS, style.BORDER

#: A typical map frame (px): arrow heads and arrow trims are sized in pixels at the zoom
#: Leaflet's fitBounds picks for it. Labels are placed in the browser (LabelLayer).
LAYOUT_FRAME_PX = (960, 640)
FIT_PADDING_PX = 20
PANEL_PX = 236                # left column: title box and legend
ZOOM_SNAP = 0.25
#: Above this many places the map draws its circles and lines on one canvas (Leaflet's
#: preferCanvas) instead of an SVG element each. At 1,000 places a date's ~2,600 SVG
#: paths were most of the browser's work in a slider step (issue 11); at the embedded
#: dataset's ~20 the SVG stays, and with it the DOM that tests and users inspect.
#: Tooltips and clicks work the same on both. The page says which it drew on in
#: data-pa-markers (see static/js/posture-atlas-map.js).
CANVAS_OVER_PLACES = 150
#: CSS selector (inside the map's frame) of a place marker drawn: an SVG path.pa-marker,
#: or the map container once data-pa-markers counts some on the canvas.
MARKER_DRAWN_SELECTOR = "path.pa-marker, .leaflet-container[data-pa-markers]:not([data-pa-markers='0'])"

GROUP_JOIN_DASH, IMPRECISE_DASH = style.GROUP_JOIN_DASH, style.IMPRECISE_DASH
FILL_CERTAIN, FILL_RANGE = style.FILL_CERTAIN, style.FILL_RANGE


# ---------------------------------------------------------------- small elements
# Small folium elements in the style of folium.plugins: one template each, values
# through tojson. folium's own Tooltip/Popup paste text into a JS template literal,
# and path_options() drops Leaflet options such as ``interactive``.

class _RenderedOnce:
    """Mixin for a branca element whose macros are rendered once: their output reaches
    the page as a literal (geo.textsafe.literal), where branca would compile it as a
    Jinja template a second time. Same text on the page (the values carry no template
    delimiter either way, see geo.textsafe); at scale that second pass over the marks'
    JSON cost more than drawing them."""

    def render(self, **kwargs):
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(literal(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Element(_RenderedOnce, MacroElement):
    """A geo map element (see :class:`_RenderedOnce`)."""

    def js(self, attr: str) -> Markup:
        """``self.<attr>|tojson`` (geo.textsafe.js_json), serialised once per element:
        streamlit-folium renders every layer's script twice per run, and at 1,000 places
        the marks' JSON is most of a rerun's rendering. A large value goes as
        ``JSON.parse('…')`` (geo.textsafe.js_json_parsed): the browser reads a new
        layer script on every date, and JSON text is read faster than literals."""
        cache = self.__dict__.setdefault("_js_cache", {})
        if attr not in cache:
            cache[attr] = Markup(js_json_parsed(getattr(self, attr)))
        return cache[attr]


class _AddTo(_RenderedOnce, ElementAddToElement):
    """folium's "addTo" script of a shown layer, rendered once."""


class Layer(_RenderedOnce, folium.FeatureGroup):
    """A folium FeatureGroup rendered once (:class:`_RenderedOnce`). folium's
    ``Layer.render`` adds the same "addTo" child when the layer is shown; this adds it
    rendered once too. Every date builds five of these, and streamlit-folium renders
    each one."""

    def render(self, **kwargs):
        if self.show:
            self.add_child(_AddTo(self.get_name(), self._parent.get_name()), name=self.get_name() + "_add")
        super().render(**kwargs)


class _Css(_Element):
    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
    """)

    def __init__(self, css: str):
        super().__init__()
        self._name = "pa_css"
        self.css = css  # our own constant CSS, never data


class Shape:
    """A Leaflet circleMarker, polyline or polygon with optional tooltip and popup: plain
    data, drawn in the browser by the :class:`Shapes` element of its layer."""

    KINDS = ("circleMarker", "polyline", "polygon")
    TOOLTIP_OPTIONS = {"sticky": True, "direction": "top", "opacity": 0.95}

    def __init__(self, kind: str, latlngs, options: dict, tooltip: str | None = None,
                 popup: str | None = None, tooltip_options: dict | None = None):
        if kind not in self.KINDS:
            raise ValueError(f"Shape kind {kind!r}; expected one of {self.KINDS}")
        self.kind = kind
        self.latlngs = latlngs
        self.options = options
        self.tooltip = tooltip
        self.popup = popup
        self.tooltip_options = tooltip_options

    def data(self) -> dict:
        """What ``PostureAtlas.drawShapes`` reads: kind, latlngs, options, and tooltip
        (with its options when they are not the default) and popup when there are."""
        out = {"kind": self.kind, "latlngs": self.latlngs, "options": self.options}
        if self.tooltip:
            out["tooltip"] = self.tooltip
            if self.tooltip_options and self.tooltip_options != self.TOOLTIP_OPTIONS:
                out["tooltip_options"] = self.tooltip_options
        if self.popup:
            out["popup"] = self.popup
        return out


def shared_part(shapes: list[dict]) -> tuple[dict, list[dict]]:
    """``shapes`` (:meth:`Shape.data`) as what they share and what each adds: ({kind,
    options}, rows). ``common["kind"]`` is the most frequent kind; ``common["options"]``
    holds, for each option every shape has, its most frequent value (when two or more
    shapes have it). A row leaves out its kind and the options equal to the common ones;
    ``{**common["options"], **row["options"]}`` gives back its options exactly, because
    only options that every shape has are shared.

    At 1,000 places most of a marker's options (lineCap, dashArray, interactive, fill,
    the stroke colour) repeat, and the layer's JSON is re-sent on every date.

    >>> shared_part([{"kind": "circleMarker", "latlngs": [1, 2], "options": {"a": 1, "b": 2}},
    ...              {"kind": "circleMarker", "latlngs": [3, 4], "options": {"a": 1, "b": 3}}])
    ({'kind': 'circleMarker', 'options': {'a': 1}}, [{'latlngs': [1, 2], 'options': {'b': 2}}, {'latlngs': [3, 4], 'options': {'b': 3}}])
    """
    if not shapes:
        return {"kind": None, "options": {}}, []
    kinds = Counter(sh["kind"] for sh in shapes)
    kind = kinds.most_common(1)[0][0]
    everywhere = set(shapes[0]["options"]).intersection(*(sh["options"] for sh in shapes[1:]))
    options = {}
    for key in sorted(everywhere):
        try:
            value, n = Counter(sh["options"][key] for sh in shapes).most_common(1)[0]
        except TypeError:   # an unhashable value (a list): not shared
            continue
        if n >= 2:
            options[key] = value
    rows = []
    for sh in shapes:
        row = {k: v for k, v in sh.items() if k != "kind" and k != "options"}
        if sh["kind"] != kind:
            row["kind"] = sh["kind"]
        own = {k: v for k, v in sh["options"].items()
               if k not in options or options[k] != v or type(options[k]) is not type(v)}
        row["options"] = own
        rows.append(row)
    return {"kind": kind, "options": options}, rows


def _tooltip_as_parts(row: dict) -> dict:
    tooltip = row.get("tooltip")
    parts = tooltip_parts(tooltip) if tooltip else None
    if parts is None:
        return row
    out = {k: v for k, v in row.items() if k != "tooltip"}
    out["tip"] = parts
    return out


class Shapes(_Element):
    """Every shape of one layer in one element, drawn by ``PostureAtlas.drawShapes``
    (``static/js/posture-atlas-map.js``) in list order, each as ``L.<kind>(latlngs,
    options)`` with its tooltip and popup bound. The JSON sent is :func:`shared_part`:
    what the shapes share once, then what each adds; a place tooltip goes as its parts
    (:func:`tooltip_parts`), which ``drawShapes`` puts back together.

    One element per layer instead of one per shape: branca compiles a Jinja template for
    every element it renders, which at 1,000 places cost seconds per date; the browser
    draws the same marks in the same order either way.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            PostureAtlas.drawShapes({{ this._parent.get_name() }}, {{ this.js('common') }}, {{ this.js('rows') }});
        {% endmacro %}
    """)

    def __init__(self, shapes: list[Shape]):
        super().__init__()
        self._name = "pa_shapes"
        self.shapes = [sh.data() for sh in shapes]   # each in full, as drawn
        self.common, rows = shared_part(self.shapes)
        self.rows = [_tooltip_as_parts(row) for row in rows]


class Labels(_Element):
    """HTML texts on the map at points (the country names): non-interactive divIcons
    (clicks pass through), one element for all, drawn by ``PostureAtlas.drawLabels``.
    ``items``: {latlng, html (escaped)}."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            PostureAtlas.drawLabels({{ this._parent.get_name() }}, {{ this.items|tojson }},
                {{ this.class_name|tojson }}, {{ this.pane|tojson }});
        {% endmacro %}
    """)

    def __init__(self, items: list[dict], class_name: str = "pa-label-icon", pane: str | None = None):
        super().__init__()
        self._name = "pa_labels_static"
        self.items = [{"latlng": [round(it["latlng"][0], 5), round(it["latlng"][1], 5)], "html": it["html"]}
                      for it in items]
        self.class_name = class_name
        self.pane = pane


#: The half-size (px) of a point along an arrow or a join that labels prefer to keep off.
LINE_POINT_RADIUS_PX = 3


class LabelLayer(_Element):
    """Permanent labels placed in the browser, beside their markers, clear of each other.

    Placement needs the real pixel positions, which depend on the frame size and the
    zoom the user picks, so it runs in Leaflet (``PostureAtlas.LabelLayer`` in
    ``static/js/posture-atlas-map.js``): greedy, highest priority first, over 8
    directions at growing distances around each of the label's own markers. The rules
    it keeps are written out in that file ("Placement rules"): a label is nearest its
    own marker or has a leader to it; a label set off its marker has a leader; leaders
    cross no leader, label or other marker; a group's label sits by one of its members;
    nothing covers a label, a marker, a country name or a control; where no spot keeps
    them all, a numbered callout and the key. ``items``: {latlng, html (escaped),
    priority, quiet, area, own: [[lat, lon, outer radius px], ...] (the markers it
    belongs to), keys: their css keys}; ``avoid``: what labels keep clear of, {marks:
    [[lat, lon, outer radius px, css key], ...] (the markers' circles), dots: [[lat,
    lon], ...] (points along arrows and joins, a spot over one is only dearer),
    dotRadius: px}.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new PostureAtlas.LabelLayer(
                {{ this.js('items') }}, {{ this.js('avoid') }}, {{ this.options|tojson }});
            {{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, items: list[dict], avoid: dict):
        super().__init__()
        self._name = "pa_labels"
        self.items = items
        self.avoid = avoid
        self.options = {"leaderColour": style.GROUP_COLOUR}


class MapNotes(_Element):
    """Boxes pinned to the map frame (title/date, source line, marking) that come and go
    with the layer holding them, so they update with the posture layers
    (``PostureAtlas.MapNotes`` in ``static/js/posture-atlas-map.js``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new PostureAtlas.MapNotes({{ this.boxes|tojson }});
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


class _StaticControl(_Element):
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


class _Basemap(_Element):
    """Country polygons in their own panes under the posture, an empty offline base
    layer, and the online tile layers offered (not added) in a layer control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var map = {{ this._parent.get_name() }};
            map.createPane("paLand").style.zIndex = 250;
            map.createPane("paCountryNames").style.zIndex = 350;
            map.getPane("paCountryNames").style.pointerEvents = "none";
            var focus = {{ this.focus|tojson }};
            var {{ this.get_name() }} = L.geoJSON({{ this.countries_json }}, {
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
            {% if this.view %}
            map.setView({{ this.view[:2]|tojson }}, {{ this.view[2]|tojson }}, {animate: false});
            {% else %}
            map.fitBounds({{ this.bounds|tojson }}, {paddingTopLeft: {{ this.pad_tl|tojson }},
                                                     paddingBottomRight: {{ this.pad_br|tojson }},
                                                     animate: false});
            {% endif %}
            PostureAtlas.reportView(map);
        {% endmacro %}
    """)

    def __init__(self, countries: dict, focus: list[str], bounds, tiles: list[dict], view=None):
        super().__init__()
        self._name = "pa_basemap"
        self.countries = countries
        # js_json (what |tojson is) of the same countries, serialised once per process
        self.countries_json = _countries_js() if countries is _countries()[1] else Markup(js_json(countries))
        self.focus = focus
        self.bounds = bounds
        self.tiles = tiles
        self.view = [float(v) for v in view] if view else None
        # title box on the left, legend on the right: the places fit between them, and
        # the fitted extent is centred so the first zoom-in keeps the middle of the story
        self.pad_tl = [PANEL_PX + FIT_PADDING_PX, FIT_PADDING_PX]
        self.pad_br = [PANEL_PX + FIT_PADDING_PX, FIT_PADDING_PX + 30]
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
    zx = math.log2((frame_px[0] - 2 * PANEL_PX - 2 * padding) / max(x1 - x0, 1e-9))
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

_FONT_CSS = ", ".join(f'"{f}"' if " " in f else f for f in style.FONT_STACK)
_ROLE_CSS = "\n".join(
    f".pa-label .pa-l-{role} {{ font-size: {size}px; font-weight: {700 if bold else 400}; "
    f"font-style: {'italic' if italic else 'normal'}; color: {colour}; }}"
    for role, (size, bold, italic, colour) in style.LABEL_ROLES.items())

CSS = f"""
.leaflet-container {{ background: {SEA}; font-family: {_FONT_CSS}; }}
.pa-label-icon {{ background: none; border: none; }}
.leaflet-tooltip {{ font-size: 12px; line-height: 1.3; max-width: 340px; white-space: normal; width: max-content; }}
.pa-label {{ position: absolute; white-space: nowrap; font-size: 11px; line-height: 13px; color: {style.TEXT_COLOUR};
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; pointer-events: none; }}
{_ROLE_CSS}
.pa-leader {{ position: absolute; left: 0; top: 0; overflow: visible; pointer-events: none; }}
.pa-country {{ position: absolute; transform: translate(-50%, -50%); white-space: nowrap; font-size: 11px;
  letter-spacing: 0.18em; text-transform: uppercase; color: {style.COUNTRY_TEXT}; font-weight: 600; pointer-events: none; }}
.pa-country.pa-focus {{ font-size: 13px; color: {style.COUNTRY_TEXT_FOCUS}; }}
.pa-box {{ background: rgba(255,255,255,0.93); border: 1px solid #bbb; border-radius: 4px; padding: 6px 9px;
  color: {style.TEXT_COLOUR}; font-size: 12px; line-height: 1.3; box-shadow: 0 1px 3px rgba(0,0,0,0.2); }}
.pa-title {{ font-weight: 700; font-size: 15px; }}
.pa-subtitle {{ color: #555; font-size: 11px; }}
.pa-date {{ font-weight: 700; font-size: 20px; margin-top: 2px; }}
.pa-known {{ font-size: 12px; }}
.pa-chunk {{ display: inline-block; }}
.pa-stale {{ margin-top: 4px; padding: 3px 6px; border-left: 4px solid {style.CONFLICT_COLOUR}; background: #fff6e5;
  font-size: 11.5px; white-space: normal; }}
.pa-sources {{ max-width: 640px; font-size: 11px; white-space: normal; }}
.pa-marking {{ position: absolute; left: 50%; transform: translateX(-50%); z-index: 1000; background: rgba(255,255,255,0.95);
  border: 1px solid #444; padding: 1px 10px; font-weight: 700; font-size: 12px; letter-spacing: 0.06em;
  color: #111; pointer-events: none; white-space: nowrap; }}
.pa-marking.pa-top {{ top: 6px; }}
.pa-marking.pa-bottom {{ bottom: 4px; }}
.pa-head, .pa-legend {{ width: {PANEL_PX - 30}px; box-sizing: content-box; }}
.pa-legend {{ font-size: 10.5px; line-height: 1.15; background: {style.LEGEND_BACKGROUND}; }}
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
html, body {{ margin: 0; height: 100%; overflow: hidden; }}
#map_div, .folium-map {{ height: 100vh !important; width: 100vw !important; }}
.pa-label-area {{ background: #fff; border: 1px solid {style.AREA_BOX_EDGE}; padding: 2px 5px; text-shadow: none; }}
.pa-callout {{ display: inline-block; min-width: 15px; padding: 0 3px; border: 1px solid {style.TEXT_COLOUR}; background: #fff;
  font-weight: 700; font-size: 11px; line-height: 15px; text-align: center; text-shadow: none; }}
.pa-callout-key {{ width: {PANEL_PX - 30}px; font-size: 11px; white-space: normal; }}
.pa-callout-row {{ margin: 1px 0; }}
/* the legend's callout row only while the map has numbered callouts (LabelLayer sets the count) */
.leaflet-container:not([data-pa-callouts]) .pa-lg-row[data-key="callout"],
.leaflet-container[data-pa-callouts="0"] .pa-lg-row[data-key="callout"] {{ display: none; }}
.pa-callout-row .pa-label, .pa-callout-key span[class^="pa-l-"] {{ font-size: 11px; }}
.pa-projection {{ position: absolute; left: 50%; top: 30px; transform: translateX(-50%); z-index: 1001;
  background: {style.PROJECTION_COLOUR}; color: #fff; font-weight: 700; font-size: 13px; letter-spacing: 0.04em;
  padding: 3px 12px; pointer-events: none; white-space: nowrap; }}
.pa-projection-frame {{ position: absolute; inset: 0; border: 5px solid {style.PROJECTION_COLOUR}; z-index: 1000;
  pointer-events: none; }}
.pa-chip {{ display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 3px; border: 1px solid #444; }}
"""

#: Briefing view: no zoom or layer buttons on the slide, and the map fills whatever frame
#: holds it (the dashboard sizes the streamlit-folium iframe to 16:9).
BRIEF_CSS = """
.leaflet-control-zoom, .leaflet-control-layers { display: none; }
"""


# ------------------------------------------------------------------- base map

@functools.lru_cache(maxsize=1)
def _countries():
    """The basemap's countries (GeoDataFrame, GeoJSON dict), read and simplified once per
    process: they never change, and building them took half a second on every rerun.
    Callers must not modify either."""
    from .basemap import load_countries

    gdf = load_countries()
    keep = ["name", "iso_a3", "label_lon", "label_lat", "geometry"]
    gdf = gdf[[c for c in keep if c in gdf.columns]]
    # 0.01 degree (about 1 km) is finer than a pixel at the zooms used, and halves the page.
    gdf = gdf.set_geometry(gdf.geometry.simplify(0.01, preserve_topology=True))
    return gdf, json.loads(gdf.to_json(drop_id=True))


@functools.lru_cache(maxsize=1)
def _countries_js() -> Markup:
    """The countries' GeoJSON as geo.textsafe.js_json writes it (the map's |tojson), once."""
    return Markup(js_json(_countries()[1]))


@functools.lru_cache(maxsize=8)
def _country_label_points(avoid: tuple[tuple[float, float], ...]) -> tuple[tuple[str, float, float], ...]:
    """:func:`country_label_points` of the basemap's countries, once per set of places."""
    return tuple(country_label_points(_countries()[0], list(avoid)))


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


def draws_on_canvas(ds: Dataset | None) -> bool:
    """Whether :func:`base_map` draws the marks of ``ds`` on a canvas
    (:data:`CANVAS_OVER_PLACES`)."""
    return ds is not None and len(ds.places) > CANVAS_OVER_PLACES


def base_map(ds: Dataset | None = None, *, online_tiles: bool = True, base_url_path: str = "",
             brief: bool = False, legend: bool = True,
             view: tuple[float, float, float] | None = None) -> folium.Map:
    """The map that stays put while the date changes.

    Offline Natural Earth countries with their names, a scale bar, the legend and (with
    ``online_tiles``) OpenStreetMap, CARTO Positron and Esri imagery offered in a layer
    control but *not* added, so nothing is fetched until a user picks one. ``view``
    (latitude, longitude, zoom) opens that extent instead of the fitted one (a shared
    link's ``view=``). Deterministic:
    the same inputs give the same JavaScript, which is what lets streamlit-folium keep
    the map mounted across reruns.
    """
    bounds = posture_bounds(ds) if ds is not None else [[28.5, 36.0], [37.5, 48.7]]
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = OfflineMap(location=center, zoom_start=6, tiles=None, control_scale=True,
                   zoom_control="bottomright", zoomSnap=ZOOM_SNAP, zoomDelta=0.5,
                   base_url_path=base_url_path, prefer_canvas=draws_on_canvas(ds))
    m.add_child(_Css(CSS + (BRIEF_CSS if brief else "")))
    gdf, countries = _countries()   # the same for every dataset
    focus = sorted({p.country for p in ds.places.values()}) if ds is not None else ["IRQ", "SYR"]
    tiles = [dict(name=n, url=u, attr=a, max_zoom=z) for n, u, a, z in ONLINE_TILES] if online_tiles else []
    m.add_child(_Basemap(countries, focus, bounds, tiles, view))

    avoid = []
    if ds is not None:
        from .posture import posture

        avoid = [(ds.places[p].lat, ds.places[p].lon) for p in posture(ds).posture_places]
    names = Layer(name="Country names", control=False)
    iso_by_name = dict(zip(gdf["name"], gdf["iso_a3"]))
    items = []
    for name, lat, lon in _country_label_points(tuple(avoid)):
        cls = "pa-country pa-focus" if iso_by_name.get(name) in focus else "pa-country"
        items.append({"latlng": (lat, lon), "html": f'<div class="{cls}">{esc(name)}</div>'})
    names.add_child(Labels(items, pane="paCountryNames"))
    m.add_child(names)
    if legend:
        m.add_child(_StaticControl(legend_html(), "topright", "pa-box pa-legend"))
    return m


# ------------------------------------------------------------------ drawing
# What is drawn is decided by geo.symbology; this module only translates its marks.

def _disc_options(d: symbology.Disc) -> dict:
    """A symbology Disc as Leaflet circleMarker options (the radius to 0.01 px and the
    opacities to 0.001: the screen draws no finer, and each digit is sent for every
    marker on every date; an opacity that is a product of two factors would otherwise
    go out as ``0.23399999999999999``)."""
    opts = {"radius": round(d.radius, 2), "color": d.stroke, "weight": d.weight, "opacity": round(d.opacity, 3),
            "dashArray": d.dash, "lineCap": "butt", "interactive": False,
            "fill": d.fill is not None}
    if d.fill is not None:
        opts.update(fillColor=d.fill, fillOpacity=round(d.fill_opacity, 3))
    return opts


def css_key(key: str) -> str:
    """A marker key as it appears in class names and in a label's data-pa-for."""
    return key.replace(":", "-").replace("+", "-")


def _markers_at(specs: list[MarkerSpec]) -> dict:
    """(lat, lon) rounded to 4 decimals -> the marker drawn there (group figures draw none)."""
    return {(round(m.lat, 4), round(m.lon, 4)): m for m in specs if m.kind != "group"}


def _label_item(s: MarkerSpec, at: dict) -> dict:
    """One label for the browser's placer: its words and the markers it belongs to
    (``own``: [lat, lon, outer radius px]; a group figure: each member's marker), so
    the placer can keep it nearest its own and lead a line back to it. ``at``:
    :func:`_markers_at` of the map's markers, worked out once for all its labels."""
    if s.kind == "group":
        mine = [at[(round(la, 4), round(lo, 4))] for la, lo in s.members if (round(la, 4), round(lo, 4)) in at]
        own = [[m.lat, m.lon, symbology.outer_radius(m)] for m in mine] or [[s.lat, s.lon, 0.0]]
        keys = [css_key(m.key) for m in mine]
    else:
        own, keys = [[s.lat, s.lon, symbology.outer_radius(s)]], [css_key(s.key)]
    return {"latlng": [s.lat, s.lon], "html": label_html(s.label_parts), "priority": s.priority,
            "quiet": s.kind == "noclaim", "area": s.kind == "area", "own": own, "keys": keys}


def _marker_shapes(spec: MarkerSpec, popups: bool) -> list[Shape]:
    """The circles of one marker, outermost first; the last one carries tooltip and popup."""
    discs = symbology.marker_marks(spec)
    if not discs:   # a group figure: its members carry the markers (and the clicks)
        return []
    loc = [spec.lat, spec.lon]
    shapes = [Shape("circleMarker", loc, _disc_options(d)) for d in discs[:-1]]
    main = _disc_options(discs[-1])
    cls = f"pa-marker pa-{spec.kind} pa-key-{css_key(spec.key)}"
    main.update(interactive=True, className=cls)
    shapes.append(Shape("circleMarker", loc, main, tooltip=spec.tooltip, popup=spec.popup if popups else None))
    return shapes


def _ppd(zoom: float, lat: float) -> float:
    """Screen pixels per degree of latitude near ``lat`` at ``zoom``."""
    return (_world_px(lat - 0.5, 0, zoom)[1] - _world_px(lat + 0.5, 0, zoom)[1])


#: label part role -> CSS class (geo.style.LABEL_ROLES gives the look)
ROLE_CLASS = {role: f"pa-l-{role}" for role in style.LABEL_ROLES}


def label_html(parts) -> str:
    """(text, role) label parts as escaped HTML, one line each."""
    return "<br>".join(f'<span class="{ROLE_CLASS[role]}">{esc(text)}</span>' for text, role in parts)


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
    specs = marker_specs(snap, show_plans=show_plans, sources=sources, places=places, popups=popups)
    moves_shown = [ms for ms in snap.movements if show_plans or ms.movement.basis != "plan"]
    arrows = symbology.movement_marks(moves_shown, specs, lambda lat: _ppd(zoom, lat), snap.movements)

    joins = Layer(name="Group figures: places joined", control=False)
    moves = Layer(name="Movements", control=False)
    marks = Layer(name="Places", control=False)
    texts = Layer(name="Labels", control=False)
    join_shapes: list[Shape] = []
    move_shapes: list[Shape] = []
    mark_shapes: list[Shape] = []

    # points along lines, so labels prefer not to sit across an arrow or a join
    line_points: list[tuple[float, float]] = []
    for ln in symbology.join_marks(specs):
        (la0, lo0), (la1, lo1) = ln.points
        line_points += [(la0 + (la1 - la0) * t / 6, lo0 + (lo1 - lo0) * t / 6) for t in range(1, 6)]
        join_shapes.append(Shape("polyline", [list(p) for p in ln.points], {
            "color": ln.colour, "weight": ln.weight, "opacity": round(ln.opacity, 3),
            "dashArray": ln.dash, "lineCap": ln.cap, "interactive": False}))

    by_id = {ms.movement.id: ms for ms in moves_shown}
    for ar in arrows:
        ms = by_id[ar.key]
        m, src = ms.movement, ms.source
        tip = place_tooltip(f"{ms.origin.name} → {ms.destination.name}", ms.origin.id, [
            f"{m.figure_text()} — {m.basis}", f"{m.start.label()} – {m.end.label()}",
            f"{src.outlet}, {day_label(src.published)}"])
        pop = movement_popup(m, ms.origin, ms.destination, src)
        line_points += list(ar.path[1:-1:2])
        move_shapes.append(Shape("polyline", [[round(a, 5), round(b, 5)] for a, b in ar.path], {
            "color": ar.colour, "weight": ar.weight, "opacity": 0.95,
            "dashArray": ar.dash, "lineCap": "butt",
            "className": f"pa-move pa-move-{m.basis}"}, tooltip=tip, popup=pop))
        move_shapes.append(Shape("polygon", [[round(lat, 5), round(lon, 5)] for lat, lon in ar.head], {
            "color": ar.colour, "weight": style.MOVE_HEAD_WEIGHT_PX, "opacity": 1, "fill": True,
            "fillColor": ar.head_fill, "fillOpacity": 1,
            "interactive": False, "className": "pa-arrowhead"}))

    for s in specs:
        mark_shapes += _marker_shapes(s, popups)
    if selected:
        for s in specs:
            if s.key == selected:
                mark_shapes.append(Shape("circleMarker", [s.lat, s.lon], _disc_options(symbology.selected_mark(s))
                                      | {"className": "pa-selected"}))

    for group, shapes in ((joins, join_shapes), (moves, move_shapes), (marks, mark_shapes)):
        if shapes:
            group.add_child(Shapes(shapes))

    if labels:
        # (priority, marker or arrow) of every label; the items are built for the ones kept
        wanted: list[tuple[int, object]] = [(s.priority, s) for s in specs if s.label_parts]
        wanted += [(20, ar) for ar in arrows if ar.label]
        if len(wanted) > style.LIVE_LABEL_LIMIT:
            # The browser places labels greedily against every placed one: beyond a few
            # hundred it takes seconds per step. Keep the most important (areas, the
            # largest figures) and the selected place; the rest keep their tooltips.
            ranked = sorted(wanted, key=lambda w: -w[0])   # stable: ties keep their order
            keep = ranked[:style.LIVE_LABEL_LIMIT]
            kept = {id(w[1]) for w in keep}
            keep += [w for w in wanted if isinstance(w[1], MarkerSpec) and w[1].key == selected
                     and id(w[1]) not in kept]
            wanted = keep
        at = _markers_at(specs)
        items = []
        for _priority, w in wanted:
            if isinstance(w, MarkerSpec):
                items.append(_label_item(w, at))
            else:
                mid = w.path[len(w.path) // 2]
                pt = [round(mid[0], 5), round(mid[1], 5)]
                items.append({"latlng": pt, "html": label_html(w.label), "priority": 20, "quiet": False,
                              "own": [pt + [0.0]], "keys": []})   # it belongs to its arrow's midpoint
        # rows, not objects: at 1,000 places some 2,500 of them go to the browser each day
        avoid = {"marks": [[s.lat, s.lon, symbology.outer_radius(s), css_key(s.key)]
                           for s in specs if s.kind != "group"],   # a group figure draws no circle of its own
                 "dots": [[round(a, 4), round(b, 4)] for a, b in line_points],
                 "dotRadius": LINE_POINT_RADIUS_PX}
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


#: Up to this many sources the source line names each, with its date; past it (a region
#: followed over years: hundreds on one day, a box over half the map) it counts them by
#: outlet, the most cited first, and names at most SOURCE_LINE_OUTLETS of them. Each
#: marker's tooltip, popup and the Sources page still name every source.
SOURCE_LINE_LIMIT = 20
SOURCE_LINE_OUTLETS = 8


def source_line_text(srcs) -> str:
    """The words after "Sources:" for ``srcs`` (oldest first, as :func:`shown_sources`),
    plain text: 'Outlet (18 Aug 2025) · …', or past :data:`SOURCE_LINE_LIMIT`
    '412 sources from 9 outlets, 3 Jan 2014 – 31 Dec 2025: Outlet (94) · … · 1 more
    outlet'. The live map and the briefing image both use it (escaped for HTML there)."""
    if not srcs:
        return "none for this day"
    if len(srcs) <= SOURCE_LINE_LIMIT:
        return " · ".join(f"{s.outlet} ({day_label(s.published)})" for s in srcs)
    counts: dict[str, int] = {}
    for s in srcs:
        counts[s.outlet] = counts.get(s.outlet, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    named = [f"{outlet} ({n:,})" for outlet, n in ranked[:SOURCE_LINE_OUTLETS]]
    rest = len(ranked) - len(named)
    if rest:
        named.append(f"{rest:,} more outlet{'s' if rest > 1 else ''}")
    span = f"{day_label(srcs[0].published)} – {day_label(srcs[-1].published)}"
    return (f"{len(srcs):,} sources from {len(ranked):,} outlet{'s' if len(ranked) > 1 else ''}, "
            f"{span}: " + " · ".join(named))


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
    known = [f"as known on {day_label(snap.known_on)}"]
    if snap.phase:
        known.append(snap.phase.name)
    if not show_plans:
        known.append("plans hidden")
    head = [f'<div class="pa-title">{esc(title)}</div>']
    if subtitle:
        head.append(f'<div class="pa-subtitle">{esc(subtitle)}</div>')
    head.append(f'<div class="pa-date">{esc(day_label(snap.on))}</div>')
    # Each part is kept whole: a narrow box breaks the line only after a " · ", never
    # inside a date or a phase's name (a lone "2" under "Phase" misreads on a slide).
    head.append('<div class="pa-known">' + "\u00a0· ".join(
        f'<span class="pa-chunk">{esc(part)}</span>' for part in known) + "</div>")
    stale = staleness_text(snap)
    if stale:
        head.append(f'<div class="pa-stale">{esc(stale)}</div>')
    src_html = f"<b>Sources:</b> {esc(source_line_text(shown_sources(snap, show_plans)))}. {esc(BASEMAP_CREDIT)}."
    boxes = [{"position": "topleft", "cls": "pa-box pa-head", "html": "".join(head), "first": True},
             {"position": "bottomleft", "cls": "pa-box pa-sources", "html": src_html}]
    if getattr(snap, "as_planned", False):
        # projection mode: a banner and a frame no screenshot can crop away
        boxes.append({"position": "frame", "cls": "pa-projection", "html": esc(style.PROJECTION_TEXT)})
        boxes.append({"position": "frame", "cls": "pa-projection-frame", "html": ""})
    if marking and marking.strip():
        for where in ("pa-top", "pa-bottom"):
            boxes.append({"position": "frame", "cls": f"pa-marking {where}", "html": esc(marking.strip())})
    fg = Layer(name="Map notes", control=False)
    fg.add_child(MapNotes(boxes))
    return fg


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def mark_svg(row: symbology.LegendRow) -> str:
    """A legend row's symbol as a small inline SVG (the same marks the map draws)."""
    w, h = row.size
    body = []
    for k, m in enumerate(row.symbol):
        if isinstance(m, symbology.Disc):
            cx, cy = row.centres[k]
            fill = f'fill="{m.fill}" fill-opacity="{_f(m.fill_opacity)}"' if m.fill else 'fill="none"'
            dash = f' stroke-dasharray="{m.dash}"' if m.dash else ""
            body.append(f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(m.radius)}" {fill} stroke="{m.stroke}" '
                        f'stroke-opacity="{_f(m.opacity)}" stroke-width="{_f(m.weight)}"{dash}/>')
        elif isinstance(m, symbology.Line):
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in m.points)
            dash = f' stroke-dasharray="{m.dash}"' if m.dash else ""
            body.append(f'<polyline points="{pts}" fill="none" stroke="{m.colour}" stroke-width="{_f(m.weight)}" '
                        f'stroke-linecap="{m.cap}"{dash}/>')
        elif isinstance(m, symbology.Arrow):
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in m.shaft)
            dash = f' stroke-dasharray="{m.dash}"' if m.dash else ""
            body.append(f'<polyline points="{pts}" fill="none" stroke="{m.colour}" stroke-width="{_f(m.weight)}"{dash}/>')
            head = " ".join(f"{_f(x)},{_f(y)}" for x, y in m.head)
            body.append(f'<polygon points="{head}" fill="{m.head_fill}" stroke="{m.colour}" '
                        f'stroke-width="{_f(style.MOVE_HEAD_WEIGHT_PX)}"/>')
        elif isinstance(m, symbology.Tag):
            size, bold, italic, colour = style.LABEL_ROLES[m.role]
            if m.boxed:
                x0, y0, x1, y1 = m.box
                body.append(f'<rect x="{_f(x0 + 0.5)}" y="{_f(y0 + 0.5)}" width="{_f(x1 - x0 - 1)}" '
                            f'height="{_f(y1 - y0 - 1)}" fill="#ffffff" stroke="{style.TEXT_COLOUR}" stroke-width="1"/>')
            cx, cy = m.centre
            body.append(f'<text x="{_f(cx)}" y="{_f(cy + size * 0.36)}" font-size="{_f(size)}" '
                        f'font-weight="{700 if bold else 400}" font-style="{"italic" if italic else "normal"}" '
                        f'fill="{colour}" text-anchor="middle">{esc(m.text)}</text>')
    if row.key == "sizes":
        for k, n in enumerate(style.LEGEND_SIZES):
            cx, _ = row.centres[k]
            body.append(f'<text x="{_f(cx)}" y="{_f(h - 1)}" font-size="9.5" text-anchor="middle">{n:,}</text>')
    return f'<svg width="{_f(w)}" height="{_f(h)}" viewBox="0 0 {_f(w)} {_f(h)}">{"".join(body)}</svg>'


def legend_html() -> str:
    """The legend: every row of :func:`geo.symbology.legend_rows`, its symbol drawn from
    the same marks the map draws, so it cannot drift from the markers or the slides."""
    out, section, table = [], None, []
    for row in symbology.legend_rows():
        if row.section != section:
            if table:
                out.append(f"<table>{''.join(table)}</table>")
                table = []
            section = row.section
            out.append(f'<div class="pa-lg-h">{esc(section)}</div>')
        if row.key == "sizes":
            out.append(f'<div class="pa-lg-row" data-key="{esc(row.key)}">{mark_svg(row)}</div>')
        else:
            table.append(f'<tr class="pa-lg-row" data-key="{esc(row.key)}"><td>{mark_svg(row)}</td>'
                         f"<td>{esc(row.text)}</td></tr>")
    if table:
        out.append(f"<table>{''.join(table)}</table>")
    return "".join(out)


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
