"""From an article to proposals: the rules that tie places, figures and dates together.

Per sentence:

* **places**: the gazetteer's mentions (aliases, transliteration folding); "the base"
  stands for the most-named site so far (the latest on a tie); "western Anbar province
  air base" for the text's site within Anbar; a place named right after another with
  "in"/"at" ("Ain al-Asad in Anbar") only locates it and is not a claim place of its
  own; an area that holds a site named in the same clause is not a claim place either;
  a place a spokesperson speaks for is not one. Capitalised names the gazetteer cannot
  resolve become *new place* proposals with candidate points from the offline world
  gazetteer (:mod:`geo.ingest.world`), never merged into a known place: the claim
  names the new place's own id, and saving fails until the analyst keeps (or drops)
  the new place row.
* **figures** (:mod:`geo.ingest.figures`): one claim per figure, about the places of the
  figure's clause (text between commas, semicolons, colons and dashes; a list goes on
  over "as well as"), else the nearest clause that names a place.
* **plan or report**: a future or modal verb ("will", "would", "is scheduled to",
  "plans", "expected", "set to", "is to", "outlines") in the clause makes a plan; past or
  present verbs ("left", "began", "handed over", "completed", "are present") a report;
  with neither, a date after publication makes a plan.
* **dates** (:mod:`geo.ingest.dates`): the date in the claim's own clause, else the
  closest in the sentence (a plan prefers its deadline). None in the sentence, with a
  lower confidence: a report takes the previous sentence's date if it is in the past; a
  plan is dated to when it was stated, the publication day (data/README.md: a plan with
  no target date), unless its words point back ("beyond that period", "until then",
  "the official added that": the previous sentence's date) or it is told in the past
  tense ("was set to be handed over": a plan made before, which takes the text's last
  deadline). Such a plan told from the past ("was to", "had promised … would") reads a
  month without a year as the nearest one, not the coming one.
* **restated**: "still", "remain(s) stationed", "there are presently", "continue to"
  with a figure: proposed as a restated background figure.
* **force**: "coalition troops/personnel" or "American and coalition" -> coalition
  ("US-led coalition forces" stay US); a nation's adjective before the troop noun
  ("British troops") -> its alpha-3; else US.
* **status-only claims**: a clause with a status cue and a place ("closed", "handed
  over", "remain", "withdrawal", …); after a semicolon a clause goes on about the places
  of the clause before; a clause with a cue and troops (or "presence", "mission",
  "withdrawal") but no place is about the country holding the sentence's places, else
  the country the text has named most (lower confidence, said in the note); troops said
  to be at a site ("US forces at the al-Tanf base") are a presence report, unless the
  clause's verb keeps or leaves them there ("will keep advisers at …").
* **movements**: "from X to Y", "relocate/move/transfer/redeploy/withdraw ... to Y",
  "crossed into Y"; the origin defaults to the places the clause's subject names, else
  to the last place named before (its country when Y is in another country); each move
  also proposes Y as a destination claim, and so does a move whose origin is not found.
"""
from __future__ import annotations

import datetime as dt
import re

from ..gazetteer import Gazetteer
from ..loader import MAX_QUOTE
from ..model import Dataset, FORCE_COALITION, FORCE_US, Scope
from . import world
from .dates import DateMention, day, find_dates
from .figures import TROOP_NOUN, Figure, find_figures
from .records import Proposals
from .text import Sentence, split_sentences

_PLAN = re.compile(
    r"\b(?:will|would|shall|won't|is\s+to|are\s+to|was\s+to|were\s+to|(?:is|are|was|were)\s+(?:scheduled|set|expected|due|slated|planned|poised|going)\s+to|"
    r"plans?\s+to|planned|planning|plan\s+(?:to|for)|intends?\s+to|aims?\s+to|expected|scheduled|set\s+to|"
    r"to\s+be\s+(?:finali[sz]ed|completed|closed|handed|withdrawn|transferred)|timetable|stipulates|deadline|"
    r"(?:may|might|could)\s+(?:be|remain|stay|leave|withdraw|move|go)|agreed\s+to|outlines?|calls?\s+for|envisag(?:es|ed)|foresees?|provides?\s+for)\b", re.I)
_REPORT = re.compile(
    r"\b(?:left|began|begun|handed\s+over|turned\s+over|completed|withdrew|arrived|crossed|departed|moved|"
    r"pulled\s+(?:out|back)|evacuated|relocated|redeployed|transferred|are\s+present|is\s+present|"
    r"there\s+(?:are|were|is)|remain(?:s|ed)?\s+stationed|are\s+stationed|were\s+stationed|"
    r"(?:is|are)\s+seeing|was\s+underway|is\s+underway|started|has\s+been|have\s+been|leaving)\b", re.I)
_RESTATED = re.compile(
    r"\b(?:still|remains?\s+stationed|remain\s+deployed|there\s+are\s+(?:presently|currently|still)|"
    r"presently|continues?\s+to\s+(?:host|have|be)|as\s+(?:of\s+)?(?:now|today)\s+there)\b", re.I)
