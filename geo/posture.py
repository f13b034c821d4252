"""The posture model: what was reported where on a day, what was planned, as known on a day.

Rules (the README states them for users):

* **One known-on rule.** A source is known on day K when it was published on or before
  K (:func:`visible_sources`). Everything (snapshot, timeline, plans, phases,
  milestones, charts, renderers) asks :class:`Knowledge` and nothing else.
* **Reports lead.** A place's state on a day is its last *report* (said to have
  happened): it takes effect on the first day its date may mean and holds until a later
  report replaces it ("later": by that first day, then by publication, then by id).
  A plan never replaces it.
* A report with a status but no figure ("a convoy began leaving") replaces the status,
  not the figure: the last figure stays beside it with its own date and age. Nothing is
  interpolated.
* **Restated figures.** A claim marked ``restated`` repeats an earlier figure as
  background. It is listed as support for the figure in force and never refreshes its
  date or replaces it; only where no report has given a figure at all does it stand
  as the figure (still marked restated).
* **Plans are tracked against reports.** Each place carries its *plan in force*: the
  latest plan concerning it announced (its source published) on or before the day and
  known on the known-on day. A plan's ``date`` is its due period and it is due at the
  *end* of it ("by September 2026" is due 2026-09-30). Its state as of the day:
  ``pending`` (due later), ``overdue`` (due period over, no report confirming it),
  ``confirmed`` (a later report matches it), ``contradicted`` (a later announcement
  reverses it), ``superseded`` (a newer plan replaced it). Reporting known later than
  the day shown settles it in hindsight ("reversed 20 Oct 2025").
* **Groups.** A figure for several places together stands for each member until that
  member has a later report with a figure of its own; it is never split.
* **Areas.** A figure for a country or region (``scope == "area"``) is an area total:
  kept on its place, never drawn or summed as one more site.
* **Force.** US and coalition figures are different things: conflicts are only looked
  for between claims about the same force.
* **Conflicts.** Two claims from different sources, of the same basis and force, about
  the same place (or a part and its whole) for overlapping dates, that cannot both be
  true, are a conflict: both are kept and shown, never averaged.

Performance: :class:`Posture` is built once per dataset (at load). Per place it holds
the reports sorted by effect, the plans sorted by announcement, and every plan's
settling events, so a state on a day is a bisection, not a filter over raw tables.
Conflicts are not paired at load (a place with 20,000 claims has a million overlapping
pairs): a claim's are found when first asked for, by a query over the place's claims
bucketed by span, or, once a place is asked about often (a slider), by one sweep over
that place's claims sorted by start; ``_sweep`` over every place stays the reference.
A place's state is kept with the window of days it holds over (bounded, per known-on
day), so a snapshot recomputes only the places whose window the day leaves, and the
timeline is built per place from its own change days, skipping those inside the window
of the last state. ``snapshot_reference`` and ``timeline_reference`` compute without
those caches; the tests hold the fast paths to them.
"""
from __future__ import annotations

import bisect
import functools
import heapq
import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple
from enum import StrEnum
from functools import cached_property

from .dates import as_date, FuzzyDate
from .model import Claim, Dataset, Movement, Phase, Place, Scope, Source, Event

#: "about"/"nearly" figures are compared with this tolerance, so that "about 2,500"
#: and "2,450" are not called a conflict, while 2,500 and "fewer than 2,000" are.
APPROX_TOLERANCE = 0.10

#: Qualifiers that stand for a figure no one gave ("a few", "a limited number"): they
#: replace an earlier figure (something is said of how many) without inventing one.
VAGUE_FIGURES = frozenset({"a few", "limited number"})
APPROXIMATE = frozenset({"about", "nearly"})


class PlanStatus(StrEnum):
    """Where a plan stands on the day shown."""
    PENDING = "pending"            # due later
    OVERDUE = "overdue"            # due period over, no report confirming it
    CONFIRMED = "confirmed"        # a later report matches it
    CONTRADICTED = "contradicted"  # a later announcement reverses it
    SUPERSEDED = "superseded"      # a newer plan replaced it


PLAN_STATE_LABELS = {
    PlanStatus.PENDING: "pending", PlanStatus.OVERDUE: "overdue",
    PlanStatus.CONFIRMED: "carried out", PlanStatus.CONTRADICTED: "reversed",
    PlanStatus.SUPERSEDED: "superseded",
}


# ------------------------------------------------------------------ known on

def visible_sources(ds: Dataset, known_on: dt.date | str | None) -> frozenset[str]:
    """The ids of the sources known on ``known_on``: published on or before it.

    ``None`` means everything (the default "as known on" is the latest source).
    This is the one rule; every caller goes through it (or :class:`Knowledge`).
    """
    known_on = as_date(known_on)
    return frozenset(sid for sid, s in ds.sources.items()
                     if known_on is None or s.published <= known_on)


@dataclass(frozen=True)
class Knowledge:
    """What could be known on ``known_on``: the sources published by then."""

    known_on: dt.date | None
    sources: frozenset[str]
    #: the newest publication among them
    latest: dt.date | None = None

    @classmethod
    def of(cls, ds: Dataset, known_on: dt.date | str | None = None) -> "Knowledge":
        known_on = as_date(known_on) if known_on is not None else ds.latest_published
        cache = ds.views.setdefault("knowledge", {})
        k = cache.get(known_on)
        if k is None:
            if len(cache) > 64:  # a slider over "as known on" days: keep the recent ones
                cache.pop(next(iter(cache)))
            seen = visible_sources(ds, known_on)
            latest = max((ds.sources[s].published for s in seen), default=None)
            k = cache[known_on] = cls(known_on, seen, latest)
        return k

    def knows(self, item) -> bool:
        """Is the claim, movement, phase or event (anything with ``.source``) known?"""
        return item.source in self.sources


def known_phases(ds: Dataset, known_on: dt.date | str | None = None) -> tuple[Phase, ...]:
    k = Knowledge.of(ds, known_on)
    return tuple(p for p in ds.phases if k.knows(p))


def known_events(ds: Dataset, known_on: dt.date | str | None = None) -> tuple[Event, ...]:
    k = Knowledge.of(ds, known_on)
    return tuple(e for e in ds.events if k.knows(e))


def phase_on(ds: Dataset, on: dt.date, known_on: dt.date | str | None = None) -> Phase | None:
    return next((p for p in known_phases(ds, known_on) if p.contains(on)), None)


# ------------------------------------------------------------------ claim logic

def _has_troops(c: Claim) -> bool | None:
    """True if the claim says troops are there, False if it says none are, None if unsure."""
    if c.troops_max == 0:
        return False
    if c.troops_min is not None and c.troops_min > 0:
        return True
    if c.status == "withdrawn":
        return None if c.qualifier in VAGUE_FIGURES else False
    if c.status == "drawing-down":
        return None  # a drawdown may end at none: "drawing down" then "withdrawn" is no clash
    return True


def _widened(c: Claim) -> tuple[float, float]:
    lo = c.troops_min if c.troops_min is not None else 0
    hi = c.troops_max if c.troops_max is not None else float("inf")
    if c.qualifier in APPROXIMATE:
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


def is_group_figure(c: Claim) -> bool:
    """A figure given for several places together, which must be shown once and never
    split. A group said to hold none (0, or withdrawn) is not one: zero divides exactly,
    so each member simply holds none."""
    return c.is_group and c.has_figure and c.troops_max != 0


def sets_figure(c: Claim) -> bool:
    """Does the claim say how many (a figure, or a withdrawal meaning none)?

    A group claim with no figure ("both bases are drawing down") is a status said of
    each member, with no figure that could be split; it sets no figure.
    """
    return c.has_figure or c.status == "withdrawn" or c.qualifier in VAGUE_FIGURES


def plan_matches(plan: Claim, report: Claim) -> bool:
    """Does a later report bear the plan out?

    A plan with a figure (or a withdrawal, meaning none) is borne out by a report whose
    figure is compatible with it; a plan with only a status by a report of that status.
    """
    if sets_figure(plan):
        if not sets_figure(report):
            return False
        if plan.status == "withdrawn" or plan.troops_max == 0:
            return _has_troops(report) is False
        return not incompatible(plan, report) and _has_troops(report) is not False
    return report.status in _BORNE_OUT_BY.get(plan.status, (plan.status,))


