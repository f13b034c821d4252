"""Escaped HTML for the map's tooltips and popups and for the claim-history panel.

Every text that comes from the data (names, outlets, quotes, URLs) passes through
:func:`esc` before it reaches HTML. :func:`esc` escapes more than ``html.escape``: a
backtick, a dollar sign and a backslash become character references too, because
folium's own Tooltip/Popup templates paste HTML into a JavaScript template literal,
where ``${...}`` would run. The map code in :mod:`geo.mapview` hands these strings to
Leaflet through ``|tojson`` instead, so either route is safe.

Links are only written for ``http(s)://`` URLs: ``html.escape`` leaves a
``javascript:`` URL working, so any other scheme is shown as text, never linked.

Pure: no Streamlit. The dashboard renders :func:`place_panel_html` beside the map; the
static HTML export carries the same text in the popups.
"""
from __future__ import annotations

import datetime as dt
import re

from .dates import age_label
from .model import Claim, Dataset, Movement, Place, Source
from . import style
from .style import CONFLICT_COLOUR, status_colour, status_label
from .textsafe import html_text

#: Hidden marker in a tooltip that tells the dashboard which place was clicked.
#: streamlit-folium returns a clicked layer's tooltip as its text content, which keeps
#: hidden text, so the id survives while the reader never sees it.
_ID_MARK = "\u2063place:{}\u2063"
_PLACE_ID = "([a-z0-9][a-z0-9-]*)"
_ID_RE = re.compile(_ID_MARK.format(_PLACE_ID))

#: How many decimals and which MGRS precision a place's precision deserves: printing
#: a region's point to the metre would claim an accuracy the data does not have.
COORD_DECIMALS = {"facility": 4, "town": 3, "city": 2, "region": 1, "country": 1}
MGRS_DIGITS = {"facility": 3, "town": 2, "city": 2, "region": 1, "country": 0}
MGRS_RESOLUTION = {0: "100 km", 1: "10 km", 2: "1 km", 3: "100 m", 4: "10 m", 5: "1 m"}


def esc(value: object) -> str:
    """HTML-escape ``value`` so it is safe as element text, as an attribute value, inside
    a JavaScript template literal and inside a template branca compiles again
    (:func:`geo.textsafe.html_text`: the one escaping every renderer shares).

    >>> esc('<b onclick="x">`${1}`\\\\</b>')
    '&lt;b onclick=&quot;x&quot;&gt;&#96;&#36;&#123;1&#125;&#96;&#92;&lt;/b&gt;'
    """
    return html_text(value)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else None (never link ``javascript:`` etc.)."""
    if url and re.match(r"^https?://[^\s<>\"']+$", url.strip(), re.I):
        return url.strip()
    return None


def link(url: str | None, text: str) -> str:
    """An escaped external link, or the escaped text alone when the URL is not http(s)."""
    ok = safe_url(url)
    if ok is None:
        return esc(text)
    return f'<a href="{esc(ok)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def place_id_from_tooltip(text: str | None) -> str | None:
    """The place id hidden in a clicked tooltip's text, or None."""
    m = _ID_RE.search(text or "")
    return m.group(1) if m else None


def id_mark(place_id: str) -> str:
    """The hidden id for a tooltip (see :data:`_ID_MARK`); ids are slugs, escaped anyway."""
    return f'<span style="display:none">{esc(_ID_MARK.format(place_id))}</span>'


def day_label(day: dt.date | None) -> str:
    return "—" if day is None else f"{day.day} {day:%b %Y}"


def basis_badge(basis: str | None) -> str:
    if basis is None:
        return ""
    cls = "pa-plan" if basis == "plan" else "pa-report"
    return f'<span class="pa-badge {cls}">{esc(basis.upper())}</span>'


def status_chip(status: str | None) -> str:
    colour = status_colour(status)
    return (f'<span class="pa-chip" style="background:{esc(colour)}"></span>'
            f'{esc(status_label(status))}')


def coordinates(place: Place) -> tuple[str, str]:
    """(lat/lon text, MGRS text), rounded to what the place's precision supports."""
    nd = COORD_DECIMALS.get(place.precision, 2)
    ns = "N" if place.lat >= 0 else "S"
    ew = "E" if place.lon >= 0 else "W"
    latlon = f"{abs(place.lat):.{nd}f}° {ns}, {abs(place.lon):.{nd}f}° {ew}"
    digits = MGRS_DIGITS.get(place.precision, 2)
    try:
        import mgrs

        raw = mgrs.MGRS().toMGRS(place.lat, place.lon, MGRSPrecision=digits)
        if isinstance(raw, bytes):
            raw = raw.decode("ascii")
        # 38SKC630413 -> 38S KC 630 413: the grouping a reader copies onto a map sheet
        head, tail = raw[:5], raw[5:]
        half = len(tail) // 2
        grid = " ".join(p for p in (head[:3], head[3:5], tail[:half], tail[half:]) if p)
        grid += f" (to {MGRS_RESOLUTION[digits]})"
    except Exception as exc:  # noqa: BLE001 - MGRS is a convenience; never break the panel
        grid = f"unavailable ({exc})"
    return latlon, grid