_COALITION = re.compile(
    rf"\b(?:American\s+and\s+coalition|U\.?S\.?\s+and\s+coalition|(?<!led\s)coalition\s+(?:and\s+U\.?S\.?\s+)?{TROOP_NOUN}|"
    rf"(?:international|global)\s+coalition\s+{TROOP_NOUN})", re.I)
_NATIONS = {"british": "GBR", "uk": "GBR", "french": "FRA", "german": "DEU", "italian": "ITA",
            "spanish": "ESP", "australian": "AUS", "canadian": "CAN", "dutch": "NLD",
            "danish": "DNK", "norwegian": "NOR", "turkish": "TUR", "polish": "POL",
            "hungarian": "HUN", "finnish": "FIN", "swedish": "SWE", "belgian": "BEL",
            "czech": "CZE", "romanian": "ROU", "japanese": "JPN", "korean": "KOR"}
_NATION = re.compile(rf"\b(?P<n>{'|'.join(_NATIONS)})\s+(?:(?:military|army|special|combat)\s+)?{TROOP_NOUN}", re.I)

_STATUS_CUES = [
    ("withdrawn", r"\b(?:closed|close|closure|handed\s+over|turned\s+over|hand(?:ed|ing)?\s+over|full(?:y)?\s+(?:\w+\s+)?(?:withdrawal|withdraw|exit|turned|handed)|"
                  r"complete\s+withdrawal|end(?:ing|ed|s)?\s+(?:the\s+|its\s+|their\s+)?(?:presence|mission)|last\s+(?:US\s+|U\.S\.\s+|American\s+)?soldier|"
                  r"evacuated|vacated|withdrawn\s+from|(?:mission|presence)\b[^.;]{0,40}\bwill\s+end)\b"),
    ("residual", r"\b(?:remain|remaining|stay|staying|keep|kept|retain|residual|limited\s+to|small\s+force)\b"),
    ("drawing-down", r"\b(?:withdraw(?:al|ing|s)?|withdrew|cut(?:s|ting)?|drawdown|drawing\s+down|draw\s+down|reduc(?:e|ed|tion|tions)|moving\s+out|"
                     r"pull(?:ing|ed)?\s+(?:out|back)|leav(?:e|ing)|left|depart(?:ed|ing|ure)?|exit)\b"),
    ("present", r"\b(?:present|stationed|deployed|based|there\s+(?:are|were|is)|host(?:s|ed|ing)?)\b"),
]
_MOVE_VERB = (r"(?:move[sd]?|moving|relocat(?:e[sd]?|ing)|transferr?(?:ed|ing)?|transfers?|redeploy(?:ed|ing|s)?|"
              r"shift(?:ed|ing|s)?|withdraw(?:n|ing|s)?|withdrew|withdrawal|pull(?:ed|ing)?\s+(?:out|back)|head(?:ed|ing)?|"
              r"went|go(?:es|ing)?|sent|send(?:ing)?|crossed|cross(?:es|ing)?|leav(?:e|ing)|left|depart(?:ed|ing)?|"
              r"reposition(?:ed|ing)?|arriv(?:e[sd]?|ing)|convoy)")
_CLAUSE = re.compile(r"(?:(?<!\d),|,(?!\d{3}))|[;:—–()]|\s-\s|\bwhile\b|\bwhereas\b|\bbut\b|\bwith\s+(?=most|the\s+rest|some|others)", re.I)
_RUN = re.compile(r"\b(?:that|while|whereas|but|which|whose|who|after\s+which|leading\s+to)\b|[;:]", re.I)
_ZERO = re.compile(r"\blast\s+(?:(?:US|U\.S\.|American|coalition|foreign)\s+)?(?:soldier|troop|service\s*member)s?\b|\bfull(?:y)?\s+withdraw(?:al|n)?\b|\bcomplete(?:d|ly)?\s+(?:the\s+)?withdraw(?:al|n)?\b|\bcompletely\s+(?:evacuated|withdrawn)\b|\bfull\s+(?:\w+\s+)?exit\b|\bend(?:ing|s)?\s+(?:the|its|their)\s+presence\b", re.I)
#: words that point back at a date already given ("beyond that period", "by then"), or
#: a speaker going on with the statement before ("the source added that"): an undated
#: plan with one takes the date of the sentence before
_BACKREF = re.compile(r"\b(?:that|this|the\s+same)\s+(?:\w+\s+)?(?:period|date|time|deadline|day|week|month|year|phase|stage)\b|"
                      r"\b(?:by|until|till|before|after|since)\s+then\b|"
                      r"\b(?:he|she|they|it|source|sources|official|officials|spokes(?:man|woman|person)|ministry|statement)\s+"
                      r"(?:also\s+)?(?:added|went\s+on\s+to\s+say)\b", re.I)
