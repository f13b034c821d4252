"""geo.mapview and geo.popup: what the map draws, checked on the built folium objects.

The map's JavaScript is rendered once per test and searched as text; options reach it
through tojson, so a marker's options appear as a JSON object that can be parsed back.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import folium
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import style
from geo.assets import external_urls, remote_assets
from geo.loader import load_dataset
from geo.mapview import (
    BASEMAP_CREDIT, GROUP_JOIN_DASH, ONLINE_TILES, base_map, build_map, legend_html, marker_specs,
    milestones, overlay_layer, posture_layers, reports_only, shown_sources, staleness_text, tooltip_from_parts,
    tooltip_parts,
)
from geo.popup import day_label, esc, link, place_id_from_tooltip, place_panel_html, place_tooltip, safe_url
from geo.posture import snapshot
from tests.conftest import PLACES, SOURCES, claim

D = dt.date
HOSTILE = "<script>alert(1)</script>"
HOSTILE_QUOTE = "they said `${alert(2)}` and </script><img src=x onerror=alert(3)> \\ done"


def render(element) -> str:
    return element.get_root().render()


def script_value(html: str, at: int) -> tuple[object, int]:
    """The value a geo.textsafe.js_json_parsed expression at ``at`` gives JavaScript, and
    where it ends: JSON as it is, or ``JSON.parse('…')`` of a string literal that holds
    no quote and whose only escapes are doubled backslashes."""
    dec = json.JSONDecoder()
    if not html.startswith("JSON.parse('", at):
        return dec.raw_decode(html, at)
    start = at + len("JSON.parse('")
    end = html.index("')", start)
    literal = html[start:end]
    assert "'" not in literal and "\n" not in literal
    return json.loads(literal.replace("\\\\", "\\")), end + 2


def drawn_shapes(html: str) -> list[dict]:
    """Every shape the rendered JS draws (``PostureAtlas.drawShapes(layer, common,
    [...])``, one call per layer), in drawing order, parsed back from its JSON and put
    together as drawShapes does: the row's kind or the common one, the common options
    updated with the row's."""
    out = []
    for m in re.finditer(r"PostureAtlas\.drawShapes\(\s*[\w.]+\s*,\s*", html):
        common, end = script_value(html, m.end())
        rows, _ = script_value(html, re.compile(r"\s*,\s*").match(html, end).end())
        for row in rows:
            if "tip" in row:   # a place tooltip sent as its parts (geo.mapview.tooltip_parts)
                row = {k: v for k, v in row.items() if k != "tip"} | {"tooltip": tooltip_from_parts(row["tip"])}
            out.append(row | {"kind": row.get("kind") or common["kind"],
                              "options": common["options"] | row.get("options", {})})
    return out


def shapes(html: str, kind: str = "circleMarker") -> list[tuple[list, dict]]:
    """Every L.<kind>(latlngs, options) the rendered JS draws."""
    return [(sh["latlngs"], sh["options"]) for sh in drawn_shapes(html) if sh["kind"] == kind]


def main_markers(html: str) -> dict[str, dict]:
    """class key -> options of the clickable circle of each marker."""
    found = {}
    for _, opts in shapes(html):
        cls = opts.get("className", "")
        m = re.search(r"pa-key-(\S+)", cls)
        if m and opts.get("interactive"):
            assert m.group(1) not in found, f"two clickable markers for {m.group(1)}"
            found[m.group(1)] = opts
    return found


@pytest.fixture
def tiny(make_data):
    def build(*claims, movements=(), places=PLACES, sources=SOURCES, events=(), phases=()):
        return load_dataset(make_data(claims=list(claims), movements=list(movements), places=places,
                                      sources=sources, events=list(events), phases=list(phases)))
    return build


# ------------------------------------------------------------------ markers

def test_one_marker_per_place_and_per_group(ds):
    snap = snapshot(ds, "2025-10-21")
    html = render(build_map(ds, snap))
    markers = main_markers(html)
    for ps in snap.places:
        assert ps.place.id in markers
    for g in snap.groups:
        assert g.id.replace(":", "-").replace("+", "-") in markers
    assert len(markers) == len(snap.places) + len(snap.groups)


