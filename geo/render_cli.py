"""``python -m geo brief`` and ``python -m geo animate``: briefing images from the shell.

Registered by :func:`geo.cli.build_parser` (which imports this module lazily); the
rendering stack (matplotlib, imageio) is imported only when one of these commands runs,
so ``check`` and ``export`` stay light. Usage problems raise :class:`geo.cli.UsageError`
(one line on stderr, exit code 2).

Examples::

    python -m geo brief --date 2025-10-21 -o brief.png
    python -m geo brief --date 2025-10-21 --known-on 2025-08-19 --marking "UNCLASSIFIED // OPEN SOURCE" -o replay.pdf
    python -m geo brief --milestones briefs/ --format svg
    python -m geo brief --date 2025-10-21 -o map.html        # the interactive map, offline
    python -m geo animate -o drawdown.gif --fps 1
"""
from __future__ import annotations

import sys
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".svg", ".pdf", ".html")
ANIMATION_SUFFIXES = (".gif", ".mp4")


def register(sub, data_arg, day_type) -> None:
    """Add the ``brief`` and ``animate`` sub-commands to ``sub`` (argparse subparsers)."""
    sp = sub.add_parser(
        "brief", help="a briefing image (PNG/SVG/PDF) of one day, or one per milestone",
        description="Render a slide-ready map of the posture on a day: title, date, 'as known on', "
                    "legend, scale bar, source line and optional marking.")
    data_arg(sp)
    sp.add_argument("--date", type=day_type, help="the day the posture refers to, YYYY-MM-DD")
    sp.add_argument("--known-on", type=day_type, help="hide sources published after this day (default: all)")
    _look_args(sp, default_size="1920x1080", default_dpi=150)
    out = sp.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", help="image file; the format follows the extension (.png, .svg, .pdf; "
                                            ".html writes the interactive map, self-contained for offline use)")
    out.add_argument("--milestones", metavar="DIR",
                     help="write one image per milestone (events and phase starts) into DIR instead of -o")
    sp.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                    help="with --milestones: the images' format (default png)")
    sp.set_defaults(func=cmd_brief)

    sp = sub.add_parser(
        "animate", help="a GIF (or MP4) stepping through every change date",
        description="Render one frame per change date (claims taking effect, moves, phases) with the date, "
                    "legend and title on every frame.")
    data_arg(sp)
    sp.add_argument("-o", "--output", required=True, help="animation file: .gif (or .mp4)")
    sp.add_argument("--fps", type=float, default=1.0, help="frames per second (default 1)")
    sp.add_argument("--known-on", type=day_type, help="hide sources published after this day (default: all)")
    sp.add_argument("--from", dest="start", type=day_type, help="first day to show (default: the first change)")
    sp.add_argument("--to", dest="end", type=day_type, help="last day to show (default: the last change)")
    _look_args(sp, default_size="1280x720", default_dpi=100)
    sp.set_defaults(func=cmd_animate)


def _look_args(sp, default_size: str, default_dpi: float) -> None:
    sp.add_argument("--title", help="title line (default: the live map's title)")
    sp.add_argument("--subtitle", help="line under the title (default: the live map's subtitle; '' for none)")
    sp.add_argument("--marking", help='e.g. "UNCLASSIFIED // OPEN SOURCE", printed at the top and bottom')
    sp.add_argument("--size", default=default_size, help=f"WIDTHxHEIGHT in pixels (default {default_size})")
    sp.add_argument("--dpi", type=str, default=str(default_dpi),
                    help=f"dots per inch: fonts and markers keep their size on the page (default {default_dpi:g})")
    sp.add_argument("--extent", metavar="W,S,E,N", help="map view in degrees (default: fitted to what is shown)")
    sp.add_argument("--no-plans", action="store_true", help="leave plans out (places show their last report)")


def _usage(exc: Exception):
    from .cli import UsageError

    return UsageError(str(exc))


