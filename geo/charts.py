"""The timeline chart of the analysis pages, as a Vega-Lite specification built from
:mod:`geo.analysis` (shown with ``st.vega_lite_chart``; Vega-Lite is what Altair writes).

One row per series (a place, a group figure, a country), stacked on a shared time
axis, in the map's visual language (:mod:`geo.style`): colour is the status, plans are
dashed, a range is a band between its bounds, an open bound is a line at the known
bound with a triangle pointing to the open side (never a band into numbers no one
gave). A thin strip along the top of each row shows the status in force even where no
figure was given. Phases are shaded, milestones are dotted rules, the day chosen on the
map is a solid rule.

Why plain dicts rather than Altair objects: Altair deep-copies every layer each time
layers are combined or configured, and validates on output; a fifteen-row chart took
two to four seconds per rerun, too slow for scrubbing dates. The specification here is
the same JSON, built in milliseconds, and the tests validate it against the Vega-Lite
schema that Altair ships. Data sit once in the top-level ``datasets`` (layers refer to
them by name), so every value drawn can be read back (:func:`chart_values`).

Pure: no Streamlit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math

import pandas as pd

from . import style
from .model import STATUSES

#: Vega-Lite dash arrays: reports solid, plans dashed as on the map (style.PLAN_DASH).
DASHES = {"report": [1, 0], "plan": [float(x) for x in style.PLAN_DASH.split()]}
ROW_HEIGHT = 110
EMPTY_ROW_HEIGHT = 26
STRIP_PX = 7
PLAN_MARKER = "diamond"
AXIS_PX = 44


class _Datasets:
    """The chart's data, held once in the specification's top-level ``datasets`` and
    named by a hash of their content (equal data are stored once)."""

    def __init__(self):
        self.datasets: dict[str, list[dict]] = {}

    def __call__(self, values: list[dict]) -> dict:
        name = "d" + hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]
        self.datasets[name] = values
        return {"name": name}


def _iso(value) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    return str(value)


def _plain(value):
    """A JSON-safe scalar: pandas NA/NaN -> None, numpy scalars -> Python, dates -> ISO."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return _iso(value)
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows as JSON-safe dicts (what the chart embeds)."""
    cols = columns or list(df.columns)
    return [{c: _plain(v) for c, v in zip(cols, row)} for row in df[cols].itertuples(index=False)]


# ------------------------------------------------------------- encoding parts

def _utc(day: dt.date) -> dict:
    return {"year": day.year, "month": day.month, "date": day.day, "utc": True}


def _x(field: str, domain: tuple[dt.date, dt.date], axis: bool) -> dict:
    """A time position on the shared axis. The scale is UTC, like the ISO day strings
    Vega parses, so a day never shifts with the reader's time zone. ``padding`` keeps
    AXIS_PX free at each end: the y axis is drawn in the left one (:func:`_axis_y`)."""
    return {"field": field, "type": "temporal", "title": None,
            "scale": {"type": "utc", "domain": [_utc(domain[0]), _utc(domain[1])], "padding": AXIS_PX},
            "axis": {"format": "%b %Y", "labelAngle": 0, "grid": False, "tickCount": "month",
                     "labelOverlap": True} if axis else None}


def _f(field: str, kind: str = "temporal") -> dict:
    return {"field": field, "type": kind}


def _tip(field: str, title: str) -> dict:
    return {"field": field, "type": "nominal", "title": title}


#: A figure with no status of its own (a country sum) is drawn in the no-figure grey.
UNKNOWN_STATUS = "unknown"


def _colour(field: str) -> dict:
    scale = {"domain": [*style.STATUS_COLOURS, UNKNOWN_STATUS],
             "range": [*style.STATUS_COLOURS.values(), style.NO_FIGURE_COLOUR]}
    # Legend labels in words ("Handed over / withdrawn"), keyed by the status code.
    label = " : ".join(f"datum.label === '{k}' ? '{v}'" for k, v in STATUSES.items()) + " : datum.label"
    # Every layer that shares the colour scale carries the same legend: Vega-Lite merges
    # equal legends into one, but one layer's "legend": null beside another's legend
    # dropped the Status legend from the whole chart (only Basis was drawn).
    return {"field": field, "type": "nominal", "scale": scale,
            "legend": {"title": "Status", "labelExpr": label, "orient": "bottom",
                       "values": list(style.STATUS_COLOURS), "symbolType": "stroke", "symbolStrokeWidth": 3,
                       "symbolOpacity": 1}}


def _dash(legend: bool) -> dict:
    return {"field": "basis", "type": "nominal",
            "scale": {"domain": list(DASHES), "range": list(DASHES.values())},
            "legend": {"title": "Basis", "orient": "bottom", "symbolType": "stroke", "symbolStrokeWidth": 2,
                       "symbolSize": 300,
                       "labelExpr": "datum.label === 'plan' ? 'plan (announced)' : 'report (said to have happened)'"}
            if legend else None}


def _axis_y(ymax: float, has_numbers: bool) -> dict:
    """The y axis: the same width on every row (minExtent = maxExtent), so that the
    rows' time axes line up; invisible on a row with no figure."""
    # offset -AXIS_PX: the axis sits inside the view, in the left gutter the x scale's
    # padding leaves free (see _x), so a row's width is its view's width alone.
    if not has_numbers:
        return {"title": None, "labels": False, "ticks": False, "domain": False, "grid": False,
                "minExtent": AXIS_PX, "maxExtent": AXIS_PX, "offset": -AXIS_PX}
    axis = {"title": None, "format": ",d", "tickCount": 3, "tickMinStep": 1, "grid": True, "gridOpacity": 0.4,
            "minExtent": AXIS_PX, "maxExtent": AXIS_PX, "offset": -AXIS_PX}
    if ymax <= 1:
        axis["values"] = [0]
    return axis