#: A plan that gives only a status is borne out by a report of one of these statuses:
#: a drawdown is carried out when reductions (or the withdrawal they lead to) are
#: reported; a place planned to receive forces, when it is reported receiving or holding them.
_BORNE_OUT_BY = {
    "drawing-down": ("drawing-down", "residual", "withdrawn"),
    "destination": ("destination",),
    "residual": ("residual",),
    "present": ("present",),
    "withdrawn": ("withdrawn",),
}


def group_id(claim: Claim) -> str:
    """'group:ain-al-asad+al-harir': stable across claims about the same place set."""
    return _group_id(claim.places)


@functools.lru_cache(maxsize=65536)
def _group_id(places: tuple[str, ...]) -> str:
    return "group:" + "+".join(sorted(places))


def _age(c: Claim | None, on: dt.date) -> int | None:
    """Days from the end of the claim's date to ``on``; 0 while ``on`` is inside it."""
    return None if c is None else max(0, (on - c.date.end).days)


# ------------------------------------------------------------------ states

@dataclass(frozen=True)
class PlanState:
    """The plan in force at a place on a day, and where it stands on that day."""

    claim: Claim
    state: PlanStatus
    #: the claim that settled it by the day shown (confirming report, reversing or
    #: superseding plan), or None while pending/overdue
    settled_by: Claim | None = None
    settled_on: dt.date | None = None
    #: how reporting known later (up to the known-on day) settles it, when that is
    #: after the day shown: (state, claim, day)
    hindsight: tuple[PlanStatus, Claim, dt.date] | None = None
    #: the day the plan became known: its source's publication
    announced: dt.date | None = None
    #: was anything known published after the plan fell due? An overdue plan with no
    #: source since may simply not have been reported yet: the display says so
    news_since_due: bool = True

    @property
    def due(self) -> FuzzyDate:
        return self.claim.date

    @property
    def has_deadline(self) -> bool:
        """False for a plan dated on or before its own announcement: it names no
        deadline, so it is never overdue (only confirmed, reversed or superseded)."""
        return self.announced is None or self.claim.date.end > self.announced

    @property
    def due_start(self) -> dt.date:
        return self.claim.date.start

    @property
    def due_end(self) -> dt.date:
        return self.claim.date.end

    @property
    def group(self) -> str | None:
        return group_id(self.claim) if is_group_figure(self.claim) else None

    def figure_text(self) -> str:
        return self.claim.figure_text()

    def state_text(self) -> str:
        return PLAN_STATE_LABELS[self.state]

    def hindsight_text(self, sources: dict[str, Source] | None = None) -> str:
        """'reversed 20 Oct 2025', 'carried out 18 Jan 2026, 4 months late'."""
        if self.hindsight is None:
            return ""
        state, claim, day = self.hindsight
        return settle_text(state, day, self.claim.date.end, claim, sources)


def settle_text(state: PlanStatus, day: dt.date, due_end: dt.date, claim: Claim,
                sources: dict[str, Source] | None = None) -> str:
    who = f" ({sources[claim.source].outlet})" if sources and claim.source in sources else ""
    when = f"{day.day} {day:%b %Y}"
    if state is PlanStatus.CONFIRMED:
        late = (day - due_end).days
        lateness = ""
        if late > 0:
            from .dates import age_label
            lateness = f", {age_label(late)} late"
        return f"carried out {when}{lateness}{who}"
    return f"{PLAN_STATE_LABELS[state]} {when}{who}"


class PlaceState(NamedTuple):
    """One place on one day.

    ``report`` is the last report in force (None before the first); ``figure_claim`` the
    report whose figure is shown (it may be older than a status-only ``report``). When
    that figure belongs to a group, ``troops_min``/``troops_max`` are None and ``group``
    names it: the figure is never split. ``plan`` is the plan in force beside it.

    A named tuple, not a dataclass: a snapshot makes one per place for its day (the
    cached state with ``on`` set anew), and at 1,000 places an instance with its dict
    cost twice the objects for the garbage collector to walk (issue 11). Immutable all
    the same; ``claims_known`` is left out of the repr, equality and hash.
    """

    place: Place
    report: Claim | None
    figure_claim: Claim | None
    group: str | None
    troops_min: int | None
    troops_max: int | None
    plan: PlanState | None
    sources: tuple[Source, ...]            # the report's and its corroborating sources
    figure_sources: tuple[Source, ...]     # the figure's source(s); never empty with a figure
    conflicts: tuple[Claim, ...]
    restated_by: tuple[Claim, ...]
    #: (every claim about the place, the sources known): the history is filtered from
    #: them only when asked for, since most snapshots never show it
    claims_known: tuple[tuple[Claim, ...], frozenset[str]] = ((), frozenset())
    on: dt.date | None = None
    incoming: tuple[Movement, ...] = ()
    outgoing: tuple[Movement, ...] = ()
    #: projection mode: the plan whose due day has come, that says what the posture
    #: was expected to be on the day (None: no plan due yet; the report stands)
    projection: Claim | None = None

    # --- value semantics of the dataclass it was: claims_known is bookkeeping ---
    def _compared(self) -> tuple:
        return self[:_KNOWN] + self[_KNOWN + 1:]

    def __eq__(self, other) -> bool:
        if not isinstance(other, PlaceState):
            return NotImplemented
        return self._compared() == other._compared()

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        return "PlaceState(" + ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self)
                                         if n != "claims_known") + ")"

    # --- derived -------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.place.id

    @property
    def history(self) -> tuple[Claim, ...]:
        """Every known claim about the place, in the order they take effect."""
        claims, seen = self.claims_known
        return tuple(c for c in claims if c.source in seen)

    @property
    def scope(self) -> Scope:
        return self.place.scope

    @property
    def claim(self) -> Claim | None:
        """The claim in force: the last report, else (nothing reported yet) the plan."""
        if self.report is not None:
            return self.report
        return self.plan.claim if self.plan is not None else None

    @property
    def last_report(self) -> Claim | None:
        return self.report

    @property
    def upcoming_plan(self) -> Claim | None:
        return self.plan.claim if self.plan is not None else None

    @property
    def contradicted_by(self) -> tuple[Claim, ...]:
        """The claim that reversed the plan in force, as of the day shown."""
        p = self.plan
        if p is not None and p.state is PlanStatus.CONTRADICTED and p.settled_by is not None:
            return (p.settled_by,)
        return ()

    @property
    def contradicts(self) -> tuple[Claim, ...]:
        return ()

    @property
    def status(self) -> str | None:
        return self.report.status if self.report else None

    @property
    def basis(self) -> str | None:
        if self.report is not None:
            return "report"
        return "plan" if self.plan is not None else None

    @property
    def force(self) -> str | None:
        fc = self.figure_claim or self.report
        return fc.force if fc else None

    @property
    def qualifier(self) -> str:
        fc = self.figure_claim
        return fc.qualifier if fc is not None and self.group is None else ""

    @property
    def has_figure(self) -> bool:
        return self.troops_min is not None or self.troops_max is not None

    @property
    def age_days(self) -> int | None:
        return _age(self.report, self.on) if self.on else None

    @property
    def figure_age_days(self) -> int | None:
        return _age(self.figure_claim, self.on) if self.on else None

    @property
    def figure_as_of(self) -> FuzzyDate | None:
        return self.figure_claim.date if self.figure_claim else None

    @property
    def figure_restated(self) -> bool:
        return bool(self.figure_claim and self.figure_claim.restated)

    def figure_text(self) -> str:
        fc = self.figure_claim
        if fc is None:
            if self.report is None:
                return "no report" if self.plan is None else "no report yet"
            return "no figure"
        if self.group is not None:
            return f"part of a group figure: {fc.figure_text()}"
        return fc.figure_text()


_tuple_new = tuple.__new__
_ON = PlaceState._fields.index("on")
_KNOWN = PlaceState._fields.index("claims_known")
_INCOMING = PlaceState._fields.index("incoming")
_PROJECTION = PlaceState._fields.index("projection")
assert PlaceState._fields[_INCOMING:] == ("incoming", "outgoing", "projection")


