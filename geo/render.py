"""Static briefing images of one day's posture: PNG, SVG, PDF, and GIF/MP4 animations.

Rendered on the server with matplotlib's Agg canvas (no pyplot, no GUI, no network), on
the offline Natural Earth basemap (:func:`geo.basemap.load_countries`), in the visual
language of the live map: what each place looks like comes from the live map's own
:func:`geo.mapview.marker_specs` (kind, colour, radii in pixels, opacity, dash, halo,
conflict ring, label lines), drawn here with the colours, sizes, dashes and arrow heads
of :mod:`geo.style`. A screen pixel of the live map is 0.75 pt here, so a marker is the
same physical size on a 96-dpi screen and the same share of a 1920x1080 slide.

Projection: plate carrée (longitude/latitude as x/y) with the axes aspect set to
1/cos(latitude of the view's centre), i.e. an equirectangular projection with that
standard parallel. Over 27-40 N this keeps shapes and the scale bar true to within a
few per cent across the frame, without pulling in cartopy for a map this size.

Determinism: the same inputs give the same bytes (PNG/SVG/PDF): no timestamps or
software versions in the metadata, a fixed SVG id salt, fonts loaded from the DejaVu
Sans files that ship inside matplotlib (not whatever the system has), and label
placement by a fixed search, not a randomised optimiser.

Pure: never imports streamlit; the dashboard's download buttons and the command line
(``python -m geo brief`` / ``animate``) both call :func:`render_brief`.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import tempfile
import textwrap
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Polygon, Rectangle
from matplotlib.patheffects import Normal, Stroke
from matplotlib.transforms import Bbox, ScaledTranslation

from . import mapview, style, symbology
from .model import Dataset
from .popup import day_label
from .posture import Snapshot, change_dates, reports_only, snapshot

#: file extension -> matplotlib format name
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
ANIMATION_FORMATS = {".gif": "gif", ".mp4": "mp4"}

DEFAULT_SIZE_PX = (1920, 1080)
DEFAULT_DPI = 150
#: the layout is designed at 1920x1080 px and 150 dpi (12.8 x 7.2 in); other sizes scale
#: every font, marker and margin by one factor so the slide keeps its proportions.
_REF_IN = (12.8, 7.2)
SIZE_LIMITS_PX = (320, 8000)
DPI_LIMITS = (50, 600)

#: geo.style and the live map size things in CSS pixels (1/96 in); matplotlib in points
#: (1/72 in).
PT_PER_PX = 0.75

WHITE = "#FFFFFF"
SECONDARY_TEXT = style.GROUP_COLOUR
#: the live map's warning text colour (its CSS .pa-l-warn), for "⚠" label lines
WARN_TEXT = style.WARN_TEXT_COLOUR
COUNTRY_TEXT = "#8d8a82"   # the live map's country-name grey (.pa-country)

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONT_FILES = {(False, False): "DejaVuSans.ttf", (True, False): "DejaVuSans-Bold.ttf",
               (False, True): "DejaVuSans-Oblique.ttf", (True, True): "DejaVuSans-BoldOblique.ttf"}

_RC = {
    "svg.fonttype": "none",           # text stays text in the SVG (searchable, editable)
    "svg.hashsalt": "posture-atlas",  # stable clip-path ids
    "pdf.fonttype": 42,               # TrueType embedded: text stays selectable in the PDF
    "font.family": "DejaVu Sans",
    "axes.unicode_minus": False,
    "text.parse_math": False,         # "$" in a name is a dollar sign, not mathtext
    "path.simplify": True,
}
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}
# matplotlib's rcParams are process-global and the dashboard renders from several
# threads: one image at a time.
_LOCK = threading.RLock()


# ------------------------------------------------------------------------ validation

def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); raises ValueError saying what form is expected."""
    m = re.fullmatch(r"\s*(\d{1,6})\s*[xX×]\s*(\d{1,6})\s*", text or "")
    if not m:
        raise ValueError(f"size {text!r} is not WIDTHxHEIGHT in pixels; expected e.g. 1920x1080")
    size = (int(m[1]), int(m[2]))
    check_size(size)
    return size


def check_size(size_px, dpi: float = DEFAULT_DPI) -> tuple[int, int]:
    lo, hi = SIZE_LIMITS_PX
    try:
        w, h = (int(v) for v in size_px)
    except (TypeError, ValueError):
        raise ValueError(f"size {size_px!r} is not (width, height) in pixels; expected e.g. (1920, 1080)") from None
    if not (lo <= w <= hi and lo <= h <= hi):
        raise ValueError(f"size {w}x{h} px is out of range; width and height must each be {lo}-{hi} px")
    if not (DPI_LIMITS[0] <= dpi <= DPI_LIMITS[1]):
        raise ValueError(f"dpi {dpi:g} is out of range; expected {DPI_LIMITS[0]}-{DPI_LIMITS[1]} "
                         "(150 for slides, 300 for print)")
    return w, h


def parse_extent(text: str) -> tuple[float, float, float, float]:
    """'38,28,49,38' (west, south, east, north in degrees) -> a checked tuple."""
    parts = [p.strip() for p in (text or "").split(",")]
    if len(parts) != 4:
        raise ValueError(f"extent {text!r} is not W,S,E,N; expected four numbers in degrees, e.g. 38,28,49,38")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"extent {text!r} has a value that is not a number; "
                         "expected W,S,E,N in degrees, e.g. 38,28,49,38") from None
    return check_extent(values)


def check_extent(extent) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ValueError(f"extent {extent!r} is not (west, south, east, north) in degrees") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError(f"extent {extent!r} has a value that is not a finite number")
    if not (-180 <= west < east <= 180):
        raise ValueError(f"extent west={west:g}, east={east:g} is out of range; "
                         "expected -180 <= west < east <= 180 (degrees longitude)")
    if not (-85 <= south < north <= 85):
        raise ValueError(f"extent south={south:g}, north={north:g} is out of range; "
                         "expected -85 <= south < north <= 85 (degrees latitude)")
    if east - west < 0.05 or north - south < 0.05:
        raise ValueError(f"extent {west:g},{south:g},{east:g},{north:g} is under 0.05 degrees across; give a wider box")
    return (west, south, east, north)


def format_of(path: str | Path) -> str:
    """'png' | 'svg' | 'pdf' from a file name; ValueError naming the choices otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the image format of {str(path)!r}: use one of "
                         f"{', '.join(FORMATS)} as the file's extension")
    return FORMATS[suffix]


# ------------------------------------------------------------------------ what is drawn

@dataclass(frozen=True)
class Scene:
    """The live map's view of a snapshot: marker specs (places and group figures) and
    the movements drawn, in the live map's order."""

    snap: Snapshot
    specs: tuple            # geo.mapview.MarkerSpec
    moves: tuple            # geo.posture.MovementState
    show_plans: bool


def scene(ds: Dataset, snap: Snapshot, show_plans: bool = True) -> Scene:
    """What the image shows: exactly what :func:`geo.mapview.build_map` shows.

    With ``show_plans=False`` the posture is recomputed from the reports alone (as the
    live map does), so a place whose claim in force is a plan shows its last report.
    """
    if not show_plans:
        snap = snapshot(reports_only(ds), snap.on, snap.known_on)
    specs = mapview.marker_specs(snap, show_plans=show_plans, sources=dict(ds.sources), places=dict(ds.places))
    moves = tuple(ms for ms in snap.movements if show_plans or ms.movement.basis != "plan")
    return Scene(snap, tuple(specs), moves, show_plans)


def fit_extent(sc: Scene, margin: float = 0.12, min_span_deg: float = 5.0) -> tuple[float, float, float, float]:
    """The box around everything reported or moving (with a margin, at least
    ``min_span_deg`` across). Places named only by a later claim or a move, with
    nothing said of them yet on the day, do not stretch it."""
    pts = [(s.lon, s.lat) for s in sc.specs if s.kind != "noclaim"]
    pts += [(lon, lat) for s in sc.specs for lat, lon in s.members]
    pts += [(p.lon, p.lat) for ms in sc.moves for p in (ms.origin, ms.destination)]
    if not pts:
        pts = [(s.lon, s.lat) for s in sc.specs]
    if not pts:
        return _coverage()
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    w, e, s, n = min(lons), max(lons), min(lats), max(lats)
    dx = max(e - w, min_span_deg) * (1 + 2 * margin)
    dy = max(n - s, min_span_deg) * (1 + 2 * margin)
    cx, cy = (w + e) / 2, (s + n) / 2
    return (cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2)