def _layer(data: dict, mark: dict, encoding: dict, **extra) -> dict:
    return {"data": data, "mark": mark, "encoding": encoding, **extra}


SEGMENT_TOOLTIP = [
    _tip("series", "Series"), _tip("period", "In force"), _tip("figure", "Figure"),
    _tip("basis", "Figure basis"), _tip("status_label", "Status"), _tip("as_of", "As of"),
    _tip("source", "Source"), _tip("published", "Published"), _tip("quote", "Quote"), _tip("claim", "Claim"),
]


def _segments(series: pd.DataFrame) -> list[dict]:
    out = []
    for rec in records(series):
        rec["figure_status"] = rec.get("figure_status") or UNKNOWN_STATUS
        rec["period"] = (rec["start_label"] if rec["start_label"] == rec["end_label"]
                         else f"{rec['start_label']} – {rec['end_label']}")
        out.append(rec)
    return out


def _lines(segs: list[dict]) -> list[dict]:
    """The horizontal lines drawn: one per single-valued figure, two (its bounds) per range."""
    out = []
    for s in segs:
        if s["shape"] in ("point", "at least", "at most"):
            out.append({**s, "y": s["value"], "bound": s["shape"]})
        elif s["shape"] == "range":
            out.append({**s, "y": s["troops_min"], "bound": "lower"})
            out.append({**s, "y": s["troops_max"], "bound": "upper"})
    return out


def _steps(segs: list[dict]) -> list[dict]:
    """Vertical risers joining one single-valued figure to the next, where one interval
    ends the day the next begins (a step line; never across a gap or a range)."""
    out = []
    single = [s for s in segs if s["shape"] in ("point", "at least", "at most")]
    by_start = {s["start"]: s for s in single}
    for s in single:
        nxt = by_start.get(s["end"])
        if nxt is not None and nxt["value"] != s["value"]:
            out.append({"x": nxt["start"], "y": s["value"], "y2": nxt["value"], "basis": nxt["basis"],
                        "figure_status": nxt["figure_status"]})
    return out


NUMERIC_SHAPES = ("point", "range", "at least", "at most")


def _row_max(segs: list[dict], plans: list[dict], earlier: list[dict]) -> float:
    numeric = [s for s in segs if s["shape"] in NUMERIC_SHAPES]
    return max([v for s in numeric for v in (s["troops_min"], s["troops_max"], s["value"]) if v is not None]
               + [p["value"] for p in plans if p.get("value") is not None]
               + [e["value"] for e in earlier if e.get("value") is not None] + [1])


