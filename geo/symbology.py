"""One symbology: a snapshot turned into marks that any backend can draw.

The live map (:mod:`geo.mapview`, Leaflet through folium) and the static images
(:mod:`geo.render`, matplotlib) both used to decide what a place looks like; their
rings, arrows and legends drifted apart. Here the decision is made once:

* :func:`marker_specs` — one :class:`MarkerSpec` per place or group figure (what it is:
  kind, colour, radii, opacity, dash, label parts, tooltip, popup);
* :func:`marker_marks` — the circles of one marker, outermost first (:class:`Disc`);
* :func:`join_marks` and :func:`movement_marks` — dotted group joins and movement
  arrows (:class:`Line`, :class:`Arrow`), sized in screen pixels through a
  ``px_per_deg(lat)`` the backend supplies (Web Mercator at a zoom for Leaflet, the
  page's scale for matplotlib);
* :func:`legend_rows` — every legend row with its symbol as marks in a small local
  frame (px, y down) and the mark kinds it explains, so a test can check that the
  legend covers everything drawn.

A backend only translates: a :class:`Disc` is a Leaflet ``circleMarker`` or a
matplotlib ``Circle`` sized in points; a dash is a Leaflet ``dashArray`` string in px
(matplotlib converts it with the line's width). Every constant comes from
:mod:`geo.style`. Pure: no folium, no matplotlib, no streamlit. The one state it holds
is a cache that changes no output: the specs last made for the last few datasets drawn
(:func:`_kept_spec`), so a slider step rebuilds only the marks that changed.
"""
from __future__ import annotations

import math
import operator
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Callable

from . import style
from .popup import place_tooltip, popup_html

# ------------------------------------------------------------------------ marks


@dataclass(frozen=True)
class Disc:
    """A circle sized on the screen (radius in px), centred on a point."""

    legend: str                   # the legend row that explains it (see legend_rows)
    part: str                     # imprecise | conflict | range | core | main | selected
    radius: float                 # px
    stroke: str
    weight: float                 # px
    opacity: float                # of the stroke
    fill: str | None = None       # None: no fill
    fill_opacity: float = 0.0
    dash: str | None = None       # Leaflet dashArray, px


@dataclass(frozen=True)
class Line:
    legend: str
    points: tuple[tuple[float, float], ...]   # (lat, lon)
    colour: str
    weight: float
    opacity: float = 1.0
    dash: str | None = None
    cap: str = "butt"             # butt | round


@dataclass(frozen=True)
class Arrow:
    """A movement: the shaft (an arc trimmed at both markers), its head and its figure."""

    legend: str                   # movement | movement-plan
    key: str
    shaft: tuple[tuple[float, float], ...]    # (lat, lon), ends at the head's base
    path: tuple[tuple[float, float], ...]     # the whole arc, head included (for hit boxes)
    head: tuple[tuple[float, float], ...]     # (lat, lon) triangle
    plan: bool
    colour: str = style.MOVEMENT_COLOUR
    weight: float = style.MOVE_WEIGHT_PX
    dash: str | None = None
    head_fill: str = style.MOVEMENT_COLOUR
    label: tuple[tuple[str, str], ...] = ()   # (text, role) parts, empty without a figure


@dataclass(frozen=True)
class Tag:
    """Words drawn as a mark, in a label role's type (:data:`geo.style.LABEL_ROLES`): the
    numbered callout's box, a force's name in a label. ``centre`` (x, y) px in the
    legend row's local frame; ``boxed`` draws the callout's box around it."""

    legend: str
    text: str
    role: str
    centre: tuple[float, float]
    boxed: bool = False

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) px of the callout box: the live map's .pa-callout (min 15 px
        wide, 15 px line, 3 px padding), from the text's length at the role's size."""
        size = style.LABEL_ROLES[self.role][0]
        w = max(15.0, 0.62 * size * len(self.text) + 6)
        x, y = self.centre
        return (x - w / 2, y - 7.5, x + w / 2, y + 7.5)


# ------------------------------------------------------------------ marker specs

@dataclass(frozen=True)
class MarkerSpec:
    """How one place or one group figure is drawn; pure data, drawn by both backends."""

    key: str                     # place id, or group id
    kind: str                    # figure | nofigure | member | withdrawn | group | noclaim
    place_id: str                # the place a click selects (a group: its first member)
    name: str
    lat: float
    lon: float
    status: str | None
    basis: str | None
    colour: str
    radius: float                # outer edge of what is drawn, px
    inner: float | None          # certain-minimum disc, px
    outer: float | None          # maximum ring, px
    opacity: float
    dashed: bool
    imprecise: bool
    conflict: bool
    figure: str
    label_parts: tuple[tuple[str, str], ...]   # (text, role), one part per line
    tooltip: str
    popup: str
    members: tuple[tuple[float, float], ...] = ()
    priority: float = 0.0
    #: the plan in force beside the report, drawn as a ghost: a dashed outline at the
    #: planned size (px; None: no ghost), in the plan's status colour
    ghost: float | None = None
    ghost_colour: str = style.NO_FIGURE_COLOUR

    @property
    def label_lines(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.label_parts)


def short_name(name: str) -> str:
    """Map label form: 'Victory Base Complex / Baghdad …' -> 'Victory Base Complex'."""
    head = name.split(" / ")[0]
    if head.endswith(")") and " (" in head:
        head = head[: head.rindex(" (")]
    return head


def _age_note(age: int | None) -> str:
    from .dates import age_label

    if age is None:
        return ""
    return "current" if age <= style.FRESH_DAYS else f"{age_label(age)} old"


def _dated(figure: str, claim) -> str:
    """'250–350 · Aug 2025': every figure says when it was true."""
    if claim is None or not figure:
        return figure
    return f"{figure} · {claim.date.label()}"


def force_note(claim) -> str:
    """'' for US troops (the default); 'coalition' or a nation's ISO code otherwise."""
    force = getattr(claim, "force", "US") or "US"
    return "" if force == "US" else ("coalition" if force == "coalition" else force)


