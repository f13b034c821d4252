"""Streamlit glue for the Add report page: session state, the review tables, saving.

All extraction, validation and saving is in ``geo.ingest`` and ``geo.store``; this module
only moves values between widgets and those functions.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.ingest.records import columns_of

STATE = "ingest"
#: what each review table shows, in order (the file's columns plus span and confidence)
TABLES = ("place", "claim", "movement")
TABLE_TITLES = {"place": "New places (not in the gazetteer)", "claim": "Claims", "movement": "Movements"}


def defaults() -> None:
    st.session_state.setdefault(STATE, None)
    st.session_state.setdefault("ingest_saved", None)


def set_proposals(props) -> None:
    st.session_state[STATE] = {"text": props.text, "highlights": list(props.highlights),
                               "source": dict(props.source),
                               "tables": {k: [dict(r) for r in getattr(props, k + "s")] for k in TABLES},
                               "version": (st.session_state.get(STATE) or {}).get("version", 0) + 1}
    st.session_state["ingest_saved"] = None


def frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    cols = columns_of(kind)
    return pd.DataFrame([{c: "" if r.get(c) is None else str(r.get(c, "")) for c in cols} for r in rows],
                        columns=cols, dtype="string")


def editor(kind: str, rows: list[dict], version: int, fixed: bool = False) -> list[dict]:
    """An editable table of one kind of proposal; returns the rows as edited (rows left
    wholly empty are dropped). ``fixed``: no rows added or deleted (the source)."""
    df = st.data_editor(frame(kind, rows), num_rows="fixed" if fixed else "dynamic", width="stretch", hide_index=False,
                        key=f"ingest_editor_{kind}_{version}",
                        column_config=_column_config())
    out = []
    for rec in df.to_dict("records"):
        rec = {k: ("" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)) for k, v in rec.items()}
        if any(v.strip() for v in rec.values()):
            out.append({"kind": kind, **rec})
    return out


def describe(problems, rows: list[dict]) -> str:
    """Each problem located in the table the analyst sees: 'Claims, row 2 (as numbered in
    the table), column troops_min: …'."""
    titles = {"source": "Source", **TABLE_TITLES}
    where, seen = {}, {}
    for i, row in enumerate(rows, start=1):
        kind = row.get("kind", "")
        where[i] = (titles.get(kind, kind), seen.get(kind, 0))
        seen[kind] = seen.get(kind, 0) + 1
    out = []
    for p in problems:
        if p.row in where:
            table, index = where[p.row]
            head = f"{table}, row {index}"
        else:
            head = "dataset"
        col = f", column {p.column}" if p.column else ""
        out.append(f"{head}{col}: {p.value!r} — {p.expected}")
    return "\n".join(out)


def _column_config() -> dict:
    """Vocabulary columns as drop-downs (the analyst picks a valid value), long text wide."""
    from geo.dates import PRECISIONS
    from geo.model import BASES, PLACE_KINDS, PLACE_PRECISIONS, QUALIFIERS, STATUSES

    pick = lambda options: st.column_config.SelectboxColumn(options=list(options))  # noqa: E731
    return {"quote": st.column_config.TextColumn(width="large"),
            "note": st.column_config.TextColumn(width="medium"),
            "place_kind": pick(PLACE_KINDS), "precision": pick(PLACE_PRECISIONS),
            "qualifier": pick(QUALIFIERS), "status": pick(STATUSES), "basis": pick(BASES),
            "date_precision": pick(PRECISIONS), "start_precision": pick(PRECISIONS),
            "end_precision": pick(PRECISIONS), "published_precision": pick(("day", "week", "month")),
            "restated": pick(("no", "yes")), "quote_checked": pick(("yes", "no")),
            "published_inferred": pick(("no", "yes")),
            "span_start": st.column_config.TextColumn(disabled=True),
            "span_end": st.column_config.TextColumn(disabled=True),
            "confidence": st.column_config.TextColumn(disabled=True)}


def session_dataset_dir(data: bytes) -> Path:
    """Unpack an uploaded zip into a fresh folder for this browser session only."""
    from ui.cache import SESSION_DATA_KEY
    from geo.store import unpack_dataset_zip

    folder = Path(tempfile.mkdtemp(prefix="pa-session-"))
    unpack_dataset_zip(data, folder)
    st.session_state[SESSION_DATA_KEY] = str(folder)
    return folder