def _look(args) -> dict:
    """The rendering options shared by both commands, validated (UsageError if bad)."""
    from . import render

    try:
        dpi = float(args.dpi)
    except ValueError:
        raise _usage(ValueError(f"--dpi {args.dpi!r} is not a number; expected e.g. 150")) from None
    try:
        size = render.parse_size(args.size)
        render.check_size(size, dpi)
        extent = render.parse_extent(args.extent) if args.extent is not None else None
    except ValueError as exc:
        raise _usage(exc) from None
    return dict(title=args.title, subtitle=args.subtitle, marking=args.marking, size_px=size, dpi=dpi,
                extent=extent, show_plans=not args.no_plans)


def _check_suffix(path: str, allowed: tuple[str, ...], what: str) -> None:
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        from .cli import UsageError

        raise UsageError(f"cannot tell the {what} format of {path!r}: use one of {', '.join(allowed)} "
                         "as the file's extension")


def cmd_brief(args) -> int:
    from .cli import UsageError

    if args.output is None and args.milestones is None:
        raise UsageError("give -o FILE (.png, .svg or .pdf) with --date YYYY-MM-DD, or --milestones DIR")
    if args.output is not None:
        if args.date is None:
            raise UsageError("give --date YYYY-MM-DD: the day the image shows")
        _check_suffix(args.output, IMAGE_SUFFIXES, "image")
    elif args.date is not None:
        raise UsageError("--milestones renders the milestones' own dates; leave out --date (or use -o)")
    look = _look(args)

    from . import render
    from .loader import load_dataset
    from .posture import snapshot

    ds = load_dataset(args.data)
    if args.output is not None:
        snap = snapshot(ds, args.date, args.known_on)
        if Path(args.output).suffix.lower() == ".html":
            from .html_export import write_html

            path = write_html(ds, snap, args.output, title=look["title"], subtitle=look["subtitle"],
                              marking=look["marking"], show_plans=look["show_plans"])
            print(f"wrote {path} (interactive map, self-contained; {args.date}, as known on {snap.known_on})",
                  file=sys.stderr)
            return 0
        path = render.write_brief(ds, snap, args.output, **look)
        notice = render.no_report_notice(render.scene(ds, snap, look["show_plans"]).snap)
        if notice:
            print(f"notice: {notice}", file=sys.stderr)
        print(f"wrote {path} ({_describe(path, look)}; {args.date}, as known on {snap.known_on})", file=sys.stderr)
        return 0

    folder = Path(args.milestones)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--milestones {args.milestones!r} is a file; give a folder (it is created if missing)")
    stones = render.milestones(ds, args.known_on)
    if not stones:
        raise UsageError("the dataset has no milestones (events or phases) to render")
    ext = "." + args.format
    if look["extent"] is None:
        # one view for the whole series, so the slides flip without the map jumping
        look["extent"] = render.animation_extent(ds, [ms.date for ms in stones], args.known_on, look["show_plans"])
    for i, ms in enumerate(stones, 1):
        snap = snapshot(ds, ms.date, args.known_on)
        path = render.write_brief(ds, snap, folder / ms.filename(ext), **look)
        print(f"[{i}/{len(stones)}] {ms.date} {ms.label} -> {path}", file=sys.stderr)
        notice = render.no_report_notice(render.scene(ds, snap, look["show_plans"]).snap)
        if notice:
            print(f"  notice: {notice}", file=sys.stderr)
    print(f"wrote {len(stones)} images to {folder}", file=sys.stderr)
    return 0


def cmd_animate(args) -> int:
    from .cli import UsageError

    _check_suffix(args.output, ANIMATION_SUFFIXES, "animation")
    if not (0.1 <= args.fps <= 30):
        raise UsageError(f"--fps {args.fps:g} is out of range; expected 0.1-30 frames per second")
    if args.start and args.end and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}; give the earlier day first")
    look = _look(args)

    from . import render
    from .loader import load_dataset

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


def _describe(path: Path, look: dict) -> str:
    w, h = look["size_px"]
    if path.suffix.lower() == ".png":
        return f"{w}x{h} px"
    return f"{w / look['dpi']:.2f}x{h / look['dpi']:.2f} in"