def _with_force(figure: str, claim) -> str:
    note = force_note(claim)
    return f"{figure} {note}" if note and figure else figure


def plan_tag(plan) -> str:
    """'plan: closure by 15 Sep 2025 · overdue' for a PlanState (geo.posture, v2)."""
    c = plan.claim
    what = ("closure" if c.troops_max == 0 or c.status == "withdrawn"
            else _with_force(c.figure_text(), c) if (c.troops_min is not None or c.troops_max is not None)
            else style.status_label(c.status).lower())
    state = plan.state_text() if hasattr(plan, "state_text") else str(plan.state)
    if state == "overdue" and not getattr(plan, "news_since_due", True):
        # nothing known was published after the deadline: late, or just not yet reported
        state = "overdue, no source since"
    if not getattr(plan, "has_deadline", True):
        # dated to its own announcement: no deadline to be late for
        return f"plan: {what} (no deadline, said {c.date.label()}) · {state}"
    return f"plan: {what} by {c.date.label()} · {state}"


#: plan states drawn as a ghost beside the report: still open (a settled plan is history)
GHOST_STATES = ("pending", "overdue")


def _plan_state(plan) -> str:
    return str(getattr(plan.state, "value", plan.state))


def marker_specs(snap, *, show_plans: bool = True, sources=None, places=None,
                 popups: bool = True) -> list[MarkerSpec]:
    """One spec per place in the snapshot (claim in force or named by a movement) and one
    per group figure. ``sources``/``places`` (the dataset's dicts) enrich popups.
    ``popups=False``: every ``popup`` is "" (a map drawn without popups need not build
    a thousand of them)."""
    sources = sources or {s.id: s for s in snap.sources}
    places = places or {}
    specs: list[MarkerSpec] = []
    groups = {g.id: g for g in snap.groups}
    kept = _kept_for(snap) if not popups else None
    for ps in snap.places:
        if not show_plans and ps.basis == "plan":
            continue
        specs.append(_place_spec(ps, groups, sources, places, True) if popups
                     else _kept_place_spec(kept, ps, groups, sources, places))
    for g in tuple(snap.groups) + (tuple(getattr(snap, "plan_groups", ())) if show_plans else ()):
        if not show_plans and g.claim.basis == "plan":
            continue
        specs.append(_group_spec(g, sources, places, True) if popups else _kept_group_spec(kept, g, sources, places))
    # Big first: both backends draw in order, so small markers stay on top (and clickable).
    specs.sort(key=lambda s: (-s.radius, s.key))
    return specs


def _place_opacity(ps, kind: str) -> float:
    """How faded a place's marker is: by the age of the figure it draws (a sized or an
    area marker), else by the age of the report in force."""
    age = ps.age_days
    if kind in ("figure", "area"):
        age = getattr(ps, "figure_age_days", age)
    return style.age_opacity(age)


def _group_opacity(g) -> float:
    """How faded a group figure's marker is: by the age of its claim."""
    return style.age_opacity(getattr(g, "age_days", None))


#: The fields of a day's state (geo.posture's PlaceState and GroupState) that change
#: from one day to the next within one state interval, the interval's state being kept
#: with its day set anew. A spec reads none of them except through the age, which
#: :func:`_kept_spec` keys on.
_DAY_FIELDS = frozenset({"on", "incoming", "outgoing"})
_STATE_FIELDS: dict[type, Callable | None] = {}
#: For each of the last few datasets (by their sources' dict, which a dataset's views
#: share: reports only, one force), (kind, id) -> (the state, what else the spec read,
#: the spec): the last spec made for each place and group figure, so a slider step to
#: the next day rebuilds only the marks that changed. A kept state holds its place's
#: claims: a dataset dropped (another folder opened, a save) is let go of once
#: _KEPT_DATASETS newer ones have been drawn, or at once by :func:`forget_kept`.
_KEPT: OrderedDict[int, tuple[object, dict]] = OrderedDict()
_KEPT_DATASETS = 4
_KEPT_LOCK = threading.Lock()


def _kept_for(snap) -> dict:
    """The kept specs of ``snap``'s dataset."""
    catalogue = getattr(snap, "catalogue", None)
    with _KEPT_LOCK:   # an OrderedDict's reordering is not safe across the server's threads
        held = _KEPT.get(id(catalogue))
        if held is not None and held[0] is catalogue:
            _KEPT.move_to_end(id(catalogue))
            return held[1]
        kept: dict = {}
        _KEPT[id(catalogue)] = (catalogue, kept)
        while len(_KEPT) > _KEPT_DATASETS:
            _KEPT.popitem(last=False)
        return kept


