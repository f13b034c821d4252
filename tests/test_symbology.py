"""geo.symbology: one set of marks, drawn the same by the live map and the static images.

The parity tests read what each backend actually built: the circleMarker options in
the folium map's JavaScript, and the matplotlib Circle patches and lines of the
rendered figure. A backend that re-implements a ring, a dash or a legend row on its
own drifts from the other and fails here.
"""
from __future__ import annotations

import html as htmllib
import json
import re
from collections import Counter

import matplotlib
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Circle

from geo import mapview, render, style, symbology
from geo.posture import snapshot
from tests.test_mapview import drawn_shapes

DAYS = ["2025-08-20", "2025-10-21", "2026-01-18"]


def _folium_discs(snap, ds) -> Counter:
    """(radius px, stroke, fill, dashed) of every circleMarker the live map builds."""
    out = Counter()
    for fg in mapview.posture_layers(snap, ds=ds, labels=False):
        js = fg.get_root().render() if False else _render_group(fg)
        for o in (sh["options"] for sh in drawn_shapes(js) if sh["kind"] == "circleMarker"):
            out[(round(o["radius"], 1), o["color"].lower(), (o.get("fillColor") or "none").lower()
                 if o.get("fill") else "none", bool(o.get("dashArray")))] += 1
    return out


def _render_group(fg) -> str:
    import folium

    m = folium.Map(tiles=None)
    m.add_child(fg)
    return m.get_root().render()


def _mpl_discs(ds, snap) -> Counter:
    """The same key for every marker circle on the rendered map (not the legend)."""
    with render._LOCK, matplotlib.rc_context(render._RC):
        fig, _report = render._draw(ds, snap)
        fig.canvas.draw()
    s = min(fig.get_figwidth() / render._REF_IN[0] * 1.3, fig.get_figheight() / render._REF_IN[1])
    mapax = max(fig.axes, key=lambda a: len(a.patches))
    out = Counter()
    for a in fig.axes:
        if a is not mapax:
            continue
        for p in a.artists + a.patches:
            if not isinstance(p, Circle) or not (p.get_gid() or "").startswith("mark-"):
                continue
            r_px = p.get_radius() * 72 / (render.PT_PER_PX * s)
            face = p.get_facecolor()
            fill = "none" if face[3] == 0 else to_hex(face[:3])
            dashed = p.get_linestyle() not in ("-", "solid")
            out[(round(r_px, 1), to_hex(p.get_edgecolor()[:3]), fill, dashed)] += 1
    return out


@pytest.mark.parametrize("day", DAYS)
def test_both_backends_draw_the_same_marker_circles(ds, day):
    snap = snapshot(ds, day)
    live = _folium_discs(snap, ds)
    static = _mpl_discs(ds, snap)
    assert live and live == static


@pytest.mark.parametrize("day", DAYS)
def test_both_backends_draw_the_same_arrows(ds, day):
    snap = snapshot(ds, day)
    js = "".join(_render_group(fg) for fg in mapview.posture_layers(snap, ds=ds, labels=False))
    live = Counter("plan" if "pa-move-plan" in cls else "report"
                   for cls in (sh["options"].get("className", "") for sh in drawn_shapes(js))
                   if cls.startswith("pa-move "))
    with render._LOCK, matplotlib.rc_context(render._RC):
        fig, _ = render._draw(ds, snap)
    static = Counter("plan" if (ln.get_gid() or "").startswith("mark-movement-plan") else "report"
                     for a in fig.axes for ln in a.lines if (ln.get_gid() or "").startswith("mark-movement"))
    # the legend draws one of each kind
    static -= Counter({"plan": 1, "report": 1})
    assert live == static


def test_both_legends_have_the_same_rows_in_the_same_order(ds):
    rows = [r.text for r in symbology.legend_rows() if r.key != "sizes"]
    live = [htmllib.unescape(t) for t in re.findall(r"</svg></td><td>(.*?)</td>", mapview.legend_html())]
    assert live == rows
    for size in ((1920, 1080), (960, 540)):    # the small one has numbered callouts
        with render._LOCK, matplotlib.rc_context(render._RC):
            fig, report = render._draw(ds, snapshot(ds, "2025-10-21"), size_px=size)
        static = [t.get_text() for a in fig.axes for t in a.texts if (t.get_gid() or "").startswith("legend-row")]
        sizes = [f"{n:,}" for n in style.LEGEND_SIZES]
        # the callout row shows where callouts are drawn (the live map hides it by CSS otherwise)
        wanted = [r.text for r in symbology.legend_rows() if r.key != "sizes"
                  and (r.only_with != "callouts" or report.callouts)]
        flat = lambda texts: re.sub(r"\s+", "", "".join(texts))   # noqa: E731  (a long row wraps)
        assert flat(t for t in static if t not in sizes) == flat(wanted)
        assert [t for t in static if t in sizes] == sizes
    assert report.callouts, "the 960x540 slide was expected to need callouts"


