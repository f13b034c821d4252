"""Where a slider step's browser time goes: Chromium's CPU profile of N steps.

    python benchmarks/browser_profile.py [--data DIR] [--steps 8] [--top 25] [--out FILE.cpuprofile]

Starts the dashboard (on ``--data``, default the embedded dataset), opens it in Debian's
Chromium as :mod:`benchmarks.run` does (loopback only), then records the page's
sampling CPU profile over ``--steps`` slider steps (ArrowRight, each waited for until
the map shows the new day and the run is over). Prints the steps' wall times and the
main thread's self time per step by script and by function, idle excluded.

Same-origin frames share the page's main thread, so streamlit-folium's map frame and
``static/js/posture-atlas-map.js`` are in the profile too. "(program)" is the browser's
own work that the profiler attributes to no script: style, layout, paint. The profiler
slows the page down; compare profiles with each other, not with the benchmark's steps.
``--out`` writes the raw profile, which Chromium's DevTools (Performance tab) opens.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402

#: seconds: a cold start at 1,000 places takes ~10-15 s on 2 cores
TIMEOUT_S = 180
#: sampling interval, microseconds (Chromium's default is 1,000)
SAMPLE_US = 200
#: the profiler's pseudo-nodes that are not work on the page
IDLE = {"(idle)"}


def self_times(profile: dict, steps: int = 1) -> tuple[collections.Counter, collections.Counter]:
    """A CPU profile (``Profiler.stop``'s ``profile``) as self time in ms per step:
    ``(by script, by (script, function, line))``. A script is its URL's last part; a
    node with no URL is its function's name (``(program)``, ``(garbage collector)``,
    native functions). Idle time is left out."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    spent: collections.Counter = collections.Counter()
    for node, delta_us in zip(profile.get("samples", ()), profile.get("timeDeltas", ())):
        spent[node] += delta_us
    by_script: collections.Counter = collections.Counter()
    by_function: collections.Counter = collections.Counter()
    for node, us in spent.items():
        frame = nodes[node]
        script = frame.get("url", "").rsplit("/", 1)[-1] or frame.get("functionName") or "(anonymous)"
        if script in IDLE:
            continue
        ms = us / 1e3 / max(steps, 1)
        by_script[script] += ms
        by_function[(script, frame.get("functionName") or "(anonymous)", frame.get("lineNumber", -1) + 1)] += ms
    return by_script, by_function


def profile_steps(data: Path | None, steps: int) -> tuple[list[float], dict]:
    """Wall ms of each step and the CPU profile over all of them."""
    from playwright.sync_api import sync_playwright

    from geo.mapview import MARKER_DRAWN_SELECTOR

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("POSTURE_ATLAS_DATA", None)
    if data is not None:
        env["POSTURE_ATLAS_DATA"] = str(data.resolve())
    log = Path(tempfile.gettempdir()) / "posture-atlas-browser-profile.log"
    proc, base, fh = run._serve(ROOT / "dashboard.py", ROOT, env, log)
    timeout_ms = TIMEOUT_S * 1000
    try:
        run._wait_healthy(base, proc, TIMEOUT_S)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=run.CHROMIUM, args=run.CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                    ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")) else r.abort())
                page = context.new_page()
                page.goto(base + "/", timeout=timeout_ms)
                page.frame_locator(run.MAP_FRAME).first.locator(MARKER_DRAWN_SELECTOR).first.wait_for(
                    state="attached", timeout=timeout_ms)
                page.wait_for_function(run.IDLE_JS, timeout=timeout_ms)
                frame = page.locator(run.MAP_FRAME).first.element_handle(timeout=timeout_ms).content_frame()
                thumb = page.get_by_role("slider").first
                cdp = context.new_cdp_session(page)
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLE_US})
                walls: list[float] = []
                cdp.send("Profiler.start")
                for _ in range(steps):
                    walls.append(run.slider_step(page, frame, thumb, timeout_ms) * 1e3)
                profile = cdp.send("Profiler.stop")["profile"]
            finally:
                browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
        fh.close()
    return walls, profile


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="dataset folder (default: the embedded data/)")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, help="also write the raw profile (.cpuprofile, for DevTools)")
    args = ap.parse_args(argv)
    if not Path(run.CHROMIUM).exists():
        print(f"{run.CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 2
    walls, profile = profile_steps(args.data, args.steps)
    if args.out:
        args.out.write_text(json.dumps(profile))
    by_script, by_function = self_times(profile, len(walls))
    print(f"{args.data or 'embedded dataset'}: {len(walls)} steps, wall ms {[round(w) for w in walls]}, "
          f"median {statistics.median(walls):.0f} ms (under the profiler)")
    print(f"main thread busy, per step: {sum(by_script.values()):.0f} ms (idle left out)")
    print("\nself time per step, by script:")
    for script, ms in by_script.most_common(args.top):
        print(f"  {ms:8.1f} ms  {script}")
    print("\nself time per step, by function (script, function, line):")
    for (script, fn, line), ms in by_function.most_common(args.top):
        print(f"  {ms:8.1f} ms  {script} {fn} :{line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