def test_radius_is_area_proportional(tiny):
    ds = tiny(claim("c1", "alpha", "2025-08-01", "1000", "1000"),
              claim("c2", "bravo", "2025-08-01", "4000", "4000"))
    specs = {s.key: s for s in marker_specs(snapshot(ds, "2025-08-02"))}
    assert specs["alpha"].radius == pytest.approx(style.radius_px(1000))
    assert specs["bravo"].radius / specs["alpha"].radius == pytest.approx(2.0)  # 4x troops, 4x area
    html = render(build_map(ds, snapshot(ds, "2025-08-02")))
    assert main_markers(html)["bravo"]["radius"] == pytest.approx(style.radius_px(4000))


def test_range_draws_inner_ring_at_min_and_outer_at_max(tiny):
    ds = tiny(claim("c1", "alpha", "2025-08-01", "250", "350"))
    spec = next(s for s in marker_specs(snapshot(ds, "2025-08-02")) if s.key == "alpha")
    assert (spec.inner, spec.outer) == style.ring_radii(250, 350)
    html = render(build_map(ds, snapshot(ds, "2025-08-02")))
    radii = {o["radius"] for _, o in shapes(html) if o.get("fillColor") == style.STATUS_COLOURS["present"]}
    # the map is sent radii to 0.01 px (geo.mapview._disc_options)
    assert {round(style.radius_px(250), 2), round(style.radius_px(350), 2)} <= radii


def test_opacities_are_sent_to_a_thousandth(ds):
    # An aged figure's opacity times a fill factor is a float such as 0.23399999999999999:
    # the page is sent it to 0.001 (geo.mapview._disc_options), like radii to 0.01 px.
    html = render(build_map(ds, snapshot(ds, "2025-10-21")))
    values = [o[k] for kind in ("circleMarker", "polyline") for _, o in shapes(html, kind)
              for k in ("opacity", "fillOpacity") if isinstance(o.get(k), float)]
    assert len(values) > 20
    assert all(v == round(v, 3) for v in values)


def test_place_without_figure_is_not_sized(tiny):
    ds = tiny(claim("c1", "alpha", "2025-08-01", status="destination"),
              claim("c2", "bravo", "2025-08-01", "3000", "3000"))
    specs = {s.key: s for s in marker_specs(snapshot(ds, "2025-08-02"))}
    assert specs["alpha"].kind == "nofigure"
    assert specs["alpha"].radius == style.NO_FIGURE_RADIUS_PX
    assert specs["alpha"].inner is specs["alpha"].outer is None


def test_group_figure_drawn_once_and_places_joined(tiny):
    ds = tiny(claim("c1", "alpha|bravo", "2025-08-01", "2500", "2500", qualifier="about"))
    snap = snapshot(ds, "2025-08-02")
    specs = marker_specs(snap)
    groups = [s for s in specs if s.kind == "group"]
    # one label, on a member; no circle of its own at an invented midpoint
    assert len(groups) == 1 and (groups[0].lat, groups[0].lon) in groups[0].members
    from geo import symbology

    assert symbology.marker_marks(groups[0]) == []
    members = [s for s in specs if s.kind == "member"]
    assert {s.key for s in members} == {"alpha", "bravo"}
    assert all(s.outer is None and s.inner is None for s in members)  # never a share of the figure
    html = render(build_map(ds, snap))
    joins = [o for _, o in shapes(html, "polyline") if o.get("dashArray") == GROUP_JOIN_DASH]
    assert len(joins) == 1   # member to member
    texts = [it["html"] for it in label_items(posture_layers(snap))]
    assert sum("about 2,500" in t for t in texts) == 1, "the group figure is labelled once, not per member"


def label_items(layers) -> list[dict]:
    return next(c for fg in layers for c in fg._children.values() if type(c).__name__ == "LabelLayer").items


