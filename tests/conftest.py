"""Shared fixtures: the embedded dataset, and a writer of small synthetic datasets."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from geo.loader import COLUMNS, DEFAULT_DATA_DIR, load_dataset

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def ds():
    """The embedded dataset, loaded once for the session (it is immutable)."""
    return load_dataset()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the embedded CSV files (to corrupt in a test)."""
    dest = tmp_path / "data"
    dest.mkdir()
    for name in COLUMNS:
        if (DEFAULT_DATA_DIR / name).exists():
            shutil.copy(DEFAULT_DATA_DIR / name, dest / name)
    return dest


def write_table(folder: Path, name: str, rows: list[dict]) -> Path:
    """Write rows under ``name``'s exact header; missing cells are empty."""
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS[name])
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k, "") for k in COLUMNS[name]})
    return path


PLACES = [
    dict(id="alpha", name="Alpha Base", aliases="Alfa", kind="air base", country="IRQ", lat="33.0", lon="43.0", precision="facility"),
    dict(id="bravo", name="Bravo Base", kind="air base", country="IRQ", lat="36.0", lon="44.0", precision="facility"),
    dict(id="charlie", name="Charlie", kind="country", country="KWT", lat="29.3", lon="47.6", precision="country"),
]
#: a country holding two sites: for area totals
AREA_PLACES = [
    dict(id="land", name="Land", kind="country", country="IRQ", lat="33.0", lon="43.5", precision="country"),
    dict(id="alpha", name="Alpha Base", kind="air base", country="IRQ", within="land", lat="33.0", lon="43.0", precision="facility"),
    dict(id="bravo", name="Bravo Base", kind="air base", country="IRQ", within="land", lat="36.0", lon="44.0", precision="facility"),
]
SOURCES = [
    dict(id="s1", outlet="Outlet One", title="t1", url="https://example.org/1", published="2025-08-01", published_precision="day", published_inferred="no"),
    dict(id="s2", outlet="Outlet Two", title="t2", url="https://example.org/2", published="2025-09-01", published_precision="day", published_inferred="no"),
    dict(id="s3", outlet="Outlet Three", title="t3", url="", published="2025-10-01", published_precision="day", published_inferred="yes"),
]


def claim(cid, places, date, lo="", hi="", status="present", basis="report", source="s1",
          precision="day", qualifier="", quote="said so", force="US", restated="no"):
    return dict(id=cid, places=places, date=date, date_precision=precision, troops_min=lo,
                troops_max=hi, qualifier=qualifier, status=status, basis=basis, force=force,
                restated=restated, source=source, quote=quote, quote_checked="yes")


@pytest.fixture
def make_data(tmp_path):
    """make_data(claims=[...], movements=[...], ...) -> folder with a small dataset."""
    def make(claims=(), movements=(), phases=(), events=(), places=PLACES, sources=SOURCES) -> Path:
        folder = tmp_path / "tiny"
        folder.mkdir(exist_ok=True)
        write_table(folder, "places.csv", list(places))
        write_table(folder, "sources.csv", list(sources))
        write_table(folder, "claims.csv", list(claims))
        write_table(folder, "movements.csv", list(movements))
        write_table(folder, "phases.csv", list(phases))
        write_table(folder, "events.csv", list(events))
        return folder
    return make
