"""``python -m geo``: check a dataset, export the posture, render briefing images.

Every failure exits non-zero with one line on stderr saying what was wrong and what
would be right (a dataset's problems are listed one per line after that line).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from .dates import parse_day
from .model import DataError


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def _day(text: str) -> dt.date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _load(args):
    from .loader import load_dataset

    return load_dataset(args.data)


def cmd_check(args) -> int:
    ds = _load(args)
    n_group = sum(c.is_group for c in ds.claims)
    print(f"ok: {args.data or 'embedded dataset'}")
    print(f"  places     {len(ds.places)}")
    print(f"  sources    {len(ds.sources)}  (published {min(s.published for s in ds.sources.values())}"
          f" to {ds.latest_published})" if ds.sources else "  sources    0")
    print(f"  claims     {len(ds.claims)}  ({sum(c.basis == 'plan' for c in ds.claims)} plans, "
          f"{n_group} group figures)")
    print(f"  movements  {len(ds.movements)}")
    print(f"  phases     {len(ds.phases)}")
    print(f"  events     {len(ds.events)}")
    if ds.first_date:
        print(f"  dates      {ds.first_date} to {ds.last_date}")
    return 0


def cmd_export(args) -> int:
    from . import export
    from .posture import snapshot

    ds = _load(args)
    if args.timeline == (args.date is not None):
        raise UsageError("give either --date YYYY-MM-DD (the posture on a day) or --timeline (every interval)")
    if args.timeline:
        fc = export.timeline_geojson(ds, known_on=args.known_on, until=args.until)
    else:
        fc = export.snapshot_geojson(snapshot(ds, args.date, args.known_on))
    if args.output is None:
        sys.stdout.write(json.dumps(fc, ensure_ascii=False, indent=1) + "\n")
        return 0
    suffix = Path(args.output).suffix.lower()
    if suffix not in export.FORMATS:
        raise UsageError(f"cannot tell the format of {args.output!r}: use one of "
                         f"{', '.join(export.FORMATS)} as the file's extension")
    path = export.write(fc, args.output)
    print(f"wrote {path} ({len(fc['features'])} features)", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description="Posture Atlas: check data, export posture, render briefings.")
    sub = p.add_subparsers(dest="command", required=True)

    def data_arg(sp):
        sp.add_argument("--data", metavar="DIR", help="dataset folder (default: the embedded data/)")

    sp = sub.add_parser("check", help="validate a dataset; print a summary or every problem")
    data_arg(sp)
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("export", help="GeoJSON / GeoPackage / CSV of a day's posture or of the timeline")
    data_arg(sp)
    sp.add_argument("--date", type=_day, help="the day the posture refers to, YYYY-MM-DD")
    sp.add_argument("--timeline", action="store_true", help="every state interval with start/end")
    sp.add_argument("--known-on", type=_day, help="hide sources published after this day (default: all)")
    sp.add_argument("--until", type=_day, help="with --timeline: end of the last intervals (default: day after the last change)")
    sp.add_argument("-o", "--output", help="file to write (.geojson, .gpkg, .csv); stdout GeoJSON if omitted")
    sp.set_defaults(func=cmd_export)

    _register_extra(sub, data_arg)
    from .synth import register as register_synth  # python -m geo synth: all logic in geo/synth.py
    register_synth(sub)
    return p


def _register_extra(sub, data_arg) -> None:
    """Sub-commands that need the rendering stack (matplotlib) register here, imported
    lazily so that ``check`` and ``export`` stay light."""
    try:
        from .render_cli import register
    except ImportError:
        return
    register(sub, data_arg, _day)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(f"error: {len(exc.problems)} problem(s) in the dataset", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