@dataclass(frozen=True)
class GroupState:
    """A figure given for several places together, shown once for the group."""

    id: str
    places: tuple[Place, ...]
    claim: Claim
    sources: tuple[Source, ...]
    conflicts: tuple[Claim, ...]
    #: the members whose figure is still this group's; the others have since had a
    #: figure of their own (e.g. Ain al-Asad handed over while al-Harir has no news)
    current: tuple[Place, ...] = ()
    on: dt.date | None = None

    @property
    def superseded(self) -> tuple[Place, ...]:
        # by id: Place's dataclass equality compares every field, and a member that is
        # not current was compared with each current one (at scale, a third of a step's
        # marker building)
        current = {p.id for p in self.current}
        return tuple(p for p in self.places if p.id not in current)

    @property
    def name(self) -> str:
        return " + ".join(p.name for p in self.places)

    @property
    def basis(self) -> str:
        return self.claim.basis

    @property
    def force(self) -> str:
        return self.claim.force

    @property
    def age_days(self) -> int | None:
        return _age(self.claim, self.on) if self.on else None

    @property
    def contradicted_by(self) -> tuple[Claim, ...]:
        return ()

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
    #: group figures that are *plans* in force at their members (e.g. "250–350 at
    #: Ain al-Asad and al-Harir"), drawn beside the reports, never as reports
    plan_groups: tuple[GroupState, ...] = ()
    #: projection mode: what the plans known on ``known_on`` said the posture would be
    as_planned: bool = False
    #: every source of the dataset by id, for naming the sources of plans and hindsight
    catalogue: dict[str, Source] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        """Every source behind what is shown (reports, figures, plans, moves), oldest first:
        the source line. Computed when asked for, not on every snapshot."""
        shown: dict[str, Source] = {}
        for ps in self.places:
            for s in ps.sources + ps.figure_sources:
                shown[s.id] = s
            if ps.plan is not None and ps.plan.claim.source in self.catalogue:
                s = self.catalogue[ps.plan.claim.source]
                shown[s.id] = s
        for m in self.movements:
            shown[m.source.id] = m.source
        return tuple(sorted(shown.values(), key=lambda s: (s.published, s.id)))

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
        for g in self.groups + self.plan_groups:
            if g.id == group_id:
                return g
        raise KeyError(f"no group {group_id!r} in force on {self.on}")


# ------------------------------------------------------------------ the index

@dataclass
class _PlaceIndex:
    """Everything about one place, sorted once."""

    reports: list[Claim]           # non-restated reports, by (start, published, id)
    report_starts: list[dt.date]
    #: per report: the index of the last report at or before it that sets a figure (-1)
    figure_at: list[int]
    restated: list[Claim]          # restated reports, by start
    restated_starts: list[dt.date]
    plans: list[Claim]             # by (published, due end, id)
    plan_published: list[dt.date]
    #: per plan (same order): its settling events at this place, in the order they
    #: happen: (day, published, state, claim)
    settles: list[list[tuple[dt.date, dt.date, PlanStatus, Claim]]]
    claims: tuple[Claim, ...]      # every claim about the place (history), by effect
    plan_states: dict = field(default_factory=dict)  # memo of the PlanStates built
    _known: dict = field(default_factory=dict)       # sources known -> (claims, them)

    def known_with(self, seen: frozenset[str]) -> tuple[tuple[Claim, ...], frozenset[str]]:
        """``(claims, seen)`` for :attr:`PlaceState.claims_known`, one pair per
        knowledge shared by every state of the place (a frozenset hashes once)."""
        pair = self._known.get(seen)
        if pair is None:
            if len(self._known) > 16:
                self._known.clear()
            pair = self._known[seen] = (self.claims, seen)
        return pair