def _source_line(src: Source | None) -> str:
    if src is None:
        return "unknown source"
    inferred = " (date inferred)" if src.published_inferred else ""
    return f"{link(src.url, src.outlet)}, {esc(day_label(src.published))}{esc(inferred)}"


def claim_text(c: Claim) -> str:
    """'about 2,500 · present · report · Aug 2025' as plain text (escape before use)."""
    return f"{c.figure_text()} · {status_label(c.status)} · {c.basis} · {c.date.label()}"


def claim_block(c: Claim, ds_sources: dict[str, Source], places: dict[str, Place] | None = None,
                flag: str = "") -> str:
    """One claim as HTML: figure, status, basis, date, group members, outlet, quote."""
    members = ""
    if c.is_group and places is not None:
        names = ", ".join(places[p].name if p in places else p for p in c.places)
        members = f'<div class="pa-members">one figure for {esc(names)} together</div>'
    flag_html = f'<span class="pa-flag">{esc(flag)}</span> ' if flag else ""
    unchecked = "" if c.quote_checked else ' <span class="pa-muted">(quote not checked against the article)</span>'
    return (
        f'<div class="pa-claim">{flag_html}<b>{esc(c.figure_text())}</b> · '
        f'{status_chip(c.status)} {basis_badge(c.basis)} · {esc(c.date.label())}{members}'
        f'<div class="pa-src">{_source_line(ds_sources.get(c.source))}</div>'
        f'<q class="pa-quote">{esc(c.quote)}</q>{unchecked}</div>'
    )


# ---------------------------------------------------------------- tooltips, popups

def place_tooltip(name: str, place_id: str, lines: list[str]) -> str:
    """Short hover text: bold name, then plain lines; carries the hidden place id."""
    return tooltip_from_parts([esc(name), *(esc(line) for line in lines if line), place_id])


def tooltip_from_parts(parts: list[str]) -> str:
    """A place tooltip from its parts ([escaped name, escaped line, ..., place id]): the
    one way it is put together, here and, written again in JavaScript, by
    ``tooltipFrom`` in ``static/js/posture-atlas-map.js`` (a browser test holds the two
    equal)."""
    return f"<b>{parts[0]}</b>" + "".join(f"<br>{line}" for line in parts[1:-1]) + id_mark(parts[-1])


#: A tooltip as :func:`tooltip_from_parts` writes it. Its texts are escaped (no "<" in
#: them), so the form reads back unambiguously.
_TOOLTIP_FORM = re.compile("<b>([^<]*)</b>((?:<br>[^<]*)*)"
                           + re.escape(id_mark("ID")).replace("ID", _PLACE_ID) + r"\Z")


def tooltip_parts(tooltip: str) -> list[str] | None:
    """A place tooltip as its parts ([name, line, ..., place id]), or None for any other
    text. The map sends a place tooltip so (geo.mapview.Shapes): its markup stays out of
    the JSON, where each ``<`` and ``>`` is written as ``\\u003c`` and escaped once more
    by Streamlit (at 1,000 places ~1,300 tooltips, ~150 KB a date). Only a tooltip that
    the parts give back exactly counts.

    >>> tooltip_parts(place_tooltip("Erbil", "erbil", ["about 2,500"]))
    ['Erbil', 'about 2,500', 'erbil']
    """
    m = _TOOLTIP_FORM.match(tooltip)
    if m is None:
        return None
    parts = [m[1], *m[2].split("<br>")[1:], m[3]]
    return parts if tooltip_from_parts(parts) == tooltip else None


def popup_html(title: str, claims: list[tuple[Claim, str]], ds_sources: dict[str, Source],
               places: dict[str, Place] | None = None, note: str = "") -> str:
    """Popup body: a title, an optional note, and claims each with an optional flag."""
    parts = [f'<div class="pa-pop"><div class="pa-pop-title">{esc(title)}</div>']
    if note:
        parts.append(f'<div class="pa-note">{esc(note)}</div>')
    parts += [claim_block(c, ds_sources, places, flag) for c, flag in claims]
    parts.append("</div>")
    return "".join(parts)


