"""geo.synth: the synthetic dataset is valid, realistic in shape and reproducible."""
from __future__ import annotations

import csv
import filecmp

import pytest
from shapely.geometry import Point

from geo.basemap import load_countries
from geo.cli import main as cli_main
from geo.dates import PRECISIONS
from geo.loader import COLUMNS, load_dataset
from geo.model import FORCE_COALITION, FORCE_US, Scope
from geo.synth import generate, synthesize


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return synthesize(tmp_path_factory.mktemp("synth"), places=60, claims=3000, movements=120, seed=3)


@pytest.fixture(scope="module")
def ds(folder):
    return load_dataset(folder)


def test_loads_with_every_record(ds):
    assert (len(ds.places), len(ds.claims), len(ds.movements)) == (60, 3000, 120)
    assert ds.phases and ds.events


def test_headers_are_the_loaders(folder):
    for name, columns in COLUMNS.items():
        with (folder / name).open(encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == columns


def test_places_lie_inside_their_countries(ds):
    shapes = {row["iso_a3"]: row.geometry for _, row in load_countries().iterrows()
              if isinstance(row["iso_a3"], str)}
    outside = [p.id for p in ds.places.values() if not shapes[p.country].contains(Point(p.lon, p.lat))]
    assert outside == []


def test_areas_hold_sites_within_them(ds):
    kinds = {p.kind for p in ds.places.values()}
    assert {"country", "region"} <= kinds
    areas = [p for p in ds.places.values() if p.scope == Scope.AREA]
    assert areas and all(p.has_children or p.kind in ("country", "region") for p in areas)
    sites = [p for p in ds.places.values() if p.scope == Scope.SITE]
    assert sites and all(p.within and ds.places[p.within].country == p.country for p in sites)
    assert any(c.places[0] in {a.id for a in areas} for c in ds.claims)  # area totals


def test_claims_cover_the_shapes_of_real_reporting(ds):
    assert {c.date.precision for c in ds.claims} == set(PRECISIONS)
    assert {c.basis for c in ds.claims} == {"plan", "report"}
    assert any(c.is_group for c in ds.claims)
    assert any(c.restated for c in ds.claims)
    forces = {c.force for c in ds.claims}
    assert {FORCE_US, FORCE_COALITION} <= forces and len(forces) > 2
    assert len({c.qualifier for c in ds.claims}) >= 6
    assert any(not c.has_figure for c in ds.claims)
    span = (max(s.published for s in ds.sources.values()) - min(s.published for s in ds.sources.values())).days
    assert span > 9 * 365
    assert {s.published_precision for s in ds.sources.values()} == {"day", "week", "month"}


def test_some_sources_disagree(ds):
    from geo.posture import conflicts

    assert conflicts(ds)  # conflicts exist, but not on every pair
    assert len(conflicts(ds)) < len(ds.claims)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = synthesize(tmp_path / "a", 20, 300, 10, seed=5)
    b = synthesize(tmp_path / "b", 20, 300, 10, seed=5)
    c = synthesize(tmp_path / "c", 20, 300, 10, seed=6)
    names = list(COLUMNS)
    assert filecmp.cmpfiles(a, b, names, shallow=False)[0] == names
    assert (a / "claims.csv").read_bytes() != (c / "claims.csv").read_bytes()


def test_hot_claims_go_to_one_place(tmp_path):
    ds = load_dataset(synthesize(tmp_path, 10, 500, 0, hot_claims=400))
    counts: dict[str, int] = {}
    for c in ds.claims:
        for pid in c.places:
            counts[pid] = counts.get(pid, 0) + 1
    assert max(counts.values()) >= 400


@pytest.mark.parametrize("kwargs, match", [
    (dict(places=2, claims=10, movements=0), "at least 3"),
    (dict(places=10, claims=0, movements=0), "--claims >= 1"),
    (dict(places=10, claims=10, movements=0, hot_claims=11), "hot-claims"),
])
def test_bad_sizes_say_what_is_expected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate(**kwargs)


def test_cli_writes_a_dataset_that_check_accepts(tmp_path, capsys):
    out = tmp_path / "cli"
    assert cli_main(["synth", "--places", "15", "--claims", "200", "--movements", "5", "--seed", "2",
                     "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert cli_main(["check", "--data", str(out)]) == 0
    assert "claims     200" in capsys.readouterr().out
