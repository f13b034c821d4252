"""Benchmarks of Posture Atlas: figures printed beside the targets of issue 11, never asserted.

Measures, for the embedded dataset and a synthetic scale dataset (``python -m geo synth``;
1,000 places, 100,000 claims, 5,000 movements, or a smaller one with ``--quick``):

* ``python -m geo check`` as a whole process: wall time and peak resident memory;
* load + validate + index inside Python (``geo.loader.load_dataset``);
* a snapshot per day over many days: median and p95;
* the naive path (written here as a reference: one pass over the raw claims per day,
  picking each place's last report and plan in force) and the snapshot's ratio to it;
  the naive path computes less than a snapshot (no conflicts, groups, sources), so the
  ratio is a floor;
* the timeline export (``geo.export.timeline_geojson`` + its GeoJSON bytes, as
  downloaded; and as a GeoPackage, for QGIS), the export of one day as a whole process (``python -m geo export
  --date``), the map build (``geo.mapview``: base map, posture layers, HTML) and one
  briefing PNG (``geo.render``);
* 20,000 claims at one place (``--hot-claims``): load time (linear, not quadratic);
* in Chromium (Debian's, through Playwright, loopback only): cold start (``streamlit
  run`` spawned to the first marker on the map) and slider step (ArrowRight to the map
  settled on the new day), for the embedded data, the scale data and the FLOOR app
  (``benchmarks/floor_app.py``: a bare slider over a streamlit-folium map with the same
  vendored assets), side by side with ratios.

Every Python-side measure of a dataset runs in a worker subprocess with a memory limit
and a time budget: a measure over its budget is stopped and printed as "> N s", so a
slow code path shows as slow instead of hanging the run or the machine.

Run: ``make bench`` (quick) or ``python benchmarks/run.py [--quick] [--json FILE]``.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUILD = ROOT / "build" / "bench"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

#: (places, claims, movements) of the scale dataset.
SCALE_FULL = (1000, 100_000, 5000)
SCALE_QUICK = (200, 10_000, 500)
HOT_FULL, HOT_QUICK = 20_000, 1_000
#: Worker memory limit (address space), so a quadratic path cannot take the machine down.
WORKER_MEMORY_LIMIT = 10 * 2**30
#: Map builds per dataset; the figures are their medians.
MAP_BUILDS = 3

#: The targets of issue 11 (scale dataset unless said otherwise): (text, test on the figure).
TARGETS = {
    "check_s": ("≤ 3 s", lambda v: v <= 3),
    "check_peak_mb": ("≤ 500 MB", lambda v: v <= 500),
    "snapshot_median_ms": ("≤ 10 ms", lambda v: v <= 10),
    "snapshot_p95_ms": ("≤ 25 ms", lambda v: v <= 25),
    "naive_ratio": ("≥ 20×", lambda v: v >= 20),
    "timeline_s": ("≤ 3 s", lambda v: v <= 3),
    "export_day_s": ("≤ 5 s", lambda v: v <= 5),
    "hot_load_s": ("< 2 s", lambda v: v < 2),
    "step_median_ms": ("≤ 500 ms", lambda v: v <= 500),
    "cold_start_s": ("≤ 8 s", lambda v: v <= 8),
    "embedded_step_vs_floor": ("≤ 1.2×", lambda v: v <= 1.2),
    "embedded_cold_start_s": ("≤ 3 s", lambda v: v <= 3),
}


# ---------------------------------------------------------------------- helpers

class Budget(Exception):
    """A measure ran past its time budget and was stopped."""


@contextlib.contextmanager
def budget(seconds: float):
    """Stop the block with :class:`Budget` after ``seconds`` (SIGALRM: main thread only)."""
    def fire(signum, frame):
        raise Budget()
    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def over(seconds: float) -> dict:
    return {"over_budget_s": seconds}


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def run_process(cmd: list[str], *, env: dict | None = None, timeout: float = 600) -> dict:
    """Run ``cmd`` to the end; wall time, peak RSS (MB) and exit code, via wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_limit_memory)
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return over(timeout)
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")[-400:]
    proc.stdout.close()
    proc.stderr.close()
    out = {"s": wall, "peak_mb": usage.ru_maxrss / 1024, "rc": proc.returncode}
    if proc.returncode != 0:
        out["error"] = err.strip().splitlines()[-1] if err.strip() else f"exit code {proc.returncode}"
    return out


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem_gb = round(kb / 2**20, 1)
    commit = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory_gb": mem_gb, "cpu": cpu or platform.processor(),
            "python": platform.python_version(), "commit": commit[:80],
            "load_average": os.getloadavg()[0]}


