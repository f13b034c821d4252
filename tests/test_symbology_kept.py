"""geo.symbology's kept specs: a slider step reuses the marker specs of the places that
did not change, and what it draws is exactly what a fresh build draws.

The reference is the same ``marker_specs`` call with the kept specs forgotten first.
Days are walked one by one (as the slider and Play do), backwards, and by jumps, with
plans on and off, reports only, the projection, and a known-on day that hides sources:
every case in which a kept spec could outlive what it was made from.
"""
from __future__ import annotations

import datetime as dt
import random

import pytest

from geo import symbology
from geo.loader import load_dataset
from geo.posture import reports_only, snapshot


def _fresh(snap, **kw):
    saved = symbology._KEPT.copy()   # each dataset's kept specs, left as they are
    symbology.forget_kept()
    try:
        return symbology.marker_specs(snap, popups=False, **kw)
    finally:
        symbology._KEPT.clear()
        symbology._KEPT.update(saved)


def _walk(ds, days, known=None, as_planned: bool = False, **kw) -> int:
    """Specs for each day in turn, kept against fresh; returns how many were reused."""
    reused = 0
    last: dict[str, object] = {}
    for on in days:
        snap = snapshot(ds, on, known or ds.latest_published, as_planned=as_planned)
        kept = symbology.marker_specs(snap, popups=False, **kw)
        assert kept == _fresh(snap, **kw), on
        reused += sum(1 for s in kept if last.get(s.key) is s)
        last = {s.key: s for s in kept}
    return reused


def _days(ds):
    n = (ds.last_date - ds.first_date).days
    return [ds.first_date + dt.timedelta(days=i) for i in range(n + 1)]


@pytest.fixture(scope="module")
def synth_ds(tmp_path_factory):
    # the embedded data has no group figure and few plans; this one has both, with
    # area totals, conflicts and restatements
    from geo import synth

    return load_dataset(synth.synthesize(tmp_path_factory.mktemp("kept"), 40, 2000, 20, seed=5))


@pytest.mark.parametrize("plans", [True, False])
def test_every_day_of_the_embedded_data_draws_as_a_fresh_build(ds, plans):
    days = _days(ds)
    reused = _walk(ds, days, show_plans=plans)
    _walk(ds, days[::-1], show_plans=plans)
    _walk(reports_only(ds), days, show_plans=plans)
    # the point of keeping them: most days change few places
    assert reused > len(days)


def test_the_projection_and_a_known_on_day_draw_as_a_fresh_build(ds):
    days = _days(ds)
    _walk(ds, days, as_planned=True)
    # replay what was known on a day: the same places, fewer sources
    known = dt.date(2025, 10, 1)
    _walk(ds, [d for d in days if d <= dt.date(2026, 3, 1)], known=known)
    # and alternate known-on days for the same day shown
    for on in days[400::11]:
        for known in (dt.date(2025, 1, 1), ds.latest_published):
            snap = snapshot(ds, on, known)
            assert symbology.marker_specs(snap, popups=False) == _fresh(snap), (on, known)


def test_groups_plans_and_jumps_in_a_synthetic_dataset_draw_as_a_fresh_build(synth_ds):
    days = _days(synth_ds)
    start = len(days) // 2
    run = days[start:start + 90]
    members = sum(1 for ps in snapshot(synth_ds, run[0]).places if ps.group)
    assert members and snapshot(synth_ds, run[0]).groups, "the synthetic set should hold group figures"
    assert _walk(synth_ds, run) > 0
    _walk(synth_ds, run[::-1], show_plans=False)
    rng = random.Random(3)
    _walk(synth_ds, [rng.choice(days) for _ in range(60)])
    _walk(reports_only(synth_ds), run[:30], show_plans=False)


def test_popups_are_never_taken_from_kept_specs(ds):
    # a popup reads the dataset's sources and places, which the kept key does not hold
    snap = snapshot(ds, "2025-10-21")
    symbology.marker_specs(snap, popups=False)
    with_popups = symbology.marker_specs(snap, sources=dict(ds.sources), places=dict(ds.places))
    assert all(s.popup for s in with_popups if s.kind != "group")


def test_specs_are_kept_for_the_last_few_datasets_only(ds):
    # a kept state holds its place's claims: a dataset no longer drawn is let go of
    copies = [ds.replace(sources=dict(ds.sources)) for _ in range(symbology._KEPT_DATASETS + 2)]
    for d in copies:
        symbology.marker_specs(snapshot(d, "2025-10-21"), popups=False)
    held = [cat for cat, _kept in symbology._KEPT.values()]
    assert len(held) == symbology._KEPT_DATASETS
    assert all(c is d.sources for c, d in zip(held, copies[-symbology._KEPT_DATASETS:]))
    # and a new copy's specs are its own, equal to a fresh build
    snap = snapshot(copies[0], "2025-10-22")
    assert symbology.marker_specs(snap, popups=False) == _fresh(snap)


def test_a_save_lets_go_of_every_kept_spec(ds):
    from ui import cache

    symbology.marker_specs(snapshot(ds, "2025-10-21"), popups=False)
    assert symbology._KEPT
    cache.invalidate()
    assert not symbology._KEPT
