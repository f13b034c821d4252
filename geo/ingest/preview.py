"""What the review would change: the map on a claim's date with and without the new rows,
and the article text with its matches highlighted (escaped HTML)."""
from __future__ import annotations

import datetime as dt
import html

from ..dates import parse_fuzzy
from ..model import Dataset

_COLOURS = {"place": "#cfe8ff", "figure": "#ffe0a3", "date": "#d8f5c8", "cue": "#eadcff"}


def highlight_html(text: str, highlights: list[tuple[int, int, str]]) -> str:
    """The text as HTML with each match in a ``<mark class="pa-KIND">``; every character
    of the article is escaped, so markup in it is shown, never run."""
    out, pos = [], 0
    for start, end, what in sorted(highlights):
        if start < pos or end <= start:
            continue
        out.append(html.escape(text[pos:start]))
        colour = _COLOURS.get(what, "#eee")
        out.append(f'<mark class="pa-{html.escape(what)}" style="background:{colour}">'
                   f"{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out).replace("\n", "<br>")
    return f'<div class="pa-article" style="white-space:normal;line-height:1.5">{body}</div>'


def claim_days(rows: list[dict]) -> list[dt.date]:
    """The days to compare on: each new claim's date (its end for a plan: due at the end
    of its period), each new movement's start."""
    days = set()
    for r in rows:
        try:
            if r.get("kind") == "claim":
                fz = parse_fuzzy(str(r.get("date", "")), str(r.get("date_precision", "")))
                days.add(fz.end if r.get("basis") == "plan" else fz.start)
            elif r.get("kind") == "movement":
                days.add(parse_fuzzy(str(r.get("start", "")), str(r.get("start_precision", ""))).start)
        except ValueError:
            continue
    return sorted(days)


def map_changes(before: Dataset, after: Dataset, day: dt.date) -> list[dict]:
    """Places whose map feature differs on ``day`` (known on the latest source), from the
    documented GeoJSON properties ``name``, ``figure``, ``status``, ``basis``."""
    from ..export import snapshot_geojson
    from ..posture import snapshot

    known = max(filter(None, (after.latest_published, day)))

    def features(ds):
        fc = snapshot_geojson(snapshot(ds, day, known))
        return {f["properties"].get("id") or f.get("id"): f["properties"] for f in fc["features"]
                if f["properties"].get("layer") != "movement"}

    old, new = features(before), features(after)
    out = []
    for fid in sorted(set(old) | set(new)):
        a, b = old.get(fid, {}), new.get(fid, {})
        keys = ("figure", "status", "basis")
        if any(a.get(k) != b.get(k) for k in keys):
            out.append({"day": day.isoformat(), "place": b.get("name") or a.get("name") or fid,
                        "before": " · ".join(str(a.get(k) or "—") for k in keys) if a else "not on the map",
                        "after": " · ".join(str(b.get(k) or "—") for k in keys) if b else "not on the map"})
    return out
