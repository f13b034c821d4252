"""``python -m geo brief``: a briefing image (PNG/SVG/PDF) of one day, one per milestone,
or the interactive map as one offline HTML file.

Examples::

    python -m geo brief --date 2025-10-21 -o brief.png
    python -m geo brief --date 2025-10-21 --known-on 2025-08-19 --marking "UNCLASSIFIED // OPEN SOURCE" -o replay.pdf
    python -m geo brief --milestones briefs/ --format svg
    python -m geo brief --date 2025-10-21 -o map.html        # the interactive map, offline

The rendering stack (matplotlib) is imported only when the command runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ._common import UsageError, check_suffix, data_arg, day, force_arg, look_args, only_force
from ._common import look as look_options

IMAGE_SUFFIXES = (".png", ".svg", ".pdf", ".html")


def register(sub) -> None:
    sp = sub.add_parser(
        "brief", help="a briefing image (PNG/SVG/PDF) of one day, or one per milestone",
        description="Render a slide-ready map of the posture on a day: title, date, 'as known on', "
                    "legend, scale bar, source line and optional marking.")
    data_arg(sp)
    sp.add_argument("--date", type=day, help="the day the posture refers to, YYYY-MM-DD")
    sp.add_argument("--known-on", type=day, help="hide sources published after this day (default: all)")
    sp.add_argument("--as-planned", action="store_true",
                    help="a projection: what the plans known on --known-on said the posture would be "
                         "(framed and labelled as such on the image)")
    force_arg(sp)
    look_args(sp, default_size="1920x1080", default_dpi=150)
    out = sp.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", help="image file; the format follows the extension (.png, .svg, .pdf; "
                                            ".html writes the interactive map, self-contained for offline use)")
    out.add_argument("--milestones", metavar="DIR",
                     help="write one image per milestone (events and phase starts) into DIR instead of -o")
    sp.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                    help="with --milestones: the images' format (default png)")
    sp.set_defaults(func=run)


def run(args) -> int:
    if args.output is None and args.milestones is None:
        raise UsageError("give -o FILE (.png, .svg or .pdf) with --date YYYY-MM-DD, or --milestones DIR")
    if args.output is not None:
        if args.date is None:
            raise UsageError("give --date YYYY-MM-DD: the day the image shows")
        check_suffix(args.output, IMAGE_SUFFIXES, "image")
    elif args.date is not None:
        raise UsageError("--milestones renders the milestones' own dates; leave out --date (or use -o)")
    look = look_options(args)

    from .. import render
    from ..loader import load_dataset
    from ..posture import snapshot

    ds = only_force(load_dataset(args.data), args.force)
    if args.output is not None:
        snap = snapshot(ds, args.date, args.known_on, as_planned=args.as_planned)
        if Path(args.output).suffix.lower() == ".html":
            from ..html_export import write_html

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
        snap = snapshot(ds, ms.date, args.known_on, as_planned=args.as_planned)
        path = render.write_brief(ds, snap, folder / ms.filename(ext), **look)
        print(f"[{i}/{len(stones)}] {ms.date} {ms.label} -> {path}", file=sys.stderr)
        notice = render.no_report_notice(render.scene(ds, snap, look["show_plans"]).snap)
        if notice:
            print(f"  notice: {notice}", file=sys.stderr)
    print(f"wrote {len(stones)} images to {folder}", file=sys.stderr)
    return 0


def _describe(path: Path, look: dict) -> str:
    w, h = look["size_px"]
    if path.suffix.lower() == ".png":
        return f"{w}x{h} px"
    return f"{w / look['dpi']:.2f}x{h / look['dpi']:.2f} in"