def _annotations(segs: list[dict]) -> list[dict]:
    """A figure's words ('about 2,500') where it comes into force, once per change."""
    out, last = [], None
    for s in segs:
        if s["shape"] not in NUMERIC_SHAPES:
            last = None
            continue
        if s["figure"] != last:
            y = s["troops_max"] if s["shape"] == "range" and s["troops_max"] is not None else s["value"]
            out.append({"start": s["start"], "y": y, "text": s["figure"], "basis": s["basis"]})
        last = s["figure"]
    return out


def _series_row(reg: _Datasets, segs: list[dict], *, title: str, subtitle: str, plans: list[dict],
                earlier: list[dict], phases: list[dict], milestones: list[dict],
                selected: dt.date | None, domain, width, axis: bool, shared_max: float | None = None) -> dict:
    numeric = [s for s in segs if s["shape"] in NUMERIC_SHAPES]
    has_numbers = bool(numeric) or any(p.get("value") is not None for p in plans)
    # a shared scale: 4-5 troops look as small beside 2,500 as they are
    ymax = shared_max if shared_max is not None and has_numbers else _row_max(segs, plans, earlier)
    # Headroom above the highest figure keeps the status strip clear of the lines;
    # a little room below zero lifts a "0" line off the row's bottom edge.
    top = ymax * 1.3 if ymax > 1 else 1
    y_scale = {"domain": [-0.07 * top, top], "nice": False, "zero": False}

    def y(field: str) -> dict:
        return {"field": field, "type": "quantitative", "scale": y_scale, "axis": _axis_y(ymax, has_numbers)}

    x = _x("start", domain, axis)
    at_day = _x("date", domain, axis)
    rule = {"type": "rule", "clip": True}
    layers = []
    if phases:
        layers.append(_layer(reg(phases), {"type": "rect", "clip": True, "opacity": 0.07, "color": style.GROUP_COLOUR},
                             {"x": x, "x2": {"field": "end"}, "tooltip": [_tip("name", "Phase"), _tip("period", "Dates")]},
                             transform=[{"filter": "datum.shade"}]))
    if milestones:
        layers.append(_layer(reg(milestones), {**rule, "strokeDash": [2, 3], "opacity": 0.45,
                                               "color": style.TEXT_COLOUR},
                             {"x": at_day, "tooltip": [_tip("label", "Milestone"), _tip("date_label", "Date")]}))
    if earlier:
        layers.append(_layer(reg(_lines(earlier)), {**rule, "strokeWidth": 1.5, "opacity": 0.55,
                                                    "color": style.GROUP_COLOUR, "strokeDash": [1, 3]},
                             {"x": x, "x2": {"field": "end"}, "y": y("y"),
                              "tooltip": [_tip("known", "As known then"), *SEGMENT_TOOLTIP[1:5]]}))
    bands = [s for s in segs if s["shape"] == "range"]
    if bands:
        layers.append(_layer(reg(bands), {"type": "rect", "clip": True, "opacity": 0.22},
                             {"x": x, "x2": {"field": "end"}, "y": y("troops_min"), "y2": {"field": "troops_max"},
                              "color": _colour("figure_status"), "tooltip": SEGMENT_TOOLTIP}))
    lines = _lines(segs)
    if lines:
        layers.append(_layer(reg(lines), {**rule, "strokeWidth": 2.5},
                             {"x": x, "x2": {"field": "end"}, "y": y("y"), "color": _colour("figure_status"),
                              "strokeDash": _dash(True), "tooltip": SEGMENT_TOOLTIP}))
        steps = _steps(segs)
        if steps:
            layers.append(_layer(reg(steps), {**rule, "strokeWidth": 1.2, "opacity": 0.8},
                                 {"x": _x("x", domain, axis), "y": y("y"), "y2": {"field": "y2"},
                                  "color": _colour("figure_status"), "strokeDash": _dash(False)}))
        # A dot where each figure takes effect: a figure in force for a day or two is
        # still seen, and each dot is a claim one can hover.
        starts = [ln for ln in lines if ln["bound"] in ("point", "lower")]
        layers.append(_layer(reg(starts), {"type": "point", "clip": True, "filled": True, "size": 34, "opacity": 1},
                             {"x": x, "y": y("y"), "color": _colour("figure_status"),
                              "tooltip": SEGMENT_TOOLTIP}))
    opened = [{**s, "marker": "triangle-up" if s["shape"] == "at least" else "triangle-down"}
              for s in segs if s["shape"] in ("at least", "at most")]
    if opened:
        layers.append(_layer(reg(opened), {"type": "point", "clip": True, "filled": True, "size": 80, "opacity": 1},
                             {"x": x, "y": y("value"), "shape": {"field": "marker", "type": "nominal", "scale": None},
                              "color": _colour("figure_status"), "tooltip": SEGMENT_TOOLTIP}))
    if plans:
        layers.append(_layer(reg(plans), {"type": "point", "clip": True, "shape": PLAN_MARKER, "filled": False,
                                          "size": 90, "strokeWidth": 1.6, "color": style.TEXT_COLOUR},
                             {"x": at_day, "y": y("value"),
                              "tooltip": [_tip("figure", "Plan"), _tip("date_label", "For"),
                                          _tip("status_label", "Status"), _tip("announced", "Announced"),
                                          _tip("quote", "Quote"), _tip("claim", "Claim")]}))
    if not has_numbers:  # an invisible axis as wide as the others keeps the row aligned
        layers.append(_layer(reg([{"y": 0}]), {"type": "rule", "opacity": 0}, {"y": y("y")}))
    # The status strip: what is said of the place over time, with or without a figure.
    layers.append(_layer(reg([s for s in segs if s.get("status")]), {"type": "rect", "clip": True},
                         {"x": x, "x2": {"field": "end"}, "y": {"value": 0}, "y2": {"value": STRIP_PX},
                          "color": _colour("status"),
                          "opacity": {"field": "status_basis", "type": "nominal", "legend": None,
                                      "scale": {"domain": ["report", "plan"], "range": [1.0, 0.45]}},
                          "tooltip": SEGMENT_TOOLTIP}))
    if selected is not None:
        layers.append(_layer(reg([{"date": selected.isoformat(), "label": f"{selected.day} {selected:%b %Y}"}]),
                             {**rule, "strokeWidth": 2, "color": style.TEXT_COLOUR},
                             {"x": at_day, "tooltip": [_tip("label", "Chosen day")]}))
    head = {"text": title, "anchor": "start", "fontSize": 13, "subtitleFontSize": 11,
            "subtitleColor": style.GROUP_COLOUR, "offset": 4}
    if subtitle:
        head["subtitle"] = subtitle
    notes = _annotations(segs)
    if notes:
        layers.append(_layer(reg(notes), {"type": "text", "align": "left", "baseline": "bottom", "dx": 3, "dy": -3,
                                          "fontSize": 10, "color": style.TEXT_COLOUR, "clip": True},
                             {"x": x, "y": y("y"), "text": _f("text", "nominal")}))
    return {"title": head, "width": width, "height": ROW_HEIGHT if has_numbers else EMPTY_ROW_HEIGHT,
            "layer": layers}