def movement_popup(m: Movement, origin: Place, destination: Place, src: Source) -> str:
    period = f"{m.start.label()} – {m.end.label()}"
    return (
        f'<div class="pa-pop"><div class="pa-pop-title">{esc(origin.name)} → {esc(destination.name)}</div>'
        f'<div class="pa-claim"><b>{esc(m.figure_text())}</b> {basis_badge(m.basis)} · {esc(period)}'
        f'<div class="pa-src">{_source_line(src)}</div><q class="pa-quote">{esc(m.quote)}</q></div></div>'
    )


# ------------------------------------------------------------------ side panel

PANEL_CSS = f"""
<style>
.pa-panel {{ font-size: 0.9rem; line-height: 1.35; }}
.pa-panel h4 {{ margin: 0 0 .2rem 0; font-size: 1.1rem; }}
.pa-panel .pa-muted, .pa-pop .pa-muted {{ color: #666; }}
.pa-panel table {{ border-collapse: collapse; width: 100%; font-size: .82rem; }}
.pa-panel td, .pa-panel th {{ border-top: 1px solid #ddd; padding: .25rem .3rem; vertical-align: top; text-align: left; }}
.pa-panel tr.pa-inforce td {{ background: #eef4fa; }}
.pa-panel tr.pa-future td {{ color: #666; }}
.pa-badge {{ display: inline-block; font-size: .7rem; font-weight: 700; padding: 0 .3rem; border-radius: 3px; border: 1px solid #444; }}
.pa-badge.pa-plan {{ border-style: dashed; background: #fff; }}
.pa-badge.pa-report {{ background: #444; color: #fff; }}
.pa-chip {{ display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .25rem; vertical-align: -1px; border: 1px solid #444; }}
.pa-flag {{ color: {style.WARN_TEXT_COLOUR}; font-weight: 700; }}
.pa-warn {{ border-left: 4px solid {CONFLICT_COLOUR}; padding: .2rem .5rem; margin: .4rem 0; background: #fff8ec; }}
.pa-quote {{ display: block; font-style: italic; color: #333; margin-top: .15rem; }}
.pa-claim {{ margin: .3rem 0; }}
.pa-src {{ font-size: .8rem; color: #444; }}
</style>
"""


