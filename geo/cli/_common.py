"""What every sub-command shares: the usage error, argument types, the dataset option."""
from __future__ import annotations

import argparse
import datetime as dt

from ..dates import parse_day


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def day(text: str) -> dt.date:
    """An argparse type: a day as YYYY-MM-DD."""
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def data_arg(sp: argparse.ArgumentParser) -> None:
    import os

    # the same default as the app: POSTURE_ATLAS_DATA, else the embedded dataset
    sp.add_argument("--data", metavar="DIR", default=os.environ.get("POSTURE_ATLAS_DATA") or None,
                    help="dataset folder (default: $POSTURE_ATLAS_DATA, else the embedded data/)")


def force_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--force", metavar="FORCE",
                    help="only the figures of one force: US, coalition, or a nation's ISO 3166 alpha-3 "
                         "code (default: every force, each labelled)")


def only_force(ds, force: str | None):
    """The dataset limited to ``--force`` (UsageError naming the forces there are)."""
    from ..posture import forces, only_force as limit

    if force is None:
        return ds
    known = forces(ds)
    if force not in known:
        raise UsageError(f"--force {force!r}: no claim in the dataset is about that force; "
                         f"expected one of {', '.join(known)}")
    return limit(ds, force)


def load(args):
    """The dataset named by ``--data`` (DataError lists every problem)."""
    from ..loader import load_dataset

    return load_dataset(args.data)


def look_args(sp: argparse.ArgumentParser, default_size: str, default_dpi: float) -> None:
    """The rendering options ``brief`` and ``animate`` share."""
    sp.add_argument("--title", help="title line (default: the live map's title)")
    sp.add_argument("--subtitle", help="line under the title (default: the live map's subtitle; '' for none)")
    sp.add_argument("--marking", help='e.g. "UNCLASSIFIED // OPEN SOURCE", printed at the top and bottom')
    sp.add_argument("--size", default=default_size, help=f"WIDTHxHEIGHT in pixels (default {default_size})")
    sp.add_argument("--dpi", type=str, default=str(default_dpi),
                    help=f"dots per inch: fonts and markers keep their size on the page (default {default_dpi:g})")
    sp.add_argument("--extent", metavar="W,S,E,N", help="map view in degrees (default: fitted to what is shown)")
    sp.add_argument("--no-plans", action="store_true", help="leave plans out (places show their last report)")


def look(args) -> dict:
    """The rendering options, validated (UsageError if bad)."""
    from .. import render

    try:
        dpi = float(args.dpi)
    except ValueError:
        raise UsageError(f"--dpi {args.dpi!r} is not a number; expected e.g. 150") from None
    try:
        size = render.parse_size(args.size)
        render.check_size(size, dpi)
        extent = render.parse_extent(args.extent) if args.extent is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return dict(title=args.title, subtitle=args.subtitle, marking=args.marking, size_px=size, dpi=dpi,
                extent=extent, show_plans=not args.no_plans)


def check_suffix(path: str, allowed: tuple[str, ...], what: str) -> None:
    from pathlib import Path

    if Path(path).suffix.lower() not in allowed:
        raise UsageError(f"cannot tell the {what} format of {path!r}: use one of {', '.join(allowed)} "
                         "as the file's extension")