# ------------------------------------------------------------------- datasets

def scale_dataset(places: int, claims: int, movements: int, hot: int = 0, seed: int = 1) -> Path:
    """The synthetic dataset, written once under build/bench/ (deterministic: reused)."""
    from geo.synth import synthesize

    folder = BUILD / f"synth-{places}-{claims}-{movements}-hot{hot}-seed{seed}"
    if not (folder / "claims.csv").exists():
        synthesize(folder, places, claims, movements, seed=seed, hot_claims=hot)
    return folder


# ------------------------------------------------------------- python worker

def naive_per_place(ds, on: dt.date, known_on: dt.date) -> dict[str, str]:
    """The reference the index is measured against (what scripts/bench.py measured, and
    what a page script without an index does): for every place, filter the raw claim
    table and sort what is left, every day."""
    published = {sid: s.published for sid, s in ds.sources.items()}
    out = {}
    for pid in ds.places:
        rows = [c for c in ds.claims if pid in c.places and c.date.start <= on
                and published[c.source] <= known_on]
        if rows:
            rows.sort(key=lambda c: (c.date.start, published[c.source], c.basis == "report", c.id))
            out[pid] = rows[-1].id
    return out


def naive_one_pass(ds, on: dt.date, known_on: dt.date) -> dict[str, tuple[str | None, str | None]]:
    """A stricter reference: one pass over the raw claims for the day, keeping each
    place's last report (date started, source known) and its plan in force (latest plan
    announced by the day). Both naive paths compute less than a snapshot (no conflicts,
    groups, sources, movements): the ratios are floors."""
    published = {sid: s.published for sid, s in ds.sources.items()}
    report: dict[str, tuple] = {}
    plan: dict[str, tuple] = {}
    for c in ds.claims:
        pub = published[c.source]
        if pub > known_on:
            continue
        if c.basis == "report":
            if c.date.start > on:
                continue
            key = (c.date.start, pub, c.id)
            for pid in c.places:
                if pid not in report or report[pid] < key:
                    report[pid] = key
        elif pub <= on:
            key = (pub, c.date.start, c.id)
            for pid in c.places:
                if pid not in plan or plan[pid] < key:
                    plan[pid] = key
    return {pid: (report[pid][-1] if pid in report else None, plan[pid][-1] if pid in plan else None)
            for pid in set(report) | set(plan)}


def _time_days(fn, ds, days: list[dt.date], known: dt.date, budget_s: float) -> list[float]:
    times: list[float] = []
    try:
        with budget(budget_s):
            for d in days:
                t = time.perf_counter()
                fn(ds, d, known)
                times.append(time.perf_counter() - t)
    except Budget:
        pass
    return times