def _tag_words(row) -> list[str]:
    return [m.text for m in row.symbol if isinstance(m, symbology.Tag)]


def test_every_legend_row_has_a_symbol_drawn_by_both_backends(ds):
    """The force row and the numbered-callout row included: each row's symbol, drawn by
    the live legend (inline SVG) and by the slide's legend (matplotlib), from the same marks."""
    rows = symbology.legend_rows()
    assert all(r.symbol for r in rows), [r.key for r in rows if not r.symbol]
    live = mapview.legend_html()
    cells = dict(re.findall(r'data-key="([^"]+)"><td>(<svg.*?</svg>)</td>', live))
    with render._LOCK, matplotlib.rc_context(render._RC):
        fig, report = render._draw(ds, snapshot(ds, "2025-10-21"), size_px=(960, 540))
    assert report.callouts
    static_words = [(t.get_gid() or "", t.get_text()) for a in fig.axes for t in a.texts]
    static_boxes = [p.get_gid() or "" for a in fig.axes for p in a.patches]
    for r in rows:
        if r.key == "sizes":
            continue
        svg = cells[r.key]
        assert re.search(r"<(circle|polyline|polygon|rect|text)\b", svg), r.key
        for m in r.symbol:
            if not isinstance(m, symbology.Tag):
                continue
            assert f">{m.text}</text>" in svg, r.key
            assert any(gid.startswith(f"legend-tag-{m.legend}-") and text == m.text for gid, text in static_words
                       if not gid.startswith(f"legend-tag-{m.legend}-box")), r.key
            if m.boxed:
                assert "<rect" in svg, r.key
                assert any(g.startswith(f"legend-tag-{m.legend}-box") for g in static_boxes), r.key
    assert _tag_words(next(r for r in rows if r.key == "force")) == ["US"]
    assert _tag_words(next(r for r in rows if r.key == "callout")) == ["1"]


def test_legend_symbols_are_the_map_marks():
    """A legend row's circle is what marker_marks gives for that kind: same colour, dash, fill."""
    rows = {r.key: r for r in symbology.legend_rows()}
    noclaim = rows["noclaim"].symbol[-1]
    assert (noclaim.stroke, noclaim.fill, noclaim.dash) == (style.NO_FIGURE_COLOUR, "#ffffff", None)
    assert 'data-key="noclaim"' in mapview.legend_html()
    assert rows["plan"].symbol[0].dash == style.PLAN_DASH
    assert rows["movement-plan"].symbol[0].head_fill == "#ffffff"


def test_legend_covers_every_mark_on_every_milestone(ds):
    explained = symbology.legend_keys()
    for ms in mapview.milestones(ds):
        for plans in (True, False):
            snap = snapshot(ds, ms.day) if plans else snapshot(mapview.reports_only(ds), ms.day)
            specs = symbology.marker_specs(snap, show_plans=plans)
            moves = [m for m in snap.movements if plans or m.movement.basis != "plan"]
            arrows = symbology.movement_marks(moves, specs, lambda lat: 100.0)
            drawn = symbology.drawn_legend_keys(specs, arrows)
            assert drawn <= explained, (ms.day, drawn - explained)


def test_area_totals_are_never_circles_comparable_to_sites(ds):
    snap = snapshot(ds, "2025-10-21")
    iraq = next(s for s in symbology.marker_specs(snap) if s.key == "iraq")
    assert iraq.kind == "area"
    discs = symbology.marker_marks(iraq)
    assert len(discs) == 1 and discs[0].radius == style.AREA_ANCHOR_PX   # an anchor dot, not sized
    assert iraq.label_parts[0] == ("Iraq: area total", "area-name")
    figure = snap.place("iraq").figure_claim
    assert iraq.label_parts[1][0].startswith(f"{figure.figure_text()} · {figure.date.label()}")


def test_every_figure_label_says_its_date(ds):
    snap = snapshot(ds, "2025-10-21")
    for s in symbology.marker_specs(snap):
        if s.kind in ("figure", "area", "group"):
            assert re.search(r"\b20\d\d\b", s.label_parts[1][0]), s.label_parts


def test_label_parts_carry_roles_not_glyph_tests(ds):
    roles = {role for ms in mapview.milestones(ds) for s in symbology.marker_specs(snapshot(ds, ms.day))
             for _t, role in s.label_parts}
    assert {"name", "figure", "plan", "warn", "quiet", "area"} <= roles <= set(style.LABEL_ROLES)
    html = mapview.label_html((("a <b>", "name"), ("⚠ x", "warn")))
    assert html == '<span class="pa-l-name">a &lt;b&gt;</span><br><span class="pa-l-warn">⚠ x</span>'