#: The narrowest view (px) for which milestone labels are laid out: positions scale with
#: the width and label sizes do not, so a layout free of overlaps at this width is free
#: of them at every wider one (the chart follows its container, see timeline_chart).
LAYOUT_MIN_WIDTH = 700
MILESTONE_FONT_PX = 10.5
MILESTONE_DOT_R = 3.5
MILESTONE_DX = 5
LANE_PX = 15
LANE_GAP_PX = 6
HEADER_TOP_PX, HEADER_BOTTOM_PX = 18, 16  # phase names above the lanes, the chosen day's label below

#: Width of a character in em, generous for a sans-serif (Source Sans, Helvetica,
#: DejaVu Sans): an estimate too wide costs a lane, one too narrow an overlap.
_NARROW, _WIDE = set("fijlrtI!|.,:;'()[]- "), set("mwMW@%")


def text_px(text: str, font_px: float = MILESTONE_FONT_PX) -> float:
    """An upper estimate of a text's width in pixels at ``font_px``."""
    em = sum(0.34 if c in _NARROW else 0.92 if c in _WIDE else 0.72 if c.isupper() else 0.58 for c in text)
    return em * font_px


def _day_px(day: str, domain, width: float) -> float:
    """x of a day in a view ``width`` px wide (the x scale, padding included)."""
    span = max(1, (domain[1] - domain[0]).days)
    return AXIS_PX + (dt.date.fromisoformat(day) - domain[0]).days / span * (width - 2 * AXIS_PX)


