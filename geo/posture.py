"""The posture model: what was in force where, on a day, as known on a day.

Rules (the README states them for users):

* A claim takes effect on the first day its date may mean and holds until a later
  claim for the same place replaces it. "Later" orders by that first day, then by
  publication (newer information wins), then a report over a plan.
* A claim with a status but no figure ("a convoy began leaving") replaces the status,
  not the figure: the last figure stays in force beside it, with its own date and age,
  until a claim with a figure (or a withdrawal) replaces it. Nothing is interpolated.
* A claim about several places together (a group figure) stands for each member
  until that member has a later claim of its own; its figure is never split.
* ``known_on`` hides every source published after that day: the snapshot replays
  what could be known then.
* Plans are never reports: a place whose claim in force is a plan says so, keeps its
  last report beside it, and lists the later claims that contradict the plan.
* Two claims from different sources about the same place and overlapping dates that
  cannot both be true are a conflict: both are kept and shown, never averaged.

Everything per date is computed from an index built once at load (claims per place
sorted by effective order, with their start days for bisection), not by filtering
the raw tables for every date.
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from .dates import as_date
from .model import Claim, Dataset, Movement, Phase, Place, Source

#: "about"/"nearly" figures are compared with this tolerance, so that "about 2,500"
#: and "2,450" are not called a conflict, while 2,500 and "fewer than 2,000" are.
APPROX_TOLERANCE = 0.10

#: Qualifiers that stand for a figure no one gave ("a few", "a limited number"): they
#: replace an earlier figure (something is said of how many) without inventing one.
VAGUE_FIGURES = ("a few", "limited number")


# --------------------------------------------------------------------------- index

@dataclass(frozen=True)
class Index:
    order: dict[str, tuple]                        # claim id -> effective order key
    by_place: dict[str, tuple[Claim, ...]]         # own and group claims, effective order
    starts: dict[str, tuple[dt.date, ...]]         # first days of by_place, for bisect
    posture_places: tuple[str, ...]                # places any claim or movement names
    contradicted_by: dict[str, tuple[Claim, ...]]  # plan id -> later claims against it
    conflicts: tuple[tuple[Claim, Claim], ...]     # same time, different sources, incompatible
    corroborated_by: dict[str, tuple[Claim, ...]]  # claim id -> same figure, other sources
    conflicts_by: dict[str, tuple[Claim, ...]]     # claim id -> claims in conflict with it
    first_seen: dict[str, dt.date]                 # place id -> first publication naming it


def build_index(ds: Dataset) -> Index:
    published = {sid: s.published for sid, s in ds.sources.items()}

    def key(c: Claim) -> tuple:
        return (c.date.start, published[c.source], c.basis == "report", c.id)

    order = {c.id: key(c) for c in ds.claims}
    by_place: dict[str, list[Claim]] = {}
    for c in ds.claims:
        for pid in c.places:
            by_place.setdefault(pid, []).append(c)
    by_place_t = {pid: tuple(sorted(cs, key=key)) for pid, cs in by_place.items()}
    starts = {pid: tuple(c.date.start for c in cs) for pid, cs in by_place_t.items()}

    named = {pid for c in ds.claims for pid in c.places}
    named |= {m.from_place for m in ds.movements} | {m.to_place for m in ds.movements}
    posture_places = tuple(pid for pid in ds.places if pid in named)

    contradicted: dict[str, list[Claim]] = {}
    conflicts: list[tuple[Claim, Claim]] = []
    corroborated: dict[str, list[Claim]] = {}
    # Only claims that share a place can clash: pair them per place, each pair once.
    pairs: dict[tuple[str, str], tuple[Claim, Claim]] = {}
    for cs in by_place_t.values():
        for i, a in enumerate(cs):
            for b in cs[i + 1:]:
                pairs.setdefault((a.id, b.id), (a, b))
    for a, b in sorted(pairs.values(), key=lambda ab: (key(ab[0]), key(ab[1]))):
        if a.source == b.source:
            continue
        clash = incompatible(a, b)
        overlap = a.date.start <= b.date.end and b.date.start <= a.date.end
        for plan, other in ((a, b), (b, a)):
            if (plan.basis == "plan" and clash
                    and published[other.source] > published[plan.source]
                    and other.date.end >= plan.date.start):
                contradicted.setdefault(plan.id, []).append(other)
        # A plan against a report of the same time is not a conflict between
        # sources but a plan that did or did not happen: the contradiction above.
        if overlap and clash and a.basis == b.basis and _comparable(a, b):
            conflicts.append((a, b))
        elif overlap and not clash and a.entity == b.entity and a.basis == b.basis:
            corroborated.setdefault(a.id, []).append(b)
            corroborated.setdefault(b.id, []).append(a)
    conflicts_by: dict[str, list[Claim]] = {}
    for a, b in conflicts:
        conflicts_by.setdefault(a.id, []).append(b)
        conflicts_by.setdefault(b.id, []).append(a)
    first_seen: dict[str, dt.date] = {}
    for c in ds.claims:
        for pid in c.places:
            first_seen[pid] = min(first_seen.get(pid, published[c.source]), published[c.source])
    for m in ds.movements:
        for pid in (m.from_place, m.to_place):
            first_seen[pid] = min(first_seen.get(pid, published[m.source]), published[m.source])
    return Index(order, by_place_t, starts, posture_places,
                 {k: tuple(v) for k, v in contradicted.items()}, tuple(conflicts),
                 {k: tuple(v) for k, v in corroborated.items()},
                 {k: tuple(v) for k, v in conflicts_by.items()}, first_seen)


def _has_troops(c: Claim) -> bool | None:
    """True if the claim says troops are there, False if it says none are, None if unsure."""
    if c.troops_max == 0:
        return False
    if c.troops_min is not None and c.troops_min > 0:
        return True
    if c.status == "withdrawn":
        return None if c.qualifier in ("a few", "limited number") else False
    if c.status == "drawing-down":
        return None  # a drawdown may end at none: "drawing down" then "withdrawn" is no clash
    return True


def _widened(c: Claim) -> tuple[float, float]:
    lo = c.troops_min if c.troops_min is not None else 0
    hi = c.troops_max if c.troops_max is not None else float("inf")
    if c.qualifier in ("about", "nearly"):
        lo, hi = lo * (1 - APPROX_TOLERANCE), hi * (1 + APPROX_TOLERANCE)
    return lo, hi


def _comparable(a: Claim, b: Claim) -> bool:
    """Same place set, or one a part of the other: a conflict between them means something."""
    sa, sb = set(a.places), set(b.places)
    return sa <= sb or sb <= sa


def incompatible(a: Claim, b: Claim) -> bool:
    """Can the two claims not both be true of the same time?

    Figures are compared only where they speak of the same thing: the same place set,
    or a part against its whole (a part cannot exceed the whole's upper bound).
    """
    ha, hb = _has_troops(a), _has_troops(b)
    if ha is not None and hb is not None and ha != hb:
        return True
    if not (a.has_figure and b.has_figure):
        return False
    (alo, ahi), (blo, bhi) = _widened(a), _widened(b)
    sa, sb = set(a.places), set(b.places)
    if sa == sb:
        return ahi < blo or bhi < alo
    if sa < sb:
        return alo > bhi
    if sb < sa:
        return blo > ahi
    return False


# ------------------------------------------------------------------------ snapshot

@dataclass(frozen=True)
class PlaceState:
    """One place on one day. ``claim`` is None when nothing is in force yet.

    When the claim in force is a group claim, ``troops_min``/``troops_max`` are None
    (the figure belongs to the group, see ``group``), never a share of it.
    """

    place: Place
    claim: Claim | None
    figure_claim: Claim | None
    last_report: Claim | None
    upcoming_plan: Claim | None
    group: str | None
    troops_min: int | None
    troops_max: int | None
    age_days: int | None
    figure_age_days: int | None
    sources: tuple[Source, ...]
    conflicts: tuple[Claim, ...]
    contradicted_by: tuple[Claim, ...]
    history: tuple[Claim, ...]
    contradicts: tuple[Claim, ...] = ()
    incoming: tuple[Movement, ...] = ()
    outgoing: tuple[Movement, ...] = ()

    @property
    def id(self) -> str:
        return self.place.id

    @property
    def status(self) -> str | None:
        return self.claim.status if self.claim else None

    @property
    def basis(self) -> str | None:
        return self.claim.basis if self.claim else None

    @property
    def qualifier(self) -> str:
        fc = self.figure_claim
        return fc.qualifier if fc is not None and self.group is None else ""

    @property
    def has_figure(self) -> bool:
        return self.troops_min is not None or self.troops_max is not None

    def figure_text(self) -> str:
        fc = self.figure_claim
        if fc is None:
            return "no report" if self.claim is None else "no figure"
        if self.group is not None:
            return f"part of a group figure: {fc.figure_text()}"
        return fc.figure_text()


@dataclass(frozen=True)
class GroupState:
    """A figure given for several places together, shown once for the group."""

    id: str
    places: tuple[Place, ...]
    claim: Claim
    age_days: int
    sources: tuple[Source, ...]
    conflicts: tuple[Claim, ...]
    contradicted_by: tuple[Claim, ...]
    #: the members whose figure is still this group's; the others have since had a
    #: figure of their own (e.g. Ain al-Asad handed over while al-Harir has no news)
    current: tuple[Place, ...] = ()

    @property
    def superseded(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p not in self.current)

    @property
    def name(self) -> str:
        return " + ".join(p.name for p in self.places)

    @property
    def troops_min(self) -> int | None:
        return self.claim.troops_min

    @property
    def troops_max(self) -> int | None:
        return self.claim.troops_max


@dataclass(frozen=True)
class MovementState:
    movement: Movement
    origin: Place
    destination: Place
    source: Source


@dataclass(frozen=True)
class Snapshot:
    on: dt.date
    known_on: dt.date
    places: tuple[PlaceState, ...]
    groups: tuple[GroupState, ...]
    movements: tuple[MovementState, ...]
    phase: Phase | None
    latest_published: dt.date | None
    sources: tuple[Source, ...] = field(default=())

    @property
    def days_since_latest_source(self) -> int | None:
        """How far the chosen day lies past the newest source known: the data's edge."""
        if self.latest_published is None:
            return None
        return (self.on - self.latest_published).days

    def place(self, place_id: str) -> PlaceState:
        for ps in self.places:
            if ps.place.id == place_id:
                return ps
        raise KeyError(f"no place {place_id!r} in the snapshot; places: {', '.join(p.place.id for p in self.places)}")

    def group(self, group_id: str) -> GroupState:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(f"no group {group_id!r} in force on {self.on}")


def group_id(claim: Claim) -> str:
    """'group:ain-al-asad+al-harir': stable across claims about the same place set."""
    return "group:" + "+".join(claim.entity)


def _index(ds: Dataset) -> Index:
    if ds._index is None:  # a Dataset built by hand in a test
        object.__setattr__(ds, "_index", build_index(ds))
    return ds._index


def is_group_figure(c: Claim) -> bool:
    """A figure given for several places together, which must be shown once and never
    split. A group said to hold none (0, or withdrawn) is not one: zero divides exactly,
    so each member simply holds none."""
    return c.is_group and c.has_figure and c.troops_max != 0


def _sets_figure(c: Claim) -> bool:
    """Does the claim say how many (a figure, or a withdrawal meaning none)?

    A group claim with no figure ("both bases are drawing down") is a status said of
    each member, with no figure that could be split; it sets no figure.
    """
    return c.has_figure or c.status == "withdrawn" or c.qualifier in VAGUE_FIGURES


def _age(c: Claim, on: dt.date) -> int:
    """Days from the end of the claim's date to ``on``; 0 while ``on`` is inside it."""
    return max(0, (on - c.date.end).days)


def snapshot(ds: Dataset, on: dt.date | str, known_on: dt.date | str | None = None) -> Snapshot:
    """The posture on ``on`` as it could be known on ``known_on`` (default: everything)."""
    on = as_date(on)
    known_on = as_date(known_on) if known_on is not None else (ds.latest_published or on)
    idx = _index(ds)
    visible = {sid for sid, s in ds.sources.items() if s.published <= known_on}

    def seen(c: Claim) -> bool:
        return c.source in visible

    movements = tuple(
        MovementState(m, ds.places[m.from_place], ds.places[m.to_place], ds.sources[m.source])
        for m in ds.movements if m.source in visible and m.active_on(on))
    incoming: dict[str, list[Movement]] = {}
    outgoing: dict[str, list[Movement]] = {}
    for ms in movements:
        incoming.setdefault(ms.movement.to_place, []).append(ms.movement)
        outgoing.setdefault(ms.movement.from_place, []).append(ms.movement)

    states: list[PlaceState] = []
    in_force_groups: dict[str, Claim] = {}
    for pid in idx.posture_places:
        if idx.first_seen[pid] > known_on:
            continue  # no source known then names the place
        cands = idx.by_place.get(pid, ())
        k = bisect.bisect_right(idx.starts.get(pid, ()), on)
        past = [c for c in cands[:k] if seen(c)]
        claim = past[-1] if past else None
        figure_claim = next((c for c in reversed(past) if _sets_figure(c)), None)
        last_report = next((c for c in reversed(past) if c.basis == "report"), None)
        upcoming = next((c for c in cands[k:] if seen(c) and c.basis == "plan"), None)
        gid = None
        lo = hi = None
        conflicts: tuple[Claim, ...] = ()
        contradicted: tuple[Claim, ...] = ()
        contradicts: tuple[Claim, ...] = ()
        srcs: tuple[Source, ...] = ()
        if figure_claim is not None:
            if is_group_figure(figure_claim):
                gid = group_id(figure_claim)
                in_force_groups[gid] = figure_claim
            else:
                lo, hi = figure_claim.troops_min, figure_claim.troops_max
        if claim is not None:
            conflicts = _conflicts_of(idx, claim, past)
            if figure_claim is not None and figure_claim is not claim:
                conflicts += tuple(c for c in _conflicts_of(idx, figure_claim, past)
                                   if c not in conflicts and c is not claim)
                conflicts = tuple(c for c in conflicts if c is not figure_claim)
            # Only what contradicts the plan *at this place*: a handover at Ain al-Asad
            # contradicts "250-350 at Ain al-Asad and al-Harir" there, not at al-Harir.
            contradicted = tuple(c for c in idx.contradicted_by.get(claim.id, ())
                                 if seen(c) and pid in c.places)
            contradicts = tuple(p for p in past if claim in idx.contradicted_by.get(p.id, ()))
            srcs = _sources_of(ds, idx, claim, seen, on)
            if figure_claim is not None and figure_claim is not claim and not gid:
                srcs += tuple(x for x in _sources_of(ds, idx, figure_claim, seen, on) if x not in srcs)
        states.append(PlaceState(
            place=ds.places[pid], claim=claim, figure_claim=figure_claim, last_report=last_report,
            upcoming_plan=upcoming, group=gid, troops_min=lo, troops_max=hi,
            age_days=_age(claim, on) if claim else None,
            figure_age_days=_age(figure_claim, on) if figure_claim else None, sources=srcs,
            conflicts=conflicts, contradicted_by=contradicted, contradicts=contradicts,
            history=tuple(c for c in cands if seen(c)),
            incoming=tuple(incoming.get(pid, ())), outgoing=tuple(outgoing.get(pid, ())),
        ))

    groups = []
    for gid, claim in in_force_groups.items():
        past_group = {c.id: c for pid in claim.places for c in idx.by_place[pid]
                      if seen(c) and c.date.start <= on}.values()
        groups.append(GroupState(
            id=gid, places=tuple(ds.places[p] for p in claim.places), claim=claim,
            age_days=_age(claim, on), sources=_sources_of(ds, idx, claim, seen, on),
            conflicts=_conflicts_of(idx, claim, past_group),
            contradicted_by=tuple(c for c in idx.contradicted_by.get(claim.id, ()) if seen(c)),
            current=tuple(ds.places[ps.place.id] for ps in states if ps.group == gid),
        ))
    groups.sort(key=lambda g: g.id)

    shown: dict[str, Source] = {}
    for ps in states:
        for s in ps.sources:
            shown[s.id] = s
    for g in groups:
        for s in g.sources:
            shown[s.id] = s
    for m in movements:
        shown[m.source.id] = m.source
    latest = max((ds.sources[s].published for s in visible), default=None)
    phase = next((p for p in ds.phases if p.contains(on)), None)
    return Snapshot(on, known_on, tuple(states), tuple(groups), movements, phase, latest,
                    tuple(sorted(shown.values(), key=lambda s: (s.published, s.id))))


def _conflicts_of(idx: Index, claim: Claim, past) -> tuple[Claim, ...]:
    """Claims in conflict with ``claim`` among those already in effect (``past``)."""
    ids = {c.id for c in past}
    return tuple(c for c in idx.conflicts_by.get(claim.id, ()) if c.id in ids)


def _sources_of(ds: Dataset, idx: Index, claim: Claim, seen, on: dt.date) -> tuple[Source, ...]:
    """The claim's own source, then those of other claims saying the same of the same time."""
    out = [ds.sources[claim.source]]
    for c in idx.corroborated_by.get(claim.id, ()):
        if seen(c) and c.date.start <= on and ds.sources[c.source] not in out:
            out.append(ds.sources[c.source])
    return tuple(out)


def reports_only(ds: Dataset) -> Dataset:
    """The dataset without plans: what was *reported* to have happened.

    The "hide plans" view is a snapshot of this, so a place whose claim in force is a
    plan shows its last report instead of vanishing (figures and groups stay whole).
    """
    return dataclasses.replace(
        ds, claims=tuple(c for c in ds.claims if c.basis == "report"),
        movements=tuple(m for m in ds.movements if m.basis == "report"), _index=None)


# ------------------------------------------------------------------------ timeline

@dataclass(frozen=True)
class StateInterval:
    """A place's, a group's or a movement's state over ``[start, end)`` (end exclusive)."""

    layer: str            # place | group | movement
    key: str              # place id, group id or movement id
    start: dt.date
    end: dt.date          # exclusive
    place_state: PlaceState | None = None
    group_state: GroupState | None = None
    movement_state: MovementState | None = None


def change_dates(ds: Dataset, known_on: dt.date | str | None = None) -> list[dt.date]:
    """Every day on which something shown changes (claims take effect, moves start or
    end, phases turn), for slider stops and timeline intervals."""
    known_on = as_date(known_on) if known_on is not None else ds.latest_published
    visible = {sid for sid, s in ds.sources.items() if known_on is None or s.published <= known_on}
    days = {c.date.start for c in ds.claims if c.source in visible}
    for m in ds.movements:
        if m.source in visible:
            days.add(m.start.start)
            days.add(m.end.end + dt.timedelta(days=1))
    for p in ds.phases:
        days.add(p.start)
        if p.end:
            days.add(p.end + dt.timedelta(days=1))
    return sorted(days)


def _signature(ps: PlaceState) -> tuple:
    """What makes two days' states of a place the same interval."""
    return (ps.claim.id if ps.claim else None,
            ps.figure_claim.id if ps.figure_claim else None, tuple(c.id for c in ps.conflicts),
            tuple(c.id for c in ps.contradicted_by))


def timeline(ds: Dataset, known_on: dt.date | str | None = None,
             until: dt.date | str | None = None) -> list[StateInterval]:
    """Every interval over which a place's, group's or movement's state holds.

    The last interval of each place and group runs to ``until`` (exclusive; default:
    the day after the last change), since a figure holds until replaced.
    """
    days = change_dates(ds, known_on)
    if not days:
        return []
    until = as_date(until) if until is not None else days[-1] + dt.timedelta(days=1)
    days = [d for d in days if d < until]
    out: list[StateInterval] = []
    open_places: dict[str, tuple[dt.date, tuple, PlaceState]] = {}
    open_groups: dict[str, tuple[dt.date, str, GroupState]] = {}

    def close_place(pid, end):
        start, _sig, ps = open_places.pop(pid)
        out.append(StateInterval("place", pid, start, end, place_state=ps))

    def close_group(gid, end):
        start, _cid, gs = open_groups.pop(gid)
        out.append(StateInterval("group", gid, start, end, group_state=gs))

    for day in days:
        snap = snapshot(ds, day, known_on)
        current = {ps.place.id: ps for ps in snap.places if ps.claim is not None}
        for pid in list(open_places):
            if pid not in current or _signature(current[pid]) != open_places[pid][1]:
                close_place(pid, day)
        for pid, ps in current.items():
            if pid not in open_places:
                open_places[pid] = (day, _signature(ps), ps)
        groups = {g.id: g for g in snap.groups}
        for gid in list(open_groups):
            if gid not in groups or groups[gid].claim.id != open_groups[gid][1]:
                close_group(gid, day)
        for gid, g in groups.items():
            if gid not in open_groups:
                open_groups[gid] = (day, g.claim.id, g)
    for pid in list(open_places):
        close_place(pid, until)
    for gid in list(open_groups):
        close_group(gid, until)

    visible = {sid for sid, s in ds.sources.items() if known_on is None or s.published <= as_date(known_on)}
    for m in ds.movements:
        if m.source in visible and m.start.start < until:
            end = min(m.end.end + dt.timedelta(days=1), until)
            out.append(StateInterval("movement", m.id, m.start.start, end, movement_state=MovementState(
                m, ds.places[m.from_place], ds.places[m.to_place], ds.sources[m.source])))
    out.sort(key=lambda iv: (iv.start, iv.layer, iv.key))
    return out


# --------------------------------------------------------------------- conflicts

@dataclass(frozen=True)
class Conflict:
    kind: str          # "conflict" (same time, cannot both hold) or "plan contradicted"
    first: Claim
    second: Claim
    reason: str


def conflicts(ds: Dataset, known_on: dt.date | str | None = None) -> list[Conflict]:
    """Every conflict and every contradicted plan known on ``known_on``."""
    known_on = as_date(known_on) if known_on is not None else ds.latest_published
    idx = _index(ds)
    visible = {sid for sid, s in ds.sources.items() if known_on is None or s.published <= known_on}
    out = []
    for a, b in idx.conflicts:
        if a.source in visible and b.source in visible:
            out.append(Conflict("conflict", a, b,
                                f"{a.figure_text()} ({a.status}) against {b.figure_text()} ({b.status}) "
                                f"for overlapping dates {a.date} / {b.date}"))
    for plan_id, others in idx.contradicted_by.items():
        plan = next(c for c in ds.claims if c.id == plan_id)
        if plan.source not in visible:
            continue
        for o in others:
            if o.source in visible:
                out.append(Conflict("plan contradicted", plan, o,
                                    f"plan for {plan.date}: {plan.status}, {plan.figure_text()}; "
                                    f"later {o.basis} ({o.date}): {o.status}, {o.figure_text()}"))
    out.sort(key=lambda c: (c.first.date.start, c.second.date.start, c.first.id, c.second.id))
    return out