def forget_kept() -> None:
    """Let go of every kept spec (ui.cache.invalidate: the data files changed)."""
    with _KEPT_LOCK:
        _KEPT.clear()


def _state_getter(kind: type) -> Callable | None:
    """A function giving a state's fields but the day's, as a tuple (None: not a state)."""
    if kind not in _STATE_FIELDS:
        names = getattr(kind, "_fields", None)
        if names is not None:   # a named tuple: by position
            idx = [i for i, f in enumerate(names) if f not in _DAY_FIELDS]
            get = operator.itemgetter(*idx) if len(idx) > 1 else None
        else:
            names = [f for f in getattr(kind, "__dataclass_fields__", {}) if f not in _DAY_FIELDS]
            get = operator.attrgetter(*names) if len(names) > 1 else None
        _STATE_FIELDS[kind] = get
    return _STATE_FIELDS[kind]


def _same(x, y) -> bool:
    # identity: as cheap as it is strict. A tuple (a group's current members) may be
    # built anew each day from the same objects.
    return x is y or (type(x) is tuple and type(y) is tuple and len(x) == len(y)
                      and all(map(operator.is_, x, y)))


def _same_state(a, b) -> bool:
    """Are ``a`` and ``b`` the same state interval, whatever their day? The same objects
    in every field but the day's."""
    if type(a) is not type(b):
        return False
    get = _state_getter(type(a))
    if get is None:
        return False
    x, y = get(a), get(b)
    return all(map(operator.is_, x, y)) or all(map(_same, x, y))


def _kept_spec(kept: dict, key: tuple[str, str], state, read: tuple, make: Callable[[], MarkerSpec],
               opacity: Callable[[MarkerSpec], float]) -> MarkerSpec:
    """``make()``, or the spec last made for ``key`` when its state is the same interval
    (:func:`_same_state`) and everything else it read (``read``: the words of its age,
    a group's figure and names) is equal; then only ``opacity(spec)``, which follows the
    age day by day, is set anew. At 1,000 places about 19 in 20 marks are unchanged from
    one day to the next, and making their specs was the largest part of a slider step's
    rebuild (issue 11). Only for specs without popups: a popup reads the dataset's
    sources and places, which are not part of the key."""
    held = kept.get(key)
    if held is not None and held[1] == read and _same_state(held[0], state):
        spec = held[2]
        day = opacity(spec)
        return spec if day == spec.opacity else replace(spec, opacity=day)
    spec = make()
    kept[key] = (state, read, spec)   # one entry per place and group of the dataset
    return spec


def _kept_place_spec(kept: dict, ps, groups, sources, places) -> MarkerSpec:
    """:func:`_place_spec` without popups, through :func:`_kept_spec`. A group member's
    tooltip names the group's figure and its other places: they are part of the key."""
    g = groups.get(ps.group) if ps.group is not None else None
    read = (_age_note(ps.age_days),) + ((g.claim, g.places) if g is not None else ())
    fixed = getattr(ps, "projection", None) is not None   # a projection is drawn at full opacity
    return _kept_spec(kept, ("place", ps.place.id), ps, read, lambda: _place_spec(ps, groups, sources, places, False),
                      (lambda spec: spec.opacity) if fixed else (lambda spec: _place_opacity(ps, spec.kind)))


def _kept_group_spec(kept: dict, g, sources, places) -> MarkerSpec:
    """:func:`_group_spec` without popups, through :func:`_kept_spec`. A group's report
    and a plan for the same places share an id: each is kept under its own basis."""
    read = (_age_note(getattr(g, "age_days", None)),)
    return _kept_spec(kept, ("group " + str(g.claim.basis), g.id), g, read, lambda: _group_spec(g, sources, places, False),
                      lambda spec: _group_opacity(g))