def measure_dataset(folder: str | None, *, days: int, naive_days: int, budget_s: float,
                    png: bool = True) -> dict:
    """Every in-process figure for one dataset (run in a worker; see :func:`worker`)."""
    from geo import export, mapview
    from geo.loader import load_dataset
    from geo.posture import snapshot

    out: dict = {}
    t0 = time.perf_counter()
    ds = load_dataset(folder)
    out["load_s"] = time.perf_counter() - t0
    out["places"], out["claims"], out["movements"] = len(ds.places), len(ds.claims), len(ds.movements)
    known = ds.latest_published
    first, last = ds.first_date, ds.last_date
    rng = random.Random(11)
    sample = sorted(first + dt.timedelta(days=rng.randint(0, (last - first).days)) for _ in range(days))

    times = []
    try:
        with budget(budget_s):
            for d in sample:
                t = time.perf_counter()
                snapshot(ds, d, known)
                times.append(time.perf_counter() - t)
    except Budget:
        out["snapshot_stopped_after"] = len(times)
    if times:
        out["snapshot_n"] = len(times)
        out["snapshot_median_ms"] = statistics.median(times) * 1e3
        out["snapshot_p95_ms"] = percentile(times, 0.95) * 1e3

    picks = sample[:: max(1, len(sample) // naive_days)][:naive_days]
    for name, fn in (("naive", naive_per_place), ("naive1", naive_one_pass)):
        naive = _time_days(fn, ds, picks, known, budget_s)
        if naive:
            out[f"{name}_n"] = len(naive)
            out[f"{name}_median_ms"] = statistics.median(naive) * 1e3
            if times:
                out[f"{name}_ratio"] = out[f"{name}_median_ms"] / out["snapshot_median_ms"]

    try:
        with budget(budget_s):
            t = time.perf_counter()
            fc = export.timeline_geojson(ds)
            data = export.render_bytes(fc, ".geojson")   # the file the user downloads
            out["timeline_s"] = time.perf_counter() - t
            out["timeline_features"] = len(fc["features"])
            out["timeline_mb"] = len(data) / 2**20
            del fc, data
    except Budget:
        out["timeline_s"] = over(budget_s)

    try:
        with budget(budget_s):
            t = time.perf_counter()
            fc = export.timeline_geojson(ds)
            data = export.render_bytes(fc, ".gpkg")   # the GeoPackage download, for QGIS
            out["timeline_gpkg_s"] = time.perf_counter() - t
            out["timeline_gpkg_mb"] = len(data) / 2**20
            del fc, data
    except Budget:
        out["timeline_gpkg_s"] = over(budget_s)

    mid = min(known, last)
    try:
        with budget(budget_s):
            snap = snapshot(ds, mid, known)
            # the timeline's millions of objects are garbage now: collected before, so that
            # the one full collection they cause does not land in one part of one build
            gc.collect()
            parts: dict[str, list[float]] = {"map_base_s": [], "map_layers_s": [], "map_render_s": []}
            for _ in range(MAP_BUILDS):   # the median of a few: one build is at the mercy of the machine
                t = time.perf_counter()
                base = mapview.base_map(ds)
                parts["map_base_s"].append(time.perf_counter() - t)
                t = time.perf_counter()
                layers = mapview.posture_layers(snap, ds=ds, popups=False)
                layers.append(mapview.overlay_layer(snap))
                parts["map_layers_s"].append(time.perf_counter() - t)
                t = time.perf_counter()
                for fg in layers:
                    base.add_child(fg)
                page = base.get_root().render()
                parts["map_render_s"].append(time.perf_counter() - t)
            out.update({k: statistics.median(v) for k, v in parts.items()})
            out["map_base_first_s"] = parts["map_base_s"][0]   # later ones reuse its cached parts
            out["map_html_mb"] = len(page.encode()) / 2**20
            out["map_build_s"] = out["map_base_s"] + out["map_layers_s"] + out["map_render_s"]
    except Budget:
        out["map_build_s"] = over(budget_s)

    if png:
        try:
            with budget(budget_s):
                from geo.render import render_brief

                snap = snapshot(ds, mid, known)
                t = time.perf_counter()
                data = render_brief(ds, snap, fmt="png")
                out["png_s"] = time.perf_counter() - t
                out["png_kb"] = len(data) / 1024
        except Budget:
            out["png_s"] = over(budget_s)
    out["export_day"] = mid.isoformat()
    return out


def worker(args) -> int:
    """``run.py --worker DIR``: print one dataset's figures as JSON on stdout."""
    folder = None if args.worker == "embedded" else args.worker
    if args.load_only:
        t0 = time.perf_counter()
        from geo.loader import load_dataset

        ds = load_dataset(folder)
        result = {"load_s": time.perf_counter() - t0, "claims": len(ds.claims),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    else:
        result = measure_dataset(folder, days=args.days, naive_days=args.naive_days, budget_s=args.budget,
                                 png=not args.no_png)
        result["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return 0


def python_figures(folder: Path | None, *, quick: bool, budget_s: float) -> dict:
    """The Python-side figures of one dataset: whole processes plus a worker's measures."""
    label = str(folder) if folder else "embedded"
    py = sys.executable
    data = ["--data", str(folder)] if folder else []
    out: dict = {"dataset": label}
    out["check"] = run_process([py, "-m", "geo", "check", *data], timeout=max(budget_s * 3, 60))
    cmd = [py, str(Path(__file__).resolve()), "--worker", label, "--days", "30" if quick else "200",
           "--naive-days", "3" if quick else "5", "--budget", str(budget_s)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, preexec_fn=_limit_memory,
                         timeout=budget_s * 8 + 120)
    if res.returncode == 0 and res.stdout.strip():
        out.update(json.loads(res.stdout.strip().splitlines()[-1]))
    else:
        out["worker_error"] = (res.stderr.strip().splitlines() or ["no output"])[-1]
    day = out.get("export_day")
    if day:
        with tempfile.TemporaryDirectory() as tmp:
            out["export_day_process"] = run_process(
                [py, "-m", "geo", "export", *data, "--date", day, "-o", str(Path(tmp) / "day.geojson")],
                timeout=max(budget_s * 3, 60))
    return out


def hot_place_figure(quick: bool, budget_s: float) -> dict:
    n = HOT_QUICK if quick else HOT_FULL
    folder = scale_dataset(20, n, 0, hot=n)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder), "--load-only"]
    t0 = time.perf_counter()
    try:
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, preexec_fn=_limit_memory,
                             timeout=budget_s)
    except subprocess.TimeoutExpired:
        return {"claims_at_one_place": n, "load_s": over(budget_s)}
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["?"])[-1]
        return {"claims_at_one_place": n, "error": last, "after_s": time.perf_counter() - t0}
    return {"claims_at_one_place": n, **json.loads(res.stdout.strip().splitlines()[-1])}