#: a plan told in the past tense ("the base was set to be handed over"): a plan made
#: before, that the text has already dated
_PAST_PLAN = re.compile(r"\b(?:was|were|had\s+been)\s+(?:(?:scheduled|set|expected|due|slated|planned|supposed|meant)\s+)?to\b", re.I)
#: what a clause with a status cue but no place must speak of to be proposed on the
#: text's country: troops, or the presence, mission or withdrawal itself
_FORCE_WORDS = re.compile(rf"\b(?:{TROOP_NOUN}|presence|mission|withdrawal|drawdown|exit|pull-?out)\b", re.I)
_SPEAKER = re.compile(r"\b(?:spokes(?:person|man|woman)|official|officials|source|sources|statement|ambassador)\s+(?:for|of|from|at|in)\s+(?:the\s+)?$", re.I)
_ANAPHORA = re.compile(r"\bthe\s+(?:air\s*)?base\b(?!\s+(?:in|at|of)\s+[A-Z])|\bthe\s+(?:air\s*)?base(?=\s+in\s+(?:western|eastern|northern|southern))", re.I)

_NOT_PLACES = set("""
US U.S. USA America American Americans Iraqi Iraqis Syrian Kurdish Iranian Arab British French German
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December The A An In On At By For From To Of And But Or With It Its
This That These Those There He She They We I His Her Their Our Under After Before Earlier Later
Meanwhile However Instead According Currently Top Stories Week Description Share Comment Leave Reply
ISIS IS ISIL Daesh Pentagon CENTCOM SDF PMU IRGC INA AP Reuters AFP Associated Press Prime Minister
President Lt Gen Gen. Maj Col Lieutenant General Secretary Defense Department State Operation Inherent
Resolve Coalition Global Army Division Forces Force Air Base Exclusive News Agency Agency Government
Minister Committee Command Joint Operations Quds Islamic Revolutionary Guard Corps Popular Mobilization
Units Takfiri Western Eastern Northern Southern Strategic Framework Agreement Republic Kingdom Sunni Shia
Shiite Kurdistan24 Shafaq SAEDNEWS Al Jazeera Washington Congress Trump Biden Sudani Mohammed Hussein
""".split())
#: the forces' home country is where troops come from, not a posture location
_HOME_COUNTRY = {"United States", "United States of America", "America", "States"}
_NAME = re.compile(r"\b(?:(?:al|el|ad|ar|as|at|an)-)?[A-Z][a-zà-ÿ’'-]+(?:\s+(?:(?:al|el|ad|ar|as|ez|ash|abu|bin)[- ])?[A-Z][a-zà-ÿ’'-]+){0,3}")
_PLACE_CUE_BEFORE = re.compile(r"\b(?:in|into|to|at|from|near|toward|towards|outside|inside|base\s+in|city\s+of|town\s+of|province\s+of)\s+(?:the\s+)?$", re.I)
_PLACE_CUE_AFTER = re.compile(r"^\s+(?:air\s*base|airbase|base|airfield|airport|camp|garrison|province|governorate|district|city|town|border)\b", re.I)


def _quote(s: Sentence) -> str:
    """The sentence as the quote, cut to the loader's limit (geo.loader.MAX_QUOTE) at a
    word boundary when it is longer: still a verbatim substring of the article."""
    if len(s.text) <= MAX_QUOTE:
        return s.text
    cut = s.text[:MAX_QUOTE]
    return cut[:cut.rfind(" ")].rstrip() if " " in cut else cut


def slug(text: str) -> str:
    from unidecode import unidecode

    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")[:48] or "x"


def source_id(outlet: str, published: dt.date) -> str:
    return f"{slug(outlet)}-{published.isoformat()}"


class _Place:
    """A place mention in a sentence (known, or a new place proposal)."""

    def __init__(self, start, end, pid, scope, known, within=(), kind="", country=""):
        self.start, self.end, self.pid, self.scope, self.known = start, end, pid, scope, known
        self.within, self.kind, self.country = within, kind, country


def _ancestors(ds: Dataset, pid: str) -> tuple[str, ...]:
    out, cur = [], ds.places[pid].within if pid in ds.places else ""
    while cur and cur not in out:
        out.append(cur)
        cur = ds.places[cur].within if cur in ds.places else ""
    return tuple(out)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.start() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _clause_of(clauses, pos):
    for a, b in clauses:
        if a <= pos < b:
            return a, b
    return clauses[-1]


def _basis(text: str) -> tuple[str, float]:
    plan, report = _PLAN.search(text), _REPORT.search(text)
    if plan and not report:
        return "plan", 0.85
    if report and not plan:
        return "report", 0.8
    if plan and report:
        return ("plan", 0.6) if plan.start() < report.start() else ("report", 0.55)
    return "report", 0.5


def _status(text: str, basis: str) -> str:
    for status, pattern in _STATUS_CUES:
        if re.search(pattern, text, re.I):
            return status
    return "present"


def _force(sentence: str, fig_start: int | None) -> str:
    window = sentence if fig_start is None else sentence[max(0, fig_start - 20):fig_start + 90]
    m = _NATION.search(window)
    if m and not re.search(r"\b(?:U\.?S\.?|American)\b", window[:m.start()][-25:]):
        return _NATIONS[m["n"].lower()]
    if _COALITION.search(window):
        return FORCE_COALITION
    return FORCE_US