def _place_spec(ps, groups, sources, places, popups: bool = True) -> MarkerSpec:
    place = ps.place
    projection = getattr(ps, "projection", None)
    if projection is not None:
        return _projected_spec(ps, projection, sources, places, popups)
    fig_claim = getattr(ps, "figure_claim", ps.claim)
    status, basis = ps.status, ps.basis
    conflict = bool(ps.conflicts or ps.contradicted_by)
    inner = outer = None
    if ps.claim is None:
        # named by a source, but nothing said of it for this day yet
        kind, colour, radius = "noclaim", style.NO_FIGURE_COLOUR, style.NO_FIGURE_RADIUS_PX - 1.5
        figure = "nothing reported for this day"
    elif ps.group is not None:
        kind, colour, radius = "member", style.status_colour(status), style.NO_FIGURE_RADIUS_PX - 0.5
        figure = "in a group figure"
    elif status == "withdrawn" or ps.troops_max == 0:
        kind, colour, radius = "withdrawn", style.status_colour("withdrawn"), style.MIN_RADIUS_PX
        figure = ps.figure_text()
    elif _is_area(place) and ps.has_figure:
        # an area total (Iraq, the Kurdistan Region): a figure for the whole area, drawn as
        # a boxed total on a small anchor, never as a circle comparable to the sites in it
        kind, colour, radius = "area", style.status_colour(status), style.AREA_ANCHOR_PX
        figure = ps.figure_text()
    elif ps.has_figure:
        kind, colour = "figure", style.status_colour(status)
        inner, outer = style.ring_radii(ps.troops_min, ps.troops_max)
        radius = outer or inner or style.MIN_RADIUS_PX
        figure = ps.figure_text()
    else:
        kind, colour, radius = "nofigure", style.status_colour(status), style.NO_FIGURE_RADIUS_PX
        figure = ps.figure_text()
    opacity = _place_opacity(ps, kind)
    # A sized marker draws the figure, so its dash follows the figure's claim: a planned
    # figure stays dashed even when a later report (with no figure) set the status.
    fig_basis = fig_claim.basis if kind in ("figure", "area") and fig_claim is not None else basis
    name = place.name
    label = short_name(name) + (" (whole country)" if place.precision == "country" else "")
    parts: list[tuple[str, str]] = []
    if ps.claim is None:
        parts = [(short_name(name), "quiet")]
    elif kind == "member":
        parts = [(label, "name")]
    elif getattr(ps, "report", ps.claim) is None and getattr(ps, "plan", None) is not None:
        parts = [(label, "name"), ("no report yet", "note")]   # the plan's tag follows
    elif kind == "area":
        total = _dated(_with_force(figure, fig_claim), fig_claim) + (" (plan)" if fig_basis == "plan" else "")
        parts = [(f"{short_name(name)}: area total", "area-name"),
                 (f"{total} · {style.status_label(status).lower()}", "area")]
    else:
        # "no figure" is said by the marker's shape; a withdrawal needs no figure
        shown = "" if figure == "no figure" else _dated(_with_force(figure, fig_claim or ps.claim),
                                                       fig_claim if kind == "figure" else ps.claim)
        state_word = "withdrawn" if kind == "withdrawn" else style.status_label(status).lower()
        if kind == "figure" and fig_basis == "plan" and basis != "plan":
            shown += " (plan)"  # a planned figure beside a reported status: say which is which
        # a status with no figure is dated too: "present · 18 Aug 2025"
        when = "" if shown or ps.claim is None else ps.claim.date.label()
        second = " · ".join(w for w in (shown, state_word, when) if w)
        if basis == "plan":
            second += " (plan)"
        parts = [(label, "name"), (second, "plan" if "(plan)" in second else "figure")]
    ghost = None
    plan = getattr(ps, "plan", None)
    ghost_colour = style.NO_FIGURE_COLOUR
    if plan is not None and getattr(plan, "group", None) is None and kind not in ("noclaim", "member"):
        state = _plan_state(plan)
        if state in GHOST_STATES or state == "contradicted" or ps.report is None:
            parts.append((plan_tag(plan), "plan"))
        pc = plan.claim
        closure = pc.troops_max == 0 or pc.status == "withdrawn"
        size = pc.troops_max if pc.troops_max is not None else pc.troops_min
        if state in GHOST_STATES and kind != "area" and (closure or size):
            # closure: a small ring (nothing to size); a figure: its area, as a report's would be
            ghost = style.MIN_RADIUS_PX + 2 if closure else style.radius_px(size)
            ghost_colour = style.status_colour("withdrawn" if closure else pc.status)
    if conflict:
        parts.append(("⚠ sources disagree" if ps.conflicts else "⚠ plan contradicted later", "warn"))
    tip = [f"{figure}" + (f" ({fig_basis})" if kind == "figure" and fig_basis != basis else "")
           + f" — {style.status_label(status)}" + (f" ({basis})" if basis else "")]
    if ps.claim is not None:
        tip.append(f"claim dated {ps.claim.date.label()} ({_age_note(ps.age_days)})")
    if ps.group is not None and ps.group in groups:
        g = groups[ps.group]
        tip.append(f"shares one figure ({g.claim.figure_text()}) with " +
                   ", ".join(p.name for p in g.places if p.id != place.id))
    if place.imprecise:
        tip.append(f"location known only to the {place.precision}")
    if conflict:
        tip.append("⚠ sources disagree — see claim history" if ps.conflicts else "⚠ plan contradicted by later reporting")
    tip.append("click for the claim history")
    claims = []
    if ps.claim is not None:
        claims.append((ps.claim, "in force"))
        if fig_claim is not None and fig_claim is not ps.claim:
            claims.append((fig_claim, "figure in force"))
    claims += [(c, "conflicts") for c in ps.conflicts]
    claims += [(c, "contradicts this plan") for c in ps.contradicted_by]
    note = "No claim in force on this day." if ps.claim is None else ""
    pop = popup_html(name, claims, sources, places or None, note=note) if popups else ""
    return MarkerSpec(
        key=place.id, kind=kind, place_id=place.id, name=name, lat=place.lat, lon=place.lon,
        status=status, basis=basis, colour=colour, radius=radius, inner=inner, outer=outer,
        opacity=opacity, dashed=fig_basis == "plan", imprecise=place.imprecise, conflict=conflict,
        figure=figure, label_parts=tuple(parts), tooltip=place_tooltip(name, place.id, tip), popup=pop,
        priority=(200 if kind == "area" else radius) + (0 if ps.claim is not None else -50),
        ghost=ghost, ghost_colour=ghost_colour)


