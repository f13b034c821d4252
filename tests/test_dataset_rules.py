"""The embedded dataset applies its own rules the same way everywhere (data/README.md).

These tests read the data itself, not the model: a zero rests on the words that give a
zero, areas contain sites, restated figures repeat something said before, and the
issue-9 corrections stay corrected.
"""
import datetime as dt
import re
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

#: The words that, and only they, let a claim say nobody is left (README, "0/0").
ZERO_WORDS = ("complete", "full", "last", "end the presence", "no longer")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _by_quote(ds, fragment: str, source: str | None = None):
    found = [c for c in ds.claims if fragment in c.quote and (source is None or c.source == source)]
    assert found, f"no claim quotes {fragment!r}"
    return found


def test_every_zero_rests_on_words_that_say_nobody_is_left(ds):
    zeros = [c for c in ds.claims if c.troops_min == 0 and c.troops_max == 0]
    assert len(zeros) >= 10
    for c in zeros:
        assert any(w in c.quote.lower() for w in ZERO_WORDS), \
            f"{c.id}: 0/0 but the quote has none of {ZERO_WORDS}: {c.quote!r}"


def test_weaker_words_never_give_a_zero(ds):
    """'vacated', 'withdrawn from', 'depart', a handover or a mission's end keep the figure empty."""
    for c in ds.claims:
        q = c.quote.lower()
        if any(w in q for w in ZERO_WORDS):
            continue
        assert not (c.troops_min == 0 and c.troops_max == 0), f"{c.id}: a zero from {c.quote!r}"


def test_isw_and_saednews_read_alike(ds):
    (isw,) = _by_quote(ds, "complete withdrawal", "iswnews-2025-08-18")
    saed = _by_quote(ds, "end the presence", "saednews-2025-08-18")
    assert (isw.troops_min, isw.troops_max) == (0, 0)
    assert {c.places for c in saed} == {("baghdad",), ("ain-al-asad",)}
    assert all((c.troops_min, c.troops_max) == (0, 0) for c in saed)


def test_a_sentence_that_keeps_someone_gives_no_zero(ds):
    (full,) = _by_quote(ds, "leading to a full withdrawal in September 2026", "shafaq-2025-08-19")
    assert (full.troops_min, full.troops_max) == (None, None)


def test_containment(ds):
    P = ds.places
    assert (P["ain-al-asad"].within, P["anbar"].within) == ("anbar", "iraq")
    assert (P["al-harir"].within, P["kurdistan-region"].within) == ("kurdistan-region", "iraq")
    assert P["victory-base"].within == P["joc-baghdad"].within == "baghdad"
    assert P["erbil-air-base"].within == "erbil" and P["erbil"].within == "kurdistan-region"
    for pid in ("iraq", "syria", "kuwait", "jordan"):
        assert P[pid].within == ""
    for pid in ("iraq", "kurdistan-region", "anbar", "baghdad", "erbil", "syria"):
        assert P[pid].scope == "area", pid
    for pid in ("ain-al-asad", "al-harir", "victory-base", "rmelan", "qasrak", "al-shaddadi"):
        assert P[pid].scope == "site", pid


def test_country_places_lie_in_their_country(ds):
    for p in ds.places.values():
        chain, cur = [], p
        while cur.within:
            cur = ds.places[cur.within]
            chain.append(cur)
        if chain:
            assert chain[-1].kind == "country" and chain[-1].country == p.country, p.id


def test_group_figures_belong_to_sites_only(ds):
    groups = [c for c in ds.claims if len(c.places) > 1]
    assert groups
    for c in groups:
        for pid in c.places:
            assert ds.places[pid].scope == "site", f"{c.id}: group member {pid} is an area"


def test_isw_figure_is_an_iraq_total_with_presence_at_three_bases(ds):
    (total,) = [c for c in ds.claims if c.source == "iswnews-2025-08-18" and c.troops_min == 2500]
    assert total.places == ("iraq",) and total.date.text == "2025-08-18" and total.basis == "report"
    present = {c.places for c in ds.claims if c.source == "iswnews-2025-08-18" and c.status == "present"
               and c.troops_min is None and c.troops_max is None}
    assert {("ain-al-asad",), ("al-harir",), ("victory-base",)} <= present


@pytest.mark.parametrize("fragment", [
    "About 2,500 US troops remain stationed in Iraq.",
    "With roughly 2,500 US troops still stationed in Iraq",
    "There are presently 2,500 US soldiers in Iraq.",
])
def test_background_figures_are_restated(ds, fragment):
    for c in _by_quote(ds, fragment):
        assert c.restated, c.id


def test_task_and_purpose_restates_the_plan_figures(ds):
    for c in _by_quote(ds, "from 2,500 to fewer than 2,000", "taskandpurpose-2025-10-20"):
        assert c.restated and c.date.text == "2025-10-20", c.id


