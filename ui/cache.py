"""Every Streamlit cache of the app, in one module.

Caches are keyed on hashable inputs only (the data folder and the files' modification
times, dates as ISO strings), so editing a CSV invalidates them and nothing hides from
the key behind a leading underscore. Cached objects are frozen dataclasses: a rerun
cannot mutate what another rerun reads.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from geo.loader import DEFAULT_DATA_DIR, load_dataset
from geo.model import Dataset
from geo.posture import Snapshot, snapshot


def data_dir() -> Path:
    return DEFAULT_DATA_DIR


def _stamp(folder: Path) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.csv")))


@st.cache_resource(show_spinner=False)
def _dataset(folder: str, stamp: tuple) -> Dataset:
    return load_dataset(folder)


def dataset() -> Dataset:
    """The embedded dataset, loaded and indexed once per change of its files."""
    folder = data_dir()
    return _dataset(str(folder), _stamp(folder))


@st.cache_resource(show_spinner=False, max_entries=512)
def _snapshot(folder: str, stamp: tuple, on: str, known_on: str) -> Snapshot:
    return snapshot(_dataset(folder, stamp), on, known_on)


def posture(on: dt.date, known_on: dt.date) -> Snapshot:
    folder = data_dir()
    return _snapshot(str(folder), _stamp(folder), on.isoformat(), known_on.isoformat())