class Posture:
    """The precomputed posture of one dataset: build once, ask for any day.

    Built by the loader; ``posture(ds)`` returns it for any dataset.
    """

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.published = {sid: s.published for sid, s in ds.sources.items()}
        pub = self.published

        def effect(c: Claim) -> tuple:
            # same day and publication: a quote checked against the article wins the tie
            # (both stay listed as a conflict when they disagree)
            return (c.date.start, pub[c.source], c.quote_checked, c.id)

        by_place: dict[str, list[Claim]] = {}
        for c in ds.claims:
            for pid in c.places:
                by_place.setdefault(pid, []).append(c)
        # Conflicts and corroborations are found on demand, per claim (memoised in
        # ``_relations``): a place with 20,000 claims has a million overlapping pairs,
        # and a snapshot only ever asks about the few claims in force on its day.
        self._relations: dict[str, tuple] = {}
        self._overlap_index: dict[str, list] = {}
        self._windows: dict = {}      # known-on day -> place id -> cached states (see place_state)
        self._window_count = 0
        self._relations_complete = False
        self._swept: set[str] = set()
        self._asked: dict[str, int] = {}
        self._snapshots = 0
        self._group_parts: dict[tuple[str, str], tuple] = {}
        self._own_sources = {sid: (s,) for sid, s in ds.sources.items()}
        self._change_days: dict = {}  # (known_on, sources) -> place id -> change days
        self._group_places: dict[str, tuple[Place, ...]] = {}

        self.places: dict[str, _PlaceIndex] = {}
        for pid, cs in by_place.items():
            cs.sort(key=effect)
            reports = [c for c in cs if c.basis == "report" and not c.restated]
            restated = [c for c in cs if c.basis == "report" and c.restated]
            # a restated plan repeats an earlier announcement as background: it never
            # becomes the latest plan (it is in the history like every claim)
            plans = sorted((c for c in cs if c.basis == "plan" and not c.restated),
                           key=lambda c: (pub[c.source], c.date.end, c.id))
            figure_at, last = [], -1
            for n, c in enumerate(reports):
                if sets_figure(c):
                    last = n
                figure_at.append(last)
            restated.sort(key=lambda c: (c.date.start, pub[c.source], c.id))
            self.places[pid] = _PlaceIndex(
                reports, [c.date.start for c in reports], figure_at, restated,
                [c.date.start for c in restated], plans,
                [pub[c.source] for c in plans], _settles(pid, plans, reports, pub), tuple(cs))

        named = set(by_place)
        named |= {m.from_place for m in ds.movements} | {m.to_place for m in ds.movements}
        self.posture_places = tuple(pid for pid in ds.places if pid in named)
        first_seen: dict[str, dt.date] = {}
        for c in ds.claims:
            for pid in c.places:
                first_seen[pid] = min(first_seen.get(pid, pub[c.source]), pub[c.source])
        for m in ds.movements:
            for pid in (m.from_place, m.to_place):
                first_seen[pid] = min(first_seen.get(pid, pub[m.source]), pub[m.source])
        self.first_seen = first_seen
        # movements by start, with the longest span, so the active ones are a slice
        self.moves = sorted(ds.movements, key=lambda m: (m.start.start, m.id))
        self.move_starts = [m.start.start for m in self.moves]
        self.move_span = max(((m.end.end - m.start.start) for m in self.moves), default=dt.timedelta(0))

    # --- conflicts and corroborations, on demand ---------------------------
    @cached_property
    def conflict_pairs(self) -> tuple[tuple[Claim, Claim], ...]:
        """Every pair of claims in conflict, in the order of the sweep over each place's
        claims (built when first asked for: the data quality page and ``conflicts``)."""
        by_place = {pid: list(ix.claims) for pid, ix in self.places.items()}
        return _sweep(self.ds, by_place, self.published)[2]

    def _overlapping(self, pid: str, x: Claim):
        """The claims about ``pid`` whose dates overlap ``x``'s (``x`` included).

        Claims are kept in buckets of similar span (a day, a week, a month, a year), each
        sorted by start: in a bucket, a claim can overlap ``x`` only if it starts no more
        than the bucket's longest span before ``x`` does, so each query reads little more
        than what it returns.
        """
        buckets = self._overlap_index.get(pid)
        if buckets is None:
            by_span: dict[int, list[Claim]] = {}
            for c in self.places[pid].claims:
                by_span.setdefault(((c.date.end - c.date.start).days + 1).bit_length(), []).append(c)
            buckets = []
            for cs in by_span.values():
                cs.sort(key=lambda c: c.date.start)
                span = max(c.date.end - c.date.start for c in cs)
                buckets.append(([c.date.start for c in cs], cs, span))
            self._overlap_index[pid] = buckets
        start, end = x.date.start, x.date.end
        for starts, cs, span in buckets:
            lo = bisect.bisect_left(starts, start - span)
            hi = bisect.bisect_right(starts, end)
            for n in range(lo, hi):
                c = cs[n]
                if c.date.end >= start:
                    yield c

    def _sweep_place(self, pid: str, now: bool = False) -> bool:
        """Find the conflicts and corroborations of every claim at ``pid`` in one sweep,
        once, when the place has been asked about a few times (one snapshot asks about
        one or two claims per place: a query each is cheaper; a slider over many days
        asks about most of them: the sweep is). Never at a crowded place (the sweep's
        pairs grow with the square of its claims). False: ask per claim."""
        if pid in self._swept:
            return True
        claims = self.places[pid].claims
        if len(claims) > _SWEEP_PLACE_LIMIT:
            return False
        asked = self._asked[pid] = self._asked.get(pid, 0) + 1
        if asked <= _ASKED_BEFORE_SWEEP and not now:
            return False
        conflicts_by, corroborated_by, _pairs = _sweep(self.ds, {pid: list(claims)}, self.published)
        for c in claims:
            found = (conflicts_by.get(c.id), corroborated_by.get(c.id))
            if len(c.places) == 1:  # a claim about one place meets only the claims there
                self._relations[c.id] = found
            else:                   # a group's: one part, joined with its other places'
                self._group_parts[(c.id, pid)] = found
        self._swept.add(pid)
        return True

    def _related(self, x: Claim) -> tuple:
        """(conflicts, corroborations) of ``x``, each ``(claims by start, their starts)``
        or None: the same pairs and the same tests as :func:`_sweep`, asked for one claim."""
        rel = self._relations.get(x.id)
        if rel is not None:
            return rel
        single = len(x.places) == 1
        if single and self._sweep_place(x.places[0]):
            return self._relations[x.id]
        conf: list[Claim] = []
        corr: list[Claim] = []
        met: set[str] = {x.id}
        for pid in x.places:
            if not single and self._sweep_place(pid):   # what the place's sweep found for the group claim
                found = self._group_parts[(x.id, pid)]
                candidates = [(y, 1) for y in found[0][0]] if found[0] else []
                candidates += [(y, 2) for y in found[1][0]] if found[1] else []
            else:                        # a place not swept (yet): this claim's overlaps only
                candidates = [(y, None) for y in self._overlapping(pid, x)]
            for y, r in candidates:
                if y.id in met:   # itself, or a group met again at another shared place
                    continue
                met.add(y.id)
                if r is None:
                    r = _relation(x, y)
                if r == 1:
                    conf.append(y)
                elif r == 2:
                    corr.append(y)
        def by_start(v):
            if not v:
                return None
            v.sort(key=lambda c: (c.date.start, c.id))
            return (tuple(v), [c.date.start for c in v])
        rel = self._relations[x.id] = (by_start(conf), by_start(corr))
        return rel

    def active_movements(self, on: dt.date, k: Knowledge) -> list[Movement]:
        lo = bisect.bisect_left(self.move_starts, on - self.move_span)
        hi = bisect.bisect_right(self.move_starts, on)
        return [m for m in self.moves[lo:hi] if m.end.end >= on and m.source in k.sources]

    # --- one place ---------------------------------------------------------
    def place_state(self, pid: str, on: dt.date, k: Knowledge) -> PlaceState:
        """The place's state on ``on`` as known with ``k``.

        A state holds over a window of days (between the change points it was worked
        out from: report starts, plan announcements and deadlines, the start of a
        conflicting or corroborating claim, ...). Each state is kept with its window,
        per known-on day, so a slider over the days recomputes a place only when the
        day leaves the window; only ``on`` (the day the ages count to) is set anew.
        The cache is bounded (:data:`_WINDOW_STATES` states, :data:`_WINDOW_DAYS`
        known-on days); :meth:`place_state_reference` computes without it.
        """
        return self._cached_state(self._windows_of(k), pid, on, k)

    def _windows_of(self, k: Knowledge) -> dict:
        """place id -> ([window first days], [(window end, state)]) for one knowledge."""
        key = (k.known_on, k.sources)
        per_place = self._windows.get(key)
        if per_place is None:
            if len(self._windows) >= _WINDOW_DAYS:
                dropped = self._windows.pop(next(iter(self._windows)))
                self._window_count -= sum(len(w[0]) for w in dropped.values())
            per_place = self._windows[key] = {}
        return per_place

    def _cached_state(self, per_place: dict, pid: str, on: dt.date, k: Knowledge) -> PlaceState:
        w = per_place.get(pid)
        if w is not None:
            j = bisect.bisect_right(w[0], on) - 1
            if j >= 0:
                lo, hi, ps = w[1][j]
                if lo <= on < hi:
                    return ps if ps.on == on else _with(ps, on=on)
        bounds = [dt.date.min, dt.date.max]
        ps = self._compute_place_state(pid, on, k, bounds)
        if self._window_count >= _WINDOW_STATES:
            for d in self._windows.values():
                d.clear()
            self._window_count = 0
            w = None
        # new lists, put in place by one assignment: a session reading the place's
        # windows in another thread sees the old pair or the new one, never half of one
        starts, entries = (list(w[0]), list(w[1])) if w is not None else ([], [])
        j = bisect.bisect_right(starts, bounds[0])
        starts.insert(j, bounds[0])
        entries.insert(j, (bounds[0], bounds[1], ps))
        per_place[pid] = (starts, entries)
        self._window_count += 1
        return ps

    def states_on(self, on: dt.date, k: Knowledge, moves: dict | None = None) -> list[PlaceState]:
        """The state of every place named by a source known with ``k``, on ``on``, in
        the order of ``posture_places`` (the snapshot's loop, with the lookups hoisted).

        ``moves``: place id -> (incoming, outgoing) movements on the day, set in the same
        copy that sets ``on`` (one new state per place a day, not two)."""
        self._snapshots += 1
        if self._snapshots == 2 and not self._relations_complete:
            # a second day asked for: a slider. Find the conflicts at every place in one
            # go now, rather than a few places per day over the next many snapshots (a
            # single snapshot, as an export of one day, asks about one claim or two each).
            # Not when every claim's are known already: the dashboard's first run asks
            # for every change day (the slider's stops), which finds them all, and
            # sweeping each place again made the first slider step at 1,000 places
            # take a second (issue 11).
            for pid in self.places:
                self._sweep_place(pid, now=True)
        per_place = self._windows_of(k)
        known_on = k.known_on or on
        first_seen = self.first_seen
        get = per_place.get
        right = bisect.bisect_right
        out = []
        for pid in self.posture_places:
            if first_seen[pid] > known_on:
                continue  # no source known then names the place
            w = get(pid)
            if w is not None:
                j = right(w[0], on) - 1
                if j >= 0:
                    lo, hi, ps = w[1][j]
                    if lo <= on < hi:
                        if moves and pid in moves:
                            ps = _tuple_new(PlaceState, ps[:_ON] + (on,) + ps[_ON + 1:_INCOMING]
                                            + moves[pid] + (None,))
                        elif ps[_ON] != on:
                            ps = _tuple_new(PlaceState, ps[:_ON] + (on,) + ps[_ON + 1:])
                        out.append(ps)
                        continue
            ps = self._cached_state(per_place, pid, on, k)
            if moves and pid in moves:
                ps = _tuple_new(PlaceState, ps[:_INCOMING] + moves[pid] + (None,))
            out.append(ps)
        return out

    def states_on_reference(self, on: dt.date, k: Knowledge, moves: dict | None = None) -> list[PlaceState]:
        """:meth:`states_on` computed afresh, without the cache (the tests' reference)."""
        known_on = k.known_on or on
        out = [self.place_state_reference(pid, on, k) for pid in self.posture_places
               if self.first_seen[pid] <= known_on]
        if moves:
            out = [_tuple_new(PlaceState, ps[:_INCOMING] + moves[ps.place.id] + (None,))
                   if ps.place.id in moves else ps for ps in out]
        return out

    def place_state_reference(self, pid: str, on: dt.date, k: Knowledge) -> PlaceState:
        """The place's state worked out from the index alone, with no cached window:
        the reference the tests hold :meth:`place_state` to."""
        return self._compute_place_state(pid, on, k, None)

    def _compute_place_state(self, pid: str, on: dt.date, k: Knowledge,
                             bounds: list | None) -> PlaceState:
        """The state on ``on``; with ``bounds`` (``[first, end)``, narrowed in place) also
        the window of days over which every choice made here stays the same."""
        ds = self.ds
        ix = self.places.get(pid)
        place = ds.places[pid]
        if ix is None:
            return PlaceState(place, None, None, None, None, None, None, (), (), (), (), on=on)
        seen = k.sources
        # the last report in force: bisect on the start day, step back past the unknown
        i = bisect.bisect_right(ix.report_starts, on) - 1
        if bounds is not None:
            _narrow(bounds, ix.report_starts, i + 1)
        while i >= 0 and ix.reports[i].source not in seen:
            i -= 1
        report = ix.reports[i] if i >= 0 else None
        j = ix.figure_at[i] if i >= 0 else -1
        reports = ix.reports
        while j >= 0 and reports[j].source not in seen:  # step back past the unknown
            j -= 1
            while j >= 0 and not sets_figure(reports[j]):
                j -= 1
        figure_claim = reports[j] if j >= 0 else None
        if (figure_claim is not None and figure_claim is not report and not figure_claim.has_figure
                and _has_troops(figure_claim) is False and _has_troops(report) is True):
            # "vacated" then "present": the withdrawal's none no longer holds, and no
            # figure has been given since
            figure_claim = None
        # restatements: support for the figure in force, never newer than it
        restated_by: tuple[Claim, ...] = ()
        if ix.restated:
            k_end = bisect.bisect_right(ix.restated_starts, on)
            if bounds is not None:
                _narrow(bounds, ix.restated_starts, k_end)
            if figure_claim is None:
                rs = [c for c in ix.restated[:k_end] if c.source in seen]
                if rs:
                    figure_claim = rs.pop()
                    if report is None:
                        report = figure_claim
            else:
                k_start = bisect.bisect_left(ix.restated_starts, figure_claim.date.start)
                rs = [c for c in ix.restated[k_start:k_end] if c.source in seen]
            if figure_claim is not None and rs:
                restated_by = tuple(c for c in rs if c.date.start >= figure_claim.date.start
                                    and c.force == figure_claim.force
                                    and not incompatible(c, figure_claim))
        plan = self._plan_in_force(ix, on, k, bounds)
        gid = lo = hi = None
        if figure_claim is not None:
            if is_group_figure(figure_claim):
                gid = group_id(figure_claim)
            else:
                lo, hi = figure_claim.troops_min, figure_claim.troops_max
        srcs: tuple[Source, ...] = ()
        fsrcs: tuple[Source, ...] = ()
        conflicts: tuple[Claim, ...] = ()
        if report is not None:
            rel = self._relations.get(report.id) or self._related(report)
            # most reports stand alone: their own source, no conflict (the calls skipped)
            srcs = (self._sources_of(report, seen, on, bounds) if rel[1] is not None
                    else self._own_sources[report.source])
            if rel[0] is not None:
                conflicts = self._conflicts_of(report, seen, on, bounds)
        if figure_claim is not None:
            fsrcs = srcs if figure_claim is report else self._sources_of(figure_claim, seen, on, bounds)
            fsrcs += tuple(ds.sources[c.source] for c in restated_by
                           if ds.sources[c.source] not in fsrcs)
            if figure_claim is not report:
                srcs += tuple(s for s in fsrcs if s not in srcs)
                conflicts += tuple(c for c in self._conflicts_of(figure_claim, seen, on, bounds)
                                   if c not in conflicts and c is not report)
        # in field order, without the keyword-checking ``__new__`` (a slider recomputes
        # hundreds of places a day)
        return _tuple_new(PlaceState, (place, report, figure_claim, gid, lo, hi, plan, srcs, fsrcs,
                                       conflicts, restated_by, ix.known_with(seen), on, (), (), None))

    def _plan_in_force(self, ix: _PlaceIndex, on: dt.date, k: Knowledge,
                       bounds: list | None = None) -> PlanState | None:
        published = ix.plan_published
        n_on = bisect.bisect_right(published, on)
        if bounds is not None:
            # the plan chosen with ``min(on, known_on)`` stays while ``on`` passes no
            # announcement (a superset of the days it can change on)
            _narrow(bounds, published, n_on)
        known_on = k.known_on
        i = (n_on if known_on is None or on <= known_on else bisect.bisect_right(published, known_on)) - 1
        # published <= known_on implies visible, so no stepping back is needed
        if i < 0:
            return None
        plan = ix.plans[i]
        state, by, day = None, None, None
        hindsight = None
        for ev_day, ev_pub, ev_state, ev_claim in ix.settles[i]:
            if ev_claim.source not in k.sources:
                continue
            if ev_day <= on:
                state, by, day = ev_state, ev_claim, ev_day
                if bounds is not None and ev_day > bounds[0]:
                    bounds[0] = ev_day
            else:
                hindsight = (ev_state, ev_claim, ev_day)
                if bounds is not None and ev_day < bounds[1]:
                    bounds[1] = ev_day
            break
        if state is None:
            # a plan dated on or before its own announcement names no deadline ("250-350
            # would stay", "once negotiations conclude"): pending, never overdue
            has_deadline = plan.date.end > ix.plan_published[i]
            state = PlanStatus.OVERDUE if has_deadline and plan.date.end < on else PlanStatus.PENDING
            if bounds is not None and has_deadline:
                overdue_from = plan.date.end + _DAY
                if on >= overdue_from:
                    bounds[0] = max(bounds[0], overdue_from)
                else:
                    bounds[1] = min(bounds[1], overdue_from)
        # the same plan state recurs on every day of an interval: build it once
        news = k.latest is None or k.latest > plan.date.end
        # claims by identity: the index holds them, and hashing a claim hashes its fields
        key = (i, state, id(by), day, hindsight and (hindsight[0], id(hindsight[1]), hindsight[2]), news)
        ps = ix.plan_states.get(key)
        if ps is None:
            if len(ix.plan_states) > 256:
                ix.plan_states.clear()
            ps = ix.plan_states[key] = PlanState(plan, state, by, day, hindsight, ix.plan_published[i], news)
        return ps

    def _sources_of(self, claim: Claim, seen, on: dt.date, bounds: list | None = None) -> tuple[Source, ...]:
        """The claim's own source, then those of other claims saying the same of the same time."""
        ds = self.ds
        others = self._related(claim)[1]
        if not others:
            # one tuple per source, shared by every state that names it alone (most do):
            # fewer objects for the garbage collector to walk in a slider's cache
            return self._own_sources[claim.source]
        out = [ds.sources[claim.source]]
        n = bisect.bisect_right(others[1], on)
        if bounds is not None:
            _narrow(bounds, others[1], n)
        for c in others[0][:n]:
            s = ds.sources[c.source]
            if c.source in seen and s not in out:
                out.append(s)
        return tuple(out)

    def _conflicts_of(self, claim: Claim, seen, on: dt.date, bounds: list | None = None) -> tuple[Claim, ...]:
        """Claims in conflict with ``claim`` that are known and in effect by ``on``."""
        found = self._related(claim)[0]
        if not found:
            return ()
        n = bisect.bisect_right(found[1], on)
        if bounds is not None:
            _narrow(bounds, found[1], n)
        return tuple(c for c in found[0][:n] if c.source in seen)

    # --- projection ----------------------------------------------------------
    def projected(self, pid: str, on: dt.date, k: Knowledge) -> Claim | None:
        """The plan (known on the known-on day, announced by then) that said what the
        place would be on ``on``: of those whose due day has come, the latest due,
        then the latest announced."""
        ix = self.places.get(pid)
        if ix is None:
            return None
        limit = k.known_on
        best = None
        for c, p in zip(ix.plans, ix.plan_published):
            if limit is not None and p > limit:
                break
            if c.source in k.sources and c.date.end <= on:
                if best is None or (c.date.end, p) >= (best.date.end, self.published[best.source]):
                    best = c
        return best

    # --- change days of one place ------------------------------------------
    def _all_relations(self) -> None:
        """Every claim's conflicts and corroborations at once, by :func:`_sweep` (one
        pass over each place's claims; the change days of every place need them all)."""
        if self._relations_complete:
            return
        if len(self._swept) == len(self.places):
            # A slider has swept every place already (states_on): a claim about one
            # place has its relations from there, and a group's are joined from its
            # places' parts, as _related does for any claim. The same relations as the
            # full sweep's (tests/test_posture_fast.py), without sweeping every
            # place again: at 1,000 places that took a second of a timeline export.
            related = self._related
            for c in self.ds.claims:
                related(c)
        else:
            by_place = {pid: list(ix.claims) for pid, ix in self.places.items()}
            conflicts_by, corroborated_by, pairs = _sweep(self.ds, by_place, self.published)
            self.__dict__.setdefault("conflict_pairs", pairs)
            self._relations.update((c.id, (conflicts_by.get(c.id), corroborated_by.get(c.id)))
                                   for c in self.ds.claims)
        self._relations_complete = True

    def change_days(self, pid: str, k: Knowledge) -> list[dt.date]:
        """The days on which the place's state can change, as known with ``k``
        (remembered per knowledge: ``change_dates`` and the timeline both walk every
        place, one after the other)."""
        key = (k.known_on, k.sources)
        memo = self._change_days.get(key)
        if memo is None:
            if len(self._change_days) >= 4:
                self._change_days.pop(next(iter(self._change_days)))
            memo = self._change_days[key] = {}
        days = memo.get(pid)
        if days is None:
            days = memo[pid] = tuple(self._find_change_days(pid, k))
        return list(days)

    def _find_change_days(self, pid: str, k: Knowledge) -> list[dt.date]:
        ix = self.places.get(pid)
        if ix is None:
            return []
        self._all_relations()
        seen = k.sources
        days = {c.date.start for c in ix.reports if c.source in seen}
        days |= {c.date.start for c in ix.restated if c.source in seen}
        for plan, p, evs in zip(ix.plans, ix.plan_published, ix.settles):
            if plan.source not in seen:
                continue
            days.add(p)
            if plan.date.end > p:
                days.add(plan.date.end + dt.timedelta(days=1))   # pending -> overdue
            for ev_day, _pub, _st, c in evs:
                if c.source in seen:
                    days.add(ev_day)
                    break
        # conflicts and corroborations appear when the other claim takes effect
        for c in ix.claims:
            if c.source not in seen:
                continue
            for others in self._related(c):
                if others:
                    days.update(o.date.start for o in others[0] if o.source in seen)
        return sorted(days)