def _projected_spec(ps, claim, sources, places, popups: bool = True) -> MarkerSpec:
    """Projection mode (``snapshot(as_planned=True)``): the place as its plan said it would
    be on the day, drawn dashed and labelled 'as planned', never as a report."""
    place = ps.place
    area = _is_area(place)
    has = claim.troops_min is not None or claim.troops_max is not None
    if claim.troops_max == 0 or claim.status == "withdrawn":
        kind, radius, inner, outer = "withdrawn", style.MIN_RADIUS_PX, None, None
    elif area and has:
        kind, radius, inner, outer = "area", style.AREA_ANCHOR_PX, None, None
    elif has:
        kind = "figure"
        inner, outer = style.ring_radii(claim.troops_min, claim.troops_max)
        radius = outer or inner or style.MIN_RADIUS_PX
    else:
        kind, radius, inner, outer = "nofigure", style.NO_FIGURE_RADIUS_PX, None, None
    figure = claim.figure_text()
    shown = "closure" if kind == "withdrawn" else _with_force(figure, claim) if has else \
        style.status_label(claim.status).lower()
    name = short_name(place.name) + (": area total" if kind == "area" else "")
    parts = ((name, "area-name" if kind == "area" else "name"),
             (f"as planned: {shown} by {claim.date.label()}", "plan"))
    tip = [f"as planned: {figure} — {style.status_label(claim.status)} (plan due {claim.date.label()})",
           "projection: what the plans said, not what was reported"]
    pop = popup_html(place.name, [(claim, "plan (projection)")], sources, places or None) if popups else ""
    colour = style.status_colour("withdrawn" if kind == "withdrawn" else claim.status)
    return MarkerSpec(
        key=place.id, kind=kind, place_id=place.id, name=place.name, lat=place.lat, lon=place.lon,
        status=claim.status, basis="plan", colour=colour, radius=radius, inner=inner, outer=outer,
        opacity=1.0, dashed=True, imprecise=place.imprecise, conflict=False, figure=figure,
        label_parts=parts, tooltip=place_tooltip(place.name, place.id, tip), popup=pop,
        priority=200 if kind == "area" else radius)


def _is_area(place) -> bool:
    scope = getattr(place, "scope", None)
    return str(scope) == "area" if scope is not None else place.precision in ("country", "region")


def _group_spec(g, sources, places, popups: bool = True) -> MarkerSpec:
    """One figure for several places: no circle of its own (it would sit at a midpoint
    where nobody is); its members are joined and it has one label, at its first member."""
    gone = g.superseded if g.current else ()
    members = [p for p in g.places if p not in gone] or list(g.places)
    anchor = members[0]
    inner, outer = style.ring_radii(g.troops_min, g.troops_max)
    conflict = bool(g.conflicts or getattr(g, "contradicted_by", ()))
    names = " + ".join(short_name(p.name) for p in g.places)
    # " Air Base" dropped on the label only: three full names would not fit beside a marker
    label = " + ".join(short_name(p.name).removesuffix(" Air Base") for p in g.places)
    figure = g.claim.figure_text()
    plan = g.claim.basis == "plan"
    together = _dated(_with_force(figure, g.claim), g.claim)
    if plan:
        due = g.claim.date
        announced = g.sources[0].published if g.sources else None
        when = (f"no deadline, said {due.label()}" if announced is not None and due.end <= announced
                else f"by {due.label()}")
        second = f"plan: {_with_force(figure, g.claim)} together ({when})"
    else:
        second = f"one figure: {together} · {style.status_label(g.claim.status).lower()}"
    parts = [(label, "name"), (second, "plan" if plan else "figure")]
    if gone:
        parts.append(("as stated; since reported separately: " + ", ".join(short_name(p.name) for p in gone),
                      "note"))
    if conflict:
        parts.append(("⚠ sources disagree", "warn"))
    age = getattr(g, "age_days", None)
    tip = [f"{figure} at {names} together (one figure, never split)",
           f"{style.status_label(g.claim.status)} ({g.claim.basis}), claim dated {g.claim.date.label()} "
           f"({_age_note(age)})", "labelled at its first place; the dotted line joins its places"]
    if conflict:
        tip.append("⚠ sources disagree")
    claims = [(g.claim, "in force")] + [(c, "conflicts") for c in g.conflicts]
    pop = popup_html(f"{names} (one figure together)", claims, sources, places or None) if popups else ""
    return MarkerSpec(
        key=g.id, kind="group", place_id=anchor.id, name=names, lat=anchor.lat, lon=anchor.lon,
        status=g.claim.status, basis=g.claim.basis, colour=style.status_colour(g.claim.status),
        radius=style.NO_FIGURE_RADIUS_PX - 0.5, inner=inner, outer=outer, opacity=_group_opacity(g),
        dashed=plan, imprecise=False, conflict=conflict, figure=figure, label_parts=tuple(parts),
        tooltip=place_tooltip(f"{names}", anchor.id, tip), popup=pop,
        members=tuple((p.lat, p.lon) for p in members), priority=150)


# ------------------------------------------------------------------ marker marks

