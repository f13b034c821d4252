"""Where the time goes: cProfile of each stage on a dataset, top functions printed.

    python benchmarks/hotspots.py [--data DIR] [--stage load,snapshot,timeline,map,app] [--top 15]

Stages: ``load`` (load_dataset), ``snapshot`` (30 days), ``timeline`` (timeline_geojson),
``map`` (base map, posture layers, HTML), ``app`` (a rerun of dashboard.py in
Streamlit's AppTest after a warm-up run, i.e. what one slider step costs the server;
``HOTSPOTS_FIRST_RUN=1`` also prints the warm-up run, i.e. the cold start's script run).
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _report(name: str, prof: cProfile.Profile, wall: float, top: int) -> None:
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n=== {name}: {wall:.2f} s wall (cumulative, top {top}) ===")
    print("\n".join(line for line in buf.getvalue().splitlines()[6:] if line.strip()))
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    print(f"--- {name}: own time (tottime), top {top} ---")
    print("\n".join(line for line in buf.getvalue().splitlines()[6:] if line.strip()))


def profiled(name: str, fn, top: int):
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    try:
        return fn()
    finally:
        prof.disable()
        _report(name, prof, time.perf_counter() - t0, top)


def _print_stats(prof: pstats.Stats, title: str, top: int) -> None:
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        prof.stream = buf
        prof.sort_stats(order).print_stats(top)
        print(f"\n=== {title}, by {order} ===")
        print("\n".join(line for line in buf.getvalue().splitlines()[6:] if line.strip()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="dataset folder (default: the embedded data/)")
    ap.add_argument("--stage", default="load,snapshot,timeline,map,app")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    stages = set(args.stage.split(","))
    from geo import export, mapview
    from geo.loader import load_dataset
    from geo.posture import snapshot

    ds = profiled("load", lambda: load_dataset(args.data), args.top) if "load" in stages else load_dataset(args.data)
    known = ds.latest_published
    rng = random.Random(11)
    first, last = ds.first_date, ds.last_date
    days = [first + dt.timedelta(days=rng.randint(0, (last - first).days)) for _ in range(30)]
    if "snapshot" in stages:
        profiled("snapshot x30", lambda: [snapshot(ds, d, known) for d in days], args.top)
    if "timeline" in stages:
        profiled("timeline export", lambda: export.timeline_geojson(ds), args.top)
    if "map" in stages:
        snap = snapshot(ds, min(known, last), known)

        def build():
            m = mapview.base_map(ds)
            for fg in mapview.posture_layers(snap, ds=ds, popups=False):
                m.add_child(fg)
            m.add_child(mapview.overlay_layer(snap))
            return m.get_root().render()
        profiled("map build + HTML", build, args.top)
    if "app" in stages:
        from streamlit.testing.v1 import AppTest

        if args.data:
            os.environ["POSTURE_ATLAS_DATA"] = str(Path(args.data).resolve())
        # AppTest runs the script in its own thread, out of a main-thread profiler's
        # sight: the profiler is started inside the script run instead.
        out = Path(os.environ.get("TMPDIR", "/tmp")) / f"posture-atlas-app-{os.getpid()}.prof"
        wrapper = (f"import cProfile, runpy\npr = cProfile.Profile()\npr.enable()\ntry:\n"
                   f"    runpy.run_path({str(ROOT / 'dashboard.py')!r}, run_name='__main__')\n"
                   f"finally:\n    pr.disable()\n    pr.dump_stats({str(out)!r})\n")
        # beside dashboard.py: st.navigation resolves the pages/ files from the main script's folder
        script = ROOT / f".hotspots-app-{os.getpid()}.py"
        script.write_text(wrapper)
        try:
            at = AppTest.from_file(str(script), default_timeout=600)
            t0 = time.perf_counter()
            at.run()  # warm-up: the dataset is loaded and cached once
            first = time.perf_counter() - t0
            if os.environ.get("HOTSPOTS_FIRST_RUN"):   # the cold start's script run instead
                _print_stats(pstats.Stats(str(out)), f"app first run (cold): {first:.2f} s wall", args.top)
            at.session_state["view_date"] = at.session_state["view_date"] - dt.timedelta(days=1)
            t0 = time.perf_counter()
            at.run()
            wall = time.perf_counter() - t0
        finally:
            script.unlink(missing_ok=True)
        if at.exception:
            print("app exception:", at.exception)
        _print_stats(pstats.Stats(str(out)), f"app rerun (one slider step, script thread): {wall:.2f} s wall",
                     args.top)
        out.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
