"""``python -m geo synth``: write a synthetic dataset of any size, for benchmarks.

The embedded dataset is small (tens of places); analysts who follow a region over a
decade have a thousand places and a hundred thousand claims. This module writes a
dataset of that shape in the product's own CSV format (schema v2), valid for
:func:`geo.loader.load_dataset`, so the whole product (``python -m geo check``, the
exports, the app through ``--data DIR`` / ``POSTURE_ATLAS_DATA``) can be measured on it.

What it holds, so that every code path is exercised, not just the easy one:

* places over real land: each point is drawn inside its country's polygon of the
  offline basemap (``data/basemap/countries.geojson``); country and region places are
  areas with the sites ``within`` them (site -> region -> country);
* ten years of sources, published to the day, the week or the month;
* claims at every date precision (day, week, month, year), plans and reports, every
  qualifier, group figures (one figure for 2-3 sites), area totals (figures for a
  country or a region), restated figures, US, coalition and national forces, and a
  share of figures that disagree with the rest (conflicts, contradicted plans);
* movements between sites (some with figures), phases and slider events.

Every figure follows a per-site "true" level that changes now and then, with small
noise and a few outliers, so conflicts are as frequent as in real reporting rather
than on every pair. Deterministic: the same arguments and ``--seed`` give the same
bytes. Every row says in its quote and note that it is synthetic.

Example::

    python -m geo synth --places 1000 --claims 100000 --movements 5000 -o /tmp/scale
    python -m geo check --data /tmp/scale
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from .loader import COLUMNS

#: The ten years the sources are published over.
FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)

OUTLETS = ("Wire Agency", "Regional Daily", "Defence Weekly", "Ministry Statement",
           "Coalition Press Desk", "Evening Herald", "Border Monitor", "Policy Review",
           "Local Radio", "Gulf Tribune", "Northern Courier", "Capital Times")
SITE_KINDS = ("air base", "army camp", "garrison", "headquarters", "airport", "embassy", "oil field")
SITE_WORDS = {"air base": "Air Base", "army camp": "Camp", "garrison": "Garrison",
              "headquarters": "HQ", "airport": "Airport", "embassy": "Embassy", "oil field": "Field"}
NATIONS = ("GBR", "FRA", "ITA", "DEU", "AUS", "CAN", "ESP", "NLD")
_SYLLABLES = ("al", "ar", "ba", "dah", "far", "ghar", "ha", "jab", "kar", "lam", "mar", "nah",
              "qa", "ras", "sha", "tal", "um", "war", "yas", "zar", "bek", "dor", "ek", "rin")
DATE_PRECISIONS = (("day", 0.60), ("week", 0.15), ("month", 0.20), ("year", 0.05))
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}


@dataclass
class _Country:
    iso: str
    name: str
    geom: object            # shapely geometry, prepared for contains()
    bounds: tuple[float, float, float, float]
    label: tuple[float, float]  # lon, lat
    weight: float


@dataclass
class _Site:
    id: str
    country: str
    size: int               # typical troops at the site
    levels: list = field(default_factory=list)  # (first day, level) steps, sorted


def _countries() -> list[_Country]:
    from shapely.geometry import Point
    from shapely.prepared import prep

    from .basemap import load_countries

    out = []
    for _, row in load_countries().iterrows():
        iso = row["iso_a3"]
        if not isinstance(iso, str) or len(iso) != 3:
            continue  # a territory without an ISO code (N. Cyprus) cannot be a place's country
        geom = row.geometry
        label = (float(row["label_lon"]), float(row["label_lat"]))
        if not geom.contains(Point(*label)):
            label = (geom.representative_point().x, geom.representative_point().y)
        # sqrt of the area: big countries get more places, small ones still some
        out.append(_Country(iso, str(row["name"]), prep(geom), tuple(geom.bounds), label,
                            math.sqrt(max(geom.area, 0.05))))
    return out


def _point_in(rng: random.Random, c: _Country, near: tuple[float, float] | None = None,
              radius_deg: float = 1.5) -> tuple[float, float]:
    """A (lon, lat) inside the country, near ``near`` when that is possible."""
    from shapely.geometry import Point

    w, s, e, n = c.bounds
    for attempt in range(200):
        if near is not None and attempt < 100:
            lon = near[0] + rng.uniform(-radius_deg, radius_deg)
            lat = near[1] + rng.uniform(-radius_deg, radius_deg)
        else:
            lon, lat = rng.uniform(w, e), rng.uniform(s, n)
        lon, lat = round(lon, 4), round(lat, 4)
        if c.geom.contains(Point(lon, lat)):
            return lon, lat
    return round(c.label[0], 4), round(c.label[1], 4)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
        if word not in used:
            used.add(word)
            return word


def _pick_precision(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for p, w in DATE_PRECISIONS:
        acc += w
        if r < acc:
            return p
    return "day"


def _date_text(day: dt.date, precision: str) -> str:
    if precision == "day":
        return day.isoformat()
    if precision == "week":
        y, w, _ = day.isocalendar()
        return f"{y}-W{w:02d}"
    if precision == "month":
        return f"{day.year}-{day.month:02d}"
    return str(day.year)


def _start_of(day: dt.date, precision: str) -> dt.date:
    if precision == "week":
        return day - dt.timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


def _end_of(day: dt.date, precision: str) -> dt.date:
    if precision == "week":
        return _start_of(day, "week") + dt.timedelta(days=6)
    if precision == "month":
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return nxt - dt.timedelta(days=1)
    if precision == "year":
        return day.replace(month=12, day=31)
    return day


@dataclass
class _Source:
    id: str
    published: dt.date
    precision: str

    def window(self) -> tuple[dt.date, dt.date]:
        return _start_of(self.published, self.precision), _end_of(self.published, self.precision)


def _supported_date(day: dt.date, precision: str, source: _Source) -> tuple[str, str]:
    """The date as the loader accepts it from this source: a date inside the source's
    publication window is no finer than the publication date itself."""
    win_start, win_end = source.window()
    start = _start_of(day, precision)
    if _PRECISION_RANK[precision] < _PRECISION_RANK[source.precision] and win_start <= start <= win_end:
        precision = source.precision
    return _date_text(day, precision), precision


def _level_on(site: _Site, day: dt.date) -> int:
    level = site.levels[0][1]
    for first, value in site.levels:
        if first > day:
            break
        level = value
    return level


def _figure(rng: random.Random, level: int, *, outlier: bool) -> tuple[str, str, str]:
    """(troops_min, troops_max, qualifier) for a true ``level``, in the forms sources use."""
    if outlier:
        level = max(1, int(level * rng.choice((0.3, 0.4, 2.5, 3.0)))) if level else rng.randint(200, 2000)
    if level == 0:
        return ("0", "0", "") if rng.random() < 0.7 else ("", "", "")
    noisy = max(1, int(level * rng.uniform(0.97, 1.03)))
    r = rng.random()
    if r < 0.30:
        return str(noisy), str(noisy), "about"
    if r < 0.45:
        return str(noisy), str(noisy), ""
    if r < 0.60:
        lo, hi = int(noisy * 0.85), int(noisy * 1.15) + 1
        return str(lo), str(hi), ""
    if r < 0.68:
        return "0", str(int(noisy * 1.2) + 1), "fewer than"
    if r < 0.75:
        return str(int(noisy * 0.85)), "", "at least"
    if r < 0.80:
        return "", str(int(noisy * 1.2) + 1), "up to"
    if r < 0.85:
        return str(int(noisy * 0.9) + 1), "", "more than"
    if r < 0.89:
        return str(noisy), str(noisy), "nearly"
    if r < 0.93:
        return "", "", rng.choice(("a few", "limited number")) if level < 100 else ""
    return "", "", ""  # a status with no figure


def _status(level: int, previous: int, troops_min: str) -> str:
    if level == 0:
        return "withdrawn" if troops_min in ("", "0") else "present"
    if previous and level < previous * 0.8:
        return "drawing-down"
    if previous and level > previous * 1.2:
        return "destination"
    if level < 100:
        return "residual"
    return "present"


def generate(places: int, claims: int, movements: int, *, seed: int = 1,
             hot_claims: int = 0) -> dict[str, list[list[str]]]:
    """The rows of every CSV file (without headers) of a synthetic dataset.

    ``hot_claims`` puts that many of the ``claims`` on one site, to measure how the
    index scales with the claims at a single place.
    """
    if places < 3:
        raise ValueError(f"--places {places}: expected at least 3 (a country, a region and a site)")
    if claims < 1 or movements < 0 or hot_claims < 0 or hot_claims > claims:
        raise ValueError("expected --claims >= 1, --movements >= 0 and 0 <= --hot-claims <= --claims")
    rng = random.Random(seed)
    countries = _countries()
    n_countries = min(len(countries), max(1, round(places * 0.02)))
    n_regions = max(1, round(places * 0.04))
    n_sites = places - n_countries - n_regions
    if n_sites < 1:
        n_countries, n_regions, n_sites = 1, 1, places - 2
    # Iraq and Syria first (the product's home ground), then by size.
    countries.sort(key=lambda c: (c.iso not in ("IRQ", "SYR"), -c.weight, c.iso))
    chosen = countries[:n_countries]
    used_names: set[str] = set()
    rows: dict[str, list[list[str]]] = {name: [] for name in COLUMNS}
    note = "synthetic (python -m geo synth)"

    # ------------------------------------------------------------------ places
    country_place: dict[str, str] = {}
    for c in chosen:
        pid = c.iso.lower()
        country_place[c.iso] = pid
        rows["places.csv"].append([pid, c.name, "", "country", c.iso, "", f"{c.label[1]:.4f}",
                                   f"{c.label[0]:.4f}", "country", "representative point of the basemap polygon", note])
    weights = [c.weight for c in chosen]
    regions: dict[str, list[tuple[str, tuple[float, float]]]] = {c.iso: [] for c in chosen}
    for i in range(n_regions):
        c = rng.choices(chosen, weights)[0]
        name = _name(rng, used_names)
        pid = f"{name.lower()}-region-{i + 1}"
        lon, lat = _point_in(rng, c)
        regions[c.iso].append((pid, (lon, lat)))
        rows["places.csv"].append([pid, f"{name} Province", "", "region", c.iso, country_place[c.iso],
                                   f"{lat:.4f}", f"{lon:.4f}", "region", "random point inside the country", note])
    by_iso = {c.iso: c for c in chosen}
    sites: list[_Site] = []
    sites_in: dict[str, list[_Site]] = {c.iso: [] for c in chosen}
    for i in range(n_sites):
        c = rng.choices(chosen, weights)[0]
        kind = rng.choice(SITE_KINDS)
        name = _name(rng, used_names)
        pid = f"{name.lower()}-{i + 1}"
        within, near = country_place[c.iso], None
        if regions[c.iso] and rng.random() < 0.75:
            within, near = rng.choice(regions[c.iso])
        lon, lat = _point_in(rng, by_iso[c.iso], near)
        precision = rng.choices(("facility", "town", "city"), (0.7, 0.2, 0.1))[0]
        aliases = "|".join(f"{name} {w}" for w in rng.sample(("Base", "Station", "Site"), rng.randint(0, 2)))
        word = SITE_WORDS[kind]
        display = f"{word} {name}" if word in ("Camp", "Garrison") else f"{name} {word}"
        rows["places.csv"].append([pid, display, aliases, kind, c.iso, within, f"{lat:.4f}", f"{lon:.4f}",
                                   precision, "random point inside the country (synthetic)", note])
        site = _Site(pid, c.iso, int(rng.lognormvariate(math.log(300), 1.0)) + 5)
        level, day = site.size, FIRST_DAY - dt.timedelta(days=rng.randint(0, 400))
        while day <= LAST_DAY + dt.timedelta(days=400):
            site.levels.append((day, level))
            day += dt.timedelta(days=rng.randint(120, 700))
            level = 0 if rng.random() < 0.08 else max(5, int(site.size * rng.uniform(0.3, 1.6)))
        sites.append(site)
        sites_in[c.iso].append(site)

    # ----------------------------------------------------------------- sources
    n_sources = max(5, claims // 4)
    span = (LAST_DAY - FIRST_DAY).days
    sources: list[_Source] = []
    for i in range(n_sources):
        outlet = rng.choice(OUTLETS)
        published = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
        precision = rng.choices(("day", "week", "month"), (0.85, 0.10, 0.05))[0]
        slug = outlet.lower().replace(" ", "-")
        sid = f"{slug}-{published.isoformat()}-{i + 1}"
        sources.append(_Source(sid, published, precision))
        rows["sources.csv"].append([sid, outlet, f"Synthetic report {i + 1} ({outlet})",
                                    f"https://synthetic.example/{sid}", published.isoformat(), precision,
                                    "yes" if rng.random() < 0.1 else "no", "", note])
    sources.sort(key=lambda s: s.published)
    days_of = [s.published for s in sources]

    # ------------------------------------------------------------------ claims
    # popularity: a few sites carry many claims, most carry some (Zipf-like, mild)
    site_weights = [1 / math.sqrt(k + 1) for k in range(len(sites))]
    rng.shuffle(site_weights)
    area_ids = [pid for pid in country_place.values()] + [pid for rs in regions.values() for pid, _ in rs]
    hot = sites[0] if sites else None
    for i in range(claims):
        source = rng.choice(sources)
        plan = rng.random() < 0.15
        restated = (not plan) and rng.random() < 0.05
        if plan:
            day = source.published + dt.timedelta(days=rng.randint(1, 400))
        elif restated:
            day = source.published - dt.timedelta(days=rng.randint(60, 720))
        else:
            day = source.published - dt.timedelta(days=int(rng.expovariate(1 / 12)))
        precision = _pick_precision(rng)
        outlier = rng.random() < 0.04
        r = rng.random()
        if i < hot_claims:
            members, level, previous = [hot], _level_on(hot, day), _level_on(hot, day - dt.timedelta(days=90))
            place_ids = [hot.id]
        elif r < 0.05 and area_ids:
            place_ids = [rng.choice(area_ids)]
            members = []
            level = rng.randint(500, 6000)
            previous = level
        else:
            site = rng.choices(sites, site_weights)[0]
            members = [site]
            if r > 0.95 and len(sites_in[site.country]) > 2:
                members += rng.sample([s for s in sites_in[site.country] if s is not site], rng.randint(1, 2))
            level = sum(_level_on(s, day) for s in members)
            previous = sum(_level_on(s, day - dt.timedelta(days=90)) for s in members)
            place_ids = [s.id for s in members]
        lo, hi, qualifier = _figure(rng, level, outlier=outlier)
        status = _status(level if not outlier else (int(lo or hi or 1)), previous, lo)
        if status == "withdrawn" and lo not in ("", "0"):
            status = "present"
        force = "US" if rng.random() < 0.80 else ("coalition" if rng.random() < 0.6 else rng.choice(NATIONS))
        date_text, precision = _supported_date(day, precision, source)
        figure = "no figure" if lo == hi == "" else f"{qualifier} {lo}-{hi}".strip()
        where = " and ".join(place_ids)
        verb = "will have" if plan else ("still has" if restated else "has")
        quote = f"Synthetic: {where} {verb} {figure} {force} troops ({status})."[:400]
        rows["claims.csv"].append([
            f"c{i + 1:06d}", "|".join(place_ids), date_text, precision, lo, hi, qualifier, status,
            "plan" if plan else "report", force, "yes" if restated else "no", source.id, quote,
            "yes" if rng.random() < 0.9 else "no", note if i % 10 == 0 else ""])

    # --------------------------------------------------------------- movements
    for i in range(movements):
        if len(sites) < 2:
            break
        source = rng.choice(sources)
        plan = rng.random() < 0.2
        start_day = (source.published + dt.timedelta(days=rng.randint(1, 200)) if plan
                     else source.published - dt.timedelta(days=rng.randint(0, 60)))
        origin = rng.choice(sites)
        peers = sites_in[origin.country]
        if rng.random() < 0.7 and len(peers) > 1:
            dest_id = rng.choice([s.id for s in peers if s is not origin])
        elif rng.random() < 0.5:
            dest_id = rng.choice([s.id for s in sites if s is not origin])
        else:
            dest_id = rng.choice([pid for pid in country_place.values()])
        sp = _pick_precision(rng)
        start_text, sp = _supported_date(start_day, sp, source)
        end_day = _end_of(start_day, sp) + dt.timedelta(days=rng.randint(0, 120))
        ep = rng.choice(("day", "week", "month"))
        lo = hi = qualifier = ""
        if rng.random() < 0.4:
            lo, hi, qualifier = _figure(rng, rng.randint(20, 800), outlier=False)
            if lo == "0" and hi == "0":
                lo = hi = ""
        force = "US" if rng.random() < 0.85 else "coalition"
        rows["movements.csv"].append([
            f"m{i + 1:05d}", origin.id, dest_id, start_text, sp, _date_text(end_day, ep), ep, lo, hi,
            qualifier, "plan" if plan else "report", force, source.id,
            f"Synthetic: forces move from {origin.id} to {dest_id}.", "yes", note])

    # ---------------------------------------------------------- phases, events
    for k in range(4):
        start = FIRST_DAY + dt.timedelta(days=k * span // 4)
        end = FIRST_DAY + dt.timedelta(days=(k + 1) * span // 4 - 1) if k < 3 else None
        src = sources[max(0, _bisect_right(days_of, start) - 1)]
        rows["phases.csv"].append([f"phase-{k + 1}", f"Phase {k + 1}", start.isoformat(),
                                   end.isoformat() if end else "", f"Synthetic phase {k + 1}", src.id])
    kinds = ("announcement", "report", "plan-deadline", "handover")
    for i in range(max(3, claims // 500)):
        src = rng.choice(sources)
        rows["events.csv"].append([f"e{i + 1:04d}", src.published.isoformat(), "day",
                                   f"Synthetic milestone {i + 1}", rng.choice(kinds), src.id])
    return rows


def _bisect_right(days: list[dt.date], day: dt.date) -> int:
    import bisect

    return bisect.bisect_right(days, day)


def write(rows: dict[str, list[list[str]]], out: str | Path) -> Path:
    """Write the files into ``out`` (created if needed); returns the folder."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in rows.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(COLUMNS[name])
            w.writerows(body)
    return folder