def marker_marks(spec: MarkerSpec) -> list[Disc]:
    """The circles of one marker, outermost first; the last is the marker itself (the
    one a click lands on)."""
    op = spec.opacity
    fill_k = style.AREA_FILL_K if spec.imprecise else 1.0
    dash = style.PLAN_DASH if spec.dashed else None
    plan = "-plan" if spec.dashed else ""
    out: list[Disc] = []
    if spec.imprecise and spec.kind != "area":
        out.append(Disc("imprecise", "imprecise", spec.radius + style.IMPRECISE_GAP_PX, style.GROUP_COLOUR,
                        style.IMPRECISE_WEIGHT_PX, 0.8 * op, dash=style.IMPRECISE_DASH))
    if spec.conflict:
        out.append(Disc("conflict", "conflict", spec.radius + style.CONFLICT_GAP_PX, style.CONFLICT_COLOUR,
                        style.CONFLICT_WEIGHT_PX, max(op, 0.8)))
    c = spec.colour
    if spec.kind == "group":
        return out   # a group figure has no circle of its own: its members are drawn, joined
    if spec.ghost is not None:
        out.append(Disc("plan-ghost", "ghost", spec.ghost, spec.ghost_colour, style.GHOST_WEIGHT_PX,
                        style.GHOST_OPACITY, dash=style.PLAN_DASH))
    if spec.kind == "figure":
        legend = f"status:{spec.status}"
        if spec.outer is not None and spec.inner is not None and spec.outer - spec.inner > 0.5:
            out.append(Disc("range", "range", spec.outer, c, style.RING_WEIGHT_PX, op, c,
                            style.FILL_RANGE * op * fill_k, dash))
            out.append(Disc(legend, "main", spec.inner, c, style.CORE_WEIGHT_PX, op, c,
                            style.FILL_CERTAIN * op * fill_k, dash))
        elif spec.inner is None and spec.outer is not None:   # "fewer than N": only the ceiling
            out.append(Disc("range", "main", spec.outer, c, style.RING_WEIGHT_PX, op, c,
                            style.FILL_RANGE * op * fill_k, dash))
        else:
            out.append(Disc(legend, "main", spec.radius, c, style.RING_WEIGHT_PX, op, c,
                            style.FILL_CERTAIN * op * fill_k, dash))
    elif spec.kind == "withdrawn":
        out.append(Disc("status:withdrawn", "main", spec.radius, style.GROUP_COLOUR, style.CORE_WEIGHT_PX, op,
                        c, 0.9 * op, dash))
    elif spec.kind == "member":
        if spec.dashed:   # a white dashed edge would vanish: keep the plan dash visible
            out.append(Disc("group", "main", spec.radius, c, style.RING_WEIGHT_PX, op, c, 0.55 * op, dash))
        else:
            out.append(Disc("group", "main", spec.radius, "#ffffff", style.CORE_WEIGHT_PX, op, c, 0.95 * op))
    elif spec.kind == "area":
        out.append(Disc("area", "main", spec.radius, style.GROUP_COLOUR, style.CORE_WEIGHT_PX, op, spec.colour, op))
    elif spec.kind == "noclaim":
        out.append(Disc("noclaim", "main", spec.radius, c, style.CORE_WEIGHT_PX, 0.75, "#ffffff", 0.6))
    else:   # no figure: hollow, never sized
        out.append(Disc("nofigure", "main", spec.radius, c, style.HOLLOW_WEIGHT_PX, op, "#ffffff", 0.9 * op, dash))
    if spec.dashed:
        out = [d if d.part in ("imprecise", "conflict", "ghost") or d.legend == "area" else _with_legend(d, d.legend + plan) for d in out]
    return out


def _with_legend(d: Disc, legend: str) -> Disc:
    # the status rows explain the colour; "plan" (dashed) is its own row
    return replace(d, legend=legend)


def selected_mark(spec: MarkerSpec) -> Disc:
    return Disc("selected", "selected", spec.radius + (11 if spec.imprecise else style.SELECTED_GAP_PX),
                "#000000", 2.5, 1.0)


def outer_radius(spec: MarkerSpec) -> float:
    """What a marker covers (px), halos and rings included: labels keep clear of it."""
    if spec.kind == "group":
        return 0.0
    r = max(spec.radius, spec.ghost or 0.0)
    if spec.conflict:
        r = max(r, spec.radius + style.CONFLICT_GAP_PX + style.CONFLICT_WEIGHT_PX / 2)
    if spec.imprecise and spec.kind != "area":
        r = max(r, spec.radius + style.IMPRECISE_GAP_PX)
    return r


# ------------------------------------------------------------------ joins, arrows

def join_marks(specs: list[MarkerSpec]) -> list[Line]:
    """Dotted lines joining the places of one group figure, member to member (no
    invented centre); a planned group's join is dashed as plans are."""
    out = []
    for s in specs:
        if s.kind != "group":
            continue
        for (la0, lo0), (la1, lo1) in zip(s.members[:-1], s.members[1:]):
            out.append(Line("group-plan" if s.dashed else "group", ((la0, lo0), (la1, lo1)), style.GROUP_COLOUR,
                            style.JOIN_WEIGHT_PX, 0.85 * max(s.opacity, 0.5),
                            style.PLAN_DASH if s.dashed else style.GROUP_JOIN_DASH, "butt" if s.dashed else "round"))
    return out