def _coverage() -> tuple[float, float, float, float]:
    from .basemap import load_countries

    w, s, e, n = load_countries().total_bounds
    return (float(w), float(s), float(e), float(n))


def _frame(extent, box_ratio: float, coverage) -> tuple[tuple[float, float, float, float], float]:
    """Grow ``extent`` to the map box's shape (width/height on the page), within the basemap.

    Returns the view (W, S, E, N) and its own width/height ratio on the page. That ratio
    is below ``box_ratio`` when the basemap is too narrow to fill the box: the map frame
    is then narrowed rather than showing blank sea where the basemap simply ends.
    """
    w, s, e, n = extent
    k = math.cos(math.radians((s + n) / 2))
    if (e - w) * k / (n - s) < box_ratio:
        w, e = _grow(w, e, (n - s) * box_ratio / k, coverage[0], coverage[2])
    else:
        s, n = _grow(s, n, (e - w) * k / box_ratio, coverage[1], coverage[3])
    k = math.cos(math.radians((s + n) / 2))
    return (w, s, e, n), (e - w) * k / (n - s)


def _grow(lo: float, hi: float, want: float, cov_lo: float, cov_hi: float) -> tuple[float, float]:
    mid = (lo + hi) / 2
    lo2, hi2 = mid - want / 2, mid + want / 2
    if lo < cov_lo - 1e-9 or hi > cov_hi + 1e-9:
        return lo2, hi2  # the chosen view already leaves the basemap: honour it
    if want >= cov_hi - cov_lo:
        return cov_lo, cov_hi
    if lo2 < cov_lo:
        lo2, hi2 = cov_lo, cov_lo + want
    if hi2 > cov_hi:
        lo2, hi2 = cov_hi - want, cov_hi
    return lo2, hi2


# ------------------------------------------------------------------------ drawing kit

@dataclass
class _Kit:
    """Figure, scale and fonts for one image."""

    fig: Figure
    s: float                      # scale against the 1920x1080 @ 150 dpi design
    renderer: object = None
    fonts: dict = field(default_factory=dict)
    svg: bool = False             # text halos as SVG stroke + paint-order, not a stroked copy
    halos: dict = field(default_factory=dict)   # gid -> halo width (pt) for the SVG pass
    _n: int = 0

    def font(self, size: float, bold: bool = False, italic: bool = False) -> FontProperties:
        key = (round(size * self.s, 3), bold, italic)
        if key not in self.fonts:
            # the file decides the glyphs (identical on every machine); weight, style and
            # the family stack are what the SVG writes, so an editor keeps bold and italic
            self.fonts[key] = FontProperties(fname=str(_FONT_DIR / _FONT_FILES[(bold, italic)]), size=key[0],
                                             family=list(style.FONT_STACK), weight="bold" if bold else "normal",
                                             style="italic" if italic else "normal")
        return self.fonts[key]

    def gid(self, prefix: str) -> str:
        """A unique SVG id ('label-12'): editors select by id, and ids must not repeat."""
        self._n += 1
        return f"{prefix}-{self._n}"

    def pt(self, px: float) -> float:
        """Live-map pixels -> points at this image's scale."""
        return px * PT_PER_PX * self.s

    def inch(self, value: float) -> float:
        return value * self.s

    @property
    def px_per_pt(self) -> float:
        """Display (raster) pixels per point."""
        return self.fig.dpi / 72


def _text(ax, x, y, s, fp, *, halo: float = 0.0, colour=style.TEXT_COLOUR, transform=None, zorder=10,
          kit: _Kit | None = None, gid: str | None = None, **kw):
    """Text, with an optional white halo ``halo`` points wide.

    PNG/PDF: a stroke path effect under the glyphs of the same text (one artist, so
    halo and letters cannot drift apart). SVG: a path effect would turn the words into
    outlines, so the text stays plain <text> and :func:`_svg_halos` gives it
    ``stroke`` + ``paint-order: stroke`` (the halo is then the browser's or editor's own
    stroke of the very same glyphs)."""
    transform = transform if transform is not None else ax.transData
    gid = kit.gid(gid or "text") if kit is not None else gid
    effects = []
    if halo:
        if kit is not None and kit.svg:
            kit.halos[gid] = halo
        else:
            effects = [Stroke(linewidth=halo, foreground=style.HALO_COLOUR), Normal()]
    return ax.text(x, y, s, fontproperties=fp, color=colour, transform=transform, zorder=zorder,
                   parse_math=False, path_effects=effects, gid=gid, **kw)


_SVG_GROUP = re.compile(r'<g id="(?P<gid>[a-z-]+-\d+)">\s*<text style="')


def _svg_halos(svg: str, halos: dict[str, float]) -> str:
    """Give every haloed <text> its halo as a stroke painted under the fill."""
    def repl(m: re.Match) -> str:
        width = halos.get(m["gid"])
        if width is None:
            return m[0]
        return (m[0] + f"stroke: {style.HALO_COLOUR}; stroke-width: {width:.2f}px; stroke-linejoin: round; "
                "paint-order: stroke fill; ")
    return _SVG_GROUP.sub(repl, svg)


def _disc(ax, kit: _Kit, x, y, r_pt, *, transform=None, clip=True, **kw) -> Circle:
    """A circle ``r_pt`` points in radius centred on (x, y) in ``transform`` coordinates
    (data by default): sized on the page, not in degrees, like Leaflet's circleMarker."""
    base = transform if transform is not None else ax.transData
    circ = Circle((0, 0), r_pt / 72.0, transform=kit.fig.dpi_scale_trans + ScaledTranslation(x, y, base), **kw)
    ax.add_artist(circ)
    if clip:
        circ.set_clip_path(ax.patch)
    return circ


def _dash(leaflet_dash: str, weight_px: float):
    """A Leaflet dashArray ('1 6', px) of a line ``weight_px`` wide as a matplotlib
    linestyle (matplotlib measures dash patterns in line widths)."""
    return (0, tuple(float(v) / max(weight_px, 1e-6) for v in leaflet_dash.split()))


def _rgba(colour: str, alpha: float):
    return to_rgba(colour, max(0.0, min(1.0, alpha)))


def draw_disc(ax, kit: _Kit, d: symbology.Disc, x: float, y: float, *, transform=None, zorder: float = 5.0,
              clip: bool = True) -> Circle:
    """A symbology Disc (radius and weights in live-map px) as a circle sized in points."""
    face = _rgba(d.fill, d.fill_opacity) if d.fill is not None else "none"
    return _disc(ax, kit, x, y, kit.pt(d.radius), facecolor=face, edgecolor=_rgba(d.stroke, d.opacity),
                 linewidth=kit.pt(d.weight), linestyle=_dash(d.dash, d.weight) if d.dash else "solid",
                 transform=transform, clip=clip, zorder=zorder, gid=kit.gid(f"mark-{d.legend.replace(':', '-')}"))


def draw_marker(ax, kit: _Kit, spec, x: float, y: float, *, transform=None, zorder: float = 5.0,
                clip: bool = True) -> float:
    """Draw one marker's marks (geo.symbology.marker_marks, the circles the live map
    draws, outermost first) at (x, y); returns its outer radius in points."""
    discs = symbology.marker_marks(spec)
    for k, d in enumerate(discs):
        draw_disc(ax, kit, d, x, y, transform=transform, zorder=zorder - 0.3 + 0.1 * k, clip=clip)
    return kit.pt(max(symbology.outer_radius(spec), spec.radius + 1))


# ------------------------------------------------------------------------ label placement

@dataclass
class _Label:
    anchor: tuple[float, float]                 # display px of the marker it belongs to
    clearance: float                            # px from the anchor the text keeps (marker radius)
    lines: tuple[tuple[str, FontProperties, str], ...]   # (text, font, colour)
    priority: float
    optional: bool = False                      # may be dropped when there is no free spot
    boxed: bool = False                         # an area total: drawn in a box
    key: str = ""
    #: the markers it belongs to, (x, y, r) display px: its own, or a group's members
    own: tuple = ()


