"""``python -m geo animate``: a GIF (or MP4) stepping through every change date.

Example::

    python -m geo animate -o drawdown.gif --fps 1

The rendering stack (matplotlib, imageio) is imported only when the command runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ._common import UsageError, check_suffix, data_arg, day, look_args
from ._common import look as look_options

ANIMATION_SUFFIXES = (".gif", ".mp4")


def register(sub) -> None:
    sp = sub.add_parser(
        "animate", help="a GIF (or MP4) stepping through every change date",
        description="Render one frame per change date (claims taking effect, moves, phases) with the date, "
                    "legend and title on every frame.")
    data_arg(sp)
    sp.add_argument("-o", "--output", required=True, help="animation file: .gif (or .mp4)")
    sp.add_argument("--fps", type=float, default=1.0, help="frames per second (default 1)")
    sp.add_argument("--known-on", type=day, help="hide sources published after this day (default: all)")
    sp.add_argument("--from", dest="start", type=day, help="first day to show (default: the first change)")
    sp.add_argument("--to", dest="end", type=day, help="last day to show (default: the last change)")
    look_args(sp, default_size="1280x720", default_dpi=100)
    sp.set_defaults(func=run)


def run(args) -> int:
    check_suffix(args.output, ANIMATION_SUFFIXES, "animation")
    if not (0.1 <= args.fps <= 30):
        raise UsageError(f"--fps {args.fps:g} is out of range; expected 0.1-30 frames per second")
    if args.start and args.end and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}; give the earlier day first")
    look = look_options(args)

    from .. import render
    from ..loader import load_dataset

    ds = load_dataset(args.data)
    days = render.animation_days(ds, args.known_on, args.start, args.end)
    if not days:
        raise UsageError("no change dates between --from and --to; widen the period")
    if Path(args.output).suffix.lower() == ".mp4":
        try:
            render._ffmpeg()
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def progress(i: int, n: int, day) -> None:
        print(f"frame {i}/{n}: {day}", file=sys.stderr, flush=True)

    path = render.write_animation(ds, days, args.output, known_on=args.known_on, fps=args.fps,
                                  progress=progress, **look)
    print(f"wrote {path} ({len(days)} frames, {days[0]} to {days[-1]}, {args.fps:g} fps)", file=sys.stderr)
    return 0
