"""The fast paths of the posture model give exactly what the straightforward ones give.

The snapshot keeps each place's state with the window of days it holds over, the
timeline works a state out again only when a change day leaves that window, conflicts
are found on demand per claim or per place, and the timeline export shares the parts
that recur between its features. Each is held here to its reference path
(``snapshot_reference``, ``timeline_reference``, ``timeline_geojson_reference``,
``_sweep``), on the embedded dataset and on a synthetic one (``python -m geo synth
--places 60 --claims 3000 --movements 200 --seed 3``), compared as JSON text (so the
order of the keys counts too).
"""
import datetime as dt
import json
import random

import pytest

from geo import export, posture
from geo.loader import load_dataset
from geo.posture import Knowledge, _sweep, snapshot, snapshot_reference
from geo.synth import synthesize


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory):
    return synthesize(tmp_path_factory.mktemp("synth"), places=60, claims=3000, movements=200, seed=3)


@pytest.fixture(params=["embedded", "synth"])
def dataset(request, ds, synth_folder):
    """A fresh copy each time (its own Posture, so no cache carries over between tests)."""
    base = ds if request.param == "embedded" else load_dataset(synth_folder)
    return base.replace()


def _text(fc: dict) -> str:
    return json.dumps(fc, ensure_ascii=False, sort_keys=False)


def _known_on_days(ds, n: int = 3) -> list:
    """None (everything), and publication days spread over the dataset."""
    pubs = sorted({s.published for s in ds.sources.values()})
    return [None] + [pubs[int(len(pubs) * q)] for q in (0.25, 0.5, 0.8)][:n]