def synthesize(out: str | Path, places: int = 1000, claims: int = 100_000, movements: int = 5000, *,
               seed: int = 1, hot_claims: int = 0) -> Path:
    """Generate and write a dataset; see :func:`generate`."""
    return write(generate(places, claims, movements, seed=seed, hot_claims=hot_claims), out)


# -------------------------------------------------------------------------- CLI

def register(subparsers) -> None:
    """Add ``synth`` to the ``python -m geo`` sub-commands (argparse subparsers)."""
    sp = subparsers.add_parser(
        "synth", help="write a synthetic dataset of any size (for benchmarks)",
        description="Write a valid synthetic dataset (places over real land, ten years of plans and reports, "
                    "group figures, area totals, conflicts) in the product's CSV format.")
    sp.add_argument("--places", type=int, default=1000, help="number of places (default 1000)")
    sp.add_argument("--claims", type=int, default=100_000, help="number of claims (default 100000)")
    sp.add_argument("--movements", type=int, default=5000, help="number of movements (default 5000)")
    sp.add_argument("--hot-claims", type=int, default=0,
                    help="put this many of the claims on one site (to measure scaling at one place)")
    sp.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same files")
    sp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the CSV files into")
    sp.set_defaults(func=run)


def run(args) -> int:
    import sys

    folder = synthesize(args.output, args.places, args.claims, args.movements, seed=args.seed,
                        hot_claims=args.hot_claims)
    print(f"wrote {folder}: {args.places} places, {args.claims} claims, {args.movements} movements "
          f"(seed {args.seed}); check it with: python -m geo check --data {folder}", file=sys.stderr)
    return 0