class _Extractor:
    def __init__(self, ds: Dataset, text: str, outlet: str, url: str, published: dt.date, title: str):
        self.ds, self.text, self.published = ds, text, published
        self.gaz = Gazetteer(ds.places.values())
        self.sid = source_id(outlet, published)
        self.props = Proposals(text=text, source={
            "id": self.sid, "outlet": outlet, "title": title, "url": url,
            "published": published.isoformat(), "published_precision": "day",
            "published_inferred": "no", "seed_file": "", "note": "added with the Add report tool",
            "quote": "", "span_start": 0, "span_end": 0, "confidence": 1.0})
        self.new_places: dict[str, dict] = {}
        self.last_site: _Place | None = None
        self.site_counts: dict[str, tuple[int, _Place]] = {}
        self.site_last: dict[str, int] = {}
        self.last_place: _Place | None = None
        self.prev_dates: list[DateMention] = []
        #: the last plan deadline of the text so far ("would be completed by last month")
        self.last_deadline: DateMention | None = None
        #: mentions per country (a site counts for its country): the text's country
        self.country_counts: dict[str, int] = {}
        self.sentence_basis: tuple[str, float] = ("report", 0.5)

    # ------------------------------------------------------------------ places
    def _places(self, s: Sentence) -> list[_Place]:
        out: list[_Place] = []
        blocked: list[_Place] = []
        for m in self.gaz.find_in_text(s.text):
            p = m.place
            if _SPEAKER.search(s.text[:m.start]):
                # "a spokesperson for the US Embassy in Baghdad": who speaks, not where troops are
                blocked.append(_Place(m.start, len(s.text), p.id, p.scope, True))
                continue
            if p.scope == Scope.AREA and re.match(r"\s+(?:province\s+)?(?:air\s*base|airbase|base|airfield)\b", s.text[m.end:], re.I):
                # "western Anbar province air base": a base described by its area, i.e. the
                # most-named site of the text within that area, else no claim place
                site = self._salient_site(within=p.id)
                if site is not None:
                    out.append(_Place(m.start, m.end, site.pid, site.scope, True, site.within, site.kind, site.country))
                else:
                    blocked.append(_Place(m.start, m.end, p.id, p.scope, True))
                continue
            out.append(_Place(m.start, m.end, p.id, p.scope, True, _ancestors(self.ds, p.id), p.kind, p.country))
        # "the base" stands for the most salient site so far: the most often named, the
        # latest named on a tie (a common coreference heuristic)
        for m in _ANAPHORA.finditer(s.text):
            ls = self._salient_site()
            if ls is not None and not any(o.start <= m.start() < o.end for o in out):
                out.append(_Place(m.start(), m.end(), ls.pid, ls.scope, ls.known, ls.within, ls.kind, ls.country))
        out.extend(self._new_places(s, out + blocked))
        out.sort(key=lambda p: p.start)
        return out

    def _salient_site(self, within: str | None = None) -> _Place | None:
        best = None
        for order, (pid, (count, place)) in enumerate(self.site_counts.items()):
            if within is not None and within not in place.within:
                continue
            key = (count, self.site_last[pid])
            if best is None or key > best[0]:
                best = (key, place)
        return best[1] if best else None

    def _new_places(self, s: Sentence, known: list[_Place]) -> list[_Place]:
        found = []
        for m in _NAME.finditer(s.text):
            a, b = m.start(), m.end()
            if any(not (b <= k.start or a >= k.end) for k in known):
                continue
            name = m.group().strip(" -’'")
            words = name.split()
            while words and words[0] in _NOT_PLACES:
                words.pop(0)
            while words and words[-1] in _NOT_PLACES:
                words.pop()
            if not words:
                continue
            name = " ".join(words)
            if name in _NOT_PLACES or len(name) < 3 or name in _HOME_COUNTRY:
                continue
            a = s.text.find(name, a)
            b = a + len(name)
            cue = _PLACE_CUE_BEFORE.search(s.text[:a]) or _PLACE_CUE_AFTER.match(s.text[b:])
            strong = _PLACE_CUE_AFTER.match(s.text[b:]) or re.search(r"\b(?:into|near|town\s+of|city\s+of|base\s+in)\s+(?:the\s+)?$", s.text[:a], re.I)
            cands = world.candidates(name)
            if not cands and not strong:
                continue
            if not cue and a == 0:
                continue  # a capitalised first word is as often a name of a person
            if not cue and (not cands or cands[0].kind != "country" and cands[0].population < 50_000):
                continue
            rec = self._place_proposal(name, cands, s, a, b, cue is not None)
            found.append(_Place(a, b, rec["id"], Scope.AREA if rec["place_kind"] == "country" else Scope.SITE,
                                False, (), rec["place_kind"], rec["country"]))
        return found

    def _place_proposal(self, name, cands, s: Sentence, a, b, cue) -> dict:
        pid = slug(name)
        if pid in self.ds.places:
            pid = f"{pid}-new"
        if pid in self.new_places:
            return self.new_places[pid]
        c = cands[0] if cands else None
        within = ""
        if c is not None:
            for p in self.ds.places.values():
                if p.kind == "country" and p.country == c.country and c.kind != "country":
                    within = p.id
        others = "; other candidates: " + "; ".join(f"{x.name} ({x.country}) {x.lat}, {x.lon}" for x in cands[1:]) if len(cands) > 1 else ""
        rec = {"id": pid, "name": name, "aliases": "", "place_kind": c.kind if c else "town",
               "country": c.country if c else "", "within": within,
               "lat": c.lat if c else "", "lon": c.lon if c else "",
               "precision": c.precision if c else "town",
               "coord_source": c.coord_source if c else "",
               "note": ("new place proposed from the text: check the point" + others) if c else
                       "new place proposed from the text: no candidate point found offline; enter one",
               "quote": _quote(s), "span_start": s.start, "span_end": s.start + len(_quote(s)),
               "confidence": round((0.6 if c else 0.3) * (1.0 if cue else 0.8), 2)}
        self.new_places[pid] = rec
        self.props.places.append(rec)
        return rec

    # ------------------------------------------------------------------ claims
    def _claim_places(self, places: list[_Place], a: int, b: int, s: Sentence) -> list[_Place]:
        inside = [p for p in places if a <= p.start < b]
        # "Ain al-Asad in Anbar": the second name only locates the first
        keep = []
        for p in inside:
            prev = [q for q in inside if q.end <= p.start]
            if prev and re.fullmatch(r"\s*(?:in|at)\s+(?:the\s+)?", s.text[prev[-1].end:p.start], re.I):
                continue
            keep.append(p)
        sites = [p for p in keep if p.scope == Scope.SITE]
        ids = {p.pid for p in keep}
        keep = [p for p in keep if not any(p.pid in q.within for q in keep if q.pid != p.pid)] if sites else keep
        if not sites and len({p.pid for p in keep}) > 1:
            # areas only: the widest one that holds the others, or all
            outer = [p for p in keep if not any(anc in ids for anc in p.within)]
            keep = outer or keep
        seen, out = set(), []
        for p in keep:
            if p.pid not in seen:
                seen.add(p.pid)
                out.append(p)
        return out

    def _claim(self, s: Sentence, places: list[_Place], fig: Figure | None, dates: list[DateMention],
               basis: str, bconf: float, status: str, anchor: int, conf_extra: float = 1.0, note: str = "",
               clause=None) -> dict:
        date, dconf, dnote = self._date_for(dates, anchor, basis, clause, s.text)
        lo = fig.troops_min if fig else None
        hi = fig.troops_max if fig else None
        zero = None if fig else _ZERO.search(s.text)
        if zero and status == "withdrawn":
            lo = hi = 0  # data/README.md: 0/0 only where the source says nobody is left
        notes = [n for n in (note, dnote, f"figure words: '{fig.words}'" if fig else
                             (f"0 from '{zero.group()}'" if zero and status == "withdrawn" else "")) if n]
        restated = bool(fig and _RESTATED.search(s.text))
        pconf = 1.0 if all(p.known for p in places) else 0.6
        conf = round(min(1.0, (fig.confidence if fig else 0.6)) * 0.4 + bconf * 0.2 + dconf * 0.2 + pconf * 0.2, 2)
        return {"id": "", "places": "|".join(p.pid for p in places), "date": date.text,
                "date_precision": date.precision, "troops_min": "" if lo is None else lo,
                "troops_max": "" if hi is None else hi, "qualifier": fig.qualifier if fig else "",
                "status": "withdrawn" if (status == "withdrawn" and lo) else status,
                "basis": basis, "force": _force(s.text, fig.start if fig else None),
                "restated": "yes" if restated else "no", "source": self.sid, "quote": _quote(s),
                "quote_checked": "yes", "note": "; ".join(notes),
                "span_start": s.start, "span_end": s.start + len(_quote(s)), "confidence": round(conf * conf_extra, 2)}

    def _date_for(self, dates: list[DateMention], anchor: int, basis: str, clause=None, text: str = ""):
        usable = [d for d in dates if not (basis == "report" and d.date.start > self.published)]
        if clause is not None:
            # a date in the claim's own clause beats any other in the sentence
            usable = [d for d in usable if clause[0] <= d.start < clause[1]] or usable
        if basis == "plan":
            # a plan's date is its due period: prefer deadlines, and dates not in the past
            future = [d for d in usable if d.date.end >= self.published]
            usable = [d for d in future if d.deadline] or future or usable
        if not usable and self.prev_dates and (basis == "report" or _BACKREF.search(text)):
            # an undated report often goes on about the sentence before ("had begun
            # moving out"): its date carries over if it suits the tense. A plan does so
            # only when its words point back ("beyond that period"): else it is a plan
            # with no target date, dated to when it was stated (data/README.md)
            prev = [d for d in self.prev_dates if (d.date.end <= self.published) == (basis == "report")]
            if prev:
                return prev[-1].date, 0.45, f"no date in the sentence: '{prev[-1].words}' carried over from the sentence before"
        if not usable and basis == "plan" and self.last_deadline is not None and _PAST_PLAN.search(text):
            # "the base was set to be handed over": a plan told in the past tense is one
            # made before, already dated in the text: it takes the text's last deadline
            d = self.last_deadline
            return d.date, 0.45, f"a plan told in the past tense: the text's last deadline '{d.words}'"
        if not usable:
            why = ("no target date in the sentence: dated to when it was stated (the publication day)"
                   if basis == "plan" else "no date in the sentence: dated to the publication day")
            return day(self.published), 0.4, why
        best = min(usable, key=lambda d: (min(abs(d.start - anchor), abs(d.end - anchor)), -d.confidence))
        return best.date, best.confidence, (f"date from '{best.words}'" + (f" ({best.note})" if best.note else ""))

    # --------------------------------------------------------------- movements
    def _movements(self, s: Sentence, places: list[_Place], dates, basis, bconf) -> list[tuple[_Place, _Place, str]]:
        t = s.text
        out = []
        if not re.search(rf"\b{_MOVE_VERB}\b", t, re.I):
            return out
        for dest in places:
            runs = [0] + [r.end() for r in _RUN.finditer(t[:dest.start])]
            run_start = runs[-1]
            before = t[run_start:dest.start]
            m = re.search(r"\b(?:to|into|towards?|for)\s+(?:(?:alternative|other|new|bases?|camps?|the|a|inside|in|at|within)\s+){0,4}$", before, re.I)
            if not m:
                continue
            if not re.search(rf"\b{_MOVE_VERB}\b", before, re.I) and not re.search(r"\bfrom\b", before, re.I):
                continue
            origin = None
            fm = list(re.finditer(r"\bfrom\s+(?:the\s+)?", before, re.I))
            if fm:
                after_from = [p for p in places if p.start >= run_start + fm[-1].end() - 1 and p.end <= dest.start and p.pid != dest.pid]
                if after_from:
                    origin, how = after_from[0], "origin named after 'from'"
            if origin is None:
                subject = [p for p in places if run_start <= p.start and p.end <= dest.start and p.pid != dest.pid]
                # the subject's places: those before the verb in the same clause run
                verb = list(re.finditer(rf"\b{_MOVE_VERB}\b", before, re.I))
                if verb:
                    subject = [p for p in subject if p.end <= run_start + verb[-1].start()]
                if subject:
                    groups = self._claim_places(subject, 0, len(t), s)
                    for g in groups:
                        out.append((g, dest, "origin: the place the clause's subject names"))
                    continue
                known_before = [p for p in places if p.known and p.end <= dest.start and p.pid != dest.pid]
                prev = known_before[-1] if known_before else self.last_place
                if prev is not None and prev.pid != dest.pid and prev.pid not in _ancestors(self.ds, dest.pid) \
                        and dest.pid not in _ancestors(self.ds, prev.pid):
                    if dest.country != prev.country:
                        # "the rest will be transferred to Kuwait": from the country the
                        # text was speaking of, not from its last base
                        country = next((p.id for p in self.ds.places.values()
                                        if p.kind == "country" and p.country == prev.country), prev.pid)
                        if country != dest.pid:
                            origin, how = _Place(0, 0, country, Scope.AREA, True), (
                                "origin not named: the country of the last place named before (inferred)")
                    else:
                        origin, how = prev, "origin not named: the last place named before (inferred)"
            if origin is not None and origin.pid != dest.pid:
                out.append((origin, dest, how))
            elif origin is None:
                out.append((None, dest, "origin not found"))  # still a destination
        return out

    def _movement(self, s, origin, dest, dates, basis, bconf, how) -> dict:
        usable = [d for d in dates if not (basis == "report" and d.date.start > self.published)]
        deadline = [d for d in usable if d.deadline]
        start_fz = day(self.published)
        if basis == "report":
            past = [d for d in usable if d.date.start <= self.published]
            if past:
                start_fz = past[0].date
        else:
            fut = [d for d in usable if not d.deadline and d.date.end >= self.published]
            if fut:
                start_fz = fut[0].date
        end_fz = (deadline[0].date if deadline else
                  (max((d.date for d in usable), key=lambda f: f.end) if usable else start_fz))
        if end_fz.end < start_fz.start:
            end_fz = start_fz
        note = [how]
        if not deadline and basis == "plan":
            note.append("no deadline given: the end is the latest date in the sentence or the start")
        conf = round(0.5 * bconf + (0.4 if origin.known and dest.known else 0.25) +
                     (0.1 if "inferred" not in how else 0.0), 2)
        return {"id": "", "from_place": origin.pid, "to_place": dest.pid, "start": start_fz.text,
                "start_precision": start_fz.precision, "end": end_fz.text, "end_precision": end_fz.precision,
                "troops_min": "", "troops_max": "", "qualifier": "", "basis": basis,
                "force": _force(s.text, None), "source": self.sid, "quote": _quote(s),
                "quote_checked": "yes", "note": "; ".join(note), "span_start": s.start,
                "span_end": s.start + len(_quote(s)), "confidence": conf}

    # --------------------------------------------------------------------- run
    def run(self) -> Proposals:
        props = self.props
        for s in split_sentences(self.text):
            places = self._places(s)
            for p in places:
                props.mentions.append((s.start + p.start, s.start + p.end, p.pid, p.known))
                props.highlights.append((s.start + p.start, s.start + p.end, "place"))
            figures = find_figures(s.text)
            basis_s, bconf_s = _basis(s.text)
            if bconf_s <= 0.5:
                # no verb says plan or report ("announced the withdrawal …, starting in
                # September"): the nearest reading of the dates decides
                dates = find_dates(s.text, self.published, future=None)
                if any(d.date.start > self.published for d in dates):
                    basis_s, bconf_s = "plan", 0.55
            else:
                # a plan told from the past ("had promised the drawdown would end by
                # May", "was to be handed over in October") is a future seen from then,
                # not from publication: a month without a year is the nearest one
                past_frame = basis_s == "plan" and (_PAST_PLAN.search(s.text) or (
                    re.search(r"\bwould\b", s.text) and not re.search(r"\b(?:will|shall)\b", s.text)
                    and re.search(r"\b(?:had|was|were)\s+(?:promised|pledged|announced|agreed|planned|said)\b", s.text)))
                dates = find_dates(s.text, self.published, future=None if past_frame else basis_s == "plan")
            self.sentence_basis = (basis_s, bconf_s)
            for f in figures:
                props.highlights.append((s.start + f.start, s.start + f.end, "figure"))
            for d in dates:
                props.highlights.append((s.start + d.start, s.start + d.end, "date"))
            # even with no place named: a status clause may be about the text's country
            self._sentence_claims(s, places, figures, dates)
            self.prev_dates = [d for d in dates if d.confidence >= 0.7]
            deadlines = [d for d in dates if d.deadline and d.confidence >= 0.7]
            if deadlines and basis_s == "plan":
                self.last_deadline = deadlines[-1]
            for p in places:
                if not p.known:
                    continue
                if p.scope == Scope.SITE:
                    self.last_site = p
                    count = self.site_counts.get(p.pid, (0, p))[0]
                    self.site_counts[p.pid] = (count + 1, p)
                    self.site_last[p.pid] = s.start + p.start
                self.last_place = p
                country = p.pid if self._is_country(p.pid) else next((a for a in p.within if self._is_country(a)), None)
                if country:
                    self.country_counts[country] = self.country_counts.get(country, 0) + 1
        # one claim per (places, figure, date, basis) is enough
        seen, unique = set(), []
        for m in props.movements:
            k = (m["from_place"], m["to_place"], m["start"], m["end"], m["basis"], m["quote"])
            if k not in seen:
                seen.add(k)
                unique.append(m)
        props.movements, seen, unique = unique, set(), []
        for c in props.claims:
            k = (c["places"], c["troops_min"], c["troops_max"], c["qualifier"], c["date"], c["basis"], c["quote"])
            if k not in seen:
                seen.add(k)
                unique.append(c)
        props.claims = unique
        props.highlights.sort()
        return props

    def _sentence_claims(self, s: Sentence, places, figures, dates) -> None:
        clauses = _clauses(s.text)
        used_clauses = set()
        for f in figures:
            a, b = _clause_of(clauses, f.start)
            # "... at the base in western Iraq, as well as al-Harir Air Base": the list of
            # places goes on in the next clause
            for ca, cb in clauses:
                if ca == b and re.match(r"[,;]?\s*(?:as\s+well\s+as|and|along\s+with|plus)\b", s.text[ca:cb], re.I):
                    b = cb
            basis, bconf = _basis(s.text[a:b]) if (_PLAN.search(s.text[a:b]) or _REPORT.search(s.text[a:b])) else self.sentence_basis
            if re.search(r"\bfrom\s+$", s.text[:f.start], re.I) and re.match(r"\s*to\b", s.text[f.end:], re.I):
                basis, bconf = "report", 0.6  # "from 2,500 to fewer than 2,000": the figure before the change
            status = _status(s.text[a:b], basis)
            group = self._claim_places(places, a, b, s)
            if not group:
                # the clause names no place: the places of the sentence before the figure,
                # else after it
                with_places = [(ca, cb) for ca, cb in clauses if self._claim_places(places, ca, cb, s)]
                near = min(with_places, key=lambda c: min(abs(c[0] - f.end), abs(c[1] - f.start)), default=None)
                group = self._claim_places(places, *near, s) if near else []
                conf = 0.7
            else:
                conf = 1.0
            if group:
                self.props.claims.append(self._claim(s, group, f, dates, basis, bconf, status, f.start, conf))
                sites = [p for p in self._claim_places(places, 0, len(s.text), s) if p.scope == Scope.SITE]
                if all(p.scope == Scope.AREA for p in group) and sites:
                    self.props.claims.append(self._claim(
                        s, sites, f, dates, basis, bconf, status, f.start, 0.6,
                        "alternative reading: one figure for the sites the sentence names; keep one of the two"))
            used_clauses.add((a, b))
        moves = []
        basis_s, bconf_s = self.sentence_basis
        origins = set()
        for origin, dest, how in self._movements(s, places, dates, basis_s, bconf_s):
            if origin is not None:
                origins.add(origin.pid)
                self.props.movements.append(self._movement(s, origin, dest, dates, basis_s, bconf_s, how))
            moves.append(dest)
        for dest in {d.pid: d for d in moves}.values():
            a, b = _clause_of(clauses, dest.start)
            if not any(c["places"] == dest.pid and c["span_start"] == s.start for c in self.props.claims):
                self.props.claims.append(self._claim(s, [dest], None, dates, basis_s, bconf_s, "destination", dest.start))
        # "coordination with U.S. forces at the al-Tanf base": troops said to be at a site
        # are a report of presence on the day, whatever the sentence plans
        for p in places:
            if p.scope != Scope.SITE or p.pid in {d.pid for d in moves} or p.pid in origins:
                continue  # a move's ends are the move's, not a presence report
            if any(p.pid in c["places"].split("|") and c["span_start"] == s.start for c in self.props.claims):
                continue
            ca, _ = _clause_of(clauses, p.start)
            if re.search(_STATUS_CUES[1][1], s.text[ca:p.start], re.I):
                # "will keep advisers at Al-Harir": the troops are what the clause's verb
                # keeps or leaves there, a residual claim of the clause, not a presence report
                continue
            if re.search(rf"\b{TROOP_NOUN}\s+(?:(?:stationed|based|deployed|present)\s+)?(?:at|in)\s+(?:the\s+)?$",
                         s.text[:p.start], re.I):
                self.props.claims.append(self._claim(s, [p], None, [], "report", 0.6, "present", p.start, 0.7,
                                                     "troops said to be at the site"))
        # status-only claims: a clause with a status cue, a place and no figure
        for a, b in clauses:
            if (a, b) in used_clauses:
                continue
            clause = s.text[a:b]
            group = self._claim_places(places, a, b, s)
            if not group and s.text[a:a + 1] == ";":
                # "... began leaving al-Asad in August; CENTCOM only acknowledged the
                # withdrawal was underway in late September": after a semicolon the
                # clause goes on about the places of the clause before
                before = [c for c in clauses if c[1] <= a and self._claim_places(places, *c, s)]
                group = self._claim_places(places, *before[-1], s) if before else []
            group = [p for p in group if p.pid not in {d.pid for d in moves}]
            status = None
            for st, pattern in _STATUS_CUES:
                if st != "present" and re.search(pattern, clause, re.I):
                    status = st
                    break
            if status is None:
                continue
            note, conf = "", 0.8
            if not group and not self._claim_places(places, a, b, s) and _FORCE_WORDS.search(clause):
                # "other bases are seeing gradual reductions of American troops", "the
                # second phase, complete withdrawal, set for September 2026": the clause
                # names no place; it is about the country of the sentence's places, else
                # the country the text names most
                country = self._country_of(places)
                if country is not None:
                    group = [country]
                    note, conf = f"the clause names no place: proposed on {country.pid}, the country the text is about", 0.5
            if not group:
                continue
            basis, bconf = _basis(clause) if (_PLAN.search(clause) or _REPORT.search(clause)) else (basis_s, bconf_s)
            self.props.claims.append(self._claim(s, group, None, dates, basis, bconf, status, a, conf,
                                                 note=note, clause=(a, b)))

    def _is_country(self, pid: str) -> bool:
        p = self.ds.places.get(pid)
        return p is not None and p.kind == "country"

    def _country_of(self, places: list[_Place]) -> _Place | None:
        """The one country that holds every known place of the sentence, else the
        country the text has named most so far (a site counts for its country)."""
        sets = [({p.pid} if self._is_country(p.pid) else set()) | {a for a in p.within if self._is_country(a)}
                for p in places if p.known]
        common = set.intersection(*sets) if sets else set()
        pid = next(iter(common)) if len(common) == 1 else None
        if pid is None and self.country_counts:
            top = max(self.country_counts.values())
            best = [c for c, n in self.country_counts.items() if n == top]
            pid = best[0] if len(best) == 1 else None
        if pid is None:
            return None
        p = self.ds.places[pid]
        return _Place(0, 0, pid, p.scope, True, _ancestors(self.ds, pid), p.kind, p.country)


def propose(ds: Dataset, text: str, *, outlet: str, url: str = "", published: dt.date,
            title: str = "") -> Proposals:
    """Proposals (source, new places, claims, movements) for one article ``text``.

    Pure: reads nothing but its arguments and the offline world gazetteer; writes
    nothing. The analyst reviews the rows; :func:`geo.store.add_rows` saves them.
    """
    if not title:
        first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        # the first line, without a list marker (nor a formula's first character)
        title = re.sub(r"^[-–—•*·▪=+@\s]+", "", first)[:200]
    return _Extractor(ds, text, outlet.strip(), url.strip(), published, title).run()