# ------------------------------------------------------------------- browser

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(script: Path, cwd: Path, env: dict, log: Path):
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    fh = open(log, "w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                            preexec_fn=_limit_memory)
    return proc, f"http://127.0.0.1:{port}", fh


def _wait_healthy(base: str, proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                return
        time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer within {timeout:.0f} s")


IDLE_JS = ("() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
           " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }")
#: The place markers on the map: SVG paths, or (drawn on a canvas, at scale) the map
#: container's count of them (static/js/posture-atlas-map.js).
MARKERS_JS = ("() => Math.max(document.querySelectorAll('path.pa-marker').length, parseInt(document"
              ".querySelector('.leaflet-container').getAttribute('data-pa-markers') || '0', 10))")
SETTLED_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
#: Counts the script runs the page sees start (the app's state attribute leaving notRunning).
RUNS_JS = """() => { const app = document.querySelector('[data-testid="stApp"]');
    window.__paRuns = 0;
    new MutationObserver(rs => { for (const r of rs) if (r.oldValue === 'notRunning') window.__paRuns++; })
      .observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']}); }"""
#: After a step settles, how long to keep counting runs (a rerun the step triggers later).
TRAILING_RUNS_MS = 700


def slider_step(page, frame, thumb, timeout_ms: float) -> float:
    """One slider step, in seconds: ArrowRight on the slider until the map's date box
    shows the new day, the run is over and two animation frames are painted; then the
    wait for a trailing run, which would otherwise land in the next step."""
    before = frame.evaluate("() => document.querySelector('.pa-date').textContent")
    thumb.focus()
    t = time.perf_counter()
    thumb.press("ArrowRight")
    frame.wait_for_function("(b) => { const d = document.querySelector('.pa-date');"
                            " return d && d.textContent !== b; }", arg=before, timeout=timeout_ms)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)
    frame.evaluate(SETTLED_JS)
    took = time.perf_counter() - t
    page.wait_for_timeout(TRAILING_RUNS_MS)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)
    return took


