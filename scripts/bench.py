"""Benchmarks: figures printed side by side, never asserted (machines here are noisy).

Measures, for the embedded dataset and a synthetic one about 100x larger:
  * load + validate + index time, and peak memory of loading;
  * snapshot time per day with the load-time index, against a naive baseline that
    re-filters the raw claim table for every day (the ratio is what the index buys);
  * timeline and GeoJSON export time.

Run: ``make bench`` or ``.venv/bin/python scripts/bench.py [--scale 100]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import export  # noqa: E402
from geo.loader import COLUMNS, OPTIONAL_COLUMNS, DEFAULT_DATA_DIR, load_dataset  # noqa: E402
from geo.posture import snapshot, timeline  # noqa: E402


def naive_in_force(ds, on: dt.date, known_on: dt.date) -> dict[str, str]:
    """What a page script without an index does: filter and sort the raw claims per day."""
    out = {}
    for pid in ds.places:
        rows = [c for c in ds.claims if pid in c.places and c.date.start <= on
                and ds.sources[c.source].published <= known_on]
        if rows:
            rows.sort(key=lambda c: (c.date.start, ds.sources[c.source].published, c.basis == "report", c.id))
            out[pid] = rows[-1].id
    return out


def synthetic(scale: int, folder: Path) -> Path:
    """The embedded dataset's places repeated ``scale`` times (shifted), with claims."""
    import csv

    rng = random.Random(7)
    src = {name: list(csv.DictReader((DEFAULT_DATA_DIR / name).open(encoding="utf-8")))
           for name in COLUMNS if (DEFAULT_DATA_DIR / name).exists()}
    out = {name: [] for name in COLUMNS}
    out["sources"] = []
    out["sources.csv"] = list(src["sources.csv"])
    out["phases.csv"] = list(src.get("phases.csv", []))
    out["events.csv"] = list(src.get("events.csv", []))
    for k in range(scale):
        sfx = "" if k == 0 else f"-x{k}"
        for p in src["places.csv"]:
            # shifted copies may cross a border: flagged as border cases for the loader's country check
            out["places.csv"].append(dict(p, id=p["id"] + sfx, lat=f"{float(p['lat']) + rng.uniform(-0.5, 0.5):.4f}",
                                          border_ok="yes" if k else ""))
        for c in src["claims.csv"]:
            places = "|".join(x + sfx for x in c["places"].split("|"))
            out["claims.csv"].append(dict(c, id=f"{c['id']}{sfx}", places=places))
        for m in src.get("movements.csv", []):
            out["movements.csv"].append(dict(m, id=f"{m['id']}{sfx}", from_place=m["from_place"] + sfx,
                                             to_place=m["to_place"] + sfx))
    for name, rows in out.items():
        if name not in COLUMNS:
            continue
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS[name] + OPTIONAL_COLUMNS.get(name, []))
            w.writeheader()
            w.writerows(rows)
    return folder


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def bench(label: str, folder: Path) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    ds = load_dataset(folder)
    load_s = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    known = ds.latest_published
    days = [ds.first_date + dt.timedelta(days=i) for i in range(0, (known - ds.first_date).days, 7)]
    snap_s = timed(lambda: [snapshot(ds, d, known) for d in days], 3) / len(days)
    naive_s = timed(lambda: [naive_in_force(ds, d, known) for d in days], 3) / len(days)
    # the naive baseline computes far less (no conflicts, groups, sources): the ratio is a floor
    tl_s = timed(lambda: timeline(ds), 1)
    ex_s = timed(lambda: export.snapshot_geojson(snapshot(ds, days[len(days) // 2], known)), 3)
    print(f"{label:<22} {len(ds.places):>7} {len(ds.claims):>7} {load_s * 1e3:>9.1f} {peak / 2**20:>8.1f}"
          f" {snap_s * 1e3:>10.2f} {naive_s * 1e3:>10.2f} {naive_s / snap_s:>7.1f}x {tl_s * 1e3:>10.1f} {ex_s * 1e3:>9.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=100, help="size of the synthetic dataset, in copies of the embedded one")
    args = ap.parse_args()
    print(f"{'dataset':<22} {'places':>7} {'claims':>7} {'load ms':>9} {'peak MB':>8}"
          f" {'snap ms':>10} {'naive ms':>10} {'ratio':>8} {'timeline ms':>10} {'export ms':>9}")
    bench("embedded", DEFAULT_DATA_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"synthetic x{args.scale}", synthetic(args.scale, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
