"""One visual language for the live map, the static images and the legends.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies) and
differ in lightness as well as hue, so that a greyscale print still tells them apart.
Marker *area* is proportional to troops (radius grows with the square root), so a base
with four times the troops looks four times as big, not sixteen.
"""
from __future__ import annotations

import math

from .model import STATUSES

#: status -> (fill colour, label). Lightness is ordered so greyscale keeps them apart:
#: present (dark blue) < drawing-down (vermillion) < residual (bluish green) <
#: destination (sky blue) < withdrawn (light grey outline).
STATUS_COLOURS = {
    "present": "#0072B2",
    "drawing-down": "#D55E00",
    "residual": "#009E73",
    "destination": "#56B4E9",
    "withdrawn": "#BBBBBB",
}
NO_FIGURE_COLOUR = "#777777"
MOVEMENT_COLOUR = "#CC79A7"   # reddish purple: apart from every status colour
GROUP_COLOUR = "#444444"
TEXT_COLOUR = "#222222"
CONFLICT_COLOUR = "#E69F00"   # orange ring: two sources disagree
WARN_TEXT_COLOUR = "#8A4B00"  # dark amber text for warnings: readable on white and in grey

#: Plans are dashed everywhere (Leaflet dashArray and matplotlib linestyle alike).
PLAN_DASH = "6 5"
PLAN_DASH_MPL = (0, (4, 3))

#: Size scale, in screen pixels (Leaflet CircleMarker radius, matplotlib points/0.75).
MIN_RADIUS_PX = 5.0
#: radius for 1,000 troops; area proportional: r = R1000 * sqrt(n / 1000)
R1000_PX = 16.0
NO_FIGURE_RADIUS_PX = 6.0
LEGEND_SIZES = (100, 500, 2000)

#: Fill strength: the disc up to the certain minimum, the band between min and max.
FILL_CERTAIN = 0.78
FILL_RANGE = 0.22
#: A figure for a whole region or country is an envelope, not a place: filled lightly
#: so it does not read as one more base beside the bases it contains.
AREA_FILL_K = 0.45
GROUP_JOIN_DASH = "1 6"       # dotted: apart from the plan dash
IMPRECISE_DASH = "2 4"

#: Line weights (px) of the marker parts, the arrows and the joins.
RING_WEIGHT_PX = 2.0
CORE_WEIGHT_PX = 1.5
HOLLOW_WEIGHT_PX = 2.5
IMPRECISE_WEIGHT_PX = 1.2
IMPRECISE_GAP_PX = 7.0        # dashed halo this far outside a region/country marker
CONFLICT_WEIGHT_PX = 3.5
CONFLICT_GAP_PX = 3.5
SELECTED_GAP_PX = 7.0
JOIN_WEIGHT_PX = 2.0
MOVE_WEIGHT_PX = 3.0
MOVE_HEAD_PX = 13.0           # arrow head length
MOVE_HEAD_WEIGHT_PX = 1.5
MOVE_TRIM_PX = (3.0, 4.0)     # gap between an arrow and the markers it joins
MOVE_BEND = 0.16              # arc bend of the first movement; later ones alternate, wider

#: The plan in force beside a report: a dashed ring at the planned size, no fill.
GHOST_WEIGHT_PX = 1.5
GHOST_OPACITY = 0.9

#: Projection mode (what the plans said): a banner that no screenshot can lose.
PROJECTION_COLOUR = "#6A3D9A"
PROJECTION_TEXT = "PROJECTION — as the plans said, not as reported"

#: Basemap greys: light enough that every status colour stands out on them.
SEA = "#dbe6ee"
LAND = "#efece4"
LAND_FOCUS = "#fbfaf7"
BORDER = "#8c8c8c"
COUNTRY_TEXT = "#8d8a82"
COUNTRY_TEXT_FOCUS = "#77746c"
SECONDARY_TEXT = GROUP_COLOUR
HALO_COLOUR = "#FFFFFF"
LEGEND_BACKGROUND = "#FFFFFF"   # opaque: nothing on the map shows through the legend

#: One font stack for the live map, the SVG and the PDF: the renderer embeds DejaVu Sans
#: (shipped with matplotlib); an SVG opened where it is missing falls back in this order.
FONT_STACK = ("DejaVu Sans", "Verdana", "Bitstream Vera Sans", "Arial", "sans-serif")

