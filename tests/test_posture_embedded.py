"""The embedded dataset read as a careful analyst would, on the story's key days.

Each test is a day in the story and what a reader of every source known that day would
conclude; claims are found by what they say, not by their row ids, so that the data can
grow without breaking the reading.
"""
import datetime as dt

import pytest

from geo import export
from geo.posture import PlanStatus, snapshot, timeline

D = dt.date


def feature(fc, fid):
    return next(f for f in fc["features"] if f["id"] == fid)["properties"]


def test_2025_09_20_ain_al_asad_keeps_its_reported_figure_with_the_closure_overdue(ds):
    ps = snapshot(ds, "2025-09-20").place("ain-al-asad")
    assert ps.report is not None and ps.basis == "report"
    assert (ps.troops_min, ps.troops_max, ps.qualifier) == (2000, 2000, "about")
    assert ps.figure_claim.date.start == D(2025, 8, 24) and ps.figure_age_days == 27
    assert ps.plan is not None and ps.plan.claim.status == "withdrawn"
    assert ps.plan.state is PlanStatus.OVERDUE
    props = feature(export.snapshot_geojson(snapshot(ds, "2025-09-20")), "ain-al-asad")
    assert props["figure"] == "about 2,000" and props["plan"]["state"] == "overdue"


def test_victory_base_is_never_emptied_by_a_plan(ds):
    """A week-35 evacuation plan does not make Victory Base empty until it is reported."""
    for day in ("2025-09-01", "2025-10-21", "2025-12-31"):
        ps = snapshot(ds, day).place("victory-base")
        assert ps.report is not None and ps.report.basis == "report"
        assert not (ps.troops_max == 0 and ps.figure_claim.basis == "plan"), day


def test_2025_10_21_iraq_reported_more_than_2500_with_fewer_than_2000_as_its_plan(ds):
    iraq = snapshot(ds, "2025-10-21").place("iraq")
    assert iraq.figure_text() == "more than 2,500" and iraq.basis == "report"
    assert iraq.plan.claim.figure_text() == "fewer than 2,000"
    assert iraq.scope == "area" and snapshot(ds, "2025-10-21").place("kurdistan-region").scope == "area"


def test_iraq_series_never_drops_below_2000_on_a_plan(ds):
    """The country line follows reports: a plan's "fewer than 2,000" never becomes it."""
    for iv in timeline(ds):
        if iv.layer == "place" and iv.key == "iraq" and iv.place_state.figure_claim is not None:
            assert iv.place_state.figure_claim.basis == "report", iv.start


def test_2026_03_15_syria_is_not_shown_emptied(ds):
    syria = snapshot(ds, "2026-03-15").place("syria")
    assert syria.report is not None and syria.troops_min is not None and syria.troops_min > 0
    assert syria.plan is not None and syria.plan.claim.troops_max == 0  # the plan, beside it


def test_as_planned_on_2025_08_19_replays_the_closure(ds):
    snap = snapshot(ds, "2025-10-21", known_on="2025-08-19", as_planned=True)
    ain = snap.place("ain-al-asad")
    assert snap.as_planned and ain.projection is not None
    assert ain.projection.status == "withdrawn" and ain.projection.troops_max == 0
    # the projection never rewrites the report: what was reported by then stands beside it
    assert ain.report is None or ain.report.basis == "report"


def test_coalition_figure_in_kurdistan_is_labelled_coalition(ds):
    kri = snapshot(ds, "2025-11-27").place("kurdistan-region")
    assert kri.force == "coalition" and kri.scope == "area"
    props = feature(export.snapshot_geojson(snapshot(ds, "2025-11-27")), "kurdistan-region")
    assert props["force"] == "coalition"


def test_january_background_figure_does_not_refresh_iraq(ds):
    """'About 2,500 US troops remain stationed in Iraq' (January 2026) is background:
    it supports the figure and never makes it newer."""
    iraq = snapshot(ds, "2026-01-20").place("iraq")
    assert not iraq.figure_claim.restated, "a restatement stood in for the last report"
    assert iraq.figure_claim.date.start < D(2026, 1, 1)
    assert any(c.date.start >= D(2026, 1, 1) for c in iraq.restated_by)


def test_phases_follow_as_known_on(ds):
    for p in ds.phases:
        published = ds.sources[p.source].published
        if published > p.start:
            day = p.start
            assert snapshot(ds, day, known_on=published - dt.timedelta(days=1)).phase != p


def test_area_totals_never_stand_as_sites(ds):
    for day in ("2025-08-20", "2025-10-21", "2026-01-20"):
        snap = snapshot(ds, day)
        for ps in snap.places:
            if ps.place.kind in ("country", "region"):
                assert ps.scope == "area", (day, ps.place.id)


@pytest.mark.parametrize("day", ["2025-08-20", "2025-09-20", "2025-10-21", "2026-01-18", "2026-03-15"])
def test_every_figure_on_a_key_day_has_its_date_and_sources(ds, day):
    fc = export.snapshot_geojson(snapshot(ds, day))
    for f in fc["features"]:
        p = f["properties"]
        if p["troops_min"] is not None or p["troops_max"] is not None:
            assert p["figure_as_of"] and p["figure_sources"], f["id"]