def place_panel_html(ps, ds: Dataset, on: dt.date, known_on: dt.date, group=None) -> str:
    """The claim history of one place, for the column beside the map.

    ``ps`` is the place's :class:`geo.posture.PlaceState` in the full snapshot (plans
    included); ``group`` the :class:`geo.posture.GroupState` whose figure it shares, if
    any. The claim in force is marked; conflicting and contradicting claims are flagged;
    claims dated after the chosen day are listed as upcoming.
    """
    place = ps.place
    latlon, grid = coordinates(place)
    precision = place.precision + (" — location imprecise" if place.imprecise else "")
    out = [PANEL_CSS, '<div class="pa-panel">',
           f"<h4>{esc(place.name)}</h4>",
           f'<div class="pa-muted">{esc(place.kind)} · {esc(place.country)} · precision: {esc(precision)}</div>',
           f"<div>{esc(latlon)}<br>MGRS {esc(grid)}</div>"]
    if place.coord_source:
        out.append(f'<div class="pa-muted">coordinates: {esc(place.coord_source)}</div>')

    head = f"On {day_label(on)}, as known on {day_label(known_on)}"
    out.append(f"<p><b>{esc(head)}</b><br>")
    if ps.claim is None:
        out.append("No claim in force yet for this place.</p>")
    else:
        fig_claim = getattr(ps, "figure_claim", ps.claim)
        age = ps.age_days or 0
        out.append(f"{status_chip(ps.status)} {basis_badge(ps.basis)} — {esc(ps.figure_text())}"
                   f" <span class='pa-muted'>(claim dated {esc(ps.claim.date.label())}, "
                   f"{esc(age_label(age))} before the chosen day)</span>")
        if fig_claim is not None and fig_claim is not ps.claim:
            out.append(f"<br><span class='pa-muted'>figure from another claim, dated "
                       f"{esc(fig_claim.date.label())}: {esc(fig_claim.figure_text())}</span> "
                       f"{basis_badge(fig_claim.basis)}")
        out.append("</p>")
        if group is not None:
            names = ", ".join(p.name for p in group.places)
            out.append(f'<div class="pa-warn">One figure for {esc(names)} together: '
                       f'<b>{esc(group.claim.figure_text())}</b>. It is never split between them.</div>')
        if ps.basis == "plan" and ps.last_report is not None and ps.last_report is not ps.claim:
            lr = ps.last_report
            out.append(f"<div class='pa-muted'>Last report before this plan: {esc(claim_text(lr))}</div>")
    if ps.conflicts:
        out.append(f'<div class="pa-warn">⚠ Sources disagree about this place for overlapping dates '
                   f'({len(ps.conflicts) + 1} claims; both kept, not averaged):')
        out.append(claim_block(ps.claim, ds.sources, ds.places, "in force"))
        out += [claim_block(c, ds.sources, ds.places, "conflicts") for c in ps.conflicts]
        out.append("</div>")
    if ps.contradicted_by:
        out.append('<div class="pa-warn">⚠ The plan in force was contradicted by later reporting:')
        out += [claim_block(c, ds.sources, ds.places, "contradicts the plan") for c in ps.contradicted_by]
        out.append("</div>")
    plan = getattr(ps, "plan", None)
    if plan is not None:
        from .posture import PLAN_STATE_LABELS, settle_text

        state = PLAN_STATE_LABELS[plan.state]
        if plan.state == "overdue" and not plan.news_since_due:
            state += ", no source published since"
        due = (f"due {plan.claim.date.label()}" if plan.has_deadline
               else f"no deadline (said {plan.claim.date.label()})")
        out.append(f'<div><b>Plan in force</b> · {esc(due)} · <b>{esc(state)}</b>')
        if plan.settled_by is not None:
            out.append(f"<br><span class='pa-muted'>{esc(settle_text(plan.state, plan.settled_on, plan.due_end, plan.settled_by, ds.sources))}</span>")
        elif plan.hindsight is not None:
            out.append(f"<br><span class='pa-muted'>Known later: {esc(plan.hindsight_text(ds.sources))}</span>")
        out.append(claim_block(plan.claim, ds.sources, ds.places, "plan"))
        out.append("</div>")
    moves = list(getattr(ps, "outgoing", ())) + list(getattr(ps, "incoming", ()))
    if moves:
        out.append("<div><b>Movements active on the chosen day</b><ul>")
        for m in moves:
            frm = ds.places[m.from_place].name if m.from_place in ds.places else m.from_place
            to = ds.places[m.to_place].name if m.to_place in ds.places else m.to_place
            out.append(f"<li>{esc(frm)} → {esc(to)}: {esc(m.figure_text())} {basis_badge(m.basis)} "
                       f"({esc(m.start.label())} – {esc(m.end.label())}), "
                       f"{_source_line(ds.sources.get(m.source))}</li>")
        out.append("</ul></div>")

    out.append(_history_table(ps, ds, on))
    out.append("</div>")
    return "".join(out)


def _history_table(ps, ds: Dataset, on: dt.date) -> str:
    conflict_ids = {c.id for c in ps.conflicts}
    against_plan = {c.id for c in ps.contradicted_by}            # later claims against the plan in force
    overturned = {c.id for c in getattr(ps, "contradicts", ())}   # plans the claim in force overturns
    fig = getattr(ps, "figure_claim", None)
    rows = ['<p><b>Claim history</b> <span class="pa-muted">(every source known on the chosen '
            '“as known on” day; ▶ = in force)</span></p><table><tr><th>date</th><th>figure</th>'
            '<th>plan / report</th><th>source and verbatim quote</th></tr>']
    for c in ps.history:
        marks = []
        cls = ""
        if ps.claim is not None and c.id == ps.claim.id:
            marks.append("▶ in force")
            cls = "pa-inforce"
        elif fig is not None and c.id == fig.id:
            marks.append("▶ figure in force")
            cls = "pa-inforce"
        if c.id in conflict_ids:
            marks.append("⚠ conflicts")
        if c.id in against_plan:
            marks.append("⚠ contradicts the plan in force")
        if c.id in overturned:
            marks.append("⚠ plan overturned by the claim in force")
        if c.date.start > on:
            marks.append("upcoming" if c.basis == "plan" else "later")
            cls = cls or "pa-future"
        if c.is_group:
            names = ", ".join(ds.places[p].name if p in ds.places else p for p in c.places)
            group_note = f'<div class="pa-muted">one figure for {esc(names)}</div>'
        else:
            group_note = ""
        flag = f'<div class="pa-flag">{esc(" · ".join(marks))}</div>' if marks else ""
        unchecked = "" if c.quote_checked else ' <span class="pa-muted">(quote not checked)</span>'
        rows.append(
            f'<tr class="{cls}"><td>{esc(c.date.label())}{flag}</td>'
            f"<td><b>{esc(c.figure_text())}</b><br>{status_chip(c.status)}{group_note}</td>"
            f"<td>{basis_badge(c.basis)}</td>"
            f'<td>{_source_line(ds.sources.get(c.source))}<q class="pa-quote">{esc(c.quote)}</q>{unchecked}</td></tr>')
    rows.append("</table>")
    return "".join(rows)


