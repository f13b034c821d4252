"""The embedded dataset keeps its promises: verbatim quotes, honest flags, no orphans."""
import re
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the repo")
def test_seed_quotes_are_verbatim(ds):
    rows = [*ds.claims, *ds.movements]
    checked = 0
    for row in rows:
        seed = ds.sources[row.source].seed_file
        if not seed:
            continue
        text = _squash((SEEDS / seed).read_text(encoding="utf-8"))
        assert _squash(row.quote) in text, f"{row.id}: quote is not verbatim in {seed}: {row.quote!r}"
        assert row.quote_checked, f"{row.id}: a seed quote is checked by construction"
        checked += 1
    assert checked >= 40


def test_every_source_is_used(ds):
    used = {c.source for c in ds.claims} | {m.source for m in ds.movements}
    used |= {p.source for p in ds.phases} | {e.source for e in ds.events}
    assert set(ds.sources) == used


def test_inferred_publication_dates_are_flagged(ds):
    inferred = {s.seed_file for s in ds.sources.values() if s.published_inferred}
    assert {"001_647639aa0fb28daa.txt", "003_7eccfc2bfadc8a90.txt"} <= inferred


def test_country_destinations_are_country_precision(ds):
    for pid in ("syria", "kuwait", "iraq", "jordan"):
        assert ds.places[pid].precision == "country"


def test_movements_cover_the_drawdown(ds):
    pairs = {(m.from_place, m.to_place) for m in ds.movements}
    assert ("ain-al-asad", "syria") in pairs and ("al-tanf", "jordan") in pairs