def test_plan_dashed_report_solid(tiny):
    ds = tiny(claim("c1", "alpha", "2025-08-01", "100", "100", basis="plan"),
              claim("c2", "bravo", "2025-08-01", "100", "100", basis="report"),
              movements=[dict(id="m1", from_place="alpha", to_place="bravo", start="2025-08-01",
                              start_precision="day", end="2025-08-10", end_precision="day", basis="plan",
                              source="s1", quote="will move", quote_checked="yes")])
    html = render(build_map(ds, snapshot(ds, "2025-08-02")))
    markers = main_markers(html)
    assert markers["alpha"]["dashArray"] == style.PLAN_DASH
    assert markers["bravo"]["dashArray"] is None
    moves = [o for _, o in shapes(html, "polyline") if "pa-move" in o.get("className", "")]
    assert [o["dashArray"] for o in moves] == [style.PLAN_DASH]
    heads = shapes(html, "polygon")
    assert len(heads) == 1 and heads[0][1]["color"] == style.MOVEMENT_COLOUR


def test_hide_plans_shows_last_report(ds):
    on = "2025-10-21"
    full = {s.key: s for s in marker_specs(snapshot(ds, on))}
    assert full["baghdad"].basis == "plan"          # nothing reported yet: its plan is all there is
    reports = {s.key: s for s in marker_specs(snapshot(reports_only(ds), on), show_plans=False)}
    assert reports["ain-al-asad"].basis == "report"
    assert all(s.basis != "plan" for s in reports.values())
    html = render(build_map(ds, snapshot(ds, on), show_plans=False))
    assert all(o.get("dashArray") != style.PLAN_DASH for _, o in shapes(html) + shapes(html, "polyline"))


def test_conflict_and_imprecise_marks(tiny):
    ds = tiny(claim("c1", "charlie", "2025-08-01", "100", "100", source="s1"),
              claim("c2", "charlie", "2025-08-01", "900", "900", source="s2"))
    spec = next(s for s in marker_specs(snapshot(ds, "2025-08-02")) if s.key == "charlie")
    assert spec.conflict and spec.imprecise  # charlie is a country-precision place
    html = render(build_map(ds, snapshot(ds, "2025-08-02")))
    assert any(o.get("color") == style.CONFLICT_COLOUR for _, o in shapes(html))


def test_age_fades_old_figures(tiny):
    ds = tiny(claim("c1", "alpha", "2025-01-01", "100", "100"))
    fresh = next(s for s in marker_specs(snapshot(ds, "2025-01-02")) if s.key == "alpha")
    old = next(s for s in marker_specs(snapshot(ds, "2025-12-31")) if s.key == "alpha")
    assert fresh.opacity == 1.0 and old.opacity == style.MIN_OPACITY


# -------------------------------------------------------------- escaping

def test_hostile_name_and_quote_are_escaped(tiny):
    places = [dict(PLACES[0], name=HOSTILE)] + PLACES[1:]
    ds = tiny(claim("c1", "alpha", "2025-08-01", "100", "100", quote=HOSTILE_QUOTE),
              claim("c2", "alpha|bravo", "2025-09-01", "100", "200", quote=HOSTILE_QUOTE, source="s2"),
              places=places)
    for day in ("2025-08-02", "2025-09-02"):
        snap = snapshot(ds, day)
        html = render(build_map(ds, snap, marking=HOSTILE, title=HOSTILE, selected="alpha"))
        assert HOSTILE not in html
        assert "<img src=x" not in html
        assert "${alert" not in html  # a JS template literal would run it
        panel = place_panel_html(snap.place("alpha"), ds, D(2025, 9, 2), D(2025, 10, 1))
        assert HOSTILE not in panel and esc(HOSTILE) in panel
        assert "<img" not in panel and "${" not in panel


def test_links_only_for_http():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert "href" not in link("javascript:alert(1)", "x")
    assert 'href="https://example.org/?a=1&amp;b=&quot;"' not in link('https://example.org/?a=1&b="', "x")