_DAY = dt.timedelta(days=1)

#: Bounds of the per-place state cache (:meth:`Posture.place_state`): at most this many
#: states in all (about 1 kB each), for at most this many known-on days.
_WINDOW_STATES = 60_000
_WINDOW_DAYS = 8

#: A place with at most this many claims has all its claims' conflicts found in one
#: sweep when the first is asked for; above it (the sweep's pairs grow with the square
#: of the claims) each claim's are found on its own, when asked for.
_SWEEP_PLACE_LIMIT = 2000
#: ... once this many of its claims have been asked about one by one.
_ASKED_BEFORE_SWEEP = 4


def _narrow(bounds: list, points: list, n: int) -> None:
    """Narrow ``bounds`` (``[first, end)``) to the days on which ``bisect_right(points,
    day)`` stays ``n``: from ``points[n - 1]`` to ``points[n]`` (exclusive)."""
    if n and points[n - 1] > bounds[0]:
        bounds[0] = points[n - 1]
    if n < len(points) and points[n] < bounds[1]:
        bounds[1] = points[n]


def _settles(pid: str, plans: list[Claim], reports: list[Claim], pub) -> list[list]:
    """For each plan at a place, its settling events there, in the order they happen.

    * a later plan (announced after it) supersedes it, or contradicts (reverses) it when
      the two cannot both be true; that happens on the later plan's announcement day;
    * a report dated on or after the plan's announcement that bears it out confirms it.
    Only the first visible event matters for any known-on day: reports dated after the
    next plan was announced cannot be known without it, so the scan stops there; of the
    confirming reports only those published earlier than every one before them can be
    the first visible one (a staircase).
    """
    out = []
    starts = [c.date.start for c in reports]
    # plans are sorted by announcement: the same day's follow at once, the later ones
    # from the first index announced after (scans bounded so that a place with
    # thousands of plans is not quadratic)
    announced_on = [pub[q.source] for q in plans]
    n_plans = len(plans)
    for i, plan in enumerate(plans):
        announced = announced_on[i]
        events: list[tuple[dt.date, dt.date, PlanStatus, Claim]] = []
        later = bisect.bisect_right(announced_on, announced, i + 1)
        # a source's own plans never settle each other (ISW's "complete withdrawal" and
        # its "trainers will remain" are one report saying two things)
        nxt = next((plans[j] for j in range(later, n_plans) if plans[j].source != plan.source), None)
        # same-day plans from other sources: the later in order replaces it that day
        same = next((plans[j] for j in range(i + 1, later) if plans[j].source != plan.source), None)
        stop = pub[nxt.source] if nxt is not None else dt.date.max
        best_pub = dt.date.max
        k = bisect.bisect_left(starts, announced)
        for r in reports[k:]:
            if r.date.start > stop:
                break
            if pub[r.source] < best_pub and plan_matches(plan, r):
                events.append((r.date.start, pub[r.source], PlanStatus.CONFIRMED, r))
                best_pub = pub[r.source]
        for q in (same, nxt):
            if q is None:
                continue
            st = PlanStatus.CONTRADICTED if _reverses(q, plan, pub) else PlanStatus.SUPERSEDED
            events.append((pub[q.source], pub[q.source], st, q))
        events.sort(key=lambda e: (e[0], e[1]))
        out.append(events)
    return out