@dataclass
class LabelReport:
    """What the label placer did, for the tests: every box in display px."""

    labels: list = field(default_factory=list)       # (key, Bbox) of each text block placed
    callouts: list = field(default_factory=list)     # (number, key, Bbox) of numbered callouts
    markers: list = field(default_factory=list)      # Bbox of every marker
    names: list = field(default_factory=list)        # Bbox of every country name
    dropped: list = field(default_factory=list)      # keys of optional labels left out
    halos: dict = field(default_factory=dict)        # SVG: text id -> halo width (pt)

    def overlaps(self) -> list[tuple[str, str]]:
        """Every pair (label or callout, thing) whose boxes overlap."""
        texts = [(k, b) for k, b in self.labels] + [(f"#{n}", b) for n, _k, b in self.callouts]
        out = []
        for i, (ka, a) in enumerate(texts):
            for kb, b in texts[i + 1:]:
                if _overlap(a, b) > 0:
                    out.append((ka, kb))
            out += [(ka, "marker") for m in self.markers if _hits(a, m)]
            out += [(ka, "country name") for n in self.names if _overlap(a, n) > 0]
        return out


def _measure(kit: _Kit, ax, text: str, fp) -> tuple[float, float]:
    t = ax.text(0, 0, text, fontproperties=fp, transform=None, parse_math=False)
    bb = t.get_window_extent(kit.renderer)
    t.remove()
    return bb.width, bb.height


#: A label whose box stands more than this off its marker's edge gets a leader (design px,
#: as the live map's LEADER_FREE_PX). The placement rules are the live map's
#: (static/js/posture-atlas-map.js, "Placement rules"): nearest its own marker or a
#: leader to it; a leader whenever it stands off; leaders cross no leader, no label and
#: no other marker; a group's label by one of its members; else a numbered callout.
LEADER_FREE_PX = 8.0

#: candidate directions in order of preference: right, left, the four diagonals, above, below
_ANGLES = (0, 180, 30, -30, 150, -150, 90, -90, 60, -60, 120, -120)


def _place_labels(ax, kit: _Kit, labels: list[_Label], circles: list[tuple[float, float, float]],
                  obstacles: list[Bbox], soft: list[Bbox]):
    """Put each label beside its marker where it hits nothing: no other label, no marker,
    no country name, nothing outside the map frame.

    For one label at a time (highest priority first), the classic cartographic
    positions, then the same directions farther out with a leader line. A label with no
    free spot anywhere becomes a numbered callout beside its marker and its words go to
    the key (returned, drawn under the legend). Deterministic: a fixed search, not a
    randomised optimiser. Returns (callouts [(n, lines)], placed boxes, callout boxes,
    dropped keys).
    """
    if not labels:
        return [], [], [], []
    axbb = ax.get_window_extent(kit.renderer)
    px = kit.px_per_pt * kit.s           # one design point, in display pixels
    pad, gap, step = 2.5 * px, 2.0 * px, 7.0 * px
    boxes = []
    for lab in labels:
        sizes = [_measure(kit, ax, t, fp) for t, fp, _ in lab.lines]
        line_h = [h * 1.15 for _, h in sizes]
        extra = 2 * pad if lab.boxed else 0
        boxes.append((max(sw for sw, _ in sizes) + 2 * pad + extra, sum(line_h) + pad + extra, line_h))

    placed: list[Bbox] = []
    chosen, callouts, callout_boxes, dropped = {}, [], [], []
    order = sorted(range(len(labels)), key=lambda i: (-labels[i].priority, i))

    leaders: list[tuple[float, float, float, float]] = []
    free = LEADER_FREE_PX * PT_PER_PX * px   # live-map px -> display px

    def judge(bb: Bbox, own):
        """None if the box breaks a rule it cannot buy off; else (needs_leader, leader)."""
        near = min(own, key=lambda a: (_dist_to_box(bb, a[0], a[1]) - a[2]))
        d_own = min(_dist_to_box(bb, a[0], a[1]) for a in own)
        gap = _dist_to_box(bb, near[0], near[1]) - near[2]
        same = lambda c: any(abs(c[0] - a[0]) < 0.5 and abs(c[1] - a[1]) < 0.5 for a in own)  # noqa: E731
        rival = any(not same(c) and _dist_to_box(bb, c[0], c[1]) < d_own + 1 for c in circles)
        if not rival and gap <= free:
            return None
        nx, ny = _nearest_on_box(bb, near[0], near[1])
        d = math.hypot(nx - near[0], ny - near[1]) or 1.0
        seg = (near[0] + (nx - near[0]) * near[2] / d, near[1] + (ny - near[1]) * near[2] / d, nx, ny)
        if any(_seg_cross(seg, o) for o in leaders) or any(_seg_hits_box(seg, o) for o in placed):
            return False
        for c in circles:   # a marker overlapping the leader's own is its cluster: it leaves through it
            if math.hypot(c[0] - near[0], c[1] - near[1]) >= c[2] + near[2] and _seg_dist(seg, c[0], c[1]) < c[2] - 0.5:
                return False
        return seg

    def search(own, clearance, w, h, rings):
        best = None
        for ring in range(rings):
            for ai, (ax0, ay0, r0) in enumerate(own):
                dist = max(clearance if len(own) == 1 else r0, 0.0) + gap + ring * step
                for j, ang in enumerate(_ANGLES):
                    c, sn = math.cos(math.radians(ang)), math.sin(math.radians(ang))
                    px_, py_ = ax0 + dist * c, ay0 + dist * sn
                    # attach the box by the side (or corner) facing the marker
                    cx = px_ + (w / 2 if c > 0.3 else -w / 2 if c < -0.3 else 0)
                    cy = py_ + (h / 2 if sn > 0.3 else -h / 2 if sn < -0.3 else 0)
                    bb = Bbox.from_bounds(cx - w / 2, cy - h / 2, w, h)
                    if (bb.x0 < axbb.x0 + 3 or bb.x1 > axbb.x1 - 3
                            or bb.y0 < axbb.y0 + 3 or bb.y1 > axbb.y1 - 3):
                        continue
                    if (any(_overlap(bb, o) > 0 for o in placed) or any(_overlap(bb, o) > 0 for o in obstacles)
                            or any(_hits(bb, c) for c in circles)
                            or any(_seg_hits_box(o, bb) for o in leaders)):
                        continue
                    seg = judge(bb, own)
                    if seg is False:
                        continue
                    score = ring * 10 + j * 0.5 + ai * 0.05 + \
                        0.02 * sum(_overlap(bb, o) for o in soft) / max(px * px, 1e-6)
                    if seg is not None:   # a leader costs two rings: a clean spot a little out wins
                        score += 20 + 0.05 * math.hypot(seg[2] - seg[0], seg[3] - seg[1]) / px
                    if best is None or score < best[0]:
                        best = (score, bb, seg)
            if best is not None and best[0] < (ring + 1) * 10:
                break
        return best

    chosen_leader = {}
    for i in order:
        lab = labels[i]
        w, h, _ = boxes[i]
        own = lab.own or ((lab.anchor[0], lab.anchor[1], lab.clearance),)
        best = search(own, lab.clearance, w, h, 2 if lab.optional else 16)
        if best is not None:
            chosen[i] = best[1]
            chosen_leader[i] = best[2]
            placed.append(best[1])
            if best[2] is not None:
                leaders.append(best[2])
            continue
        if lab.optional:
            dropped.append(lab.key)
            continue
        # a numbered callout beside the marker (by the same rules); its words go to the key
        n = len(callouts) + 1
        nw, nh = _measure(kit, ax, str(n), kit.font(_role_font("callout")[0], bold=True))
        nw, nh = nw + 2 * pad, nh + pad
        spot = search(own, lab.clearance, nw, nh, 16)
        if spot is None:   # nowhere even for a number: it still gets one (counted as an overlap)
            x0, y0 = lab.anchor
            spot = (0, Bbox.from_bounds(x0 + lab.clearance, y0 - nh / 2, nw, nh), None)
        placed.append(spot[1])
        if spot[2] is not None:
            leaders.append(spot[2])
        callouts.append((n, lab.lines))
        callout_boxes.append((n, lab.key, spot[1], spot[2]))

    to_data = ax.transData.inverted()
    for i in sorted(chosen):
        lab, bb = labels[i], chosen[i]
        ax0, ay0 = lab.anchor
        # text aligned towards its marker: right-aligned when the box sits to the left
        inset = pad * 2 if lab.boxed else pad
        if bb.x1 <= ax0 - lab.clearance * 0.5:
            ha, tx = "right", bb.x1 - inset
        elif bb.x0 >= ax0 + lab.clearance * 0.5:
            ha, tx = "left", bb.x0 + inset
        else:
            ha, tx = "center", (bb.x0 + bb.x1) / 2
        if lab.boxed:
            (bx0, by0), (bx1, by1) = to_data.transform([(bb.x0 + pad / 2, bb.y0 + pad / 2),
                                                        (bb.x1 - pad / 2, bb.y1 - pad / 2)])
            ax.add_patch(Rectangle((bx0, by0), bx1 - bx0, by1 - by0, facecolor=WHITE,
                                   edgecolor=style.AREA_BOX_EDGE, linewidth=0.8 * kit.s, zorder=11.5,
                                   gid=kit.gid("area-box")))
        y = bb.y1 - (pad * 1.5 if lab.boxed else pad / 2)
        for (text, fp, colour), lh in zip(lab.lines, boxes[i][2]):
            xd, yd = to_data.transform((tx, y - lh / 2))
            _text(ax, xd, yd, text, fp, colour=colour, halo=0 if lab.boxed else 3.0 * kit.s, ha=ha,
                  va="center_baseline", zorder=12, kit=kit, gid="area-label" if lab.boxed else "label")
            y -= lh
        _leader(ax, kit, chosen_leader[i], to_data)
    fp = kit.font(_role_font("callout")[0], bold=True)
    for n, _key, bb, seg in callout_boxes:
        (bx0, by0), (bx1, by1) = to_data.transform([(bb.x0 + pad / 3, bb.y0 + pad / 3),
                                                    (bb.x1 - pad / 3, bb.y1 - pad / 3)])
        ax.add_patch(Rectangle((bx0, by0), bx1 - bx0, by1 - by0, facecolor=WHITE, edgecolor=style.TEXT_COLOUR,
                               linewidth=0.8 * kit.s, zorder=11.5, gid=kit.gid("callout-box")))
        xd, yd = to_data.transform(((bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2))
        _text(ax, xd, yd, str(n), fp, ha="center", va="center_baseline", zorder=12, kit=kit, gid="callout")
        _leader(ax, kit, seg, to_data)
    return (callouts, [(labels[i].key, chosen[i]) for i in sorted(chosen)],
            [(n, k, bb) for n, k, bb, _s in callout_boxes], dropped)


def _leader(ax, kit, seg, to_data) -> None:
    """The leader line the placer chose (display px, marker edge -> box), if any."""
    if seg is None:
        return
    (x0, y0), (x1, y1) = to_data.transform([seg[:2], seg[2:]])
    ax.add_line(Line2D([x0, x1], [y0, y1], color=style.GROUP_COLOUR, linewidth=0.8 * kit.s, zorder=11,
                       gid=kit.gid("leader")))


def _dist_to_box(bb: Bbox, x: float, y: float) -> float:
    nx, ny = _nearest_on_box(bb, x, y)
    return math.hypot(nx - x, ny - y)


def _seg_dist(seg, x: float, y: float) -> float:
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x1 + t * dx - x, y1 + t * dy - y)


