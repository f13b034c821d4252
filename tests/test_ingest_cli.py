"""``python -m geo ingest``: proposals as CSV, and --apply through the same save."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.ingest.command import neutralise, proposals_csv, unneutralise
from geo.ingest.records import REVIEW_COLUMNS
from geo.loader import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
ARTICLE = ("About 300 US troops remain at Al-Harir Air Base, officials said on Monday. "
           "The troops will relocate to Erbil by the end of November.\n")


def _propose(tmp_path, data_copy, capsys, text=ARTICLE, name="a.txt"):
    art = tmp_path / name
    art.write_text(text, encoding="utf-8")
    rc = main(["ingest", str(art), "--outlet", "Test Wire", "--url", "https://example.org/a",
               "--published", "2025-11-03", "--data", str(data_copy)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return list(csv.DictReader(io.StringIO(out.out, newline=""))), out.out


def test_proposals_are_printed_as_csv(tmp_path, data_copy, capsys):
    rows, raw = _propose(tmp_path, data_copy, capsys)
    assert raw.split("\r\n")[0] == ",".join(REVIEW_COLUMNS)
    assert [r["kind"] for r in rows][:1] == ["source"]
    claims = [r for r in rows if r["kind"] == "claim"]
    assert {"al-harir", "erbil"} <= {r["places"] for r in claims}
    harir = next(r for r in claims if r["places"] == "al-harir")
    assert (harir["troops_min"], harir["qualifier"], harir["date"], harir["basis"]) == ("300", "about", "2025-11-03", "report")
    assert harir["span_start"] == "0" and float(harir["confidence"]) > 0
    moves = [r for r in rows if r["kind"] == "movement"]
    assert [(m["from_place"], m["to_place"], m["end"]) for m in moves] == [("al-harir", "erbil", "2025-11")]


def test_html_article(tmp_path, data_copy, capsys):
    page = f"<html><body><article><p>{ARTICLE}</p><p>More text follows here for the extractor.</p></article></body></html>"
    rows, _ = _propose(tmp_path, data_copy, capsys, page, "a.html")
    assert any(r["places"] == "al-harir" for r in rows if r["kind"] == "claim")


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    assert unneutralise(neutralise(cell)) == cell
    out = proposals_csv([{"kind": "claim", "quote": cell}])
    assert list(csv.DictReader(io.StringIO(out, newline="")))[0]["quote"] == "'" + cell


def test_a_formula_in_the_article_cannot_run_in_a_spreadsheet(tmp_path, data_copy, capsys):
    rows, _ = _propose(tmp_path, data_copy, capsys, "=cmd|' /C calc'!A0 About 300 troops remain at Al-Harir Air Base.\n")
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_apply_adds_rows_that_the_export_shows(tmp_path, data_copy, capsys):
    rows, raw = _propose(tmp_path, data_copy, capsys)
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text(raw, encoding="utf-8")
    assert main(["ingest", "--apply", str(reviewed), "--data", str(data_copy)]) == 0
    assert "added" in capsys.readouterr().err
    assert "test-wire-2025-11-03" in load_dataset(data_copy).sources
    rc = main(["export", "--date", "2025-11-03", "--data", str(data_copy)])
    fc = json.loads(capsys.readouterr().out)
    assert rc == 0
    harir = next(f for f in fc["features"] if f["properties"]["id"] == "al-harir")
    assert harir["properties"]["troops_min"] == 300
    assert "test-wire-2025-11-03" in [s["id"] for s in harir["properties"]["figure_sources"]]


def test_apply_a_bad_row_exits_non_zero_located_and_writes_nothing(tmp_path, data_copy, capsys):
    rows, raw = _propose(tmp_path, data_copy, capsys)
    lines = raw.splitlines()
    i = next(n for n, line in enumerate(lines) if ",al-harir," in line)
    lines[i] = lines[i].replace(",al-harir,", ",atlantis,")
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in data_copy.glob("*.csv")}
    assert main(["ingest", "--apply", str(reviewed), "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{reviewed}:{i + 1}: column 'places'" in err and "atlantis" in err and "nothing was written" in err
    assert {p.name: p.read_bytes() for p in data_copy.glob("*.csv")} == before


def test_usage_errors(tmp_path, capsys):
    assert main(["ingest", "--outlet", "x", "--published", "2025-01-01"]) == 2
    assert "ARTICLE" in capsys.readouterr().err
    assert main(["ingest", "https://example.org/story", "--outlet", "x", "--published", "2025-01-01"]) == 2
    assert "never a URL" in capsys.readouterr().err
    bad = tmp_path / "r.csv"
    bad.write_text("id,foo\n1,2\n")
    assert main(["ingest", "--apply", str(bad)]) == 2
    assert "header" in capsys.readouterr().err


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed reports not present")
def test_module_entry_point_on_a_seed(data_copy):
    proc = subprocess.run([sys.executable, "-m", "geo", "ingest", str(SEEDS / "002_23c18b444b40338d.txt"),
                           "--outlet", "ISW News", "--published", "2025-08-18", "--data", str(data_copy)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout, newline="")))
    assert any(r["kind"] == "claim" and r["troops_min"] == "2500" for r in rows)
    assert any(r["kind"] == "movement" and r["to_place"] == "erbil" for r in rows)