def _days(ds, known_on, n: int, seed: int) -> list[dt.date]:
    """Change days, the days just before them, and random days (before the first date
    and after the last too), in an order that jumps back and forth."""
    rng = random.Random(seed)
    changes = posture.change_dates(ds, known_on)
    picks = rng.sample(changes, min(n, len(changes)))
    days = picks + [d - dt.timedelta(days=1) for d in picks[: n // 2]]
    first, last = ds.first_date, ds.last_date
    days += [first + dt.timedelta(days=rng.randint(-60, (last - first).days + 400)) for _ in range(n // 2)]
    rng.shuffle(days)
    return days


def test_snapshot_export_equals_the_reference_on_many_days(dataset):
    for n, known in enumerate(_known_on_days(dataset)):
        for day in _days(dataset, known, 60, seed=n):
            fast = export.snapshot_geojson(snapshot(dataset, day, known), dataset.sources)
            ref = export.snapshot_geojson(snapshot_reference(dataset, day, known), dataset.sources)
            assert _text(fast) == _text(ref), (day, known)


def test_snapshot_states_equal_the_reference_field_by_field(dataset):
    """The states themselves, not only their export: the day's moves and ``on`` are set
    in the one copy a snapshot makes of each cached state."""
    known = _known_on_days(dataset)[1]
    moving = 0
    for day in _days(dataset, known, 40, seed=21):
        fast, ref = snapshot(dataset, day, known), snapshot_reference(dataset, day, known)
        assert fast.places == ref.places, day
        for a, b in zip(fast.places, ref.places):
            assert tuple(a) == tuple(b), (day, a.id)   # claims_known too, field by field
            assert a.on == day and (a.incoming, a.outgoing) == (b.incoming, b.outgoing)
            moving += bool(a.incoming or a.outgoing)
        assert fast.groups == ref.groups and fast.plan_groups == ref.plan_groups, day
    assert moving, "no day with a place on the move: the test would prove nothing"


def test_projection_equals_the_reference(dataset):
    known = _known_on_days(dataset)[2]
    for day in _days(dataset, known, 20, seed=7):
        fast = export.snapshot_geojson(snapshot(dataset, day, known, as_planned=True), dataset.sources)
        ref = export.snapshot_geojson(snapshot_reference(dataset, day, known, as_planned=True), dataset.sources)
        assert _text(fast) == _text(ref), day


def test_place_states_equal_the_reference_day_after_day(dataset):
    """A slider stepping a day at a time: every state comes from the cache but ``on``."""
    P = dataset.posture
    k = Knowledge.of(dataset, None)
    first = dataset.first_date
    for step in range(0, 400, 3):
        day = first + dt.timedelta(days=step * 7)
        assert P.states_on(day, k) == P.states_on_reference(day, k), day


def test_a_small_state_cache_still_gives_the_reference(dataset, monkeypatch):
    monkeypatch.setattr(posture, "_WINDOW_STATES", 50)
    monkeypatch.setattr(posture, "_WINDOW_DAYS", 2)
    P = dataset.posture
    for n, known in enumerate(_known_on_days(dataset)):
        k = Knowledge.of(dataset, known)
        for day in _days(dataset, known, 15, seed=10 + n):
            assert P.states_on(day, k) == P.states_on_reference(day, k), (day, known)
            assert P._window_count <= 50 + len(P.posture_places)
    assert len(P._windows) <= 2


def test_timeline_export_equals_the_reference(dataset):
    for known in _known_on_days(dataset, 2):
        fast = export.timeline_geojson(dataset, known_on=known)
        ref = export.timeline_geojson_reference(dataset, known_on=known)
        assert _text(fast) == _text(ref), known
    until = dataset.first_date + (dataset.last_date - dataset.first_date) / 2
    assert (_text(export.timeline_geojson(dataset, until=until))
            == _text(export.timeline_geojson_reference(dataset, until=until)))


@pytest.mark.parametrize("crowded", [False, True])
def test_conflicts_on_demand_equal_the_sweep(dataset, monkeypatch, crowded):
    """Per place sweeps, and (a place over the limit) one overlap query per claim."""
    if crowded:
        monkeypatch.setattr(posture, "_SWEEP_PLACE_LIMIT", 3)
    P = dataset.posture
    by_place = {pid: list(ix.claims) for pid, ix in P.places.items()}
    conflicts_by, corroborated_by, pairs = _sweep(dataset, by_place, P.published)

    def norm(entry):
        return None if not entry else (entry[0], list(entry[1]))

    for c in reversed(dataset.claims):
        found, corroborating = P._related(c)
        assert norm(found) == norm(conflicts_by.get(c.id)), c.id
        assert norm(corroborating) == norm(corroborated_by.get(c.id)), c.id
    assert P.conflict_pairs == pairs
    if crowded:
        assert not P._swept or all(len(P.places[p].claims) <= 3 for p in P._swept)


def test_conflicts_are_not_looked_for_at_load(dataset):
    """Loading builds the index without pairing claims (a crowded place has millions)."""
    P = dataset.posture
    assert "conflict_pairs" not in P.__dict__ and not P._relations and not P._swept


def _relations_norm(P) -> dict:
    return {cid: tuple(None if not e else (e[0], list(e[1])) for e in rel) for cid, rel in P._relations.items()}


def test_relations_joined_from_place_sweeps_equal_the_full_sweep(dataset):
    """A slider sweeps every place (states_on); a timeline after it joins each claim's
    relations from those sweeps instead of sweeping every place again."""
    full = dataset.replace().posture
    full._all_relations()
    assert full._relations_complete and not full._swept   # the full sweep's path

    P = dataset.posture
    k = Knowledge.of(dataset, None)
    P.states_on(dataset.first_date, k)
    P.states_on(dataset.last_date, k)                     # the second day sweeps every place
    assert len(P._swept) == len(P.places)
    P._all_relations()
    assert P._relations_complete
    assert set(P._relations) == {c.id for c in dataset.claims}
    assert _relations_norm(P) == _relations_norm(full)
    assert _text(export.timeline_geojson(dataset)) == _text(export.timeline_geojson(dataset.replace()))


def test_a_slider_after_every_relation_is_known_sweeps_no_place(dataset):
    """The dashboard's first run finds every change day (the slider's stops), which finds
    every claim's relations; the slider's second day then has nothing left to sweep."""
    P = dataset.posture
    k = Knowledge.of(dataset, None)
    posture.change_dates(dataset)
    assert P._relations_complete
    for day in (dataset.first_date, dataset.last_date, dataset.first_date + dt.timedelta(days=40)):
        assert P.states_on(day, k) == P.states_on_reference(day, k)
    assert not P._swept


def test_forces_are_worked_out_once_and_each_caller_gets_its_own_list(dataset):
    walked = {c.force for c in dataset.claims} | {m.force for m in dataset.movements}
    found = posture.forces(dataset)
    assert set(found) == walked and len(found) == len(walked)
    assert found[0] == "US" and found[1:] == sorted(found[1:], key=lambda f: (f != "coalition", f))
    found.append("someone else")
    assert posture.forces(dataset) == found[:-1]
    assert dataset.forces is dataset.forces   # kept, not walked again
    bare = dataset.replace()
    assert posture.forces(bare) == found[:-1] and "posture" not in bare.__dict__   # no index built for it