def browser_app(browser, name: str, script: Path, cwd: Path, data: Path | None, *, steps: int,
                timeout_s: float, path: str = "/") -> dict:
    """Cold start and slider steps of one app, in a fresh server and browser context."""
    from geo.mapview import MARKER_DRAWN_SELECTOR
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("POSTURE_ATLAS_DATA", None)
    if data is not None:
        env["POSTURE_ATLAS_DATA"] = str(data)
    BUILD.mkdir(parents=True, exist_ok=True)
    log = BUILD / f"streamlit-{name}.log"
    timeout_ms = timeout_s * 1000
    out: dict = {}
    external: list[str] = []
    t0 = time.perf_counter()
    proc, base, fh = _serve(script, cwd, env, log)
    context = None
    try:
        _wait_healthy(base, proc, timeout_s)
        out["server_ready_s"] = time.perf_counter() - t0
        context = browser.new_context(viewport={"width": 1600, "height": 1000})

        def route(r):
            if not r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
                external.append(r.request.url)
                r.abort()
            else:
                r.continue_()
        context.route("**/*", route)
        page = context.new_page()
        t_nav = time.perf_counter()
        page.goto(base + path, timeout=timeout_ms)
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator(MARKER_DRAWN_SELECTOR).first.wait_for(state="attached", timeout=timeout_ms)
        out["cold_start_s"] = time.perf_counter() - t0
        out["page_to_marker_s"] = time.perf_counter() - t_nav
        page.wait_for_function(IDLE_JS, timeout=timeout_ms)
        handle = page.locator(MAP_FRAME).first.element_handle(timeout=timeout_ms).content_frame()
        handle.wait_for_selector(".pa-date", timeout=timeout_ms)
        out["markers"] = handle.evaluate(MARKERS_JS)
        out["canvas"] = handle.evaluate("() => document.querySelector('.leaflet-container')"
                                        ".getAttribute('data-pa-canvas') === '1'")
        thumb = page.get_by_role("slider").first
        page.evaluate(RUNS_JS)
        times, runs = [], []
        for _ in range(steps):
            page.evaluate("() => { window.__paRuns = 0; }")
            times.append(slider_step(page, handle, thumb, timeout_ms))
            runs.append(page.evaluate("() => window.__paRuns"))
        out["runs_per_step"] = statistics.median(runs)
        out["step_n"] = len(times)
        out["step_median_ms"] = statistics.median(times) * 1e3
        out["step_max_ms"] = max(times) * 1e3
    except Exception as exc:  # a broken app is a figure too: printed, not hidden
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        if context is not None:
            context.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        fh.close()
    if external:
        out["external_requests_blocked"] = external[:5]
    return out


def browser_figures(scale: Path, *, quick: bool, timeout_s: float) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} is missing (apt-get install -y chromium)"}
    steps = 2 if quick else 10
    out = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        # Streamlit serves static/ beside the main script: the floor app gets the same folder.
        floor_dir = Path(tmp)
        (floor_dir / "static").symlink_to(ROOT / "static")
        (floor_dir / ".streamlit").symlink_to(ROOT / ".streamlit")
        floor = floor_dir / "floor_app.py"
        floor.write_text((Path(__file__).parent / "floor_app.py").read_text())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            out["floor"] = browser_app(browser, "floor", floor, floor_dir, None, steps=steps, timeout_s=timeout_s)
            out["embedded"] = browser_app(browser, "embedded", ROOT / "dashboard.py", ROOT, None, steps=steps,
                                          timeout_s=timeout_s)
            out["scale"] = browser_app(browser, "scale", ROOT / "dashboard.py", ROOT, scale, steps=steps,
                                       timeout_s=timeout_s * (1 if quick else 3))
            # the same without map labels (?labels=0): how much of a step the labels cost
            # (a diagnostic: the full run only, so --quick stays under a minute)
            out["scale_no_labels"] = {"skipped": "full run only"} if quick else browser_app(browser, "scale-no-labels", ROOT / "dashboard.py", ROOT, scale,
                                                 steps=steps, timeout_s=timeout_s * (1 if quick else 3),
                                                 path="/?labels=0")
        finally:
            browser.close()
    return out


# --------------------------------------------------------------------- report