#: The strip's box (px): its height, its margin at each side and below it. The chosen
#: day's mark (:func:`chosen_day_html`) is drawn over it from outside, so both read these.
_STRIP_HEIGHT_PX, _STRIP_SIDE_PX, _STRIP_FOOT_PX = 26, 8, 2
#: How far down the strip the chosen day's mark starts (px), below the phase bands.
_DAY_MARK_DOWN_PX = 14


def _strip_pct(day: dt.date, first: dt.date, last: dt.date) -> float:
    """Where ``day`` falls along the strip, in % of its width (clamped to its ends)."""
    span = max((last - first).days, 1)
    return round(100 * min(max((day - first).days, 0), span) / span, 2)


def milestone_strip_html(stops, first: dt.date, last: dt.date,
                         latest_source: dt.date | None, phases=()) -> str:
    """A thin bar under the date slider: phases as bands, milestones as ticks (hover for
    the label), and the stretch after the newest source hatched so the end of the data is
    never silent. ``stops``: objects with ``day``, ``label``, ``kind``.

    The chosen day is not in it (:func:`chosen_day_html`, drawn over it): this bar is the
    same on every date, so the page can keep it as it is while the slider moves."""
    def pct(day: dt.date) -> float:
        return _strip_pct(day, first, last)

    parts = [f'<div class="pa-strip" style="position:relative;height:{_STRIP_HEIGHT_PX}px;'
             f'margin:-6px {_STRIP_SIDE_PX}px {_STRIP_FOOT_PX}px {_STRIP_SIDE_PX}px;'
             'font-size:10px;color:#444">']
    shades = ("#e8eef5", "#eef5ea", "#f5efe6")
    for i, p in enumerate(phases):
        end = p.end or last
        parts.append(f'<div title="{esc(p.name)}: {esc(day_label(p.start))} – {esc(day_label(p.end))}" '
                     f'style="position:absolute;left:{pct(p.start)}%;width:{max(pct(end) - pct(p.start), 0.3)}%;'
                     f'top:0;height:12px;background:{shades[i % 3]};border-right:1px solid #fff;overflow:hidden;'
                     f'white-space:nowrap;padding-left:2px">{esc(p.name)}</div>')
    if latest_source is not None and latest_source < last:
        parts.append(f'<div title="no source after {esc(day_label(latest_source))}" style="position:absolute;'
                     f'left:{pct(latest_source)}%;right:0;top:0;height:12px;background:repeating-linear-gradient('
                     f'45deg,#ddd 0 4px,#fff 4px 8px);text-align:center;white-space:nowrap;overflow:hidden">'
                     f'no sources after {esc(day_label(latest_source))}</div>')
    for s in stops:
        colour = "#888" if s.kind == "phase" else "#1f4e79"
        parts.append(f'<div title="{esc(day_label(s.day))}: {esc(s.label)}" style="position:absolute;'
                     f'left:calc({pct(s.day)}% - 1px);top:12px;width:3px;height:10px;background:{colour}"></div>')
    parts.append("</div>")
    return "".join(parts)


def chosen_day_html(on: dt.date, first: dt.date, last: dt.date) -> str:
    """The chosen day on the milestone strip: a red mark drawn over the strip from a box of
    no height just under it (the dashboard's CSS takes away the gap between the two).
    Kept apart from :func:`milestone_strip_html` so a new date sends and redraws only
    this: at 1,000 places the strip is 33 KB of HTML that the browser sanitised and
    inserted again on every date (issue 11)."""
    # its box starts where the strip's block ends: the mark goes back up the strip's
    # height and foot margin, then down to where it stood when it was drawn inside it
    top = _DAY_MARK_DOWN_PX - (_STRIP_HEIGHT_PX + _STRIP_FOOT_PX)
    return (f'<div class="pa-strip-day" style="position:relative;height:0;margin:0 {_STRIP_SIDE_PX}px">'
            f'<div title="chosen day {esc(day_label(on))}" style="position:absolute;'
            f'left:calc({_strip_pct(on, first, last)}% - 5px);top:{top}px;width:0;height:0;'
            f'border-left:5px solid transparent;border-right:5px solid transparent;'
            f'border-bottom:9px solid #c00"></div></div>')