def curve(lat0, lon0, lat1, lon1, bend: float, trim0_deg: float, trim1_deg: float, n: int = 20):
    """A gentle quadratic arc from origin to destination, trimmed at both ends so the
    arrow starts and stops at the markers' edges. Returns [(lat, lon), ...]."""
    k = math.cos(math.radians((lat0 + lat1) / 2))
    x0, y0, x1, y1 = lon0 * k, lat0, lon1 * k, lat1
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1e-9
    cx, cy = (x0 + x1) / 2 - dy * bend, (y0 + y1) / 2 + dx * bend
    t0 = min(0.4, trim0_deg / length)
    t1 = max(0.6, 1 - trim1_deg / length)
    pts = []
    for i in range(n + 1):
        t = t0 + (t1 - t0) * i / n
        x = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1
        y = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1
        pts.append((y, x / k))
    return pts


def movement_marks(moves, specs: list[MarkerSpec], px_per_deg: Callable[[float], float],
                   all_moves=None) -> list[Arrow]:
    """One arrow per movement drawn. ``px_per_deg(lat)``: screen px per degree of
    latitude near ``lat`` (the backend's scale). ``all_moves`` (the snapshot's whole
    list) keeps each arc's bend the same whether or not plans are shown."""
    radius_at: dict[tuple, float] = {}
    for s in specs:
        if s.kind != "group":
            key = (round(s.lat, 4), round(s.lon, 4))
            radius_at[key] = max(s.radius, radius_at.get(key, 0))
    order = list(all_moves) if all_moves is not None else list(moves)
    # each movement's place in the whole list, by identity (the snapshot's own objects):
    # list.index compared every movement with each one before it (quadratic, and a
    # dataclass comparison each); an equal copy from elsewhere still finds its place
    at = {id(x): i for i, x in reversed(list(enumerate(order)))}
    out = []
    for ms in moves:
        i = at.get(id(ms))
        if i is None:
            i = order.index(ms)
        m, o, d = ms.movement, ms.origin, ms.destination
        if (o.lat, o.lon) == (d.lat, d.lon):
            continue
        ppd = px_per_deg((o.lat + d.lat) / 2)
        r0 = radius_at.get((round(o.lat, 4), round(o.lon, 4)), style.NO_FIGURE_RADIUS_PX)
        r1 = radius_at.get((round(d.lat, 4), round(d.lon, 4)), style.NO_FIGURE_RADIUS_PX)
        bend = style.MOVE_BEND * (1 if i % 2 == 0 else -1) * (1 + 0.5 * (i // 2))
        pts = curve(o.lat, o.lon, d.lat, d.lon, bend, (r0 + style.MOVE_TRIM_PX[0]) / ppd,
                    (r1 + style.MOVE_TRIM_PX[1]) / ppd)
        plan = m.basis == "plan"
        (la0, lo0), (la1, lo1) = pts[-3], pts[-1]
        head = [(lat, lon) for lon, lat in style.arrow_head(lo0, la0, lo1, la1, size_deg=style.MOVE_HEAD_PX / ppd)]
        # the shaft stops at the head's base, so a dashed shaft does not show through an open head
        base = ((head[1][0] + head[2][0]) / 2, (head[1][1] + head[2][1]) / 2)
        tip_d = math.hypot(base[0] - la1, base[1] - lo1)
        shaft = [p for p in pts if math.hypot(p[0] - la1, p[1] - lo1) > tip_d] + [base]
        label = ()
        if m.troops_min is not None or m.troops_max is not None:
            text = f"{m.figure_text()} · {m.start.label()}" + (" (plan)" if plan else "")
            label = ((text, "move-plan" if plan else "move"),)
        out.append(Arrow("movement-plan" if plan else "movement", m.id, tuple(shaft), tuple(pts), tuple(head),
                         plan, dash=style.PLAN_DASH if plan else None,
                         head_fill="#ffffff" if plan else style.MOVEMENT_COLOUR, label=label))
    return out


# ------------------------------------------------------------------------ legend

@dataclass(frozen=True)
class LegendRow:
    """One legend row: its words, its symbol and the marks it explains.

    ``symbol`` is drawn in a local frame ``size`` px wide and tall, origin top-left,
    y down; Disc centres are in ``centres`` (x, y) in the same frame; a Line's points
    are (x, y) too."""

    key: str
    text: str
    section: str = "Legend"
    size: tuple[float, float] = (26.0, 14.0)
    symbol: tuple = ()                              # Disc | Line | Arrow | Tag
    centres: tuple[tuple[float, float], ...] = ()
    explains: tuple[str, ...] = field(default=())   # mark legend keys covered
    #: "callouts": shown only while the map has numbered callouts (else always)
    only_with: str = ""


def _disc_for(kind: str, *, status="present", radius=5.0, inner=None, outer=None, opacity=1.0,
              dashed=False, imprecise=False, conflict=False) -> list[Disc]:
    colour = style.status_colour(status) if kind not in ("nofigure", "noclaim") else style.NO_FIGURE_COLOUR
    if kind == "area":
        colour = style.status_colour("drawing-down")
    spec = MarkerSpec(key="legend", kind=kind, place_id="", name="", lat=0, lon=0, status=status, basis="report",
                      colour=colour, radius=radius, inner=inner, outer=outer, opacity=opacity, dashed=dashed,
                      imprecise=imprecise, conflict=conflict, figure="", label_parts=(), tooltip="", popup="")
    return marker_marks(spec)


def legend_rows() -> list[LegendRow]:
    """Every row of the legend, in order, for both backends."""
    rows: list[LegendRow] = []

    def marker(key, text, discs, h=14.0, explains=None):
        rows.append(LegendRow(key, text, size=(26.0, h), symbol=tuple(discs),
                              centres=tuple((13.0, h / 2) for _ in discs), explains=tuple(explains or (key,))))

    for status in style.STATUS_COLOURS:
        kind = "withdrawn" if status == "withdrawn" else "figure"
        marker(f"status:{status}", style.status_label(status), _disc_for(kind, status=status))
    marker("nofigure", "no figure given (not sized)", _disc_for("nofigure", radius=4.5))
    marker("noclaim", "named, nothing reported for this day",
           _disc_for("noclaim", radius=style.NO_FIGURE_RADIUS_PX - 1.5))
    r_in, r_out = style.radius_px(250), style.radius_px(350)
    marker("range", "range: core = min, ring = max", _disc_for("figure", inner=r_in, outer=r_out, radius=r_out),
           h=2 * r_out + 4)
    g = style.GROUP_COLOUR
    rows.append(LegendRow("report", "report (said to have happened)",
                          symbol=(Line("report", ((1, 7), (25, 7)), g, 2.5),)))
    rows.append(LegendRow("plan", "plan (announced): dashed",
                          symbol=(Line("plan", ((1, 7), (25, 7)), g, 2.5, dash=style.PLAN_DASH),),
                          explains=tuple(["plan"] + [f"status:{s}-plan" for s in style.STATUS_COLOURS]
                                         + ["range-plan", "nofigure-plan", "group-plan"])))
    for key, text, plan in (("movement", "movement, arrow = direction", False),
                            ("movement-plan", "planned movement: dashed, open head", True)):
        rows.append(LegendRow(key, text, symbol=(Arrow(key, key, ((1, 7), (16, 7)), ((1, 7), (25, 7)),
                                                       ((25, 7), (16, 2.5), (16, 11.5)), plan,
                                                       dash=style.PLAN_DASH if plan else None,
                                                       head_fill="#ffffff" if plan else style.MOVEMENT_COLOUR),)))
    ghost = Disc("plan-ghost", "ghost", 6.0, style.STATUS_COLOURS["residual"], style.GHOST_WEIGHT_PX,
                 style.GHOST_OPACITY, dash=style.PLAN_DASH)
    rows.append(LegendRow("plan-ghost", "plan in force (ring: planned size)",
                          symbol=(ghost,) + tuple(_disc_for("figure", status="residual", radius=3.5)),
                          centres=((13.0, 7.0), (13.0, 7.0))))
    rows.append(LegendRow("group", "places sharing one figure, one label",
                          symbol=(Line("group", ((2, 7), (24, 7)), g, style.JOIN_WEIGHT_PX, 1.0,
                                       style.GROUP_JOIN_DASH, "round"),), explains=("group", "group-plan")))
    marker("area", "area total: boxed, not a base", _disc_for("area", radius=style.AREA_ANCHOR_PX))
    marker("imprecise", "region/country: no exact place", _disc_for("figure", radius=4, imprecise=True), h=24)
    marker("conflict", "sources disagree / plan contradicted", _disc_for("figure", radius=4.5, conflict=True), h=20)
    # a figure's force is a word in its label ("nearly 1,500 coalition"); none means US
    rows.append(LegendRow("force", "force: US unless named in the label",
                          symbol=(Tag("force", "US", "figure", (13.0, 7.0)),), explains=("force",)))
    ages = (0, 100, style.STALE_DAYS)
    age_discs = [_disc_for("figure", radius=4.0, opacity=style.age_opacity(a))[-1] for a in ages]
    rows.append(LegendRow("age", f"figure age: new → {style.STALE_DAYS // 30}+ months", symbol=tuple(age_discs),
                          centres=tuple((4.5 + 8.5 * k, 7.0) for k in range(len(ages)))))
    rows.append(LegendRow("callout", "numbered label: its words in the key", size=(26.0, 16.0),
                          symbol=(Tag("callout", "1", "callout", (13.0, 8.0), boxed=True),),
                          explains=("callout",), only_with="callouts"))
    sizes = style.LEGEND_SIZES
    big = style.radius_px(max(sizes))
    x, discs, centres = 2.0, [], []
    for n in sizes:
        r = style.radius_px(n)
        discs.append(_disc_for("figure", radius=r)[-1])
        centres.append((x + r, 2 * big + 1 - r))
        x += 2 * r + 14
    rows.append(LegendRow("sizes", " ".join(f"{n:,}" for n in sizes), section="Troops (circle area)",
                          size=(x, 2 * big + 14), symbol=tuple(discs), centres=tuple(centres), explains=()))
    return rows


def legend_keys() -> set[str]:
    """Every mark legend key the legend explains."""
    return {k for row in legend_rows() if row.key != "sizes" for k in (row.explains or (row.key,))}


def drawn_legend_keys(specs: list[MarkerSpec], arrows: list[Arrow]) -> set[str]:
    """The legend keys of everything a view draws (for the legend coverage test)."""
    keys = {d.legend for s in specs for d in marker_marks(s)}
    keys |= {a.legend for a in arrows}
    keys |= {ln.legend for ln in join_marks(specs)}
    return keys