def test_clicked_tooltip_carries_place_id():
    tip = place_tooltip("Ain al-Asad", "ain-al-asad", ["2,500"])
    text = re.sub(r"<[^>]+>", "", tip)  # what the browser's textContent returns
    assert place_id_from_tooltip(text) == "ain-al-asad"
    assert place_id_from_tooltip("no id here") is None


# ---------------------------------------------------------------- offline

def test_no_external_url_with_tiles_off(ds):
    m = build_map(ds, snapshot(ds, "2025-10-21"))
    html = render(m)
    assert external_urls(html) == []
    assert remote_assets(m) == []
    assert "/app/static/vendor/leaflet" in html


def test_online_tiles_offered_but_not_added(ds):
    html = render(base_map(ds, online_tiles=True))
    assert html.count("L.tileLayer(") == len(ONLINE_TILES)
    assert not re.search(r"L\.tileLayer\([^;]*\)\s*\.addTo", html)


def test_base_map_is_the_same_for_every_date(ds):
    def norm(text):
        return re.sub(r"_[0-9a-f]{32}", "_ID", text)
    assert norm(render(base_map(ds))) == norm(render(base_map(ds)))
    # the date lives only in the layers handed over on each rerun
    assert "21 Oct 2025" not in render(base_map(ds))


def test_marks_go_on_a_canvas_only_past_the_threshold(ds, tmp_path):
    """The embedded data keeps its SVG markers; a dataset past CANVAS_OVER_PLACES places
    draws them on one canvas (Leaflet preferCanvas), in the map's own options."""
    from geo import mapview
    from geo.synth import synthesize

    assert not mapview.draws_on_canvas(ds) and not mapview.draws_on_canvas(None)
    assert '"preferCanvas": false' in render(base_map(ds))
    big = load_dataset(synthesize(tmp_path / "big", places=mapview.CANVAS_OVER_PLACES + 1, claims=400,
                                  movements=10, seed=3))
    assert len(big.places) > mapview.CANVAS_OVER_PLACES and mapview.draws_on_canvas(big)
    assert '"preferCanvas": true' in render(base_map(big))


# ---------------------------------------------------------------- overlays

def test_overlay_carries_dates_phase_sources_and_marking(ds):
    snap = snapshot(ds, "2025-10-21", "2025-08-19")
    html = render(build_map(ds, snap, marking="UNCLASSIFIED // OPEN SOURCE"))
    text = html.encode().decode("unicode_escape", errors="ignore")
    assert "21 Oct 2025" in text and "as known on 19 Aug 2025" in text and "Phase 2" in text
    # each part of the "as known on" line is kept whole: a line breaks only after a " · "
    head = next(iter(overlay_layer(snap, show_plans=False)._children.values())).boxes[0]["html"]
    assert ('<div class="pa-known"><span class="pa-chunk">as known on 19 Aug 2025</span>\u00a0· '
            '<span class="pa-chunk">Phase 2</span>\u00a0· <span class="pa-chunk">plans hidden</span></div>') in head
    assert ".pa-chunk { display: inline-block; }" in html
    for s in shown_sources(snap):
        assert esc(s.outlet) in text
    assert BASEMAP_CREDIT in text
    assert text.count("UNCLASSIFIED // OPEN SOURCE") == 2  # top and bottom of the frame
    assert "L.control.scale" in html


def test_staleness_says_how_old_the_latest_source_is(ds):
    assert staleness_text(snapshot(ds, "2025-10-21")) is None
    text = staleness_text(snapshot(ds, "2026-11-21"))
    assert text.startswith("No source published after 28 Feb 2026") and "9 months" in text
    fg = overlay_layer(snapshot(ds, "2026-11-21"))
    assert "No source published after" in render_child(fg)


def render_child(fg) -> str:
    return json.dumps([child.boxes for child in fg._children.values()])


