"""The review table: one row per proposal, in the columns of the dataset's own files.

A row's ``kind`` says which file it belongs to (``source``, ``place``, ``claim``,
``movement``); its other cells are that file's columns (:data:`geo.loader.COLUMNS`),
except that a place's own ``kind`` column is called ``place_kind`` here, plus
``span_start``/``span_end`` (the quote's character span in the article text) and
``confidence`` (0-1). The CLI prints this table as CSV; the page edits it; the store
saves it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..loader import COLUMNS

KINDS = ("source", "place", "claim", "movement")
FILE_OF = {"source": "sources.csv", "place": "places.csv", "claim": "claims.csv",
           "movement": "movements.csv"}
#: review column -> file column, where they differ
RENAMED = {"place": {"place_kind": "kind"}}
EXTRA = ("span_start", "span_end", "confidence")


def _review_columns() -> list[str]:
    cols = ["kind"]
    for kind in KINDS:
        for col in COLUMNS[FILE_OF[kind]]:
            col = {v: k for k, v in RENAMED.get(kind, {}).items()}.get(col, col)
            if col not in cols:
                cols.append(col)
    return cols + list(EXTRA)


REVIEW_COLUMNS: list[str] = _review_columns()


def columns_of(kind: str) -> list[str]:
    """The review columns a row of ``kind`` uses, in file order, then the extras."""
    back = {v: k for k, v in RENAMED.get(kind, {}).items()}
    return [back.get(c, c) for c in COLUMNS[FILE_OF[kind]]] + list(EXTRA)


def to_file_row(kind: str, row: dict) -> dict:
    """The cells of a review row under its file's header (extras dropped)."""
    back = {v: k for k, v in RENAMED.get(kind, {}).items()}
    return {c: _cell(row.get(back.get(c, c))) for c in COLUMNS[FILE_OF[kind]]}


def file_column_to_review(kind: str, column: str | None) -> str | None:
    if column is None:
        return None
    back = {v: k for k, v in RENAMED.get(kind, {}).items()}
    return back.get(column, column)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:  # NaN from a data editor
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    # one line per record: a pasted line break inside a cell becomes a space
    return " ".join(str(value).replace("\r", "\n").split("\n")).strip()


@dataclass
class Proposals:
    """Everything proposed for one article."""

    text: str
    source: dict
    places: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    movements: list[dict] = field(default_factory=list)
    #: every place mention found (known and new): (start, end, place id, known?)
    mentions: list[tuple[int, int, str, bool]] = field(default_factory=list)
    #: every highlighted match: (start, end, what) with what in place/figure/date/cue
    highlights: list[tuple[int, int, str]] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """The review table: source first, then places, claims, movements."""
        out = []
        for kind, rows in (("source", [self.source]), ("place", self.places),
                           ("claim", self.claims), ("movement", self.movements)):
            for r in rows:
                out.append({c: r.get(c, "") for c in REVIEW_COLUMNS} | {"kind": kind})
        return out