#: Statuses a plan keeps from its announcement on ("250-350 will stay"): it says what
#: the place holds from now, not only by its deadline.
_CONTINUING = frozenset({"residual", "present"})


def _reverses(later: Claim, plan: Claim, pub) -> bool:
    """Does a later announcement reverse the plan (say its outcome will not happen)?

    Only if the later plan says something the plan's outcome cannot sit beside *at the
    plan's own due time*: either it holds from its announcement on (a force that will
    stay, or a plan with no deadline of its own), or it falls due no later than the plan
    did. A plan with a later deadline that says something else ("out of Syria by April
    2026" after "forces will move to Syria by September 2025") is a next step: it
    supersedes the old one.
    """
    if later.force != plan.force or not incompatible(later, plan):
        return False
    continuing = later.status in _CONTINUING or later.date.end <= pub[later.source]
    return continuing or later.date.end <= plan.date.end


def _coalition_none_against(a: Claim, b: Claim) -> bool:
    """Across forces only one thing clashes: the coalition said to be gone (none left)
    where US troops are said to be present; the coalition's figures include the US."""
    for co, us in ((a, b), (b, a)):
        if co.force == "coalition" and us.force == "US":
            return _has_troops(co) is False and _has_troops(us) is True and _comparable(co, us)
    return False


def _relation(a: Claim, b: Claim) -> int:
    """1 if two claims whose dates overlap at a shared place are in conflict, 2 if they
    corroborate each other (the same thing said twice), else 0. Symmetric; the tests of
    :func:`_sweep`, which stays the reference."""
    if a.source == b.source or a.basis != b.basis:
        return 0
    if a.force != b.force and not _coalition_none_against(a, b):
        return 0
    clash = incompatible(a, b) if a.force == b.force else True
    if clash and _comparable(a, b):
        return 1
    if (not clash and a.entity == b.entity and not (a.restated or b.restated)
            and a.status == b.status and a.has_figure == b.has_figure):
        return 2
    return 0


