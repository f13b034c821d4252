"""``python -m geo ingest``: propose rows from an article, or apply reviewed rows.

* ``python -m geo ingest ARTICLE.txt|.html --outlet … --url … --published YYYY-MM-DD
  [--data DIR]`` prints the proposals as CSV (:data:`geo.ingest.REVIEW_COLUMNS`), one
  row per proposal, ``kind`` first.
* ``python -m geo ingest --apply REVIEWED.csv [--data DIR]`` adds the reviewed rows
  through the same validation and atomic save as the page (:func:`geo.store.add_rows`);
  on a bad row it prints every problem located by the CSV's line and column, exits 1
  and writes nothing.

Cells that a spreadsheet would run as a formula (a leading ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are written with a leading ``'``; ``--apply`` strips it again.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from ..csvsafe import FORMULA_STARTS as _FORMULA_START


def neutralise(value):
    """A CSV cell that cannot run as a spreadsheet formula (the product's one rule,
    :func:`geo.csvsafe.spreadsheet_cell`); numbers stay numbers, None is empty."""
    from ..csvsafe import spreadsheet_cell

    return "" if value is None else spreadsheet_cell(value)


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in _FORMULA_START and text[1:2] != "" else text


def proposals_csv(rows: list[dict]) -> str:
    from .records import REVIEW_COLUMNS

    buf = io.StringIO()
    # CRLF line ends (RFC 4180): the writer then quotes any cell holding a CR or LF
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(REVIEW_COLUMNS)
    for r in rows:
        w.writerow([neutralise(r.get(c, "")) for c in REVIEW_COLUMNS])
    return buf.getvalue()


def read_reviewed(path: str | Path) -> list[dict]:
    """The rows of a reviewed CSV (the review columns, ``kind`` required)."""
    from .records import REVIEW_COLUMNS

    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in REVIEW_COLUMNS]
        if "kind" not in header or unknown:
            raise ValueError(f"{path}:1: expected the header of `python -m geo ingest` output "
                             f"(kind, …); {'unknown column(s) ' + ', '.join(unknown) if unknown else 'no kind column'}")
        return [{k: unneutralise(v or "") for k, v in rec.items() if k is not None} for rec in reader]


def _day(text: str):
    import argparse as ap

    from ..dates import parse_day

    try:
        return parse_day(text)
    except ValueError as exc:
        raise ap.ArgumentTypeError(str(exc)) from None


def register(subparsers) -> None:
    sp = subparsers.add_parser("ingest", help="propose rows from an article (.txt/.html), or --apply reviewed rows")
    sp.add_argument("article", nargs="?", help="the article: a .txt or .html file (never a URL)")
    sp.add_argument("--outlet", help="who published it, e.g. 'Shafaq News'")
    sp.add_argument("--url", default="", help="the article's URL (recorded, never fetched)")
    sp.add_argument("--published", type=_day, help="publication day, YYYY-MM-DD (relative dates resolve against it)")
    sp.add_argument("--title", default="", help="headline (default: the article's first line)")
    sp.add_argument("--apply", metavar="REVIEWED.csv", help="add the reviewed rows of this CSV to the dataset")
    sp.add_argument("--data", metavar="DIR", help="dataset folder (default: the embedded data/)")
    sp.set_defaults(func=run)


def run(args) -> int:
    from ..loader import DEFAULT_DATA_DIR, load_dataset

    if args.apply:
        if args.article:
            print("error: give either ARTICLE (to propose) or --apply REVIEWED.csv, not both", file=sys.stderr)
            return 2
        return _apply(args, Path(args.data) if args.data else DEFAULT_DATA_DIR)
    missing = [f for f, v in (("ARTICLE", args.article), ("--outlet", args.outlet), ("--published", args.published)) if not v]
    if missing:
        print(f"error: {', '.join(missing)} required to propose rows (or --apply REVIEWED.csv)", file=sys.stderr)
        return 2
    from . import propose
    from .text import ArticleError, article_text

    path = Path(args.article)
    if not path.is_file():
        print(f"error: {path}: no such file (ingest reads a local .txt or .html file, never a URL)", file=sys.stderr)
        return 2
    try:
        text = article_text(path.read_bytes(), path.name)
    except ArticleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ds = load_dataset(args.data)
    props = propose(ds, text, outlet=args.outlet, url=args.url, published=args.published, title=args.title)
    sys.stdout.write(proposals_csv(props.rows()))
    return 0


def _apply(args, folder: Path) -> int:
    from ..store import RowsError, SaveError, add_rows

    try:
        rows = read_reviewed(args.apply)
    except (OSError, ValueError, csv.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = add_rows(folder, rows)
    except RowsError as exc:
        print(f"error: {len(exc.problems)} problem(s) in {args.apply}; nothing was written", file=sys.stderr)
        for p in exc.problems:
            line = f"{args.apply}:{p.row + 1}" if p.row is not None else args.apply
            col = f" column {p.column!r}:" if p.column else ""
            print(f"  {line}:{col} {p.value!r} — {p.expected}", file=sys.stderr)
        return 1
    except SaveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    added = ", ".join(f"{n} to {f}" for f, n in result.counts.items())
    print(f"added {added} in {folder}; previous files kept in {result.backup}", file=sys.stderr)
    return 0