def _seg_cross(a, b) -> bool:
    """Do two segments cross (not merely touch at an end)?"""
    def o(ax_, ay_, bx, by, cx, cy):
        return (bx - ax_) * (cy - ay_) - (by - ay_) * (cx - ax_)
    d1, d2 = o(*b[:2], *b[2:], *a[:2]), o(*b[:2], *b[2:], *a[2:])
    d3, d4 = o(*a[:2], *a[2:], *b[:2]), o(*a[:2], *a[2:], *b[2:])
    return d1 * d2 < -1e-6 and d3 * d4 < -1e-6


def _seg_hits_box(seg, bb: Bbox) -> bool:
    """Does a segment run through a box (more than a pixel inside)?"""
    x0, y0, x1, y1 = bb.x0 + 1, bb.y0 + 1, bb.x1 - 1, bb.y1 - 1
    if x0 >= x1 or y0 >= y1:
        return False
    inside = lambda x, y: x0 < x < x1 and y0 < y < y1  # noqa: E731
    if inside(*seg[:2]) or inside(*seg[2:]):
        return True
    edges = ((x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0))
    return any(_seg_cross(seg, e) for e in edges)


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _hits(bb: Bbox, circle: tuple[float, float, float]) -> bool:
    """Does a box cover any of a circle (x, y, r), by more than a hair?"""
    x, y, r = circle
    nx, ny = _nearest_on_box(bb, x, y)
    return math.hypot(nx - x, ny - y) < r - 0.5


def _nearest_on_box(bb: Bbox, x: float, y: float) -> tuple[float, float]:
    return min(max(x, bb.x0), bb.x1), min(max(y, bb.y0), bb.y1)


def _role_font(role: str) -> tuple[float, bool, bool, str]:
    """A label role's (size pt at the design scale, bold, italic, colour)."""
    size, bold, italic, colour = style.LABEL_ROLES[role]
    return size * PT_PER_PX, bold, italic, colour


def _part_style(kit: _Kit, role: str):
    size, bold, italic, colour = _role_font(role)
    return kit.font(size, bold=bold, italic=italic), colour