def _sweep(ds: Dataset, by_place: dict[str, list[Claim]], pub):
    """Conflicts and corroborations by a sweep over each place's claims sorted by start:
    each claim is compared only with the earlier ones whose dates still overlap it."""
    conflicts_by: dict[str, list[Claim]] = {}
    corroborated_by: dict[str, list[Claim]] = {}
    pairs: list[tuple[Claim, Claim]] = []
    done: set[tuple[str, str]] = set()
    for cs in by_place.values():
        ordered = sorted(cs, key=lambda c: (c.date.start, c.date.end, c.id))
        active: dict[int, Claim] = {}
        ends: list[tuple[dt.date, int]] = []   # heap of (last day, index) of the active claims
        for n, b in enumerate(ordered):
            start = b.date.start
            while ends and ends[0][0] < start:
                active.pop(heapq.heappop(ends)[1], None)
            b_group = b.is_group
            for a in active.values():
                if a.source == b.source or a.basis != b.basis:
                    continue
                if a.force != b.force and not _coalition_none_against(a, b):
                    continue
                if b_group and a.is_group:  # two groups may meet at several places: once
                    key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                    if key in done:
                        continue
                    done.add(key)
                clash = incompatible(a, b) if a.force == b.force else True
                if clash and _comparable(a, b):
                    pairs.append((a, b))
                    conflicts_by.setdefault(a.id, []).append(b)
                    conflicts_by.setdefault(b.id, []).append(a)
                elif (not clash and a.entity == b.entity and not (a.restated or b.restated)
                      and a.status == b.status and a.has_figure == b.has_figure):
                    # the same thing said twice: same places, status and (compatible) figure
                    corroborated_by.setdefault(a.id, []).append(b)
                    corroborated_by.setdefault(b.id, []).append(a)
            active[n] = b
            heapq.heappush(ends, (b.date.end, n))
    def by_start(d):  # claim id -> (claims by start, their starts) for bisection by day
        out = {}
        for k, v in d.items():
            v.sort(key=lambda c: (c.date.start, c.id))
            out[k] = (tuple(v), [c.date.start for c in v])
        return out
    return by_start(conflicts_by), by_start(corroborated_by), tuple(pairs)


def posture(ds: Dataset) -> Posture:
    """The dataset's :class:`Posture`, built once (the loader builds it at load)."""
    return ds.posture


# ------------------------------------------------------------------ snapshot

def snapshot(ds: Dataset, on: dt.date | str, known_on: dt.date | str | None = None,
             as_planned: bool = False) -> Snapshot:
    """The posture on ``on`` as it could be known on ``known_on`` (default: everything).

    With ``as_planned`` it is a projection: each place also carries the plan that,
    as known on ``known_on``, said what the place would be on ``on``.
    """
    return _snapshot(ds, on, known_on, as_planned, reference=False)


def snapshot_reference(ds: Dataset, on: dt.date | str, known_on: dt.date | str | None = None,
                       as_planned: bool = False) -> Snapshot:
    """:func:`snapshot` with every place worked out afresh from the index (no cached
    states): the straightforward path the tests hold the fast one to."""
    return _snapshot(ds, on, known_on, as_planned, reference=True)


def _snapshot(ds: Dataset, on, known_on, as_planned: bool, reference: bool) -> Snapshot:
    on = as_date(on)
    k = Knowledge.of(ds, known_on)
    known_on = k.known_on or on
    P = posture(ds)

    movements = tuple(
        MovementState(m, ds.places[m.from_place], ds.places[m.to_place], ds.sources[m.source])
        for m in sorted(P.active_movements(on, k), key=ds.movements.index if len(ds.movements) < 200
                        else (lambda m: m.id)))
    incoming: dict[str, list[Movement]] = {}
    outgoing: dict[str, list[Movement]] = {}
    for ms in movements:
        incoming.setdefault(ms.movement.to_place, []).append(ms.movement)
        outgoing.setdefault(ms.movement.from_place, []).append(ms.movement)

    # the day's moves, set in the copy that sets the day
    moves = {pid: (tuple(incoming.get(pid, ())), tuple(outgoing.get(pid, ())))
             for pid in incoming.keys() | outgoing.keys()}
    states = P.states_on_reference(on, k, moves) if reference else P.states_on(on, k, moves)
    if as_planned:   # the last field (``_replace`` is a Python loop)
        states = [_tuple_new(PlaceState, ps[:_PROJECTION] + (P.projected(ps.place.id, on, k),))
                  for ps in states]
    grouped = [ps for ps in states
               if ps.group is not None or (ps.plan is not None and len(ps.plan.claim.places) > 1)]

    groups = _groups(ds, P, grouped, k, on, plans=False)
    plan_groups = _groups(ds, P, grouped, k, on, plans=True)
    return Snapshot(on, known_on, tuple(states), groups, movements, phase_on(ds, on, known_on),
                    k.latest, plan_groups, as_planned, ds.sources)


def _with(ps: PlaceState, **changes) -> PlaceState:
    """A copy with some fields changed (a snapshot makes one per place on the move)."""
    return ps._replace(**changes)


def _groups(ds: Dataset, P: Posture, states: list[PlaceState], k: Knowledge, on: dt.date,
            plans: bool) -> tuple[GroupState, ...]:
    found: dict[str, tuple[Claim, list[Place]]] = {}
    for ps in states:
        if plans:
            c = ps.plan.claim if ps.plan is not None and is_group_figure(ps.plan.claim) else None
        else:
            c = ps.figure_claim if ps.group is not None else None
        if c is None:
            continue
        gid = group_id(c) if not plans else f"plan:{c.id}"
        entry = found.setdefault(gid, (c, []))
        entry[1].append(ps.place)
    out = []
    members = P._group_places
    for gid, (claim, current) in found.items():
        places = members.get(claim.id)
        if places is None:   # one tuple per group claim, not one a day
            places = members[claim.id] = tuple(ds.places[p] for p in claim.places)
        out.append(GroupState(
            id=gid if not plans else group_id(claim), places=places,
            claim=claim, sources=P._sources_of(claim, k.sources, on),
            conflicts=P._conflicts_of(claim, k.sources, on),
            current=tuple(current), on=on))
    out.sort(key=lambda g: (g.id, g.claim.id))
    return tuple(out)


def reports_only(ds: Dataset) -> Dataset:
    """The dataset without plans: what was *reported* to have happened.

    With reports leading, the snapshot already shows reports; this view also drops the
    plans shown beside them, and planned movements.
    """
    key = ("reports",)
    if key not in ds.views:
        ds.views[key] = ds.replace(claims=tuple(c for c in ds.claims if c.basis == "report"),
                                   movements=tuple(m for m in ds.movements if m.basis == "report"))
    return ds.views[key]


def only_force(ds: Dataset, force: str | None) -> Dataset:
    """The dataset with the claims and moves of one force only (``None``: all)."""
    if not force:
        return ds
    key = ("force", force)
    if key not in ds.views:
        ds.views[key] = ds.replace(claims=tuple(c for c in ds.claims if c.force == force),
                                   movements=tuple(m for m in ds.movements if m.force == force))
    return ds.views[key]


def forces(ds: Dataset) -> list[str]:
    """The forces the dataset's claims speak of, US first (``Dataset.forces``, a copy)."""
    return list(ds.forces)


# ------------------------------------------------------------------ timeline

class StateInterval(NamedTuple):
    """A place's, a group's or a movement's state over ``[start, end)`` (end exclusive).

    A named tuple, not a frozen dataclass, like :class:`PlaceState`: a timeline at 1,000
    places makes 114,000 of them, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) took 1.9 µs each against 0.7 µs (issue 11)."""

    layer: str            # place | group | movement
    key: str              # place id, group id or movement id
    start: dt.date
    end: dt.date          # exclusive
    place_state: PlaceState | None = None
    group_state: GroupState | None = None
    movement_state: MovementState | None = None


