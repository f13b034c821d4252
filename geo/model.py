"""The records of the dataset: typed, immutable, validated once at load.

Vocabularies live here so the loader, the map, the exports and the docs share one list.
"""
from __future__ import annotations

import datetime as dt
import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from .dates import FuzzyDate

#: Place precision, finest first. A place geocoded to a region or a country is drawn
#: as imprecise; an inferred point is stored one step coarser than it looks.
PLACE_PRECISIONS = ("facility", "town", "city", "region", "country")
IMPRECISE = frozenset({"region", "country"})

#: What a place is. ``country`` and ``region`` are areas by kind; any other place that
#: has places ``within`` it is an area too (see :attr:`Place.scope`).
PLACE_KINDS = ("air base", "airport", "army camp", "garrison", "headquarters", "embassy",
               "oil field", "town", "city", "region", "country")
AREA_KINDS = frozenset({"region", "country"})


class Scope(StrEnum):
    """What a figure at a place counts: one site, or every site in an area.

    An area total ("about 2,500 in Iraq") is never drawn as one more base and never
    added to the figures of the sites within it.
    """
    SITE = "site"
    AREA = "area"


class Basis(StrEnum):
    PLAN = "plan"      # announced, scheduled, expected
    REPORT = "report"  # said to have happened


#: Whose troops a figure counts. ``US`` is the default; ``coalition`` counts US and
#: partner forces together ("nearly 1,500 American and coalition personnel"); any other
#: value is a nation's ISO 3166 alpha-3 code (``GBR``). Conflicts are only looked for
#: between like forces.
FORCE_US = "US"
FORCE_COALITION = "coalition"
FORCE_LABELS = {FORCE_US: "US", FORCE_COALITION: "US + coalition"}

#: What a claim says of the troops at its place(s).
STATUSES = {
    "present": "Present",
    "drawing-down": "Drawing down",
    "residual": "Residual force",
    "withdrawn": "Handed over / withdrawn",
    "destination": "Destination of moves",
}

#: The source's own hedge on a figure, kept verbatim in meaning ("fewer than 500" is
#: 0-499 *and* the words "fewer than").
QUALIFIERS = ("", "about", "nearly", "fewer than", "at least", "up to", "more than",
              "a few", "limited number")

BASES = tuple(b.value for b in Basis)


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    country: str
    lat: float
    lon: float
    precision: str
    coord_source: str = ""
    note: str = ""
    #: the id of the place this one lies within (al-harir -> kurdistan-region -> iraq)
    within: str = ""
    #: set by the loader: does any place lie within this one?
    has_children: bool = False

    @property
    def imprecise(self) -> bool:
        return self.precision in IMPRECISE

    @property
    def scope(self) -> Scope:
        """``area`` for a country, a region, or any place other places lie within."""
        return Scope.AREA if (self.kind in AREA_KINDS or self.has_children) else Scope.SITE


@dataclass(frozen=True)
class Source:
    id: str
    outlet: str
    title: str
    url: str
    published: dt.date
    published_precision: str = "day"
    published_inferred: bool = False
    seed_file: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        """The short form that exports and popups carry."""
        return {"id": self.id, "outlet": self.outlet, "url": self.url or None,
                "published": self.published.isoformat(),
                "published_inferred": self.published_inferred}


def _figure_text(lo: int | None, hi: int | None, qualifier: str) -> str:
    """'about 2,500', '250–350', 'fewer than 500', 'at least 250', 'a few', 'no figure'."""
    q = qualifier
    if lo is None and hi is None:
        return q if q in ("a few", "limited number") else "no figure"
    if q == "fewer than" and hi is not None:
        return f"fewer than {hi + 1:,}"
    if q == "more than" and lo is not None:
        return f"more than {lo - 1:,}"
    if lo is not None and hi is not None:
        core = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
    elif lo is not None:
        core = f"{lo:,}+" if q not in ("at least",) else f"{lo:,}"
    else:
        core = f"up to {hi:,}" if q != "up to" else f"{hi:,}"
    return f"{q} {core}".strip() if q not in ("", "limited number", "a few") else core


