"""python -m geo: exit codes, one-line reasons, outputs by extension."""
import json
import subprocess
import sys

import geopandas as gpd
import pytest

from geo.cli import main
from tests.conftest import ROOT


def test_check_embedded(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: embedded dataset") and "claims" in out and "dates" in out


def test_check_corrupted_copy_names_file_row_column(data_copy, capsys):
    path = data_copy / "places.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",IRQ,", ",Iraq,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "error: 1 problem(s) in the dataset"
    assert "places.csv:3: column 'country': 'Iraq' — an ISO 3166 alpha-3 code" in err


def test_export_stdout_is_geojson(capsys):
    assert main(["export", "--date", "2025-10-21"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["type"] == "FeatureCollection" and fc["date"] == "2025-10-21"


def test_export_stdout_is_the_file_byte_for_byte(tmp_path, capsysbinary):
    # one writer for both (orjson, geo.export.geojson_bytes): the standard module's
    # indented writer is pure Python, 26 s for a timeline at 1,000 places
    out = tmp_path / "t.geojson"
    argv = ["export", "--timeline", "--until", "2026-11-21"]
    assert main(argv) == 0
    printed = capsysbinary.readouterr().out
    assert main(argv + ["-o", str(out)]) == 0
    assert printed == out.read_bytes()
    assert "Erbil" in printed.decode("utf-8") and printed.endswith(b"}\n")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv"])
def test_export_by_extension(tmp_path, suffix, capsys):
    out = tmp_path / f"p{suffix}"
    assert main(["export", "--date", "2025-08-20", "--known-on", "2025-08-19", "-o", str(out)]) == 0
    assert out.exists() and "wrote" in capsys.readouterr().err
    if suffix != ".csv":
        assert len(gpd.read_file(out, engine="pyogrio")) > 3


def test_export_timeline(tmp_path):
    out = tmp_path / "t.geojson"
    assert main(["export", "--timeline", "--until", "2026-11-21", "-o", str(out)]) == 0
    fc = json.loads(out.read_text())
    assert max(f["properties"]["end"] for f in fc["features"]) == "2026-11-21"


@pytest.mark.parametrize("argv,code,message", [
    (["export"], 2, "error: give either --date YYYY-MM-DD (the posture on a day) or --timeline"),
    (["export", "--date", "2025-10-21", "--timeline"], 2, "error: give either --date"),
    (["export", "--date", "2025-10-21", "-o", "x.shp"], 2, "error: cannot tell the format of 'x.shp': use one of .geojson"),
    (["check", "--data", "/nonexistent"], 1, "error: 1 problem(s) in the dataset"),
])
def test_bad_input_exits_non_zero_with_one_line(argv, code, message, capsys):
    assert main(argv) == code
    assert capsys.readouterr().err.splitlines()[0].startswith(message)


def test_bad_date_is_rejected_by_argparse(capsys):
    with pytest.raises(SystemExit) as info:
        main(["export", "--date", "21/10/2025"])
    assert info.value.code == 2
    assert "'21/10/2025' is not a day date; expected YYYY-MM-DD" in capsys.readouterr().err


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "geo", "check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_export_as_planned_is_a_labelled_projection(capsys):
    from geo.cli import main
    assert main(["export", "--date", "2025-10-21", "--known-on", "2025-08-19", "--as-planned"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["projection"] is True and fc["name"].endswith("-as-planned")
    asad = next(f for f in fc["features"] if f["id"] == "ain-al-asad")["properties"]
    assert asad["projection"]["troops_max"] == 0  # the closure, as planned then


def test_export_one_force_and_a_bad_force(capsys):
    from geo.cli import main
    assert main(["export", "--date", "2025-11-27", "--force", "coalition"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert {f["properties"]["force"] for f in fc["features"] if f["properties"]["claim"]} == {"coalition"}
    assert main(["export", "--date", "2025-11-27", "--force", "UN"]) == 2
    assert "expected one of US, coalition" in capsys.readouterr().err
