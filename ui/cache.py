"""Every Streamlit cache of the app, in one module.

Caches are keyed on hashable inputs only (the data folder and the files' modification
times, dates as ISO strings), so editing a CSV invalidates them and nothing hides from
the key behind a leading underscore. Cached objects are frozen dataclasses: a rerun
cannot mutate what another rerun reads.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import streamlit as st

from geo.gcpause import freeze_kept
from geo.symbology import forget_kept
from geo.loader import DEFAULT_DATA_DIR, load_dataset
from geo.posture import reports_only
from geo.model import Dataset
from geo.posture import Snapshot, snapshot

#: Environment variable naming another data folder (tests, or an analyst's own dataset).
DATA_DIR_ENV = "POSTURE_ATLAS_DATA"


#: Session-state key of a dataset opened for this browser session only (Add report page).
SESSION_DATA_KEY = "session_data_dir"


def data_dir() -> Path:
    """The data folder: one opened for this browser session (Add report page's "Open
    another dataset"), else ``$POSTURE_ATLAS_DATA`` if set, else the embedded ``data/``."""
    session = st.session_state.get(SESSION_DATA_KEY)
    if session:
        return Path(session)
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(override) if override else DEFAULT_DATA_DIR


def invalidate() -> None:
    """Drop every cached dataset, snapshot and payload (after a save). The caches are
    keyed on the files' mtimes as well, so this only makes the change immediate even on
    a file system whose mtime resolution hides a quick second save."""
    st.cache_resource.clear()
    st.cache_data.clear()
    forget_kept()   # the marker specs kept from the last day drawn hold the old records
    st.session_state.pop(_RUN_STAMP, None)  # the files changed during this run: stat them again


def _stamp(folder: Path) -> tuple[tuple[str, float], ...]:
    """(name, mtime) of the folder's CSV files; a file that cannot be stat-ed (a broken
    link, no permission) counts as changed on every run, and the loader says why."""
    try:
        found = list(folder.glob("*.csv"))
    except OSError:
        return ()
    out = []
    for p in found:
        try:
            out.append((p.name, p.stat().st_mtime))
        except OSError:
            out.append((p.name, -1.0))
    return tuple(sorted(out))


#: session key: (script run, folder, stamp) as first seen in that run
_RUN_STAMP = "_data_stamp_of_run"


def _run_marker():
    """An object that is new for every script run of this session (None outside a run).

    Streamlit gives each run a fresh ``cursors`` dict on its script-run context
    (``ScriptRunContext.reset``); the object itself (not its id, which a later run could
    reuse) is kept and compared by identity.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.cursors


def _folder_stamp() -> tuple[str, tuple]:
    """The data folder and its files' stamp, read from disk once per script run.

    Every cache below is keyed on it, and a run used to stat the folder once per call
    (seven times per run): now the first call of a run stats it and the others reuse
    it, so every payload of one run is keyed on the dataset that run shows. Outside a
    run (tests, scripts) it is read every time.
    """
    folder = data_dir()
    run = _run_marker()
    held = st.session_state.get(_RUN_STAMP) if run is not None else None
    if held is not None and held[0] is run and held[1] == str(folder):
        return held[1], held[2]
    stamp = _stamp(folder)
    if run is not None:
        st.session_state[_RUN_STAMP] = (run, str(folder), stamp)
    return str(folder), stamp


@st.cache_resource(show_spinner=False)
def _dataset(folder: str, stamp: tuple) -> Dataset:
    ds = load_dataset(folder)
    freeze_kept()   # kept for the server's life: full collections need not walk it again
    return ds


def dataset_or_stop() -> Dataset:
    """The dataset, or every problem in it on screen and the page stopped.

    The problems are shown as preformatted text (``st.code``): a CSV value with
    backticks or markup cannot break out of it.
    """
    from geo.model import DataError, Problem

    try:
        return dataset()
    except DataError as exc:
        problems = exc.problems
    except OSError as exc:   # the folder itself cannot be read: located, never a traceback
        problems = [Problem(str(exc.filename or data_dir()), None, None, "",
                            f"a folder the app can read ({exc.strerror or exc})")]
    st.error(f"The dataset in {data_dir()} could not be loaded: {len(problems)} problem"
             f"{'s' if len(problems) != 1 else ''}. Fix these rows and reload the page.")
    # a table of plain-text cells (never HTML): file, row, column, value, what was expected
    st.dataframe([{"file": p.file, "row": "" if p.row is None else str(p.row), "column": p.column or "", "value": p.value,
                   "expected": p.expected} for p in problems], hide_index=True, width="stretch")
    st.code("\n".join(str(p) for p in problems), language=None)
    st.stop()


def dataset() -> Dataset:
    """The embedded dataset, loaded and indexed once per change of its files."""
    return _dataset(*_folder_stamp())


@st.cache_resource(show_spinner=False)
def _reports(folder: str, stamp: tuple) -> Dataset:
    return reports_only(_dataset(folder, stamp))


@st.cache_resource(show_spinner=False, max_entries=512)
def _snapshot(folder: str, stamp: tuple, on: str, known_on: str, plans: bool = True,
              force: str = "", as_planned: bool = False) -> Snapshot:
    from geo.posture import only_force

    ds = _dataset(folder, stamp) if plans else _reports(folder, stamp)
    return snapshot(only_force(ds, force or None), on, known_on, as_planned=as_planned)


def posture(on: dt.date, known_on: dt.date, plans: bool = True, force: str = "",
            as_planned: bool = False) -> Snapshot:
    """The snapshot for a day as known on a day; ``plans=False`` leaves the plans out
    (each place shows its last report); ``force`` keeps one force's figures only;
    ``as_planned`` makes it the projection of what the plans known then said."""
    return _snapshot(*_folder_stamp(), on.isoformat(), known_on.isoformat(), plans, force, as_planned)


# ------------------------------------------------------------------- downloads
# Payloads for ui/downloads.py, keyed like the snapshots (folder, file stamps, ISO
# dates, options). Bytes are cached as data (every caller gets its own copy), except the
# timeline's, which is too large to copy (below).

def data_stamp() -> tuple:
    """What the payload caches are keyed on besides the view: the folder and its files."""
    return _folder_stamp()


@st.cache_data(show_spinner=False, max_entries=64)
def _export_bytes(folder: str, stamp: tuple, on: str, known_on: str, plans: bool, fmt: str) -> bytes:
    from geo import export

    snap = _snapshot(folder, stamp, on, known_on, plans)
    return export.render_bytes(export.snapshot_geojson(snap), fmt)


def export_bytes(on: dt.date, known_on: dt.date, plans: bool, fmt: str) -> bytes:
    """The snapshot on screen as GeoJSON, GeoPackage or CSV (``fmt``: '.geojson', …)."""
    return _export_bytes(*data_stamp(), on.isoformat(), known_on.isoformat(), plans, fmt)


# A resource, not data, and the last two only: a timeline at 1,000 places is ~360 MB
# of GeoJSON. st.cache_data pickled a copy in and one out on every click and kept
# sixteen (some 6 GB at scale); bytes cannot change, so every caller can share one.
@st.cache_resource(show_spinner=False, max_entries=2)
def _timeline_bytes(folder: str, stamp: tuple, known_on: str, fmt: str) -> bytes:
    from geo import export

    return export.render_bytes(export.timeline_geojson(_dataset(folder, stamp), dt.date.fromisoformat(known_on)), fmt)


def timeline_bytes(known_on: dt.date, fmt: str) -> bytes:
    """Every state interval known on ``known_on`` (start/end per feature)."""
    return _timeline_bytes(*data_stamp(), known_on.isoformat(), fmt)


@st.cache_data(show_spinner=False, max_entries=32)
def _brief_bytes(folder: str, stamp: tuple, on: str, known_on: str, plans: bool, marking: str, fmt: str,
                 title: str = "") -> bytes:
    from geo.render import render_brief

    # the full snapshot: render_brief recomputes from reports alone when plans are hidden
    return render_brief(_dataset(folder, stamp), _snapshot(folder, stamp, on, known_on, True),
                        marking=marking or None, fmt=fmt, show_plans=plans, title=title or None)


def brief_bytes(on: dt.date, known_on: dt.date, plans: bool, marking: str, fmt: str, title: str = "") -> bytes:
    """The briefing image of the day (``fmt``: 'png', 'svg' or 'pdf'); ``title`` empty: the default."""
    return _brief_bytes(*data_stamp(), on.isoformat(), known_on.isoformat(), plans, marking or "", fmt, title or "")


@st.cache_data(show_spinner=False, max_entries=32)
def _html_bytes(folder: str, stamp: tuple, on: str, known_on: str, plans: bool, labels: bool, marking: str,
                title: str = "") -> bytes:
    from geo.html_export import export_html

    page = export_html(_dataset(folder, stamp), _snapshot(folder, stamp, on, known_on, True),
                       marking=marking or None, show_plans=plans, labels=labels, title=title or None)
    return page.encode("utf-8")


def html_bytes(on: dt.date, known_on: dt.date, plans: bool, labels: bool, marking: str, title: str = "") -> bytes:
    """The map of the day as one self-contained offline HTML file."""
    return _html_bytes(*data_stamp(), on.isoformat(), known_on.isoformat(), plans, labels, marking or "",
                       title or "")


# -------------------------------------------------------------------- timelines
# The Timeline page's series: a full timeline is one snapshot per change day, so it is
# computed once per (data, known-on, end, kind), not on every widget rerun.

@st.cache_data(show_spinner=False, max_entries=32)
def _series(folder: str, stamp: tuple, known_on: str, until: str, kind: str):
    from geo import analysis

    ds = _dataset(folder, stamp)
    build = analysis.country_series if kind == "countries" else analysis.timeline_series
    return build(ds, dt.date.fromisoformat(known_on), dt.date.fromisoformat(until))


def timeline_series(known_on: dt.date, until: dt.date, kind: str = "places"):
    """analysis.timeline_series (kind 'places') or country_series ('countries'), cached."""
    return _series(*data_stamp(), known_on.isoformat(), until.isoformat(), kind)


# ------------------------------------------------------------ per-run derivatives
# What the dashboard needs on every run that depends only on the data (and the
# "as known on" day), not on the day shown: computed once per dataset, not per rerun.

@st.cache_resource(show_spinner=False, max_entries=32)
def _change_dates(folder: str, stamp: tuple, known_on: str) -> tuple:
    from geo.posture import change_dates

    return tuple(change_dates(_dataset(folder, stamp), dt.date.fromisoformat(known_on)))


def change_dates(known_on: dt.date) -> tuple[dt.date, ...]:
    """geo.posture.change_dates (the slider's stops, Play's steps), cached: at scale it
    walks every claim, and the dashboard asks for it on every run and every Play tick."""
    return _change_dates(*_folder_stamp(), known_on.isoformat())


@st.cache_resource(show_spinner=False, max_entries=8)
def _bounds(folder: str, stamp: tuple, today: str):
    from ui.state import bounds as compute

    return compute(_dataset(folder, stamp), dt.date.fromisoformat(today))


def bounds(today: dt.date | None = None):
    """ui.state.bounds of the dataset (the slider's ends), computed once per dataset and
    day instead of walking every claim twice per run."""
    return _bounds(*_folder_stamp(), (today or dt.date.today()).isoformat())