def test_legend_names_every_symbol():
    html = legend_html()
    for status in style.STATUS_COLOURS:
        assert esc(style.status_label(status)) in html
    for words in ("plan", "report", "region/country", "disagree", "age", "min", "max", "Troops"):
        assert words in html
    for n in style.LEGEND_SIZES:
        assert f"{n:,}" in html


def test_posture_layers_are_feature_groups_and_labels_optional(ds):
    snap = snapshot(ds, "2025-08-20")
    with_labels = posture_layers(snap, ds=ds)
    without = posture_layers(snap, labels=False, ds=ds)
    assert len(with_labels) == len(without) + 1
    assert all(isinstance(fg, folium.FeatureGroup) for fg in with_labels)   # what st_folium takes


def test_a_geo_layer_renders_and_streams_exactly_as_a_folium_feature_group():
    # geo.mapview.Layer only skips branca's second template pass over its own script
    from streamlit_folium import _get_feature_group_string

    from geo.mapview import Layer, Shape, Shapes

    def out(cls):
        fg = cls(name="Places <b>{{7*7}}</b>", control=False)
        fg.add_child(Shapes([Shape("circleMarker", [1, 2], {"radius": 3}, tooltip="t")]))
        m = folium.Map(location=[0, 0])
        streamed = _get_feature_group_string(fg, m)
        page = render(m)
        return [re.sub(r"_[0-9a-f]{32}", "_X", t) for t in (streamed, page)]

    got, want = out(Layer), out(folium.FeatureGroup)
    assert got == want
    assert "feature_group_feature_group_0.addTo(map_div)" in got[0]


def test_milestones_follow_known_on(ds):
    everything = milestones(ds)
    early = milestones(ds, D(2025, 8, 19))
    assert len(early) < len(everything)
    assert any(m.kind == "phase" for m in early)
    assert [m.day for m in everything] == sorted(m.day for m in everything)


def test_panel_lists_history_with_claim_in_force_and_mgrs(ds):
    snap = snapshot(ds, "2025-10-21")
    ps = snap.place("ain-al-asad")
    group = next((g for g in snap.groups if g.id == ps.group), None)
    html = place_panel_html(ps, ds, snap.on, snap.known_on, group)
    assert "▶ in force" in html and "MGRS 38S KC" in html and "33.7856° N" in html
    assert "250–350" in html
    for c in ps.history:
        assert esc(c.quote) in html


def test_plan_in_force_is_a_ghost_beside_the_report_never_the_figure(ds):
    # 21 Oct 2025: Victory Base's last report stands ("present"); the closure plan due in
    # August is overdue. The report is drawn solid, the plan as a dashed ghost and a tag.
    from geo import symbology

    spec = next(s for s in marker_specs(snapshot(ds, "2025-10-21")) if s.key == "victory-base")
    assert not spec.dashed and spec.basis == "report"
    assert spec.ghost is not None
    assert ("plan: closure by week of 25 Aug 2025 · overdue", "plan") in spec.label_parts
    ghost = [d for d in symbology.marker_marks(spec) if d.part == "ghost"]
    assert len(ghost) == 1 and ghost[0].dash == style.PLAN_DASH and ghost[0].fill is None


def test_no_staleness_box_for_a_gap_of_days(ds):
    # 20 Aug 2025 as known on 19 Aug: a one-day gap is normal reporting rhythm, not staleness
    assert staleness_text(snapshot(ds, "2025-08-20", "2025-08-19")) is None
    assert staleness_text(snapshot(ds, "2025-09-20", "2025-08-19")).startswith("No source published after 19 Aug 2025")