def _labels(ax, kit: _Kit, sc: Scene, radii: dict[str, float], arrows) -> list[_Label]:
    """One label per labelled spec and per movement figure, from geo.symbology's
    (text, role) parts. Places with nothing reported on the day (hollow, quiet) get
    their name where it fits and none where it would crowd."""
    to_disp = ax.transData.transform
    out = []
    for s in sc.specs:
        if not s.label_parts:
            continue
        x, y = to_disp((s.lon, s.lat))
        lines = tuple((t, *_part_style(kit, role)) for t, role in s.label_parts)
        own = ()
        if s.kind == "group":   # by its members, never at a point where nobody is
            at = {(round(m.lat, 4), round(m.lon, 4)): m for m in sc.specs if m.kind != "group"}
            mine = [at[k] for k in ((round(la, 4), round(lo, 4)) for la, lo in s.members) if k in at]
            own = tuple((*to_disp((m.lon, m.lat)), radii[m.key] * kit.px_per_pt) for m in mine)
        out.append(_Label((x, y), radii[s.key] * kit.px_per_pt, lines, s.priority,
                          optional=s.kind == "noclaim", boxed=s.kind == "area", key=s.key,
                          own=tuple((float(a), float(b), float(r)) for a, b, r in own)))
    for ar in arrows:
        if ar.label:
            lat, lon = ar.path[len(ar.path) // 2]
            x, y = to_disp((lon, lat))
            lines = tuple((t, *_part_style(kit, role)) for t, role in ar.label)
            out.append(_Label((x, y), 4 * kit.s * kit.px_per_pt, lines, 20, key=f"move:{ar.key}"))
    return out


# ------------------------------------------------------------------------ the map

def _draw_basemap(ax, kit: _Kit, ds: Dataset, view) -> list:
    """Countries (land and borders; the dataset's own countries lighter, as on the live
    map) and their names, nudged off the posture places as the live map nudges them;
    returns the name texts (labels should avoid them)."""
    from .basemap import load_countries
    from .posture import posture

    countries = load_countries()
    west, south, east, north = view
    focus = {p.country for p in ds.places.values()}
    for geom, iso in zip(countries.geometry, countries["iso_a3"]):
        if geom is None or geom.is_empty:
            continue
        fill = mapview.LAND_FOCUS if iso in focus else mapview.LAND
        for poly in getattr(geom, "geoms", [geom]):
            ax.add_patch(Polygon(list(poly.exterior.coords), closed=True, facecolor=fill,
                                 edgecolor=mapview.BORDER, linewidth=kit.pt(1.2 if iso in focus else 0.8),
                                 zorder=1.2 if iso in focus else 1))
            for hole in poly.interiors:
                ax.add_patch(Polygon(list(hole.coords), closed=True, facecolor=mapview.SEA,
                                     edgecolor=mapview.BORDER, linewidth=kit.pt(0.8), zorder=1.3))
    avoid = [(ds.places[p].lat, ds.places[p].lon) for p in posture(ds).posture_places]
    iso_by_name = dict(zip(countries["name"], countries["iso_a3"]))
    names = []
    for name, lat, lon in mapview.country_label_points(countries, avoid):
        if not (west + 0.2 < lon < east - 0.2 and south + 0.1 < lat < north - 0.1):
            continue
        big = iso_by_name.get(name) in focus
        t = ax.text(lon, lat, name.upper(), fontproperties=kit.font(10 if big else 8.5, bold=True),
                    color=COUNTRY_TEXT, ha="center", va="center", zorder=1.5, parse_math=False,
                    gid=kit.gid("country-label"), clip_on=True)
        names.append(t)
    return names


def _deg_per_pt(ax, kit: _Kit) -> float:
    """Degrees of latitude per point on the page (the map's scale)."""
    bb = ax.get_window_extent(kit.renderer)
    south, north = ax.get_ylim()
    return (north - south) / (bb.height / kit.px_per_pt)



def _draw_posture(ax, kit: _Kit, sc: Scene):
    """Group joins, movements and markers from geo.symbology's marks, in the live map's
    order; returns each spec's outer radius (pt), the markers' boxes (labels must not
    cover them), small boxes along joins and arrows (labels should not) and the arrows."""
    deg_per_px = _deg_per_pt(ax, kit) * PT_PER_PX * kit.s
    to_disp = ax.transData.transform
    lines: list[list[tuple[float, float]]] = []
    for ln in symbology.join_marks(list(sc.specs)):
        lats, lons = [p[0] for p in ln.points], [p[1] for p in ln.points]
        lines.append(list(zip(lons, lats)))
        ax.add_line(Line2D(lons, lats, linewidth=kit.pt(ln.weight), color=_rgba(ln.colour, ln.opacity),
                           linestyle=_dash(ln.dash, ln.weight) if ln.dash else "solid",
                           solid_capstyle=ln.cap, dash_capstyle=ln.cap, zorder=3, gid=kit.gid("mark-group")))
    arrows = symbology.movement_marks(list(sc.moves), list(sc.specs), lambda lat: 1 / deg_per_px,
                                      sc.snap.movements)
    for ar in arrows:
        _draw_arrow(ax, kit, ar)
        lines.append([(lon, lat) for lat, lon in ar.path])
    radii, boxes = {}, []
    # big first, so small markers stay on top (the live map's order)
    for z, s in enumerate(sc.specs):
        radii[s.key] = draw_marker(ax, kit, s, s.lon, s.lat, zorder=5 + z * 0.01)
        x, y = to_disp((s.lon, s.lat))
        boxes.append((float(x), float(y), kit.pt(symbology.outer_radius(s)) * kit.px_per_pt))
    half = 2.5 * kit.s * kit.px_per_pt
    along = []
    for pts in lines:
        disp = to_disp(pts) if pts else []
        for (x0, y0), (x1, y1) in zip(disp[:-1], disp[1:]):
            n = max(1, int(math.hypot(x1 - x0, y1 - y0) / (2 * half)))
            for k in range(n + 1):
                x, y = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
                along.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    return radii, boxes, along, arrows


def _draw_arrow(ax, kit: _Kit, ar: symbology.Arrow, *, transform=None, xy: bool = False) -> None:
    """A symbology Arrow: white-cased shaft (dashed for a plan) and head (open for a
    plan). Points are (lat, lon), or (x, y) with ``xy`` (legend symbols)."""
    kw = {"transform": transform} if transform is not None else {}

    def xs_ys(pts):
        return ([p[0] for p in pts], [p[1] for p in pts]) if xy else ([p[1] for p in pts], [p[0] for p in pts])

    xs, ys = xs_ys(ar.shaft)
    if not xy:
        ax.add_line(Line2D(xs, ys, color=_rgba(WHITE, 0.7), linewidth=kit.pt(ar.weight) + 2 * kit.s, zorder=3.9,
                           solid_capstyle="butt", **kw))
    ax.add_line(Line2D(xs, ys, color=_rgba(ar.colour, 0.95), linewidth=kit.pt(ar.weight),
                       linestyle=_dash(ar.dash, ar.weight) if ar.dash else "solid", solid_capstyle="butt",
                       dash_capstyle="butt", zorder=4, gid=kit.gid(f"mark-{ar.legend}"), **kw))
    hx, hy = xs_ys(ar.head)
    ax.add_patch(Polygon(list(zip(hx, hy)), closed=True, facecolor=ar.head_fill, edgecolor=ar.colour,
                         linewidth=kit.pt(style.MOVE_HEAD_WEIGHT_PX), zorder=4.1, **kw))


def _draw_scale_bar(ax, kit: _Kit, view) -> Bbox:
    """A km scale bar at the bottom left, true at the view's centre latitude; returns
    its box (display px), which labels keep clear of."""
    west, south, east, north = view
    km_per_deg = 111.32 * math.cos(math.radians((south + north) / 2))
    target = (east - west) * km_per_deg / 6
    length = max((v for v in (10, 20, 25, 50, 100, 150, 200, 250, 300, 500, 1000, 2000) if v <= target), default=10)
    dx = length / km_per_deg / (east - west)   # in axes fractions
    bb = ax.get_window_extent(kit.renderer)
    fy = 1 / bb.height * kit.px_per_pt        # one point, in axes fractions (y)
    fx = 1 / bb.width * kit.px_per_pt
    x0, y0 = 14 * kit.s * fx, 10 * kit.s * fy
    bar_h = 4 * kit.s * fy
    backing = Rectangle((x0 - 6 * kit.s * fx, y0 - 5 * kit.s * fy), dx + 40 * kit.s * fx, 27 * kit.s * fy,
                        transform=ax.transAxes, facecolor=_rgba(WHITE, 0.85), edgecolor="none", zorder=8,
                        gid=kit.gid("scale-bar"))
    ax.add_patch(backing)
    for k, colour in enumerate((style.TEXT_COLOUR, WHITE)):
        ax.add_patch(Rectangle((x0 + k * dx / 2, y0), dx / 2, bar_h, transform=ax.transAxes, facecolor=colour,
                               edgecolor=style.TEXT_COLOUR, linewidth=0.8 * kit.s, zorder=8.5))
    fp = kit.font(8)
    for frac, text in ((0, "0"), (0.5, f"{length / 2:g}"), (1, f"{length:g} km")):
        ax.text(x0 + dx * frac, y0 + bar_h + 2.5 * kit.s * fy, text, transform=ax.transAxes, fontproperties=fp,
                color=style.TEXT_COLOUR, ha="left" if frac == 1 else "center", va="bottom", zorder=9,
                parse_math=False)
        if frac == 1:  # "250 km" starts at its tick, so nudge it back by the width of the number
            t = ax.texts[-1]
            w = _measure(kit, ax, f"{length:g}", fp)[0]
            t.set_x(x0 + dx - w / 2 / bb.width)
    return backing.get_window_extent(kit.renderer)



# ------------------------------------------------------------------------ legend

def _draw_legend(fig: Figure, kit: _Kit, x0_in: float, top_in: float, width_in: float, height_in: float,
                 callouts=()) -> None:
    """The legend: every row of geo.symbology.legend_rows (the live map's rows, words
    and symbols), on an opaque panel, then the key of numbered callouts if any. When
    the panel is short, the whole legend (spacing, type and symbols together) is set
    smaller until it fits: closing up the rows alone made the lines print over each
    other. The troop circles keep the map's scale."""
    w_in, h_in = fig.get_size_inches()
    lg = fig.add_axes((x0_in / w_in, (top_in - height_in) / h_in, width_in / w_in, height_in / h_in))
    lg.set_axis_off()
    w_pt, h_pt = width_in * 72, height_in * 72
    lg.set_xlim(0, w_pt)
    lg.set_ylim(h_pt, 0)          # points, y downwards from the panel's top
    room = h_pt - 4 * kit.s
    scale = 1.0
    while scale > LEGEND_MIN_SCALE and _legend_rows(lg, kit, w_pt, scale, draw=False, callouts=callouts) > room:
        scale = round(scale - 0.02, 2)
    _legend_rows(lg, kit, w_pt, max(scale, LEGEND_MIN_SCALE), draw=True, callouts=callouts)


#: the smallest the legend is set (of its full size) to fit a short panel
LEGEND_MIN_SCALE = 0.4


def _legend_rows(lg, kit: _Kit, w_pt: float, scale: float, draw: bool, callouts=()) -> float:
    """Lay out (and with ``draw``, draw) the legend at ``scale`` of its full size
    (type, spacing and symbols alike); returns the height used, in points."""
    full = kit.s
    kit.s = full * scale          # the kit's fonts and px->pt scale follow, for this legend only
    try:
        return _legend_layout(lg, kit, w_pt, draw, callouts, map_s=full)
    finally:
        kit.s = full


def _legend_layout(lg, kit: _Kit, w_pt: float, draw: bool, callouts, map_s: float) -> float:
    s = kit.s
    row = 15 * s
    head_fp, item_fp = kit.font(10, bold=True), kit.font(8.5)
    sym_x, text_x = 12 * s, 28 * s
    y = 7 * s
    wrap_chars = max(20, int((w_pt - text_x) / (8.5 * s * 0.55)))
    rows_used = 0.0
    k_pt = PT_PER_PX * s          # legend symbols are in live-map px

    def text(x, yy, t, fp, gid="legend-row", **kw):
        if draw:
            lg.text(x, yy, t, fontproperties=fp, color=style.TEXT_COLOUR, parse_math=False, gid=kit.gid(gid), **kw)

    def heading(t):
        nonlocal y, rows_used
        text(0, y, t, head_fp, va="center", ha="left", gid="legend-heading")
        y += row
        rows_used += 1

    def symbol(r: symbology.LegendRow, x0, yc):
        """the row's marks, its local frame (px, y down) centred at (x0, yc) in points"""
        w, h = r.size
        ox, oy = x0 - w / 2 * k_pt, yc - h / 2 * k_pt
        for k, m in enumerate(r.symbol):
            if isinstance(m, symbology.Disc):
                cx, cy = r.centres[k]
                draw_disc(lg, kit, m, ox + cx * k_pt, oy + cy * k_pt, transform=lg.transData, clip=False,
                          zorder=5 + 0.1 * k)
            elif isinstance(m, symbology.Line):
                xs = [ox + px_ * k_pt for px_, _ in m.points]
                ys = [oy + py_ * k_pt for _, py_ in m.points]
                lg.add_line(Line2D(xs, ys, color=_rgba(m.colour, m.opacity), linewidth=kit.pt(m.weight),
                                   linestyle=_dash(m.dash, m.weight) if m.dash else "solid",
                                   solid_capstyle=m.cap, dash_capstyle=m.cap, gid=kit.gid(f"mark-{m.legend}")))
            elif isinstance(m, symbology.Arrow):
                import dataclasses

                moved = dataclasses.replace(
                    m, shaft=tuple((ox + a * k_pt, oy + b * k_pt) for a, b in m.shaft),
                    head=tuple((ox + a * k_pt, oy + b * k_pt) for a, b in m.head))
                _draw_arrow(lg, kit, moved, transform=lg.transData, xy=True)
            elif isinstance(m, symbology.Tag):
                cx, cy = ox + m.centre[0] * k_pt, oy + m.centre[1] * k_pt
                fp, colour = _part_style(kit, m.role)
                if m.boxed:   # the numbered callout's box, as drawn on the map
                    x0, y0, x1, y1 = m.box
                    lg.add_patch(Rectangle((ox + (x0 + 0.5) * k_pt, oy + (y0 + 0.5) * k_pt), (x1 - x0 - 1) * k_pt,
                                           (y1 - y0 - 1) * k_pt, facecolor=WHITE, edgecolor=style.TEXT_COLOUR,
                                           linewidth=0.8 * s, zorder=5, gid=kit.gid(f"legend-tag-{m.legend}-box")))
                lg.text(cx, cy, m.text, fontproperties=fp, color=colour, parse_math=False, ha="center",
                        va="center_baseline", zorder=6, gid=kit.gid(f"legend-tag-{m.legend}"))

    section = None
    for r in symbology.legend_rows():
        if r.only_with == "callouts" and not callouts:
            continue   # the callout row only on a map that has numbered callouts
        if r.section != section:
            if section is not None:
                y += 0.2 * row
                rows_used += 0.2
            section = r.section
            heading(section)
        if r.key == "sizes":   # at the map's own scale, whatever the legend's
            w, h = r.size
            legend_s, kit.s, k_pt = kit.s, map_s, PT_PER_PX * map_s   # symbol() reads k_pt
            yc = y + h / 2 * k_pt - 0.4 * row
            if draw:
                symbol(r, 2 * s + w / 2 * k_pt, yc)
                for k, n in enumerate(style.LEGEND_SIZES):
                    cx, _ = r.centres[k]
                    text(2 * s + cx * k_pt, yc + (h / 2 - 13) * k_pt + 3 * s, f"{n:,}", item_fp,
                         ha="center", va="top", gid="legend-row")
            y = yc + (h / 2 - 13) * k_pt + 3 * s + 12 * s
            kit.s, k_pt = legend_s, PT_PER_PX * legend_s
            rows_used -= 0.4
            continue
        lines = textwrap.wrap(r.text, wrap_chars) or [""]
        extra = (len(lines) - 1) * row * 0.72
        height = max(1.0, r.size[1] * k_pt / (14 * s * 0.75 * 1.33))
        height = min(height, 1.6)
        y += (height - 1) * row / 2
        if draw:
            symbol(r, sym_x, y + extra / 2)
        for k, line in enumerate(lines):
            text(text_x, y + k * row * 0.72, line, item_fp, va="center", ha="left", gid="legend-row")
        y += row + extra + (height - 1) * row / 2
        rows_used += height + (len(lines) - 1) * 0.72
    if callouts:
        y += 0.3 * row
        rows_used += 0.3
        heading("Numbered on the map")
        for n, lines in callouts:
            first = True
            for t, fp, colour in lines:
                # the label's own type, set at the legend's scale, wrapped to the panel
                fp = fp.copy()
                fp.set_size(fp.get_size() * s / map_s)
                chars = max(16, int((w_pt - 12 * s) / (fp.get_size() * 0.55)))
                label = f"{n}  {t}" if first else f"    {t}"
                for k, piece in enumerate(textwrap.wrap(label, chars) or [""]):
                    if draw:
                        lg.text(0 if first and k == 0 else 12 * s, y, piece, fontproperties=fp, color=colour,
                                parse_math=False, va="center", ha="left", gid=kit.gid("callout-key"))
                    y += max(row * 0.8, fp.get_size() * 1.25)
                    rows_used += 0.8
                first = False
    return y


# ------------------------------------------------------------------------ page

FOOTNOTE = ("Open-source reporting: ranges kept, plans dashed, one figure for several places never split; "
            "a figure holds until a later claim replaces it and fades as it ages. "
            "Equirectangular projection.")


def _wrap(text: str, width_pt: float, size_pt: float, max_lines: int, overflow: str = " …") -> list[str]:
    """Wrap to a width in points (DejaVu Sans averages about 0.55 em per character)."""
    chars = max(30, int(width_pt / (size_pt * 0.56)))
    lines = textwrap.wrap(text, width=chars)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(10, chars - len(overflow))].rstrip(" ;,·") + overflow
    return lines