@dataclass(frozen=True)
class Claim:
    """What one source says about troops at one place, or at several places together.

    A claim for several places (``len(places) > 1``) carries one figure for the group:
    it is never split between them.
    """

    id: str
    places: tuple[str, ...]
    date: FuzzyDate
    troops_min: int | None
    troops_max: int | None
    qualifier: str
    status: str
    basis: str
    source: str
    quote: str
    quote_checked: bool = True
    note: str = ""
    force: str = FORCE_US
    #: the source repeats an earlier figure as background ("about 2,500 US troops
    #: remain stationed in Iraq"): it supports the figure but never makes it newer
    restated: bool = False

    @property
    def is_plan(self) -> bool:
        return self.basis == Basis.PLAN

    @property
    def is_group(self) -> bool:
        return len(self.places) > 1

    @property
    def entity(self) -> tuple[str, ...]:
        """Stable key of what the claim is about: the sorted place ids."""
        return tuple(sorted(self.places))

    @property
    def has_figure(self) -> bool:
        return self.troops_min is not None or self.troops_max is not None

    def figure_text(self) -> str:
        return _figure_text(self.troops_min, self.troops_max, self.qualifier)


@dataclass(frozen=True)
class Movement:
    id: str
    from_place: str
    to_place: str
    start: FuzzyDate
    end: FuzzyDate
    troops_min: int | None
    troops_max: int | None
    qualifier: str
    basis: str
    source: str
    quote: str
    quote_checked: bool = True
    note: str = ""
    force: str = FORCE_US

    def active_on(self, day: dt.date) -> bool:
        return self.start.start <= day <= self.end.end

    def figure_text(self) -> str:
        return _figure_text(self.troops_min, self.troops_max, self.qualifier)


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    start: dt.date
    end: dt.date | None
    description: str
    source: str

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Event:
    """A milestone on the slider: an announcement, a deadline, a handover."""

    id: str
    date: FuzzyDate
    label: str
    kind: str
    source: str


EVENT_KINDS = ("announcement", "report", "plan-deadline", "handover", "phase")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file, located as a spreadsheet shows it (header = row 1)."""

    file: str
    row: int | None
    column: str | None
    value: str
    expected: str

    def __str__(self) -> str:
        where = self.file + (f":{self.row}" if self.row is not None else "")
        col = f" column {self.column!r}:" if self.column else ""
        val = f" {self.value!r}" if self.value != "" else " (empty)"
        return f"{where}:{col}{val} — {self.expected}"


class DataError(ValueError):
    """Every problem found in a dataset, all at once rather than the first only."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} in the dataset"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class Dataset:
    """All records of a dataset, validated. Build with :func:`geo.loader.load_dataset`."""

    places: dict[str, Place]
    sources: dict[str, Source]
    claims: tuple[Claim, ...]
    movements: tuple[Movement, ...]
    phases: tuple[Phase, ...]
    events: tuple[Event, ...]
    root: str = ""

    @cached_property
    def posture(self):
        """The precomputed :class:`geo.posture.Posture` (built once, on first use; the
        loader builds it at load). Derived from the immutable records only."""
        from .posture import Posture

        return Posture(self)

    @cached_property
    def views(self) -> dict:
        """Derived datasets (reports only, one force), kept so each is indexed once."""
        return {}

    @cached_property
    def forces(self) -> tuple[str, ...]:
        """The forces the claims and moves speak of, US first, then the coalition
        (``geo.posture.forces``). Once per dataset: the dashboard asks on every run, and
        at 100,000 claims the walk over them took 4-8 ms of each slider step (issue 11).
        No posture is built for it (``geo check`` loads without one)."""
        found = {c.force for c in self.claims} | {m.force for m in self.movements}
        return tuple(sorted(found, key=lambda f: (f != "US", f != "coalition", f)))

    def replace(self, **changes) -> "Dataset":
        """A copy with some records replaced; its posture is built anew."""
        return dataclasses.replace(self, **changes)

    @cached_property  # the records never change: computed once
    def first_date(self) -> dt.date | None:
        days = [c.date.start for c in self.claims] + [m.start.start for m in self.movements]
        days += [p.start for p in self.phases] + [e.date.start for e in self.events]
        return min(days) if days else None

    @cached_property
    def last_date(self) -> dt.date | None:
        days = [c.date.start for c in self.claims] + [m.end.end for m in self.movements]
        days += [e.date.start for e in self.events] + [s.published for s in self.sources.values()]
        return max(days) if days else None

    @cached_property
    def latest_published(self) -> dt.date | None:
        return max((s.published for s in self.sources.values()), default=None)
