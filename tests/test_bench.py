"""benchmarks/run.py runs end to end on tiny inputs, so it never rots.

No timed assertions: speed is what the benchmark prints, never what a test asserts.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from benchmarks import run as bench
from geo.loader import load_dataset
from geo.posture import snapshot
from geo.synth import synthesize


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "BUILD", tmp_path / "build")
    monkeypatch.setattr(bench, "HOT_QUICK", 200)
    return synthesize(tmp_path / "tiny", places=12, claims=200, movements=8, seed=4)


def test_quick_run_prints_every_figure_and_writes_json(tiny, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--no-browser", "--scale", "12,200,8", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    results = json.loads(out.read_text())
    for measure in ("check, whole process", "check, peak memory", "snapshot, median", "snapshot, p95",
                    "snapshot vs naive per place", "timeline export", "export one day, whole process",
                    "map build: posture layers", "one briefing PNG", "claims at one place"):
        assert measure in printed
    for target in ("≤ 3 s", "≤ 500 MB", "≤ 10 ms", "≥ 20×"):
        assert target in printed
    assert "QUICK" in printed and "skipped: --no-browser" in printed
    for key in ("embedded", "scale"):
        got = results[key]
        assert got["check"]["rc"] == 0, got
        assert "worker_error" not in got, got
        for figure in ("load_s", "snapshot_median_ms", "snapshot_p95_ms", "naive_ratio", "timeline_s",
                       "map_build_s", "png_s"):
            assert figure in got, (key, figure)
        assert got["export_day_process"]["rc"] == 0
    assert results["scale"]["claims"] == 200
    assert results["hot_place"]["claims"] == 200
    assert results["machine"]["nproc"] >= 1


def test_naive_paths_find_a_report_wherever_the_snapshot_has_one(tiny):
    ds = load_dataset(tiny)
    on, known = dt.date(2021, 6, 1), ds.latest_published
    naive = bench.naive_one_pass(ds, on, known)
    per_place = bench.naive_per_place(ds, on, known)
    snap = snapshot(ds, on, known)
    with_report = {ps.place.id for ps in snap.places if ps.report is not None}
    assert with_report <= {pid for pid, (report, _plan) in naive.items() if report}
    assert with_report <= set(per_place)


def test_a_measure_over_its_budget_is_stopped_and_printed_as_such():
    with pytest.raises(bench.Budget):
        with bench.budget(0.05):
            while True:
                pass
    rows = bench.rows({"embedded": {}, "scale": {"timeline_s": bench.over(3)}, "browser": {"skipped": "x"}})
    [timeline] = [r for r in rows if r[0].startswith("timeline export")]
    assert timeline[2] == "> 3 s (stopped)" and timeline[4] == "no"


def test_browser_profile_sums_self_time_per_step_by_script_and_function():
    from benchmarks.browser_profile import self_times

    def node(i, url, fn, line=0):
        return {"id": i, "callFrame": {"url": url, "functionName": fn, "lineNumber": line}}

    profile = {"nodes": [node(1, "", "(idle)"), node(2, "", "(program)"),
                         node(3, "http://127.0.0.1:1/app/static/js/posture-atlas-map.js", "nearby", 151),
                         node(4, "http://127.0.0.1:1/app/static/js/posture-atlas-map.js", "", 432)],
               "samples": [1, 2, 3, 3, 4, 1, 2],
               "timeDeltas": [5000, 1000, 2000, 2000, 600, 9000, 3000]}
    by_script, by_function = self_times(profile, steps=2)
    assert dict(by_script) == {"(program)": 2.0, "posture-atlas-map.js": 2.3}   # idle left out
    assert by_function[("posture-atlas-map.js", "nearby", 152)] == 2.0           # lines from 1
    assert by_function[("posture-atlas-map.js", "(anonymous)", 433)] == 0.3
