"""The benchmark's Chromium part runs end to end (floor app, embedded, a tiny scale
dataset), so it never rots. No timed assertions: the figures are only checked to exist."""
from __future__ import annotations

import pytest

from benchmarks import run as bench
from geo.synth import synthesize

pytestmark = pytest.mark.browser


def test_browser_figures_for_floor_embedded_and_scale(tmp_path, monkeypatch):
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setattr(bench, "BUILD", tmp_path / "build")
    data = synthesize(tmp_path / "tiny", places=12, claims=200, movements=8, seed=4)
    got = bench.browser_figures(data, quick=False, timeout_s=90)
    if "skipped" in got:
        pytest.skip(got["skipped"])
    for app in ("floor", "embedded", "scale", "scale_no_labels"):
        figures = got[app]
        assert "error" not in figures, (app, figures)
        assert "external_requests_blocked" not in figures, (app, figures)
        assert figures["step_n"] == 10 and figures["markers"] >= 1 and figures["runs_per_step"] >= 1
        for key in ("server_ready_s", "cold_start_s", "step_median_ms"):
            assert key in figures, (app, key)
    printed = bench.table({"quick": True, "embedded": {}, "scale": {}, "browser": got})
    assert "slider step vs floor" in printed and "cold start to first marker" in printed