def milestone_on(ds: Dataset, snap: Snapshot, within_days: int = 45) -> str | None:
    """The latest milestone on or before the day (within ``within_days``), among those
    known on ``snap.known_on``: 'Reversal: 250-350 stay (20 Oct 2025)'."""
    best = None
    for e in ds.events:
        src = ds.sources.get(e.source)
        if src is not None and src.published > snap.known_on:
            continue
        if e.date.start <= snap.on and (snap.on - e.date.start).days <= within_days:
            if best is None or e.date.start > best.date.start:
                best = e
    return f"{best.label} ({best.date.label()})" if best else None


def source_line(snap: Snapshot, show_plans: bool = True) -> str:
    """'Sources: Outlet (18 Aug 2025) · … . Basemap: Natural Earth (public domain).'"""
    return f"Sources: {mapview.source_line_text(mapview.shown_sources(snap, show_plans))}. {mapview.BASEMAP_CREDIT}."


def _draw(ds: Dataset, snap: Snapshot, *, title=None, subtitle=None, marking=None,
          size_px=DEFAULT_SIZE_PX, dpi=DEFAULT_DPI, extent=None, show_plans=True,
          svg: bool = False, fixed_layout: bool = False) -> tuple[Figure, "LabelReport"]:
    """Draw one page. ``fixed_layout`` (animation frames) reserves the room of every
    optional header and footer line, so the map box never moves between frames."""
    w_px, h_px = check_size(size_px, dpi)
    if extent is not None:
        extent = check_extent(extent)
    w_in, h_in = w_px / dpi, h_px / dpi
    fig = Figure(figsize=(w_in, h_in), dpi=dpi, facecolor=WHITE)
    FigureCanvasAgg(fig)
    # fonts, markers and margins scale with the page; a page narrower than 16:9 keeps
    # larger type (the header wraps, the map narrows) rather than shrinking to fit
    s = min(w_in / _REF_IN[0] * 1.3, h_in / _REF_IN[1])
    kit = _Kit(fig, s, svg=svg)
    kit.renderer = fig.canvas.get_renderer()
    sc = scene(ds, snap, show_plans)
    snap = sc.snap
    title = mapview.DEFAULT_TITLE if title is None else title
    subtitle = mapview.DEFAULT_SUBTITLE if subtitle is None else subtitle

    # --- page: a full-figure axes in inches, for the header and the footer
    page = fig.add_axes((0, 0, 1, 1))
    page.set_axis_off()
    page.set_xlim(0, w_in)
    page.set_ylim(0, h_in)
    page.set_zorder(20)
    page.patch.set_alpha(0)
    margin = kit.inch(0.32)
    top, bottom = h_in - kit.inch(0.2), kit.inch(0.16)
    marking = (marking or "").strip()
    if marking:
        mark_fp = kit.font(10, bold=True)
        for yy, va in ((top, "top"), (bottom, "bottom")):
            t = _text(page, w_in / 2, yy, marking, mark_fp, ha="center", va=va)
            t.set_bbox(dict(boxstyle="square,pad=0.25", facecolor=WHITE, edgecolor=style.GROUP_COLOUR,
                            linewidth=0.8 * s))
        top -= kit.inch(0.34)
        bottom += kit.inch(0.32)

    y = top
    usable_px = (w_in - 2 * margin) * dpi

    def fits(text, fp) -> bool:
        return _measure(kit, page, text, fp)[0] <= usable_px

    def lines_of(text, fp, max_lines=2) -> list[str]:
        """Wrap a header line to the page width, measured, at word boundaries."""
        if fits(text, fp):
            return [text]
        words, out, cur = text.split(" "), [], ""
        for word in words:
            trial = f"{cur} {word}".strip()
            if cur and not fits(trial, fp):
                out.append(cur)
                cur = word
            else:
                cur = trial
        out.append(cur)
        return out[:max_lines - 1] + [" ".join(out[max_lines - 1:])] if len(out) > max_lines else out

    title_fp = kit.font(20, bold=True)
    for line in lines_of(title, title_fp):
        _text(page, margin, y, line, title_fp, ha="left", va="top")
        y -= kit.inch(20 * 1.3 / 72)
    y -= kit.inch(20 * 0.1 / 72)
    if subtitle:
        sub_fp = kit.font(12)
        for line in lines_of(subtitle, sub_fp):
            _text(page, margin, y, line, sub_fp, colour=SECONDARY_TEXT, ha="left", va="top")
            y -= kit.inch(12 * 1.45 / 72)
    y -= kit.inch(0.02)
    date_fp, known_fp = kit.font(16, bold=True), kit.font(11.5)
    date_text = day_label(snap.on)
    _text(page, margin, y, date_text, date_fp, ha="left", va="top")
    known = [f"as known on {day_label(snap.known_on)}"]
    if getattr(snap, "as_planned", False):
        known.insert(0, "AS PLANNED (projection)")
    if snap.phase is not None:
        known.append(snap.phase.name)
    if not show_plans:
        known.append("plans hidden")
    ms = milestone_on(ds, snap)
    if ms:
        known.append(f"latest milestone: {ms}")
    date_w = _measure(kit, page, date_text, date_fp)[0] + 0.14 * s * dpi
    # beside the date; what does not fit there goes on a line of its own below
    first, rest = "  ·  ".join(known), []
    while len(known) > 1 and _measure(kit, page, first, known_fp)[0] > usable_px - date_w:
        rest.insert(0, known.pop())
        first = "  ·  ".join(known)
    _text(page, margin + date_w / dpi, y - kit.inch(0.035), first, known_fp, ha="left", va="top")
    y -= kit.inch(16 * 1.5 / 72)
    if rest:
        _text(page, margin, y, "  ·  ".join(rest), known_fp, ha="left", va="top")
        y -= kit.inch(11.5 * 1.5 / 72)
    elif fixed_layout:   # an animation's frames keep one layout: room for the line either way
        y -= kit.inch(11.5 * 1.5 / 72)
    stale = mapview.staleness_text(snap)
    warn_room = kit.inch(0.03) + kit.inch(11 * (1.9 + 1.3) / 72)   # a two-line warning
    if stale:
        y -= kit.inch(0.03)
        warn_fp = kit.font(11, bold=True)
        warn = lines_of("⚠ " + stale, warn_fp)
        t = _text(page, margin + kit.inch(0.06), y, "\n".join(warn), warn_fp, ha="left", va="top",
                  linespacing=1.3)
        t.set_bbox(dict(boxstyle="square,pad=0.3", facecolor=WHITE, edgecolor=style.CONFLICT_COLOUR,
                        linewidth=2.5 * s))
        used = kit.inch(11 * (1.9 + 1.3 * (len(warn) - 1)) / 72)
        y -= max(used, warn_room - kit.inch(0.03)) if fixed_layout else used
    elif fixed_layout:
        y -= warn_room
    header_bottom = y - kit.inch(0.06)

    src_fp, note_fp = kit.font(8.5), kit.font(7.5, italic=True)
    usable_pt = (w_in - 2 * margin) * 72 / s
    src_lines = _wrap(source_line(snap, show_plans), usable_pt, 8.5, max_lines=3,
                      overflow=" … (every source is in the GeoJSON export)")
    yb = bottom
    for line in reversed(_wrap(FOOTNOTE, usable_pt, 7.5, max_lines=2)):
        _text(page, margin, yb, line, note_fp, colour=SECONDARY_TEXT, ha="left", va="bottom")
        yb += kit.inch(7.5 * 1.4 / 72)
    yb += kit.inch(0.02)
    for line in reversed(src_lines):
        _text(page, margin, yb, line, src_fp, ha="left", va="bottom")
        yb += kit.inch(8.5 * 1.35 / 72)
    if fixed_layout:   # room for three source lines on every frame
        yb += kit.inch(8.5 * 1.35 / 72) * (3 - len(src_lines))
    footer_top = yb + kit.inch(0.06)

    # --- map box and legend panel
    legend_w, gap = kit.inch(2.75), kit.inch(0.2)
    slot_x0 = margin
    slot_w = w_in - 2 * margin - legend_w - gap
    slot_y0, slot_y1 = footer_top, header_bottom
    slot_h = slot_y1 - slot_y0
    if slot_w <= 0 or slot_h <= kit.inch(1.0):
        raise ValueError(f"size {w_px}x{h_px} px leaves no room for the map under the title and above the "
                         "source line; use a larger size (e.g. 1920x1080) or shorter texts")
    want = extent or fit_extent(sc)
    view, ratio = _frame(want, slot_w / slot_h, _coverage())
    if ratio < slot_w / slot_h:
        map_w, map_h = slot_h * ratio, slot_h
    else:
        map_w, map_h = slot_w, slot_w / ratio
    west, south, east, north = view
    ax = fig.add_axes((slot_x0 / w_in, (slot_y1 - map_h) / h_in, map_w / w_in, map_h / h_in))
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    # plate carrée with aspect 1/cos(lat0): equirectangular, standard parallel lat0
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)), adjustable="datalim")
    ax.apply_aspect()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(mapview.SEA)
    for spine in ax.spines.values():
        spine.set_edgecolor(SECONDARY_TEXT)
        spine.set_linewidth(0.8 * s)

    names = _draw_basemap(ax, kit, ds, view)
    radii, circles, along, arrows = _draw_posture(ax, kit, sc)
    scale_box = _draw_scale_bar(ax, kit, view)
    if getattr(snap, "as_planned", False):   # projection mode: unmistakable on the slide
        for spine in ax.spines.values():
            spine.set_edgecolor(style.PROJECTION_COLOUR)
            spine.set_linewidth(4 * s)
        t = _text(ax, 0.5, 0.985, style.PROJECTION_TEXT, kit.font(12, bold=True), colour=WHITE,
                  transform=ax.transAxes, ha="center", va="top", zorder=30, kit=kit, gid="projection")
        t.set_bbox(dict(boxstyle="square,pad=0.35", facecolor=style.PROJECTION_COLOUR, edgecolor="none"))
        banner = [t.get_window_extent(kit.renderer).expanded(1.1, 1.8)]
    else:
        banner = []
    name_boxes = [t.get_window_extent(kit.renderer) for t in names]
    callouts, placed, numbered, dropped = _place_labels(
        ax, kit, _labels(ax, kit, sc, radii, arrows), circles, name_boxes + [scale_box] + banner, along)
    _draw_legend(fig, kit, slot_x0 + map_w + gap, slot_y1, legend_w, slot_h, callouts)
    notice = no_report_notice(snap)
    if notice:
        t = _text(ax, 0.5, 0.5, "\n".join(textwrap.wrap(notice, 48)), kit.font(13, bold=True),
                  transform=ax.transAxes, ha="center", va="center", zorder=30, kit=kit, gid="notice",
                  linespacing=1.35)
        t.set_bbox(dict(boxstyle="square,pad=0.6", facecolor=WHITE, edgecolor=style.CONFLICT_COLOUR,
                        linewidth=2.5 * s))
    report = LabelReport(labels=placed, callouts=numbered, markers=circles, names=name_boxes, dropped=dropped,
                         halos=kit.halos)
    return fig, report


