"""``python -m geo export``: GeoJSON / GeoPackage / CSV of a day's posture or of the timeline."""
from __future__ import annotations

import sys
from pathlib import Path

from ._common import UsageError, data_arg, day, force_arg, load, only_force


def register(sub) -> None:
    sp = sub.add_parser("export", help="GeoJSON / GeoPackage / CSV of a day's posture or of the timeline")
    data_arg(sp)
    sp.add_argument("--date", type=day, help="the day the posture refers to, YYYY-MM-DD")
    sp.add_argument("--timeline", action="store_true", help="every state interval with start/end")
    sp.add_argument("--known-on", type=day, help="hide sources published after this day (default: all)")
    sp.add_argument("--until", type=day, help="with --timeline: end of the last intervals (default: day after the last change)")
    sp.add_argument("--as-planned", action="store_true",
                    help="with --date: a projection, what the plans known on --known-on said the posture "
                         "would be (labelled as such in the file)")
    force_arg(sp)
    sp.add_argument("-o", "--output", help="file to write (.geojson, .gpkg, .csv); stdout GeoJSON if omitted")
    sp.set_defaults(func=run)


def run(args) -> int:
    from .. import export
    from ..posture import snapshot

    ds = only_force(load(args), args.force)
    if args.timeline == (args.date is not None):
        raise UsageError("give either --date YYYY-MM-DD (the posture on a day) or --timeline (every interval)")
    if args.as_planned and args.timeline:
        raise UsageError("--as-planned is a projection for one day: use it with --date, not --timeline")
    if args.timeline:
        fc = export.timeline_geojson(ds, known_on=args.known_on, until=args.until)
    else:
        fc = export.snapshot_geojson(snapshot(ds, args.date, args.known_on, as_planned=args.as_planned),
                                     ds.sources)
    if args.output is None:
        # The same bytes as a .geojson file. json.dumps with an indent is pure Python: a
        # timeline at 1,000 places took 26 s and 2.7 GB to stdout, 12 s and 0.8 GB to a file.
        data = export.geojson_bytes(fc)
        out = getattr(sys.stdout, "buffer", None)
        if out is None:   # a text-only stream put in place of stdout
            sys.stdout.write(data.decode("utf-8"))
        else:
            sys.stdout.flush()
            out.write(data)
            out.flush()
        return 0
    suffix = Path(args.output).suffix.lower()
    if suffix not in export.FORMATS:
        raise UsageError(f"cannot tell the format of {args.output!r}: use one of "
                         f"{', '.join(export.FORMATS)} as the file's extension")
    path = export.write(fc, args.output)
    print(f"wrote {path} ({len(fc['features'])} features)", file=sys.stderr)
    return 0