def _label_box(m: dict, domain, width: float) -> tuple[float, float]:
    """Horizontal extent (x0, x1) of a milestone's dot and label: the label right of its
    dot, or left of it (``anchor`` "end") where it would run off the right edge."""
    x = _day_px(m["date"], domain, width)
    w = text_px(m["label"])
    if m.get("anchor") == "end":
        return x - MILESTONE_DX - w, x + MILESTONE_DOT_R
    return x - MILESTONE_DOT_R, x + MILESTONE_DX + w


def _lanes(milestones: list[dict], domain, width: int = LAYOUT_MIN_WIDTH) -> list[dict]:
    """Give each milestone a side (``anchor``) and a text lane so that no two labels
    overlap, laid out at ``width`` (the narrowest view the chart is drawn at): greedy
    interval packing by left edge, as many lanes as it takes."""
    out = []
    for m in milestones:
        x = _day_px(m["date"], domain, width)
        fits_right = x + MILESTONE_DX + text_px(m["label"]) <= width
        out.append({**m, "anchor": "start" if fits_right else "end"})
    ends: list[float] = []
    for m in sorted(out, key=lambda m: (_label_box(m, domain, width)[0], m["date"], m["event"])):
        x0, x1 = _label_box(m, domain, width)
        lane = next((i for i, end in enumerate(ends) if end + LANE_GAP_PX <= x0), None)
        if lane is None:
            ends.append(x1)
            lane = len(ends) - 1
        ends[lane] = x1
        m["lane"] = lane
    return sorted(out, key=lambda m: (m["date"], m["event"]))