#: Label text roles -> (size px, bold, italic, colour). Sizes are the live map's CSS px;
#: the static renderer draws them at 0.75 pt per px of its 1920x1080 design.
LABEL_ROLES = {
    "name": (12.5, True, False, TEXT_COLOUR),
    "figure": (11.0, False, False, TEXT_COLOUR),
    "plan": (11.0, False, True, TEXT_COLOUR),
    "warn": (11.0, True, False, WARN_TEXT_COLOUR),
    "note": (10.5, False, False, GROUP_COLOUR),
    "quiet": (10.5, False, False, GROUP_COLOUR),
    "move": (11.0, False, False, TEXT_COLOUR),
    "move-plan": (11.0, False, True, TEXT_COLOUR),
    "callout": (10.5, True, False, TEXT_COLOUR),
    "area-name": (11.0, True, False, TEXT_COLOUR),
    "area": (11.0, False, False, TEXT_COLOUR),
}
#: An area total's anchor dot (px) and its boxed label.
AREA_ANCHOR_PX = 3.0
AREA_BOX_EDGE = GROUP_COLOUR


def status_colour(status: str | None) -> str:
    return STATUS_COLOURS.get(status or "", NO_FIGURE_COLOUR)


def status_label(status: str | None) -> str:
    return STATUSES.get(status or "", "No figure reported")


def radius_px(troops: float | None) -> float:
    """Marker radius for a troop count, area-proportional, never below a visible minimum.

    >>> round(radius_px(4000) / radius_px(1000), 2)
    2.0
    """
    if troops is None:
        return NO_FIGURE_RADIUS_PX
    return max(MIN_RADIUS_PX, R1000_PX * math.sqrt(max(troops, 0) / 1000.0))


def ring_radii(troops_min: int | None, troops_max: int | None) -> tuple[float | None, float | None]:
    """(inner, outer) radii for a range: inner ring at the minimum, outer at the maximum.

    An open bound has no ring: "at least 250" draws the inner ring only, "fewer than
    500" the outer ring only (with the inner at 0, not drawn).
    """
    inner = radius_px(troops_min) if troops_min else None
    outer = radius_px(troops_max) if troops_max is not None else None
    return inner, outer


#: Age fading: a figure is fully opaque while fresh and fades to a floor as it ages,
#: so an old figure still shows but plainly looks old.
FRESH_DAYS = 30
STALE_DAYS = 180
MIN_OPACITY = 0.30


def age_opacity(age_days: int | None) -> float:
    """1.0 up to FRESH_DAYS, then linear down to MIN_OPACITY at STALE_DAYS and beyond."""
    if age_days is None or age_days <= FRESH_DAYS:
        return 1.0
    if age_days >= STALE_DAYS:
        return MIN_OPACITY
    frac = (age_days - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)
    return round(1.0 - frac * (1.0 - MIN_OPACITY), 3)


def age_class(age_days: int | None) -> str:
    if age_days is None:
        return "none"
    if age_days <= FRESH_DAYS:
        return "fresh"
    if age_days < STALE_DAYS:
        return "ageing"
    return "stale"


def arrow_head(lon0: float, lat0: float, lon1: float, lat1: float, size_deg: float = 0.25,
               at: float = 1.0, spread_deg: float = 25.0) -> list[tuple[float, float]]:
    """A filled triangle (lon, lat ring) pointing from (lon0, lat0) to (lon1, lat1).

    Computed in a local equirectangular frame (longitude scaled by cos(latitude)) so the
    head is not squashed at 30-37 N. ``at`` places the tip along the line (1 = at the
    destination); ``size_deg`` is the head's length in degrees of latitude.
    """
    k = math.cos(math.radians((lat0 + lat1) / 2))
    dx, dy = (lon1 - lon0) * k, lat1 - lat0
    length = math.hypot(dx, dy) or 1e-9
    ux, uy = dx / length, dy / length
    tipx, tipy = lon0 * k + dx * at, lat0 + dy * at
    size = min(size_deg, length * 0.45)
    a = math.radians(spread_deg)
    pts = [(tipx, tipy)]
    for sgn in (1, -1):
        bx = tipx - size * (ux * math.cos(a) - sgn * uy * math.sin(a))
        by = tipy - size * (uy * math.cos(a) + sgn * ux * math.sin(a))
        pts.append((bx, by))
    pts.append((tipx, tipy))
    return [(x / k, y) for x, y in pts]


#: The live map labels at most this many places (highest priority first: area totals,
#: then the largest figures); the browser's collision-free placement is quadratic in the
#: labels, and beyond this a slider step takes seconds. Every place keeps its tooltip.
LIVE_LABEL_LIMIT = 150