def change_dates(ds: Dataset, known_on: dt.date | str | None = None) -> list[dt.date]:
    """Every day on which something shown changes (reports take effect, plans are
    announced or fall due, moves start or end, phases turn), for slider stops and
    timeline intervals."""
    k = Knowledge.of(ds, known_on)
    P = posture(ds)
    days: set[dt.date] = set()
    for pid in P.places:
        days.update(P.change_days(pid, k))
    for m in ds.movements:
        if k.knows(m):
            days.add(m.start.start)
            days.add(m.end.end + dt.timedelta(days=1))
    for p in ds.phases:
        if k.knows(p):
            days.add(p.start)
            if p.end:
                days.add(p.end + dt.timedelta(days=1))
    return sorted(days)


def _signature(ps: PlaceState) -> tuple:
    """What makes two days' states of a place the same interval.

    The claims by identity: the dataset holds one record per id, so the same object
    means the same id. ``id()`` instead of the records (whose ``==`` compares every
    field) and the tuples themselves instead of tuples of ids built for each state: a
    timeline at 1,000 places signs 100,000 states (issue 11)."""
    p = ps.plan
    return (id(ps.report), id(ps.figure_claim),
            (id(p.claim), p.state, id(p.settled_by)) if p else None,
            ps.conflicts, ps.restated_by, ps.sources)


def timeline(ds: Dataset, known_on: dt.date | str | None = None,
             until: dt.date | str | None = None) -> list[StateInterval]:
    """Every interval over which a place's, group's or movement's state holds.

    Each place is walked over its own change days only, so the cost grows with the
    number of claims, not with days × places; a state is worked out again only when a
    change day leaves the window of days the last one was found to hold over. The last
    interval of each place and group runs to ``until`` (exclusive; default: the day
    after the last change), since a figure holds until replaced.
    """
    return _timeline(ds, known_on, until, reference=False)


def timeline_reference(ds: Dataset, known_on: dt.date | str | None = None,
                       until: dt.date | str | None = None) -> list[StateInterval]:
    """:func:`timeline` worked out afresh on every change day of every place (no
    windows): the straightforward path the tests hold the fast one to."""
    return _timeline(ds, known_on, until, reference=True)


def _timeline(ds: Dataset, known_on, until, reference: bool) -> list[StateInterval]:
    k = Knowledge.of(ds, known_on)
    P = posture(ds)
    all_days = change_dates(ds, known_on)
    if not all_days:
        return []
    until = as_date(until) if until is not None else all_days[-1] + dt.timedelta(days=1)
    known = k.known_on
    out: list[StateInterval] = []
    # group membership per day, collected from the place intervals
    group_spans: dict[str, list[tuple[dt.date, dt.date, str, Claim]]] = {}
    for pid in P.posture_places:
        if known is not None and P.first_seen[pid] > known:
            continue
        days = [d for d in P.change_days(pid, k) if d < until]
        open_: tuple[dt.date, tuple, PlaceState] | None = None
        window_end = None
        for day in days:
            if reference:
                ps = P.place_state_reference(pid, day, k)
            else:
                if window_end is not None and day < window_end:
                    continue  # the state last worked out still holds: same signature
                bounds = [dt.date.min, dt.date.max]
                ps = P._compute_place_state(pid, day, k, bounds)
                window_end = bounds[1]
            if ps.report is None and ps.plan is None:
                continue
            sig = _signature(ps)
            if open_ is not None and open_[1] == sig:
                continue
            if open_ is not None:
                out.append(StateInterval("place", pid, open_[0], day, place_state=open_[2]))
            open_ = (day, sig, ps)
        if open_ is not None:
            out.append(StateInterval("place", pid, open_[0], until, place_state=open_[2]))
    for iv in out:
        ps = iv.place_state
        if ps.group is not None:
            group_spans.setdefault(ps.group, []).append((iv.start, iv.end, ps.place.id, ps.figure_claim))
    for gid, spans in group_spans.items():
        cuts = sorted({s for s, _e, _p, _c in spans} | {e for _s, e, _p, _c in spans})
        open_g = None
        # members in force at each cut, by a sweep over the spans (a place's own
        # intervals never overlap, so a member is in force once at a time)
        starting: dict[dt.date, list] = {}
        ending: dict[dt.date, list] = {}
        if not reference:
            for span in spans:
                starting.setdefault(span[0], []).append(span)
                ending.setdefault(span[1], []).append(span)
        in_force: dict[int, tuple] = {}
        for a, b in zip(cuts, cuts[1:]):
            if reference:
                members = sorted((p, c) for s, e, p, c in spans if s <= a < e)
            else:
                for span in ending.get(a, ()):
                    in_force.pop(id(span), None)
                for span in starting.get(a, ()):
                    in_force[id(span)] = span
                members = sorted((p, c) for _s, _e, p, c in in_force.values())
            if not members:
                if open_g:
                    out.append(open_g[2](a))
                    open_g = None
                continue
            claim = members[0][1]
            sig = (claim.id, tuple(p for p, _c in members))
            if open_g is not None and open_g[1] == sig:
                continue
            if open_g is not None:
                out.append(open_g[2](a))
            gs = GroupState(gid, tuple(ds.places[p] for p in claim.places), claim,
                            P._sources_of(claim, k.sources, a), P._conflicts_of(claim, k.sources, a),
                            tuple(ds.places[p] for p, _c in members), a)
            open_g = (a, sig, (lambda end, a=a, gs=gs, gid=gid:
                               StateInterval("group", gid, a, end, group_state=gs)))
        if open_g is not None:
            out.append(open_g[2](cuts[-1]))
    for m in ds.movements:
        if k.knows(m) and m.start.start < until:
            end = min(m.end.end + dt.timedelta(days=1), until)
            out.append(StateInterval("movement", m.id, m.start.start, end, movement_state=MovementState(
                m, ds.places[m.from_place], ds.places[m.to_place], ds.sources[m.source])))
    out.sort(key=lambda iv: (iv.start, iv.layer, iv.key))
    return out


# ------------------------------------------------------------------ conflicts

@dataclass(frozen=True)
class Conflict:
    kind: str          # "conflict" (same time, cannot both hold) or "plan contradicted"
    first: Claim
    second: Claim
    reason: str


def plan_settlements(ds: Dataset, known_on: dt.date | str | None = None) -> list[tuple[Claim, str, PlanStatus | None, Claim | None, dt.date | None]]:
    """Every plan known on ``known_on`` with how reporting known by then settled it, per
    place: (plan, place id, state or None if unsettled, settling claim, day)."""
    k = Knowledge.of(ds, known_on)
    P = posture(ds)
    out = []
    for pid, ix in P.places.items():
        for plan, evs in zip(ix.plans, ix.settles):
            if not k.knows(plan):
                continue
            ev = next(((st, c, d) for d, _p, st, c in evs if k.knows(c)), None)
            out.append((plan, pid, *(ev if ev else (None, None, None))))
    return out


def conflicts(ds: Dataset, known_on: dt.date | str | None = None) -> list[Conflict]:
    """Every conflict and every reversed plan known on ``known_on``."""
    k = Knowledge.of(ds, known_on)
    P = posture(ds)
    out = []
    for a, b in P.conflict_pairs:
        if k.knows(a) and k.knows(b):
            out.append(Conflict("conflict", a, b,
                                f"{a.figure_text()} ({a.status}) against {b.figure_text()} ({b.status}) "
                                f"for overlapping dates {a.date} / {b.date}"))
    seen_pairs = set()
    for plan, pid, state, by, day in plan_settlements(ds, known_on):
        if state is PlanStatus.CONTRADICTED and (plan.id, by.id) not in seen_pairs:
            seen_pairs.add((plan.id, by.id))
            out.append(Conflict("plan contradicted", plan, by,
                                f"plan due {plan.date}: {plan.status}, {plan.figure_text()}; "
                                f"reversed {day.isoformat()} by a {by.basis}: {by.status}, {by.figure_text()}"))
    out.sort(key=lambda c: (c.first.date.start, c.second.date.start, c.first.id, c.second.id))
    return out