def test_live_labels_are_capped_at_scale_keeping_the_most_important(tmp_path):
    """Hundreds of places: only the most important are labelled (areas first, then the
    largest figures), so the browser's placement stays fast; the selected place always is."""
    import json as _json

    from geo import style as _style
    from geo.loader import load_dataset as _load
    from geo.posture import snapshot as _snap
    from geo import mapview
    from geo.synth import synthesize

    big = _load(synthesize(tmp_path / "big", places=400, claims=4000, movements=50, seed=5))
    snap = _snap(big, big.last_date)
    last = [s for s in snap.places if s.report is not None][-1].place.id
    layers = mapview.posture_layers(snap, labels=True, selected=last, popups=False, ds=big)
    (labels,) = [c for c in layers[-1]._children.values() if isinstance(c, mapview.LabelLayer)]
    assert len(labels.items) <= _style.LIVE_LABEL_LIMIT + 1
    assert len([s for s in snap.places]) > _style.LIVE_LABEL_LIMIT
    pri = sorted((it["priority"] for it in labels.items), reverse=True)
    assert pri[0] >= 200  # an area total is among them
    assert _json.dumps(labels.items)  # plain data for the browser


# ------------------------------------------------- one element per layer (issue 11)

def _reference_marks(snap, ds, *, show_plans=True, selected=None) -> list[tuple]:
    """What the map drew when every circle was its own folium element (before issue 11):
    each spec's marker_marks outermost first, the last one clickable with its classes and
    tooltip, then the selection ring; read straight from geo.symbology."""
    from geo import symbology
    from geo.mapview import _disc_options

    specs = marker_specs(snap, show_plans=show_plans, sources=dict(ds.sources), places=dict(ds.places))
    out = []
    for s in specs:
        discs = symbology.marker_marks(s)
        for k, d in enumerate(discs):
            opts = _disc_options(d)
            tip = None
            if k == len(discs) - 1:
                opts.update(interactive=True, className=f"pa-marker pa-{s.kind} pa-key-"
                            + s.key.replace(":", "-").replace("+", "-"))
                tip = s.tooltip
            out.append(([s.lat, s.lon], opts, tip))
    for s in specs:
        if s.key == selected:
            out.append(([s.lat, s.lon], _disc_options(symbology.selected_mark(s)) | {"className": "pa-selected"}, None))
    return out


def _drawn_marks(layers) -> list[tuple]:
    marks = next(fg for fg in layers if fg.layer_name == "Places")
    html = json.dumps([c.shapes for c in marks._children.values()])
    return [(sh["latlngs"], sh["options"], sh.get("tooltip")) for lst in json.loads(html) for sh in lst]


def _check_marks_match_reference(ds, days, selected=None):
    for day in days:
        for plans in (True, False):
            snap = snapshot(ds, day) if plans else snapshot(reports_only(ds), day)
            layers = posture_layers(snap, show_plans=plans, selected=selected, popups=False, ds=ds)
            drawn = _drawn_marks(layers)
            assert drawn == _reference_marks(snap, ds, show_plans=plans, selected=selected), (day, plans)
            # and the page carries them as one drawShapes call per non-empty layer
            page = render(build_map(ds, snap, show_plans=plans, selected=selected))
            assert [(sh["latlngs"], sh["options"]) for sh in drawn_shapes(page) if sh["kind"] == "circleMarker"] \
                == [(ll, o) for ll, o, _ in _reference_marks(snap, ds, show_plans=plans, selected=selected)]


def test_marks_in_one_element_match_the_per_circle_reference_on_the_embedded_data(ds):
    _check_marks_match_reference(ds, ["2024-09-30", "2025-10-21", "2026-02-28"], selected="ain-al-asad")