def _num(v, unit: str = "", digits: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        if "over_budget_s" in v:
            return f"> {v['over_budget_s']:.0f} s (stopped)"
        return "error"
    return f"{v:,.{digits}f}{unit}"


def _get(d: dict, *path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _verdict(key: str, value) -> str:
    if key not in TARGETS:
        return ""
    if not isinstance(value, (int, float)):
        return "no" if isinstance(value, dict) else "—"
    return "yes" if TARGETS[key][1](value) else "no"


def rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(measure, embedded, scale, target, met at scale) for every figure."""
    e, s = results.get("embedded", {}), results.get("scale", {})
    b = results.get("browser", {})
    h = results.get("hot_place", {})

    def secs(d, *p):
        v = _get(d, *p)
        return v if not isinstance(v, dict) or "over_budget_s" in v else None

    out = []

    def add(label, key, ev, sv, unit, digits=1):
        target = TARGETS[key][0] if key in TARGETS else ""
        out.append((label, _num(ev, unit, digits), _num(sv, unit, digits), target,
                    _verdict(key, sv) if key in TARGETS else ""))

    add("check, whole process (s)", "check_s", secs(e, "check", "s"), secs(s, "check", "s"), " s", 2)
    add("check, peak memory (MB)", "check_peak_mb", _get(e, "check", "peak_mb"), _get(s, "check", "peak_mb"), " MB", 0)
    add("load+validate+index in Python (s)", "", _get(e, "load_s"), _get(s, "load_s"), " s", 3)
    add("snapshot, median (ms)", "snapshot_median_ms", _get(e, "snapshot_median_ms"),
        _get(s, "snapshot_median_ms"), " ms", 2)
    add("snapshot, p95 (ms)", "snapshot_p95_ms", _get(e, "snapshot_p95_ms"), _get(s, "snapshot_p95_ms"), " ms", 2)
    add("naive path (filter per place), median (ms)", "", _get(e, "naive_median_ms"),
        _get(s, "naive_median_ms"), " ms", 2)
    add("snapshot vs naive per place (× faster)", "naive_ratio", _get(e, "naive_ratio"),
        _get(s, "naive_ratio"), "×", 2)
    add("naive path (one pass), median (ms)", "", _get(e, "naive1_median_ms"), _get(s, "naive1_median_ms"), " ms", 2)
    add("snapshot vs naive one pass (× faster)", "", _get(e, "naive1_ratio"), _get(s, "naive1_ratio"), "×", 2)
    add("timeline export + GeoJSON bytes (s)", "timeline_s", _get(e, "timeline_s"), _get(s, "timeline_s"), " s", 2)
    add("timeline as GeoPackage bytes (s)", "", _get(e, "timeline_gpkg_s"), _get(s, "timeline_gpkg_s"), " s", 2)
    add("export one day, whole process (s)", "export_day_s", secs(e, "export_day_process", "s"),
        secs(s, "export_day_process", "s"), " s", 2)
    add("map build: base map, first (s)", "", _get(e, "map_base_first_s"), _get(s, "map_base_first_s"), " s", 2)
    add(f"map build: base map, median of {MAP_BUILDS} (s)", "", _get(e, "map_base_s"), _get(s, "map_base_s"), " s", 2)
    add(f"map build: posture layers, median of {MAP_BUILDS} (s)", "", _get(e, "map_layers_s"), _get(s, "map_layers_s"), " s", 2)
    add(f"map build: HTML render, median of {MAP_BUILDS} (s)", "", _get(e, "map_render_s"), _get(s, "map_render_s"), " s", 2)
    add("map HTML size (MB)", "", _get(e, "map_html_mb"), _get(s, "map_html_mb"), " MB", 2)
    add("one briefing PNG (s)", "", _get(e, "png_s"), _get(s, "png_s"), " s", 2)
    n = h.get("claims_at_one_place")
    hv = h.get("load_s") if "error" not in h else None
    out.append((f"{n or '?':,} claims at one place: load (s)" if n else "claims at one place: load (s)",
                "", _num(hv, " s", 2) if "error" not in h else f"failed: {h['error'][:40]}",
                TARGETS["hot_load_s"][0] + (" (at 20,000)" if n != HOT_FULL else ""),
                _verdict("hot_load_s", hv) if n == HOT_FULL else "n/a (quick)"))
    for app in ("floor", "embedded", "scale", "scale_no_labels"):
        if "error" in b.get(app, {}):
            out.append((f"browser: {app}", "", f"failed: {b[app]['error'][:60]}", "", ""))
    fl, be, bs = b.get("floor", {}), b.get("embedded", {}), b.get("scale", {})
    if b and "skipped" not in b:
        out.append(("Chromium: floor app cold start (s)", _num(fl.get("cold_start_s"), " s", 2), "", "", ""))
        out.append(("Chromium: floor app slider step (ms)", _num(fl.get("step_median_ms"), " ms", 0), "", "", ""))
        add("Chromium: cold start to first marker (s)", "cold_start_s", be.get("cold_start_s"),
            bs.get("cold_start_s"), " s", 2)
        add("Chromium: slider step to map settled, median (ms)", "step_median_ms", be.get("step_median_ms"),
            bs.get("step_median_ms"), " ms", 0)
        fs = fl.get("step_median_ms")
        fc = fl.get("cold_start_s")
        ratio_e = be["step_median_ms"] / fs if fs and be.get("step_median_ms") else None
        ratio_s = bs["step_median_ms"] / fs if fs and bs.get("step_median_ms") else None
        out.append(("slider step vs floor (×)", _num(ratio_e, "×", 2), _num(ratio_s, "×", 2),
                    "embedded " + TARGETS["embedded_step_vs_floor"][0],
                    "embedded: " + _verdict("embedded_step_vs_floor", ratio_e)))
        ce = be["cold_start_s"] / fc if fc and be.get("cold_start_s") else None
        cs = bs["cold_start_s"] / fc if fc and bs.get("cold_start_s") else None
        out.append(("cold start vs floor (×)", _num(ce, "×", 2), _num(cs, "×", 2), "", ""))
        out.append(("embedded cold start (s)", _num(be.get("cold_start_s"), " s", 2), "",
                    TARGETS["embedded_cold_start_s"][0],
                    "embedded: " + _verdict("embedded_cold_start_s", be.get("cold_start_s"))))
        nl = b.get("scale_no_labels", {})
        skip = f"skipped: {nl['skipped']}" if "skipped" in nl else None
        out.append(("Chromium: scale, labels off (?labels=0): cold start (s)", "",
                    skip or _num(nl.get("cold_start_s"), " s", 2), "", ""))
        out.append(("Chromium: scale, labels off: slider step (ms)", "",
                    skip or _num(nl.get("step_median_ms"), " ms", 0), "", ""))
        out.append(("script runs per slider step", _num(be.get("runs_per_step"), "", 0),
                    _num(bs.get("runs_per_step"), "", 0), f"floor: {_num(fl.get('runs_per_step'), '', 0)}", ""))
        out.append(("markers on the first map", _num(be.get("markers"), "", 0), _num(bs.get("markers"), "", 0), "", ""))
    else:
        out.append(("Chromium figures", "", f"skipped: {b.get('skipped', 'not run')}", "", ""))
    return out


def table(results: dict) -> str:
    quick = results.get("quick")
    s = results.get("scale", {})
    head = ("measure", "embedded", "scale" + (" (quick)" if quick else ""), "target (scale)", "met")
    body = rows(results)
    widths = [max(len(str(r[i])) for r in [head, *body]) for i in range(5)]
    lines = []
    m = results.get("machine", {})
    lines.append(f"Posture Atlas benchmark · {results.get('when', '')} · {m.get('nproc')} cores, "
                 f"{m.get('memory_gb')} GB, {m.get('cpu')} · Python {m.get('python')} · {m.get('commit', '')}")
    lines.append(f"scale dataset: {s.get('places', '?')} places, {s.get('claims', '?')} claims, "
                 f"{s.get('movements', '?')} movements" + (" (QUICK: smaller than the issue's 1,000/100,000/5,000;"
                                                           " fewer repetitions)" if quick else ""))
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    lines.append("  ".join("-" * w for w in widths))
    for r in body:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="a smaller scale dataset and fewer repetitions: under a minute")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds any one measure may take before it is stopped (default 4 quick, 180 full)")
    ap.add_argument("--scale", metavar="P,C,M", help="places,claims,movements of the scale dataset")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--days", type=int, default=200, help=argparse.SUPPRESS)
    ap.add_argument("--naive-days", type=int, default=20, help=argparse.SUPPRESS)
    ap.add_argument("--no-png", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)
    budget_s = args.budget or (4.0 if args.quick else 180.0)
    size = tuple(int(x) for x in args.scale.split(",")) if args.scale else (SCALE_QUICK if args.quick else SCALE_FULL)
    results: dict = {"quick": args.quick, "when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     "machine": machine(), "targets": {k: v[0] for k, v in TARGETS.items()}}
    t0 = time.perf_counter()
    scale = scale_dataset(*size)
    results["scale_dir"] = str(scale)
    print(f"scale dataset: {scale}", file=sys.stderr)
    results["embedded"] = python_figures(None, quick=args.quick, budget_s=budget_s)
    results["scale"] = python_figures(scale, quick=args.quick, budget_s=budget_s)
    results["hot_place"] = hot_place_figure(args.quick, 30.0 if args.quick else 120.0)
    results["browser"] = ({"skipped": "--no-browser"} if args.no_browser
                          else browser_figures(scale, quick=args.quick, timeout_s=60.0 if args.quick else 180.0))
    results["total_s"] = time.perf_counter() - t0
    print(table(results))
    print(f"(total {results['total_s']:.0f} s; figures are measured, not asserted; "
          f"reproduce with: python benchmarks/run.py{' --quick' if args.quick else ''})")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1, default=str) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