# ------------------------------------------------------------------------ public API

def render_brief(ds: Dataset, snap: Snapshot, *, title: str | None = None, subtitle: str | None = None,
                 marking: str | None = None, size_px: tuple[int, int] = DEFAULT_SIZE_PX, dpi: float = DEFAULT_DPI,
                 extent: tuple[float, float, float, float] | None = None, fmt: str = "png",
                 show_plans: bool = True) -> bytes:
    """One briefing image of ``snap`` as PNG, SVG or PDF bytes.

    ``size_px`` is exact for PNG (width x height pixels at ``dpi``); SVG and PDF get the
    same page in inches (size / dpi). ``extent`` is (west, south, east, north) in
    degrees; by default the view fits everything shown. ``title``/``subtitle`` default
    to the live map's. Raises ValueError on a bad size, dpi, extent or format, saying
    what would be right.
    """
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS.values():
        raise ValueError(f"unknown image format {fmt!r}; expected one of {', '.join(FORMATS.values())}")
    with _LOCK, matplotlib.rc_context(_RC):
        fig, report = _draw(ds, snap, title=title, subtitle=subtitle, marking=marking, size_px=size_px, dpi=dpi,
                            extent=extent, show_plans=show_plans, svg=fmt == "svg")
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt], facecolor=WHITE)
    if fmt == "svg":
        return _svg_halos(buf.getvalue().decode("utf-8"), report.halos).encode("utf-8")
    return buf.getvalue()