def test_restated_figures_repeat_an_earlier_one(ds):
    """A restated figure supports something already said: the same range at the same place
    with the same basis, from a source published no later."""
    published = {sid: s.published for sid, s in ds.sources.items()}
    for c in ds.claims:
        if not c.restated or (c.troops_min, c.troops_max) == (None, None):
            continue
        earlier = [o for o in ds.claims if not o.restated and o.places == c.places and o.basis == c.basis
                   and (o.troops_min, o.troops_max) == (c.troops_min, c.troops_max)
                   and published[o.source] <= published[c.source]]
        assert earlier, f"{c.id}: restated {c.troops_min}-{c.troops_max} at {c.places} repeats nothing earlier"


def test_coalition_counts_are_marked(ds):
    for c in ds.claims:
        if re.search(r"coalition (personnel|advisers)|Coalition advisers", c.quote):
            assert c.force == "coalition", c.id
    (rudaw,) = _by_quote(ds, "American and coalition personnel")
    assert rudaw.force == "coalition" and rudaw.places == ("kurdistan-region",)


def test_seed_000_arrival_in_syria_is_a_plan(ds):
    (arrival,) = _by_quote(ds, "will move to bases inside Syrian territory")
    assert arrival.places == ("syria",) and arrival.basis == "plan"
    convoy = _by_quote(ds, "had begun moving out of Ain al-Assad base")
    assert all(c.basis == "report" and c.date.text == "2025-08-18" for c in convoy)


def test_ap_puts_the_250_350_at_ain_al_asad_beside_task_and_purpose_grouping(ds):
    ap = [c for c in ds.claims if c.source == "unb-2025-10-21" and c.troops_min == 250]
    tp = [c for c in ds.claims if c.source == "taskandpurpose-2025-10-20" and c.troops_min == 250]
    assert [c.places for c in ap] == [("ain-al-asad",)] and ap[0].troops_max == 350
    assert [c.places for c in tp] == [("ain-al-asad", "al-harir")]
    near_airport = {c.places for c in ds.claims if c.source == "unb-2025-10-21" and c.status == "present"}
    assert ("victory-base",) in near_airport


def test_qasrak_on_22_and_23_february(ds):
    q = {c.date.text: c for c in ds.claims if c.places == ("qasrak",) and c.source == "ap-full-2026-02-23"}
    assert set(q) == {"2026-02-22", "2026-02-23"}
    assert (q["2026-02-23"].troops_min, q["2026-02-23"].qualifier) == (200, "about")


def test_hurriyet_is_checked(ds):
    src = ds.sources["hurriyet-2026-02-23"]
    assert src.title == "US forces begin withdrawing from key base in Syria"
    (c,) = _by_quote(ds, "The United States has about 1,000 troops still deployed in Syria.")
    assert c.quote_checked and c.source == src.id


def test_unchecked_quotes_say_why(ds):
    unchecked = [c for c in ds.claims if not c.quote_checked] + [m for m in ds.movements if not m.quote_checked]
    for row in unchecked:
        assert "unchecked" in row.note or "not checked" in row.note, row.id
    assert [c.source for c in unchecked] == ["reuters-2026-01-17"]


def test_sources_without_url_say_why(ds):
    for s in ds.sources.values():
        if not s.url:
            assert "not found" in s.note, s.id


def test_exact_deadlines(ds):
    (month,) = _by_quote(ds, "Within a month, they will have withdrawn from Syria", "lbc-2026-02-23")
    assert (month.date.text, month.date.precision, month.basis) == ("2026-03-23", "day", "plan")


def test_inferred_points_are_never_facility(ds):
    for p in ds.places.values():
        if "inferred" in p.coord_source or "approximate" in p.coord_source:
            assert p.precision != "facility", p.id
    assert ds.places["victory-base"].precision == "town"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the repo")
def test_phase_texts_quote_their_source(ds):
    checked = 0
    for ph in ds.phases:
        seed = ds.sources[ph.source].seed_file
        if not seed:
            continue
        text = _squash((SEEDS / seed).read_text(encoding="utf-8"))
        for quoted in re.findall(r"'([^']{12,})'", ph.description):
            assert _squash(quoted) in text, f"{ph.id}: {quoted!r} is not in {seed}"
            checked += 1
    assert checked >= 1
    assert ds.phases[-1].source != "mirage-2024-09-27"


def test_reporting_is_carried_past_the_seeds(ds):
    assert ds.latest_published >= dt.date(2026, 2, 28)
    late = [c for c in ds.claims if c.basis == "report" and ds.sources[c.source].published > dt.date(2026, 2, 12)]
    places = {p for c in late for p in c.places}
    assert {"syria", "rmelan", "qasrak", "al-harir"} <= places
    assert any(c.troops_min == 900 for c in late if c.places == ("syria",))