def test_marks_in_one_element_match_the_per_circle_reference_on_synthetic_data(tmp_path):
    from geo.synth import synthesize

    big = load_dataset(synthesize(tmp_path / "synth", places=60, claims=3000, movements=200, seed=3))
    days = [big.first_date + (big.last_date - big.first_date) * k // 4 for k in (1, 2, 3)]
    some = next(iter(big.places))
    _check_marks_match_reference(big, days, selected=some)


def test_shapes_are_sent_as_their_shared_part_and_rows_that_give_each_one_back_exactly():
    from geo.mapview import Shape, Shapes, shared_part

    shapes = [Shape("circleMarker", [1, 2], {"radius": 3, "fill": True, "interactive": False}),
              Shape("circleMarker", [1, 2], {"radius": 4, "fill": True, "interactive": True, "className": "k"},
                    tooltip="<b>t</b>"),
              Shape("circleMarker", [3, 4], {"radius": 4, "fill": 1, "interactive": False}),   # 1 is not True
              Shape("polyline", [[1, 2], [3, 4]], {"radius": 4, "fill": False, "interactive": False,
                                                  "dashArray": None})]
    full = [sh.data() for sh in shapes]
    common, rows = shared_part(full)
    assert common == {"kind": "circleMarker", "options": {"fill": True, "interactive": False, "radius": 4}}
    # what drawShapes does with them: the row's kind or the common one, the options merged
    back = [{k: v for k, v in row.items() if k != "options"} | {"kind": row.get("kind") or common["kind"],
            "options": common["options"] | row["options"]} for row in rows]
    assert json.dumps(back, sort_keys=True) == json.dumps(full, sort_keys=True)   # 1 stays 1, not true
    assert [r.get("kind") for r in rows] == [None, None, None, "polyline"]
    assert rows[2]["options"] == {"fill": 1}
    # the page carries the encoded form, which the test helper reads back the same way
    page = render(folium.Map(location=[0, 0]).add_child(folium.FeatureGroup().add_child(Shapes(shapes))))
    assert drawn_shapes(page) == full
    assert shared_part([]) == ({"kind": None, "options": {}}, [])


def test_source_line_names_each_source_up_to_the_limit_then_counts_by_outlet():
    from geo import mapview
    from geo.model import Source

    def src(n, outlet):
        return Source(f"s{n}", outlet, "t", "", dt.date(2020, 1, 1) + dt.timedelta(days=n))

    few = [src(n, "Outlet <A>") for n in range(mapview.SOURCE_LINE_LIMIT)]
    text = mapview.source_line_text(few)
    assert text.count(" · ") == len(few) - 1 and text.startswith("Outlet <A> (1 Jan 2020)")
    outlets = [f"Outlet {chr(65 + k)}" for k in range(mapview.SOURCE_LINE_OUTLETS + 2)]
    many = [src(n, outlets[0] if n % 2 else outlets[1 + n % len(outlets[1:])]) for n in range(400)]
    text = mapview.source_line_text(many)
    assert text.startswith(f"400 sources from {len(outlets)} outlets, 1 Jan 2020 – ")
    assert f"{outlets[0]} (200)" in text and text.endswith("· 2 more outlets")
    assert text.count(" · ") == mapview.SOURCE_LINE_OUTLETS   # 8 outlets named, then the rest counted
    assert mapview.source_line_text([]) == "none for this day"


@given(name=st.text(max_size=30), lines=st.lists(st.text(max_size=30), max_size=5),
       place_id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
def test_a_place_tooltip_goes_as_parts_that_give_it_back_exactly(name, lines, place_id):
    tip = place_tooltip(name, place_id, lines)
    parts = tooltip_parts(tip)
    assert parts is not None and parts[-1] == place_id
    assert tooltip_from_parts(parts) == tip
    assert not any("<" in p for p in parts)   # the markup is what stays out of the JSON


def test_any_other_tooltip_is_sent_as_it_is():
    for text in ("<b>Iraq: area total</b>", "plain words", "<b>a</b><br>b",
                 '<b>a</b><span style="display:none">\u2063place:Bad_Id\u2063</span>'):
        assert tooltip_parts(text) is None


def test_place_tooltips_go_as_parts_on_the_map():
    ds = load_dataset()
    snap = snapshot(ds, D(2025, 10, 21), ds.latest_published)
    page = render(build_map(ds, snap))
    sent = re.findall(r'"tooltip":"', page)
    drawn = [sh["tooltip"] for sh in drawn_shapes(page) if sh.get("tooltip")]
    assert drawn and all(place_id_from_tooltip(t) or "\u2063" not in t for t in drawn)
    assert sum(1 for t in drawn if tooltip_parts(t)) > len(sent)   # most went as parts