def milestone_label_boxes(spec: dict, width: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The (label, (x0, y0, x1, y1)) boxes of the milestone labels of a
    :func:`timeline_chart` specification drawn ``width`` px wide, in the header's pixels,
    from the same estimates the layout uses (for tests and for checking a layout)."""
    header = spec["vconcat"][0]
    ends = next(layer["encoding"]["x"]["scale"]["domain"] for layer in header["layer"] if "x" in layer["encoding"])
    domain = tuple(dt.date(e["year"], e["month"], e["date"]) for e in ends)
    values = [v for layer in header["layer"] if layer.get("name", "").startswith("milestone_labels")
              for v in spec["datasets"][layer["data"]["name"]]]
    out = []
    for m in values:
        x0, x1 = _label_box(m, domain, width)
        out.append((m["label"], (x0, m["y"] - LANE_PX / 2, x1, m["y"] + LANE_PX / 2)))
    return out


def _header_row(reg: _Datasets, phases: list[dict], milestones: list[dict], selected: dt.date | None, domain,
                width: int, layout_width: int = LAYOUT_MIN_WIDTH) -> dict:
    lanes = 1 + max((m["lane"] for m in milestones), default=0)
    lane_px, top, bottom = LANE_PX, HEADER_TOP_PX, HEADER_BOTTOM_PX
    height = top + lane_px * lanes + bottom
    x = _x("date", domain, False)
    y_lane = {"field": "y", "type": "quantitative", "scale": {"domain": [0, height], "range": [0, height]},
              "axis": _axis_y(0, False)}
    text = {"type": "text", "align": "left", "color": style.TEXT_COLOUR}
    layers = []
    if phases:
        layers.append(_layer(reg(phases), {"type": "rect", "clip": True, "opacity": 0.07, "color": style.GROUP_COLOUR},
                             {"x": _x("start", domain, False), "x2": {"field": "end"}},
                             transform=[{"filter": "datum.shade"}]))
        layers.append(_layer(reg(phases), {**text, "dx": 4, "baseline": "top", "fontSize": 11, "fontWeight": "bold",
                                           "color": style.GROUP_COLOUR},
                             {"x": _x("label_at", domain, False), "y": {"value": 2}, "text": _f("name", "nominal"),
                              "tooltip": [_tip("name", "Phase"), _tip("period", "Dates"),
                                          _tip("description", "What"), _tip("source", "Source")]}))
    if selected is not None:  # the rule under the labels; its own label below the lanes
        label = f"chosen day: {selected.day} {selected:%b %Y}"
        chosen = reg([{"date": selected.isoformat(), "label": label}])
        layers.append(_layer(chosen, {"type": "rule", "strokeWidth": 2, "color": style.TEXT_COLOUR}, {"x": x}))
        # right of the rule, or left of it where it would run off the chart (as at _lanes)
        right = _day_px(selected.isoformat(), domain, layout_width) + 4 + text_px(label, 11) * 1.1 <= layout_width
        layers.append(_layer(chosen, {**text, "align": "left" if right else "right", "dx": 4 if right else -4,
                                      "baseline": "bottom", "fontSize": 11, "fontWeight": "bold"},
                             {"x": x, "y": {"value": height}, "text": _f("label", "nominal")}))
    if milestones:
        placed_recs = [{**m, "y": top + lane_px * (m["lane"] + 0.5)} for m in milestones]
        layers.append(_layer(reg(placed_recs),
                             {"type": "point", "filled": True, "size": 30, "color": style.TEXT_COLOUR},
                             {"x": x, "y": y_lane,
                              "tooltip": [_tip("label", "Milestone"), _tip("date_label", "Date"),
                                          _tip("kind", "Kind"), _tip("source", "Source")]}))
        for anchor, align, dx in (("start", "left", MILESTONE_DX), ("end", "right", -MILESTONE_DX)):
            side = [m for m in placed_recs if m["anchor"] == anchor]
            if side:
                layers.append(_layer(reg(side), {**text, "align": align, "dx": dx, "fontSize": MILESTONE_FONT_PX},
                                     {"x": x, "y": y_lane, "text": _f("label", "nominal")},
                                     name=f"milestone_labels_{anchor}"))
    # An invisible mark: the header keeps its axis width and time scale with no milestone.
    layers.append(_layer(reg([{"date": domain[0].isoformat(), "y": 0}]), {"type": "rule", "opacity": 0},
                         {"x": x, "y": y_lane}))
    return {"title": {"text": "Phases and milestones", "anchor": "start", "fontSize": 12,
                      "color": style.GROUP_COLOUR},
            "width": width, "height": height, "layer": layers}


def _phase_records(phases: pd.DataFrame, domain) -> list[dict]:
    out = []
    for i, rec in enumerate(records(phases)):
        start = max(dt.date.fromisoformat(rec["start"]), domain[0])
        end = min(dt.date.fromisoformat(rec["end"]), domain[1])
        if end <= start:
            continue
        rec.update(start=start.isoformat(), end=end.isoformat(), shade=(i % 2 == 0),
                   label_at=start.isoformat(), period=f"{rec['start_label']} – {rec['end_label']}")
        out.append(rec)
    return out


def _clip(segs: list[dict], domain) -> list[dict]:
    lo, hi = domain[0].isoformat(), domain[1].isoformat()
    out = []
    for s in segs:
        if s["end"] <= lo or s["start"] >= hi:
            continue
        out.append({**s, "start": max(s["start"], lo), "end": min(s["end"], hi)})
    return out


def timeline_chart(series: pd.DataFrame, *, phases: pd.DataFrame | None = None,
                   milestones: pd.DataFrame | None = None, plans: pd.DataFrame | None = None,
                   earlier: pd.DataFrame | None = None, earlier_label: str = "",
                   selected: dt.date | None = None, domain: tuple[dt.date, dt.date] | None = None,
                   width: int | str = 900, y_scale: str = "shared") -> dict:
    """Troops over time as a Vega-Lite specification (a dict for ``st.vega_lite_chart``),
    one row per series of ``series`` (a frame from
    :func:`geo.analysis.timeline_series` or :func:`~geo.analysis.country_series`),
    in its row order.

    ``plans`` (:func:`geo.analysis.plan_rows`) adds a hollow diamond where each plan
    with a figure was set to take effect, also plans replaced before they did;
    ``earlier`` (another ``timeline_series`` frame, e.g. as known on an earlier day)
    is drawn as a dotted grey line behind, so the plan then expected sits next to what
    was later reported. ``domain`` is the (first day, day after last) shown.

    ``y_scale``: "shared" (default) puts every row with figures on one y scale, so a
    row's height says how many troops it holds (4-5 do not look like 2,500); "own" gives
    each row its own scale (to read small figures). Each figure is annotated where it
    comes into force. ``width`` (px of each row, axis included) may be "container":
    ``st.vega_lite_chart(spec, width="stretch")`` then sets every row to its column's
    width. Milestone labels are laid out at :data:`LAYOUT_MIN_WIDTH` (or ``width`` if
    narrower), so that none overlaps another at that width or any wider one.
    """
    if y_scale not in ("shared", "own"):
        raise ValueError(f"y_scale {y_scale!r}; expected 'shared' or 'own'")
    if domain is None:
        if series.empty:
            today = dt.date.today()
            domain = (today - dt.timedelta(days=30), today)
        else:
            domain = (min(series["start"]), max(series["end"]))
    phase_recs = _phase_records(phases, domain) if phases is not None and not phases.empty else []
    mile_recs = [m for m in records(milestones) if domain[0].isoformat() <= m["date"] < domain[1].isoformat()] \
        if milestones is not None and not milestones.empty else []
    layout_width = min(width, LAYOUT_MIN_WIDTH) if isinstance(width, int) else LAYOUT_MIN_WIDTH
    mile_recs = _lanes(mile_recs, domain, layout_width)
    if not isinstance(width, int):  # Vega-Lite has no "container" width in a vconcat: the
        width = LAYOUT_MIN_WIDTH    # app's width="stretch" sets each row to its column's width
    reg = _Datasets()
    rows = [_header_row(reg, phase_recs, mile_recs, selected, domain, width, layout_width)]
    keys = list(dict.fromkeys(series["series_key"]))
    # A figure that was only ever planned for a group ("250-350 at Ain al-Asad and
    # al-Harir") has no reported line, but its plan still gets a row, after its first place.
    names: dict[str, str] = {}
    if plans is not None and not plans.empty and "series" in plans:
        for rec in records(plans):
            key = rec["series_key"]
            members = key.removeprefix("group:").split("+") if key.startswith("group:") else []
            shown = [m for m in members if m in keys]
            if shown and key not in keys and key not in names and rec.get("value") is not None:
                names[key] = rec["series"]
                keys.insert(keys.index(shown[0]) + 1, key)
    shared_max = None
    if y_scale == "shared" and not series.empty:
        shared_max = _row_max(_clip(_segments(series), domain), [], [])
        if plans is not None and not plans.empty:
            vals = [p["value"] for p in records(plans[plans["series_key"].isin(keys)]) if p["value"] is not None]
            shared_max = max([shared_max] + vals)
    for i, key in enumerate(keys):
        part = series[series["series_key"] == key]
        segs = _clip(_segments(part), domain) if not part.empty else []
        first = part.iloc[0] if not part.empty else pd.Series(
            {"series": names[key], "layer": "plan-group"})
        plan_recs = records(plans[plans["series_key"] == key]) if plans is not None and not plans.empty else []
        plan_recs = [p for p in plan_recs if p["value"] is not None
                     and domain[0].isoformat() <= p["date"] < domain[1].isoformat()]
        earlier_recs = []
        if earlier is not None and not earlier.empty:
            earlier_recs = [{**s, "known": earlier_label}
                            for s in _clip(_segments(earlier[earlier["series_key"] == key]), domain)]
        rows.append(_series_row(
            reg, segs, title=str(first["series"]), subtitle=_subtitle(first), plans=plan_recs,
            earlier=earlier_recs, phases=phase_recs, milestones=mile_recs, selected=selected,
            domain=domain, width=width, axis=(i == len(keys) - 1), shared_max=shared_max))
    return {
        # no padding at the sides: a row is as wide as its view (the y axis is inside it)
        "vconcat": rows, "spacing": 14, "datasets": reg.datasets, "padding": {"left": 0, "right": 0, "top": 5},
        "resolve": {"scale": {"color": "shared", "strokeDash": "shared", "y": "independent"}},
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11},
                   "legend": {"orient": "bottom", "direction": "horizontal", "labelFontSize": 11,
                              "titleFontSize": 11}},
    }


def _subtitle(first: pd.Series) -> str:
    if first["layer"] == "plan-group":
        return "planned for these places together, never reported: plans only"
    if first["layer"] == "group":
        return "one figure for these places together, never split"
    if first["layer"] == "country sum":
        return "sum of the places' figures, only on days when every place has one for the same date"
    if first["layer"] == "country":
        return "what sources say of the country as a whole"
    return ""


def chart_values(spec: dict) -> list[dict]:
    """Every data row embedded in a chart specification, wherever it sits (inline
    ``values`` or the top-level ``datasets``; Altair's ``chart.to_dict()`` works too)."""
    out: list[dict] = []
    for values in spec.get("datasets", {}).values():
        out.extend(values)

    def walk(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                out.extend(data["values"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk({k: v for k, v in spec.items() if k != "datasets"})
    return out
