"""geo.render: slide-ready images that are the right size, not blank, deterministic,
carry their text, follow the live map's symbols, and refuse bad input clearly."""
from __future__ import annotations

import datetime as dt
import io
import re

import matplotlib
import numpy as np
import pytest
from PIL import Image

from geo import render, style, symbology
from geo.popup import day_label
from geo.posture import snapshot

D = dt.date
SMALL = dict(size_px=(640, 360), dpi=60)  # fast, still the full layout


@pytest.fixture(scope="module")
def oct21(ds):
    return snapshot(ds, D(2025, 10, 21))


@pytest.fixture(scope="module")
def oct21_svg(ds, oct21):
    return render.render_brief(ds, oct21, fmt="svg", marking="UNCLASSIFIED // OPEN SOURCE").decode("utf-8")


def svg_texts(svg: str) -> list[str]:
    return [re.sub(r"\s+", " ", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


def png(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def near(arr: np.ndarray, hex_colour: str, tol: int = 12) -> int:
    """How many pixels are within ``tol`` of a colour (each channel)."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(arr[:, :, :3].astype(int) - rgb) <= tol).all(axis=2).sum())


# ------------------------------------------------------------------ PNG

def test_default_png_is_exactly_1920x1080_and_not_blank(ds, oct21):
    im = png(render.render_brief(ds, oct21))
    assert im.format == "PNG" and im.size == (1920, 1080)
    arr = np.asarray(im.convert("RGB"))
    assert arr.std() > 20                                   # not a flat page
    assert len(np.unique(arr.reshape(-1, 3), axis=0)) > 200  # basemap, markers, text
    # the live map's colours are on the page: sea, a planned move to Kuwait, a conflict ring
    assert near(arr, "#dbe6ee") > 10_000
    assert near(arr, style.MOVEMENT_COLOUR, 20) > 200
    assert near(arr, style.CONFLICT_COLOUR, 20) > 100


@pytest.mark.parametrize("size, dpi", [((1280, 720), 100), ((1000, 1000), 150), ((3840, 2160), 300),
                                       ((640, 360), 60)])
def test_png_has_the_requested_size(ds, oct21, size, dpi):
    im = png(render.render_brief(ds, oct21, size_px=size, dpi=dpi))
    assert im.size == size
    assert np.asarray(im.convert("L")).std() > 15


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_input_gives_identical_bytes(ds, oct21, fmt):
    a = render.render_brief(ds, oct21, fmt=fmt, marking="UNCLASSIFIED", **SMALL)
    b = render.render_brief(ds, oct21, fmt=fmt, marking="UNCLASSIFIED", **SMALL)
    assert a == b


def test_rendering_leaves_global_matplotlib_settings_alone(ds, oct21):
    before = dict(matplotlib.rcParams)
    render.render_brief(ds, oct21, fmt="svg", **SMALL)
    assert dict(matplotlib.rcParams) == before


# ------------------------------------------------------------------ SVG / PDF text

def test_svg_keeps_title_dates_places_and_sources_as_text(ds, oct21_svg):
    texts = svg_texts(oct21_svg)
    joined = "\n".join(texts)
    assert "US-led coalition troop posture: Iraq and Syria" in texts
    assert "21 Oct 2025" in texts
    assert f"as known on {day_label(ds.latest_published)}" in joined and "Phase 2" in joined
    for name in ("Baghdad", "Erbil", "Al-Harir Air Base", "Iraq: area total", "Ain al-Asad + Al-Harir"):
        assert any(t.startswith(name) for t in texts), name
    assert "250–350" in joined                      # a range stays a range
    # AP's report at Ain al-Asad, and the plan for Ain al-Asad and al-Harir together, once each
    assert [t for t in texts if "250–350" in t] == ["250–350 · 20 Oct 2025 · present",
                                                     "plan: 250–350 together (no deadline, said 20 Oct 2025)"]
    assert "Task &amp; Purpose (20 Oct 2025)" in joined and "Basemap: Natural Earth" in joined
    assert "Legend" in texts and "Troops (circle area)" in texts


def test_svg_marking_top_and_bottom(oct21_svg):
    assert svg_texts(oct21_svg).count("UNCLASSIFIED // OPEN SOURCE") == 2


def test_pdf_is_a_pdf_of_the_page_size(ds, oct21):
    data = render.render_brief(ds, oct21, fmt="pdf")
    assert data.startswith(b"%PDF-")
    assert re.search(rb"/MediaBox \[ ?0 0 921\.6 518\.4 ?\]", data)  # 1920x1080 px at 150 dpi, in points


def test_text_from_the_data_is_escaped_in_the_svg(ds, oct21):
    svg = render.render_brief(ds, oct21, fmt="svg", title='<script>alert("x")</script> & $x$', **SMALL).decode()
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; $x$" in svg  # and no mathtext


# ------------------------------------------------------------------ honest content

def test_stale_warning_when_the_day_is_past_the_newest_source(ds):
    svg = render.render_brief(ds, snapshot(ds, D(2026, 10, 1)), fmt="svg", **SMALL).decode()
    assert "No source published after 28 Feb 2026" in svg and "7 months" in svg


def test_no_stale_warning_inside_the_data(oct21_svg):
    assert "No source published after" not in oct21_svg


def test_known_on_replays_what_was_known_then(ds):
    svg = render.render_brief(ds, snapshot(ds, D(2025, 10, 21), D(2025, 8, 19)), fmt="svg").decode()
    joined = "\n".join(svg_texts(svg))
    assert "as known on 19 Aug 2025" in joined
    assert "Task &amp; Purpose" not in joined        # the reversal was published on 20 Oct
    assert "250–350" not in joined
    assert "plan: closure by 15 Sep 2025 · overdue" in joined   # the closure plan as it stood then


def test_group_figure_is_labelled_once_on_its_members(ds):
    # 21 Oct 2025: "250-350 at Ain al-Asad and al-Harir" is one planned figure for both
    texts = svg_texts(render.render_brief(ds, snapshot(ds, D(2025, 10, 21)), fmt="svg").decode())
    group = [t for t in texts if "250–350 together" in t]
    assert len(group) == 1 and group[0].startswith("plan:")


def test_projection_is_unmistakable_on_the_slide(ds):
    texts = svg_texts(render.render_brief(ds, snapshot(ds, D(2025, 10, 21), D(2025, 8, 19), as_planned=True),
                                          fmt="svg").decode())
    assert style.PROJECTION_TEXT in texts
    assert any("AS PLANNED" in t for t in texts)
    assert any(t.startswith("as planned: closure by") for t in texts)


def test_hiding_plans_says_so_and_drops_planned_moves(ds, oct21):
    with_plans = render.scene(ds, oct21, show_plans=True)
    without = render.scene(ds, oct21, show_plans=False)
    assert any(ms.movement.basis == "plan" for ms in with_plans.moves)
    assert not any(ms.movement.basis == "plan" for ms in without.moves)
    assert not any(s.dashed for s in without.specs)
    svg = render.render_brief(ds, oct21, fmt="svg", show_plans=False, **SMALL).decode()
    assert "plans hidden" in svg


def test_scene_is_the_live_maps_marker_specs(ds, oct21):
    from geo import mapview

    sc = render.scene(ds, oct21)
    live = mapview.marker_specs(oct21, sources=dict(ds.sources), places=dict(ds.places))
    assert [(s.key, s.kind, s.radius, s.label_lines) for s in sc.specs] == \
           [(s.key, s.kind, s.radius, s.label_lines) for s in live]


def _drawn_overlaps(fig, report) -> list[tuple[str, str]]:
    """Overlaps measured on the drawn artists themselves (not the placer's own boxes):
    every label line and callout number against every other label, each marker circle
    and each country name."""
    renderer = fig.canvas.get_renderer()
    texts, names = [], []
    for a in fig.axes:
        for t in a.texts:
            gid = t.get_gid() or ""
            if gid.startswith(("label-", "area-label-", "callout-")) and not gid.startswith("callout-key"):
                texts.append((t.get_text(), t.get_window_extent(renderer)))
            elif gid.startswith("country-label"):
                names.append((t.get_text(), t.get_window_extent(renderer)))
    out = []
    for i, (ta, a) in enumerate(texts):
        for tb, b in texts[i + 1:]:
            if render._overlap(a.expanded(1, 0.9), b.expanded(1, 0.9)) > 0:   # line boxes include leading
                out.append((ta, tb))
        out += [(ta, "marker") for m in report.markers if render._hits(a, m)]
        out += [(ta, n) for n, b in names if render._overlap(a, b) > 0]
    return out


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_labels_never_collide_on_any_milestone(ds, size):
    """No label covers another label, a marker or a country name, on every date the
    app's milestone list offers (the slider's own stops), at slide and 4K size."""
    from geo import mapview

    problems = {}
    for ms in mapview.milestones(ds):
        with render._LOCK, matplotlib.rc_context(render._RC):
            fig, report = render._draw(ds, snapshot(ds, ms.day), size_px=size)
            fig.canvas.draw()
            found = report.overlaps() + _drawn_overlaps(fig, report)
        if found:
            problems[ms.day.isoformat()] = found
    assert problems == {}


def test_crowded_labels_become_numbered_callouts_with_a_key(ds):
    """Where no free spot exists the label becomes a number by its marker and its words go
    to the key under the legend; nothing is silently dropped but quiet names."""
    with render._LOCK, matplotlib.rc_context(render._RC):
        fig, report = render._draw(ds, snapshot(ds, D(2025, 10, 21)), size_px=(960, 540), dpi=150)
    placed = {k for k, _ in report.labels} | {k for _n, k, _b in report.callouts}
    snap_specs = render.scene(ds, snapshot(ds, D(2025, 10, 21))).specs
    wanted = {s.key for s in snap_specs if s.label_parts and s.kind != "noclaim"}
    assert wanted <= placed
    keys = [t.get_text() for a in fig.axes for t in a.texts if (t.get_gid() or "").startswith("callout-key")]
    for n, _k, _b in report.callouts:
        assert any(t.startswith(f"{n}  ") for t in keys)


# ------------------------------------------------------------------ extent

def test_fitted_extent_holds_everything_reported(ds, oct21):
    sc = render.scene(ds, oct21)
    w, s, e, n = render.fit_extent(sc)
    for spec in sc.specs:
        if spec.kind != "noclaim":
            assert w < spec.lon < e and s < spec.lat < n, spec.key


def test_chosen_extent_crops_the_map(ds, oct21):
    svg = render.render_brief(ds, oct21, fmt="svg", extent=(43.0, 32.0, 46.0, 34.5)).decode()
    texts = svg_texts(svg)
    assert any(t.startswith("Baghdad") for t in texts)
    assert not any(t.startswith("Syria (whole country)") for t in texts)  # outside the box


def test_frame_never_runs_past_the_basemap_unless_asked():
    cov = (34.0, 27.0, 50.0, 39.5)
    (w, s, e, n), ratio = render._frame((38.0, 29.0, 48.0, 37.0), 1.78, cov)
    assert cov[0] <= w < e <= cov[2] and cov[1] <= s < n <= cov[3]
    assert ratio <= 1.78 + 1e-9
    (w, s, e, n), ratio = render._frame((20.0, 20.0, 30.0, 25.0), 1.78, cov)  # the user's own box: kept
    assert w <= 20.0 and e >= 30.0 and s <= 20.0 and n >= 25.0
    assert ratio == pytest.approx(1.78)  # and the map box is filled


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("text, expected", [("1920x1080", (1920, 1080)), (" 1280 X 720 ", (1280, 720)),
                                            ("800×600", (800, 600))])
def test_parse_size(text, expected):
    assert render.parse_size(text) == expected


@pytest.mark.parametrize("text, match", [("1920", "WIDTHxHEIGHT"), ("axb", "WIDTHxHEIGHT"), ("", "WIDTHxHEIGHT"),
                                         ("100x100", "out of range"), ("9000x1000", "out of range")])
def test_parse_size_rejects(text, match):
    with pytest.raises(ValueError, match=match):
        render.parse_size(text)


@pytest.mark.parametrize("text, expected", [("38,28,49,38", (38.0, 28.0, 49.0, 38.0)),
                                            (" 40.5, 30 ,45,35.25", (40.5, 30.0, 45.0, 35.25))])
def test_parse_extent(text, expected):
    assert render.parse_extent(text) == expected


@pytest.mark.parametrize("text, match", [
    ("38,28,49", "W,S,E,N"), ("a,b,c,d", "not a number"), ("49,28,38,38", "west=49, east=38 is out of range"),
    ("38,40,49,30", "south=40, north=30 is out of range"), ("-200,28,49,38", "longitude"),
    ("38,-95,49,38", "latitude"), ("38,28,38.01,38", "under 0.05 degrees"), ("nan,28,49,38", "finite"),
])
def test_parse_extent_rejects(text, match):
    with pytest.raises(ValueError, match=match):
        render.parse_extent(text)


@pytest.mark.parametrize("kwargs, match", [
    (dict(fmt="jpg"), "unknown image format 'jpg'"),
    (dict(size_px=(10, 10)), "out of range"),
    (dict(size_px=("a", 1)), "not \\(width, height\\)"),
    (dict(dpi=5), "dpi 5 is out of range"),
    (dict(extent=(50, 30, 40, 35)), "west=50, east=40"),
])
def test_bad_options_raise_value_error_naming_the_fix(ds, oct21, kwargs, match):
    with pytest.raises(ValueError, match=match):
        render.render_brief(ds, oct21, **kwargs)


def test_write_brief_by_extension(ds, oct21, tmp_path):
    for ext, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        path = render.write_brief(ds, oct21, tmp_path / f"b{ext}", **SMALL)
        assert path.read_bytes().startswith(magic)
    with pytest.raises(ValueError, match="use one of .png, .svg, .pdf"):
        render.write_brief(ds, oct21, tmp_path / "b.jpeg")
    assert not (tmp_path / "b.jpeg").exists()


# ------------------------------------------------------------------ milestones

def test_milestones_are_events_and_phase_starts_in_order(ds):
    stones = render.milestones(ds)
    days = [m.date for m in stones]
    assert days == sorted(days)
    from geo import mapview

    assert [(m.date, m.label) for m in stones] == [(m.day, m.label) for m in mapview.milestones(ds)]
    assert len({m.filename() for m in stones}) == len(stones)   # one file each, even on a shared day
    assert {p.start for p in ds.phases} <= set(days)
    assert {e.date.start for e in ds.events} <= set(days)
    names = [m.filename() for m in stones]
    assert "2025-10-20_reversal-250-350-stay.png" in names
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}_[a-z0-9-]+\.png", n) for n in names)


def test_milestones_known_on_hides_later_events(ds):
    early = {m.date for m in render.milestones(ds, D(2025, 8, 19))}
    assert D(2025, 10, 20) not in early and D(2025, 8, 18) in early


@pytest.mark.parametrize("text, slug", [("Reversal: 250-350 stay", "reversal-250-350-stay"),
                                        ("Hewlêr / Erbil", "hewler-erbil"), ("???", "milestone")])
def test_slugify(text, slug):
    assert render.slugify(text) == slug


# ------------------------------------------------------------------ animation

def test_gif_has_one_frame_per_day_with_the_date(ds):
    days = render.animation_days(ds, start=D(2025, 8, 18), end=D(2025, 9, 1))
    seen = []
    gif = render.render_animation(ds, days, fps=2, size_px=(640, 360), dpi=60,
                                  progress=lambda i, n, day: seen.append((i, n, day)))
    im = Image.open(io.BytesIO(gif))
    assert im.format == "GIF" and im.size == (640, 360) and im.n_frames == len(days) >= 3
    assert im.info["duration"] == 500 and im.info.get("loop") == 0
    assert seen == [(i + 1, len(days), d) for i, d in enumerate(days)]
    frames = []
    for k in range(im.n_frames):
        im.seek(k)
        frames.append(np.asarray(im.convert("RGB")))
    assert any((a != b).any() for a, b in zip(frames, frames[1:]))  # the posture (and date) change


def test_animation_refuses_bad_options(ds):
    with pytest.raises(ValueError, match="no dates"):
        render.render_animation(ds, [])
    with pytest.raises(ValueError, match="fps 0 is out of range"):
        render.render_animation(ds, [D(2025, 8, 18)], fps=0)
    with pytest.raises(ValueError, match="expected gif or mp4"):
        render.render_animation(ds, [D(2025, 8, 18)], fmt="avi")


def test_mp4_when_ffmpeg_is_available(ds):
    pytest.importorskip("imageio_ffmpeg")
    try:
        render._ffmpeg()
    except ValueError:
        pytest.skip("no ffmpeg binary for this platform")
    data = render.render_animation(ds, [D(2025, 8, 18), D(2025, 8, 24)], fmt="mp4", size_px=(641, 361), dpi=60)
    assert data[4:8] == b"ftyp"


def test_legend_says_what_the_live_maps_legend_says(oct21_svg):
    """Same rows, same words: a change in geo.mapview's legend must reach the images."""
    import html

    from geo import mapview

    live = [html.unescape(t) for t in re.findall(r"</svg></td><td>(.*?)</td>", mapview.legend_html())]
    assert len(live) >= 10
    # the callout row shows only on a map that has numbered callouts (this slide has none)
    only_with_callouts = {r.text for r in symbology.legend_rows() if r.only_with == "callouts"}
    live = [t for t in live if t not in only_with_callouts]
    ours = {html.unescape(t) for t in svg_texts(oct21_svg)}
    missing = [t for t in live if t not in ours]
    assert missing == []


# ------------------------------------------------------------------ SVG for editors

def test_svg_keeps_weight_style_and_a_font_stack(oct21_svg):
    found = re.findall(r'<text style="([^"]*)"[^>]*>([^<]*)</text>', oct21_svg)
    by_text = {t: s for s, t in found}
    styles = [s for s, _ in found]
    assert "font-weight: 700" in by_text["US-led coalition troop posture: Iraq and Syria"]
    plan = next(s for t, s in by_text.items() if t.startswith("plan: 250–350 together"))
    assert "font-style: italic" in plan
    for s in styles:
        family = re.search(r"font-family: ([^;]*)", s)[1]
        assert family.startswith("'DejaVu Sans'") and family.rstrip().endswith("sans-serif"), family


def test_svg_label_halos_are_strokes_of_the_same_text(oct21_svg):
    """Each label is one <text> whose halo is its own stroke painted first: nothing to
    drift apart, nothing turned into outlines."""
    labels = re.findall(r'<g id="label-\d+">\s*<text style="([^"]*)"[^>]*>([^<]*)</text>', oct21_svg)
    assert len(labels) >= 10
    assert all("paint-order: stroke fill" in s and "stroke: #FFFFFF" in s for s, _ in labels)
    ids = re.findall(r' id="([^"]+)"', oct21_svg)
    assert len(ids) == len(set(ids)), "SVG ids repeat"


def test_svg_rendered_by_librsvg_matches_the_png(ds, oct21, tmp_path):
    """The SVG as an editor's renderer sees it (librsvg's rsvg-convert) looks like the PNG."""
    import shutil
    import subprocess

    exe = shutil.which("rsvg-convert")
    if exe is None:
        pytest.skip("rsvg-convert missing: `make test` installs Debian's librsvg2-bin")
    svg = tmp_path / "b.svg"
    svg.write_bytes(render.render_brief(ds, oct21, fmt="svg"))
    out = tmp_path / "b.png"
    subprocess.run([exe, "-w", "1920", "-h", "1080", "-b", "white", str(svg), "-o", str(out)], check=True,
                   timeout=120)
    a = np.asarray(png(out.read_bytes()).convert("RGB").resize((192, 108), Image.BILINEAR)).astype(int)
    b = np.asarray(png(render.render_brief(ds, oct21)).convert("RGB").resize((192, 108), Image.BILINEAR)).astype(int)
    assert np.abs(a - b).mean() < 4.0
    # label ink (dark text) lands in the same places, within a pixel of this coarse grid
    dark_a, dark_b = (a.sum(axis=2) < 300), (b.sum(axis=2) < 300)
    assert abs(int(dark_a.sum()) - int(dark_b.sum())) < 0.25 * max(int(dark_b.sum()), 1)


def test_animation_frames_keep_one_layout(ds):
    """The map box sits at the same pixels whether or not a frame has the stale-data
    warning or a long milestone line (the GIF must not jump)."""
    view = (38.0, 28.0, 49.0, 38.0)
    boxes = []
    for day in (D(2025, 10, 21), D(2026, 11, 21)):      # the second is far past the newest source
        with render._LOCK, matplotlib.rc_context(render._RC):
            fig, _ = render._draw(ds, snapshot(ds, day), size_px=(1280, 720), dpi=100, extent=view,
                                  fixed_layout=True)
            mapax = max(fig.axes, key=lambda a: len(a.patches))
            boxes.append(tuple(round(v, 4) for v in mapax.get_position().bounds))
    assert boxes[0] == boxes[1]


def _legend_text_problems(fig) -> list[str]:
    """Legend and callout-key lines that print over each other or run out of the panel."""
    renderer = fig.canvas.get_renderer()
    out = []
    for a in fig.axes:
        texts = [t for t in a.texts if (t.get_gid() or "").startswith(("legend-", "callout-key"))]
        if not texts:
            continue
        panel = a.get_window_extent(renderer)
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text().strip()]
        for i, (ta, ba) in enumerate(boxes):
            if ba.y0 < panel.y0 - 1 or ba.y1 > panel.y1 + 1:
                out.append(f"{ta!r} runs out of the legend panel")
            for tb, bb in boxes[i + 1:]:
                if render._overlap(ba, bb) > 0.5:   # px² : touching line boxes are fine
                    out.append(f"{ta!r} prints over {tb!r}")
    return out


@pytest.mark.parametrize("size,dpi", [((1920, 1080), None), ((3840, 2160), None), ((960, 540), 150)])
def test_legend_and_callout_key_lines_never_overlap(ds, size, dpi):
    """A short legend panel sets the whole legend smaller; closing up the rows alone
    printed the callout key's lines over each other (2026-03-15 at 1920x1080)."""
    from geo import mapview

    problems = {}
    for ms in mapview.milestones(ds):
        with render._LOCK, matplotlib.rc_context(render._RC):
            opts = {"size_px": size} | ({"dpi": dpi} if dpi else {})
            fig, _report = render._draw(ds, snapshot(ds, ms.day), **opts)
            fig.canvas.draw()
            found = _legend_text_problems(fig)
        if found:
            problems[ms.day.isoformat()] = found
    assert problems == {}