def write_brief(ds: Dataset, snap: Snapshot, path: str | Path, **opts) -> Path:
    """Render and write atomically; the format follows the extension (.png, .svg, .pdf)."""
    from .export import write_atomic

    path = Path(path)
    data = render_brief(ds, snap, fmt=format_of(path), **opts)
    write_atomic(path, data)
    return path


def render_rgb(ds: Dataset, snap: Snapshot, **opts):
    """The PNG image as an (height, width, 3) uint8 array (animation frames)."""
    import numpy as np

    with _LOCK, matplotlib.rc_context(_RC):
        fig, _ = _draw(ds, snap, **opts)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()


# ------------------------------------------------------------------------ milestones

@dataclass(frozen=True)
class Milestone:
    date: dt.date
    label: str

    def filename(self, ext: str = ".png") -> str:
        """'2025-10-20_reversal-250-350-stay.png'."""
        return f"{self.date.isoformat()}_{slugify(self.label)}{ext}"


def slugify(text: str, max_len: int = 48) -> str:
    """'Reversal: 250-350 stay' -> 'reversal-250-350-stay' (ASCII, safe in file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "milestone"


def milestones(ds: Dataset, known_on: dt.date | None = None) -> list[Milestone]:
    """The app's own milestone list (:func:`geo.mapview.milestones`, the slider's stops:
    events known on ``known_on``, phase starts and ends), one image each, in date order."""
    return [Milestone(m.day, m.label) for m in mapview.milestones(ds, known_on)]


def no_report_notice(snap: Snapshot) -> str | None:
    """'No report of troops at any place is known for 1 Jan 2023 …', or None when the day
    shows at least one figure or status from a source."""
    if any(ps.claim is not None for ps in snap.places) or snap.groups:
        return None
    if snap.latest_published is None:
        return (f"Nothing is known for {day_label(snap.on)}: no source was published by "
                f"{day_label(snap.known_on)}. This slide shows no posture.")
    return (f"No report of troops at any place is in force on {day_label(snap.on)} "
            f"(as known on {day_label(snap.known_on)}). This slide shows no posture.")


# ------------------------------------------------------------------------ animation

def animation_days(ds: Dataset, known_on: dt.date | None = None, start: dt.date | None = None,
                   end: dt.date | None = None) -> list[dt.date]:
    """The change dates (geo.posture.change_dates) within [start, end]."""
    return [d for d in change_dates(ds, known_on)
            if (start is None or d >= start) and (end is None or d <= end)]


def animation_extent(ds: Dataset, days: Iterable[dt.date], known_on=None, show_plans=True):
    """One view for every frame (the union of what any frame shows), so the map holds
    still while the posture changes."""
    boxes = [fit_extent(scene(ds, snapshot(ds, d, known_on), show_plans)) for d in days]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def render_animation(ds: Dataset, days: list[dt.date], *, known_on: dt.date | None = None, fmt: str = "gif",
                     fps: float = 1.0, size_px: tuple[int, int] = (1280, 720), dpi: float = 100,
                     title: str | None = None, subtitle: str | None = None, marking: str | None = None,
                     show_plans: bool = True, extent=None,
                     progress: Callable[[int, int, dt.date], None] | None = None) -> bytes:
    """A GIF (or MP4) stepping through ``days``: every frame a full briefing image (title,
    date, legend, source line) on one fixed view. ``progress(i, n, day)`` is called
    after each frame."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in ANIMATION_FORMATS.values():
        raise ValueError(f"unknown animation format {fmt!r}; expected gif or mp4")
    if not days:
        raise ValueError("no dates to animate: the dataset has no change dates in the chosen period")
    if not (0.1 <= fps <= 30):
        raise ValueError(f"fps {fps:g} is out of range; expected 0.1-30 frames per second")
    check_size(size_px, dpi)
    if fmt == "mp4":
        _ffmpeg()  # fail before rendering every frame
    view = check_extent(extent) if extent is not None else animation_extent(ds, days, known_on, show_plans)
    frames = []
    for i, day in enumerate(days):
        frames.append(render_rgb(ds, snapshot(ds, day, known_on), title=title, subtitle=subtitle, marking=marking,
                                 size_px=size_px, dpi=dpi, show_plans=show_plans, extent=view, fixed_layout=True))
        if progress is not None:
            progress(i + 1, len(days), day)
    return _gif_bytes(frames, fps) if fmt == "gif" else _mp4_bytes(frames, fps)


def _gif_bytes(frames, fps: float) -> bytes:
    from PIL import Image

    # One palette for every frame (built from all of them, no dithering) keeps colours
    # steady from frame to frame and the bytes deterministic.
    images = [Image.fromarray(f) for f in frames]
    strip = Image.new("RGB", (images[0].width, images[0].height * len(images)))
    for k, im in enumerate(images):
        strip.paste(im, (0, k * images[0].height))
    palette = strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    quantized = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    buf = io.BytesIO()
    quantized[0].save(buf, format="GIF", save_all=True, append_images=quantized[1:],
                      duration=int(round(1000 / fps)), loop=0, optimize=False, disposal=1)
    return buf.getvalue()


def _ffmpeg() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # no binary for this platform, or the package is missing
        raise ValueError(f"MP4 needs the ffmpeg binary of imageio-ffmpeg, which is not available here ({exc}); "
                         "write a .gif instead") from None


def _mp4_bytes(frames, fps: float) -> bytes:
    import imageio.v2 as imageio
    import numpy as np

    _ffmpeg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "animation.mp4"
        writer = imageio.get_writer(str(path), format="FFMPEG", mode="I", fps=fps, codec="libx264",
                                    pixelformat="yuv420p", macro_block_size=1, ffmpeg_log_level="error",
                                    output_params=["-movflags", "+faststart"])
        try:
            for f in frames:
                # yuv420p needs even sides: pad by one pixel rather than rescale
                h, w = f.shape[:2]
                if h % 2 or w % 2:
                    f = np.pad(f, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
                writer.append_data(f)
        finally:
            writer.close()
        return path.read_bytes()


def write_animation(ds: Dataset, days: list[dt.date], path: str | Path, **opts) -> Path:
    """Render and write atomically; .gif or .mp4 by extension."""
    from .export import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ANIMATION_FORMATS:
        raise ValueError(f"cannot tell the animation format of {str(path)!r}: use .gif or .mp4 as the extension")
    data = render_animation(ds, days, fmt=ANIMATION_FORMATS[suffix], **opts)
    write_atomic(path, data)
    return path
