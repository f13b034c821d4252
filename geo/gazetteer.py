"""Resolve place names as reports spell them, and find place mentions in free text.

Reports write "Ain al-Assad", "Ayn al-Asad", "Al Asad Airbase", "Arbil", "Hawler",
"Hareer". Names are compared after normalisation:

* Unicode folded to ASCII (Hewlêr -> hewler), lower case;
* hyphens, apostrophes and punctuation become word breaks (al-Asad -> al asad);
* transliteration variants mapped to one spelling (assad -> asad, ayn -> ain,
  arbil/irbil/hawler/hewler -> erbil, hareer -> harir), doubled letters collapsed;
* the article "al"/"el" is optional inside a name ("Ain Asad" finds Ain al-Asad), but a
  name reduced by that to a single word is not registered, so "the Assad regime" is
  not taken for the air base while "al-Asad" still is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz, process
from unidecode import unidecode

from .model import Place

_VARIANTS = {
    "assad": "asad", "ayn": "ain", "arbil": "erbil", "irbil": "erbil", "hawler": "erbil",
    "hewler": "erbil", "hareer": "harir", "kasrak": "qasrak", "rumeilan": "rmelan",
    "airbase": "air base", "jeer": "jir", "governorate": "province",
}
_ARTICLES = {"al", "el"}
_GENERIC = {"air", "base", "airport", "province", "camp", "garrison", "the"}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _norm_token(tok: str) -> list[str]:
    t = unidecode(tok).lower()
    t = _VARIANTS.get(t, t)
    t = re.sub(r"(.)\1+", r"\1", t)  # Assad/Asad, Hareer/Harer
    t = _VARIANTS.get(t, t)
    return t.split()


def normalise(name: str) -> tuple[str, ...]:
    """The comparison form of a name, as a tuple of words.

    >>> normalise("Ain al-Assad")
    ('ain', 'al', 'asad')
    >>> normalise("Hewlêr")
    ('erbil',)
    """
    out: list[str] = []
    for tok in _TOKEN.findall(name):
        out.extend(_norm_token(tok))
    return tuple(out)


def _keys(name: str) -> set[tuple[str, ...]]:
    """The keys a name is registered under: as written, and without its articles if
    that still leaves two words or more."""
    full = normalise(name)
    keys = {full} if full else set()
    bare = tuple(t for t in full if t not in _ARTICLES)
    if bare and bare != full and len(bare) >= 2:
        keys.add(bare)
    return keys


@dataclass(frozen=True)
class Mention:
    """A place named in a text: ``text[start:end] == matched``."""

    start: int
    end: int
    matched: str
    place: Place


class UnknownPlace(LookupError):
    def __init__(self, name: str, suggestions: list[Place]):
        self.name = name
        self.suggestions = suggestions
        hint = ("; did you mean " + ", ".join(f"{p.name} ({p.id})" for p in suggestions) + "?") if suggestions else ""
        super().__init__(f"unknown place {name!r}{hint}")


class Gazetteer:
    """Name lookup over a set of places (their id, name and aliases)."""

    def __init__(self, places: Iterable[Place]):
        self.places = {p.id: p for p in places}
        self._by_key: dict[tuple[str, ...], str] = {}
        for p in self.places.values():
            for name in (p.name, p.id, *p.aliases):
                for key in _keys(name):
                    # first registration wins: a place's own name beats another's alias
                    self._by_key.setdefault(key, p.id)
        self._longest = max((len(k) for k in self._by_key), default=0)
        self._choices = {" ".join(k): pid for k, pid in self._by_key.items()}

    def resolve(self, name: str) -> Place:
        """The place a name means; :class:`UnknownPlace` with the closest entries if none."""
        if name in self.places:
            return self.places[name]
        key = normalise(name)
        for candidate in (key, tuple(t for t in key if t not in _ARTICLES),
                          tuple(t for t in key if t not in _GENERIC and t not in _ARTICLES)):
            if candidate in self._by_key:
                return self.places[self._by_key[candidate]]
        raise UnknownPlace(name, self.suggest(name))

    def suggest(self, name: str, limit: int = 3) -> list[Place]:
        """The closest entries to a name, best first (rapidfuzz's WRatio on normal forms)."""
        query = " ".join(normalise(name))
        if not query or not self._choices:
            return []
        out: list[Place] = []
        for choice, _score, _ in process.extract(query, list(self._choices), scorer=fuzz.WRatio,
                                                  limit=limit * 4, score_cutoff=50):
            place = self.places[self._choices[choice]]
            if place not in out:
                out.append(place)
        return out[:limit]

    def find_in_text(self, text: str) -> list[Mention]:
        """Every place mention in ``text``, longest name first at each position.

        "Baghdad Airport" is one mention of the airport, not one of Baghdad; articles
        in the text are optional as in :func:`normalise`.
        """
        words: list[tuple[str, int, int]] = []
        for m in _TOKEN.finditer(text):
            for part in _norm_token(m.group()):
                words.append((part, m.start(), m.end()))
        out: list[Mention] = []
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(self._longest + 2, len(words) - i), 0, -1):
                seq = tuple(w for w, _, _ in words[i:i + n])
                if seq[-1] in _ARTICLES:
                    continue
                for key in (seq, tuple(w for w in seq if w not in _ARTICLES)):
                    if key in self._by_key and (len(key) >= 2 or key == seq):
                        hit = (n, self._by_key[key])
                        break
                if hit:
                    break
            if hit:
                n, pid = hit
                start, end = words[i][1], words[i + n - 1][2]
                out.append(Mention(start, end, text[start:end], self.places[pid]))
                i += n
            else:
                i += 1
        return out
