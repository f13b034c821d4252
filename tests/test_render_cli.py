"""python -m geo brief / animate, run in-process: outputs by extension, milestone series,
and one-line reasons (exit 2) for bad input."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from geo import render
from geo.assets import external_urls
from geo.cli import main

FAST = ["--size", "640x360", "--dpi", "60"]


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ")
    return err[0]


@pytest.mark.parametrize("ext, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF"),
                                        (".PNG", b"\x89PNG")])
def test_brief_writes_the_format_of_the_extension(tmp_path, capsys, ext, magic):
    out = tmp_path / f"brief{ext}"
    assert main(["brief", "--date", "2025-10-21", *FAST, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in capsys.readouterr().err


def test_brief_default_is_a_1920x1080_slide(tmp_path):
    out = tmp_path / "brief.png"
    assert main(["brief", "--date", "2025-10-21", "--marking", "UNCLASSIFIED // OPEN SOURCE", "-o", str(out)]) == 0
    assert Image.open(out).size == (1920, 1080)


def test_brief_options_reach_the_image(tmp_path):
    out = tmp_path / "brief.svg"
    assert main(["brief", "--date", "2025-10-21", "--known-on", "2025-08-19", "--title", "Drawdown, replayed",
                 "--subtitle", "What was known on 19 August", "--marking", "OPEN SOURCE", "--no-plans",
                 "--extent", "38,28,49,38", *FAST, "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    for text in ("Drawdown, replayed", "What was known on 19 August", "OPEN SOURCE", "as known on 19 Aug 2025",
                 "plans hidden"):
        assert text in svg, text


def test_brief_html_is_the_offline_map(tmp_path):
    out = tmp_path / "map.html"
    assert main(["brief", "--date", "2025-10-21", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and external_urls(page) == []


def test_milestones_write_one_image_each(tmp_path, capsys, ds):
    folder = tmp_path / "series"
    assert main(["brief", "--milestones", str(folder), "--format", "png", *FAST]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(m.filename(".png") for m in render.milestones(ds))
    assert all(re.match(r"\d{4}-\d{2}-\d{2}_[a-z0-9-]+\.png$", n) for n in names)
    assert Image.open(folder / names[0]).size == (640, 360)
    err = capsys.readouterr().err
    assert f"[1/{len(names)}]" in err and f"wrote {len(names)} images" in err


@pytest.mark.parametrize("argv, match", [
    (["brief", "--date", "2025-10-21", "-o", "x.jpg"], "cannot tell the image format of 'x.jpg'"),
    (["brief", "--date", "2025-10-21", "--size", "big", "-o", "x.png"], "size 'big' is not WIDTHxHEIGHT"),
    (["brief", "--date", "2025-10-21", "--size", "100x100", "-o", "x.png"], "out of range"),
    (["brief", "--date", "2025-10-21", "--dpi", "2", "-o", "x.png"], "dpi 2 is out of range"),
    (["brief", "--date", "2025-10-21", "--dpi", "high", "-o", "x.png"], "--dpi 'high' is not a number"),
    (["brief", "--date", "2025-10-21", "--extent", "50,30,40,35", "-o", "x.png"], "west=50, east=40"),
    (["brief", "--date", "2025-10-21", "--extent", "40,30,45", "-o", "x.png"], "is not W,S,E,N"),
    (["brief", "--date", "2025-10-21", "--extent", "40,-100,45,35", "-o", "x.png"], "latitude"),
    (["brief", "-o", "x.png"], "give --date YYYY-MM-DD"),
    (["brief", "--date", "2025-10-21"], "give -o FILE"),
    (["brief", "--date", "2025-10-21", "--milestones", "d"], "leave out --date"),
    (["animate", "-o", "x.avi"], "cannot tell the animation format of 'x.avi'"),
    (["animate", "-o", "x.gif", "--fps", "0"], "--fps 0 is out of range"),
    (["animate", "-o", "x.gif", "--from", "2026-01-01", "--to", "2025-01-01"], "--from 2026-01-01 is after --to"),
    (["animate", "-o", "x.gif", "--from", "2030-01-01"], "no change dates"),
    (["animate", "-o", "x.gif", "--size", "1x1"], "is not WIDTHxHEIGHT|out of range"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, match):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert re.search(match, one_error_line(capsys))
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_milestones_into_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["brief", "--milestones", str(f)]) == 2
    assert "is a file" in one_error_line(capsys)


def test_animate_gif_with_progress(tmp_path, capsys, ds):
    out = tmp_path / "drawdown.gif"
    assert main(["animate", "-o", str(out), "--from", "2025-08-18", "--to", "2025-09-01", "--fps", "2",
                 *FAST]) == 0
    days = render.animation_days(ds, start=render.dt.date(2025, 8, 18), end=render.dt.date(2025, 9, 1))
    im = Image.open(io.BytesIO(out.read_bytes()))
    assert im.n_frames == len(days) and im.size == (640, 360) and im.info["duration"] == 500
    err = capsys.readouterr().err
    assert f"frame 1/{len(days)}: 2025-08-18" in err and f"({len(days)} frames" in err


def test_brief_on_a_day_with_no_reports_says_so_on_the_image_and_stderr(tmp_path, capsys):
    out = tmp_path / "empty.svg"
    assert main(["brief", "--date", "2023-01-01", *FAST, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "notice: No report of troops at any place is in force on 1 Jan 2023" in err
    svg = out.read_text(encoding="utf-8")
    assert "No report of troops at any place is in force on" in svg


def test_brief_with_reports_gives_no_notice(tmp_path, capsys):
    assert main(["brief", "--date", "2025-10-21", *FAST, "-o", str(tmp_path / "b.png")]) == 0
    assert "notice:" not in capsys.readouterr().err
