"""Fixtures for real-browser tests, shared by every page's browser tests.

* ``app_url`` (session): the app (``dashboard.py`` and its ``app_pages/``) served by
  Streamlit from the repository root on a free loopback port, e.g.
  ``http://127.0.0.1:54321``. Stopped at the end of the session; its log is written to
  ``artifacts/streamlit-<xdist worker or "main">.log``.
* ``browser`` (session): Debian's Chromium launched by Playwright (Playwright's own
  browser download cannot work offline).
* ``fresh_app_url`` (function): a new Streamlit process of its own, for a test about what
  the *first* visitor of a freshly started server sees (Streamlit keeps some choices per
  process, e.g. whether it runs the legacy ``pages/`` directory).
* ``open_page`` (function): ``page, requests, errors = open_page("/?date=2025-10-21")``
  opens a path of the app (or of ``base=``, another server's URL) in a fresh browser context and waits for the app (and, unless
  ``wait_for_map=False``, for the map's markers) and for the script run to end.
  ``requests`` lists every URL the page asked for (HTTP and WebSocket, frames
  included); ``errors`` lists console errors, uncaught exceptions, failed requests
  (not cancelled ones), 4xx/5xx answers and every request to a host other than
  127.0.0.1. Requests to other hosts are blocked, and the test *fails* if any was
  attempted, whatever it asserts itself: the app must work offline.

Helpers: ``map_frame(page)`` (the streamlit-folium iframe as a Playwright Frame),
``wait_idle(page)`` (until the app's script has finished its run; ``open_page`` does it),
``MAP_FRAME`` (its selector), ``ARTIFACTS`` (folder for screenshots, gitignored).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.mapview import MARKER_DRAWN_SELECTOR

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_HOSTS = frozenset({"127.0.0.1"})
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1600, "height": 1000}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


@contextlib.contextmanager
def serve_app(env: dict, log_path: Path):
    """``streamlit run dashboard.py`` on a free loopback port with ``env``; yields its base
    URL once it answers its health check, and stops it afterwards."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} before serving; see {log_path}")
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {base}/_stcore/health within {START_TIMEOUT_S} s; "
                            f"see {log_path}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def app_url():
    """Start the app on the embedded dataset on a free loopback port; yield its base URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    # one log per pytest-xdist worker, overwritten by the next session
    log_path = ARTIFACTS / f"streamlit-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    env = dict(os.environ)
    env.pop("POSTURE_ATLAS_DATA", None)  # the embedded dataset, whatever the caller's shell says
    with serve_app(env, log_path) as base:
        yield base


@pytest.fixture
def fresh_app_url(tmp_path):
    """A Streamlit process started for this test alone (embedded dataset); its base URL."""
    env = dict(os.environ)
    env.pop("POSTURE_ATLAS_DATA", None)
    with serve_app(env, tmp_path / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, headless, for the whole session."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_idle(page, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until the app's script is not running (so a key press or click is not lost
    in a rerun that redraws the widget)."""
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'; }",
        timeout=timeout_ms)


def map_frame(page):
    """The streamlit-folium iframe's Frame (for evaluate(), locators, etc.)."""
    handle = page.locator(MAP_FRAME).first.element_handle(timeout=PAGE_TIMEOUT_MS)
    return handle.content_frame()


def labels_settled(page, timeout_ms: int = PAGE_TIMEOUT_MS, polling_ms: int = 600):
    """The map's Frame once its label layout has run and stopped changing (the key box
    reruns it; the frame may still be resizing): the same count of layouts, callouts and
    frame height on two polls in a row."""
    frame = map_frame(page)
    frame.wait_for_function("() => { const c = document.querySelector('.leaflet-container');"
                            " return c && c.hasAttribute('data-pa-labels'); }", timeout=timeout_ms)
    frame.wait_for_function("""() => { const c = document.querySelector('.leaflet-container');
        const now = c.getAttribute('data-pa-layouts') + '/' + c.getAttribute('data-pa-callouts')
                    + '/' + c.getBoundingClientRect().height;
        const same = window.__paLast === now; window.__paLast = now; return same; }""",
                            timeout=timeout_ms, polling=polling_ms)
    return frame


@pytest.fixture
def open_page(browser, app_url):
    """``open_page(path, wait_for_map=True, viewport=None, base=None) -> (page, requests, errors)``;
    ``base`` is another server's URL (default: the session's app)."""
    contexts = []
    logs: list[tuple[str, list[str], list[str]]] = []

    def _open(path: str = "/", *, wait_for_map: bool = True, viewport: dict | None = None,
              base: str | None = None):
        context = browser.new_context(viewport=viewport or VIEWPORT)
        contexts.append(context)
        requests: list[str] = []
        errors: list[str] = []
        external: list[str] = []

        def route(r):
            url = r.request.url
            requests.append(url)
            if _is_external(url):
                external.append(url)
                errors.append(f"request to another host blocked: {url}")
                r.abort()
            else:
                r.continue_()

        def websocket(ws):
            requests.append(ws.url)
            if _is_external(ws.url):
                external.append(ws.url)
                errors.append(f"websocket to another host: {ws.url}")

        context.route("**/*", route)
        page = context.new_page()
        page.on("websocket", websocket)
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        # A load cancelled because its frame went away (net::ERR_ABORTED, e.g. a page
        # switch) is not a failure; a refused connection or a 4xx/5xx answer is.
        page.on("requestfailed", lambda r: None if _is_external(r.url) or "ERR_ABORTED" in (r.failure or "")
                else errors.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        logs.append((path, external, errors))
        page.goto((base or app_url) + (path if path.startswith("/") else "/" + path), timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stApp"]', timeout=PAGE_TIMEOUT_MS)
        if wait_for_map:
            page.locator(MAP_FRAME).first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
            frame = page.frame_locator(MAP_FRAME).first
            frame.locator(".leaflet-container").wait_for(timeout=PAGE_TIMEOUT_MS)
            # an SVG marker, or the count of markers drawn on a canvas (at scale)
            frame.locator(MARKER_DRAWN_SELECTOR).first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        return page, requests, errors

    yield _open
    for context in contexts:
        context.close()
    offenders = [(path, url) for path, external, _ in logs for url in external]
    if offenders:
        pytest.fail("the app asked for another host (it must work offline): "
                    + "; ".join(f"{url} (from {path})" for path, url in offenders))
