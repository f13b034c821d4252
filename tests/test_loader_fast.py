"""The column-wise loader gives exactly what the row-by-row rules give (issue 11).

``geo.loader._load(root, fast=False)`` runs every row through the per-row rules, as the
loader did before it read whole columns: it is the reference here. On valid data the
records must be identical (compared by ``repr``, so ``True`` vs ``1`` or a str vs a
date would fail); on bad data the problems must be identical, in the same order,
message for message: the catalogue of tests/test_bad_data.py and random corruptions
of a synthetic dataset, where bad rows sit among thousands of good ones.
"""
from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest

from geo.loader import COLUMNS, DEFAULT_DATA_DIR, _load, load_dataset
from geo.model import DataError
from geo.synth import synthesize
from tests.test_bad_data import CASES


def _outcome(root: Path, fast: bool) -> str:
    """Every record of the loaded dataset, or every problem, as text."""
    try:
        ds = _load(root, fast=fast)
    except DataError as exc:
        return "problems:\n" + "\n".join(repr(p) for p in exc.problems)
    return "loaded:\n" + repr((ds.places, ds.sources, ds.claims, ds.movements, ds.phases, ds.events, ds.root))


def _same(root: Path) -> str:
    fast, reference = _outcome(root, True), _outcome(root, False)
    assert fast == reference
    return fast


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    """The README's equivalence dataset: --places 60 --claims 3000 --movements 200 --seed 3."""
    return synthesize(tmp_path_factory.mktemp("synth"), places=60, claims=3000, movements=200, seed=3)


def test_embedded_data_loads_identically():
    assert _same(DEFAULT_DATA_DIR).startswith("loaded:")


def test_synthetic_data_loads_identically(synth):
    outcome = _same(synth)
    assert outcome.startswith("loaded:")
    ds = load_dataset(synth)
    assert len(ds.claims) == 3000 and len(ds.movements) == 200


@pytest.mark.parametrize("apply", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_every_catalogued_corruption_reports_identically(data_copy, apply):
    apply(data_copy)
    _same(data_copy)


#: Cell values that break one rule or another (or none), for the random corruptions.
_POOL = ["", " ", "x", "-1", "2500", " 250 ", "１２", "2_500", "1e3", "9999999", "nan", "2025-13-01", "2025-02-30",
         "2025-W60", "2025", "2025-09", "2025-09-15", "0999-01-01", "9999", "day", "week", "month", "year", "yes",
         "no", "maybe", "about", "at least", "fewer than", "withdrawn", "present", "plan", "report", "USA", "GBR",
         "coalition", "XXX", "a|a", "a||b", "Bad Id", "http://x y", "javascript:x", "q" * 401, "n" * 1001,
         "../x.txt", "ok.txt", " padded ", "33.3", "200.0", "-45.5"]


def _corrupt(src: Path, dest: Path, seed: int) -> None:
    """A copy of ``src`` with a few cells replaced, rows duplicated or cells copied
    across rows (a repeated id after a bad row, a reference to a row that fails)."""
    rng = random.Random(seed)
    dest.mkdir()
    for name in COLUMNS:
        if (src / name).exists():
            shutil.copy(src / name, dest / name)
    for _ in range(rng.randint(1, 8)):
        name = rng.choice(["claims.csv", "claims.csv", "claims.csv", "sources.csv", "movements.csv",
                           "movements.csv", "places.csv", "events.csv", "phases.csv"])
        with (dest / name).open(newline="", encoding="utf-8") as fh:
            table = list(csv.reader(fh))
        if len(table) < 3:
            continue
        row, col = rng.randrange(1, len(table)), rng.randrange(len(table[0]))
        other = table[rng.randrange(1, len(table))]
        pick = rng.random()
        if pick < 0.1:
            table[row] = list(other)
        elif pick < 0.2:
            table[row][col] = other[col]
        else:
            table[row][col] = rng.choice(_POOL)
        with (dest / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(table)


@pytest.fixture(scope="module")
def small_synth(tmp_path_factory) -> Path:
    return synthesize(tmp_path_factory.mktemp("small"), places=30, claims=800, movements=80, seed=4)


@pytest.mark.parametrize("seed", range(40))
def test_random_corruptions_report_identically(small_synth, tmp_path, seed):
    _corrupt(small_synth, tmp_path / "bad", seed)
    _same(tmp_path / "bad")


def test_blank_and_ragged_lines_among_many_rows(synth, tmp_path):
    """The file-level checks keep their row numbers when the whole-file read is used."""
    dest = tmp_path / "data"
    shutil.copytree(synth, dest)
    lines = (dest / "claims.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[10:10] = ["\n", " , ,\n"]
    lines[500] = lines[500].rstrip("\n") + ",extra\n"
    (dest / "claims.csv").write_text("".join(lines), encoding="utf-8")
    outcome = _same(dest)
    assert "claims.csv', row=501" in outcome and "check for an unquoted comma" in outcome


def test_check_does_not_build_the_index_but_the_app_load_does(synth):
    assert "posture" not in load_dataset(synth, index=False).__dict__
    assert "posture" in load_dataset(synth).__dict__
