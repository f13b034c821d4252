"""Dates relative to the publication day, as dataset periods (never finer than the words)."""
from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import parse_fuzzy
from geo.ingest.dates import find_dates

TUE = dt.date(2025, 8, 19)   # a Tuesday
WED = dt.date(2025, 12, 31)  # a Wednesday


@pytest.mark.parametrize("sentence, published, future, expected", [
    ("On Monday, the first phase began.", TUE, False, "2025-08-18"),
    ("The base will be handed over on Monday.", TUE, True, "2025-08-25"),
    ("Ain al-Asad will witness a full withdrawal next week.", WED, True, "2026-W02"),
    ("The withdrawal was to be completed by last month.", dt.date(2025, 10, 20), False, "2025-09"),
    ("The last soldier will leave in mid-September.", TUE, True, "2025-09"),
    ("Troops will go in early October.", TUE, True, "2025-10"),
    ("Troops left in late October.", dt.date(2025, 11, 5), False, "2025-10"),
    ("CENTCOM acknowledged it in late September.", dt.date(2025, 10, 20), False, "2025-09"),
    ("The mission ends by the end of September.", TUE, True, "2025-09"),
    ("Complete withdrawal by September 2026.", TUE, True, "2026-09"),
    # data/README.md: "within a month" said 2026-02-23 is the exact deadline 2026-03-23
    ("Within a month, they will have withdrawn.", dt.date(2026, 2, 23), True, "2026-03-23"),
    ("A diplomat said within 20 days.", dt.date(2026, 2, 23), True, "2026-03-15"),
    ("Under the agreement reached last fall.", dt.date(2025, 10, 20), False, "2024"),
    # approximate counts keep the coarser period (data/README.md: "approximately 15 days"
    # from 2026-02-23 is 2026-03): the month the count ends in
    ("They will leave in about 15 days.", TUE, True, "2025-09"),
    ("It will take about 15 days.", TUE, True, "2025-09"),
    ("The base closes on September 15.", TUE, True, "2025-09-15"),
    ("The strike came on January 3, 2020.", TUE, False, "2020-01-03"),
    ("Monday 18 August 2025 - 14:50", TUE, False, "2025-08-18"),
    ("The military withdrawal by next September.", TUE, True, "2025-09"),
    ("The first phase is scheduled for September this year.", TUE, True, "2025-09"),
    ("The full completion set for September next year.", TUE, True, "2026-09"),
    ("A presence through 2026.", TUE, True, "2026"),
    ("Two weeks ago the convoy left.", TUE, False, "2025-W32"),
    ("It was announced yesterday.", TUE, False, "2025-08-18"),
    ("Currently, around 2,500 troops are present.", TUE, False, "2025-08-19"),
    ("Within the next few days units will move.", dt.date(2025, 8, 24), True, "2025-W35"),
    ("A move planned for this summer.", dt.date(2025, 3, 1), True, "2025"),
    ("The troops moved last winter.", dt.date(2025, 4, 1), False, "2025"),
])
def test_dates(sentence, published, future, expected):
    found = find_dates(sentence, published, future)
    assert [d.date.text for d in found] == [expected], found
    d = found[0]
    assert sentence[d.start:d.end] == d.words
    # the text is in the dataset's own date form, so the loader accepts it
    assert parse_fuzzy(d.date.text, d.date.precision) == d.date


@pytest.mark.parametrize("sentence", [
    "Troop numbers are expected to fall below 2,000.",   # 'fall' the verb, not the season
    "Hundreds of US troops may remain in advisory roles.",  # 'may' the verb, not the month
    "The spring offensive was long expected.",
])
def test_words_that_are_not_dates(sentence):
    assert find_dates(sentence, TUE, True) == []


def test_part_of_month_is_never_finer_than_the_month():
    (d,) = find_dates("They left in late September.", dt.date(2025, 10, 20), False)
    assert d.date.precision == "month"


def test_deadlines_are_marked():
    (d,) = find_dates("They will go by the end of September.", TUE, True)
    assert d.deadline
    (d,) = find_dates("They went in September.", dt.date(2025, 10, 2), False)
    assert not d.deadline


# ------------------------------------------------------------ counted and relative periods

@pytest.mark.parametrize("sentence, published, expected, deadline", [
    # an exact count from a known day is an exact deadline (data/README.md)
    ("The convoy must be gone within two months.", dt.date(2026, 2, 19), "2026-04-19", True),
    ("Within 10 days the airfield will be empty.", dt.date(2025, 6, 25), "2025-07-05", True),
    # an approximate count keeps the period it ends in: a handful of days the week,
    # more the month
    ("Units will go within a few days.", dt.date(2025, 6, 25), "2025-W26", True),
    ("The garrison will go within approximately 20 days.", dt.date(2025, 6, 25), "2025-07", True),
    ("It should take roughly 12 days to pack up.", dt.date(2025, 6, 25), "2025-07", True),
    # "by" bounds a relative period too
    ("The base should be empty by next week.", dt.date(2025, 6, 25), "2025-W27", True),
    ("The pull-out was to be over by last month.", dt.date(2025, 6, 25), "2025-05", True),
    ("Talks went on through last month.", dt.date(2025, 6, 25), "2025-05", False),
    ("Forces arrived last week.", dt.date(2025, 6, 25), "2025-W25", False),
])
def test_counted_and_relative_periods(sentence, published, expected, deadline):
    (d,) = find_dates(sentence, published, True)
    assert (d.date.text, d.deadline) == (expected, deadline), d
    assert parse_fuzzy(d.date.text, d.date.precision) == d.date


# -------------------------------------------- which date an undated claim takes (extract.py)

def _claims(ds, text, published):
    from geo.ingest import propose

    return propose(ds, text, outlet="Test Wire", published=published).claims


def _on(claims, place):
    return [c for c in claims if place in c["places"].split("|")]


def test_an_undated_plan_is_dated_when_stated_not_from_the_sentence_before(ds):
    # data/README.md: a plan with no target date is dated to when it was stated
    claims = _claims(ds, "The coalition is to quit Baghdad in November. "
                         "A second official said some trainers would stay at Victory Base.", dt.date(2025, 7, 1))
    (c,) = _on(claims, "victory-base")
    assert (c["date"], c["basis"]) == ("2025-07-01", "plan"), c


def test_an_undated_report_still_takes_the_date_of_the_sentence_before(ds):
    claims = _claims(ds, "A convoy set off on Thursday. "
                         "Some 80 soldiers had left Camp Buehring.", dt.date(2025, 7, 1))
    (c,) = _on(claims, "camp-buehring")
    assert (c["date"], c["basis"]) == ("2025-06-26", "report"), c


@pytest.mark.parametrize("second", [
    "Trainers will stay at Victory Base after that date.",
    "Trainers will stay at Victory Base until then.",
    "The spokesman added that trainers would stay at Victory Base.",
])
def test_a_plan_pointing_back_takes_the_date_it_points_at(ds, second):
    claims = _claims(ds, "The coalition is to quit Baghdad in November. " + second, dt.date(2025, 7, 1))
    (c,) = _on(claims, "victory-base")
    assert (c["date"], c["basis"]) == ("2025-11", "plan"), c


def test_a_plan_told_in_the_past_tense_takes_the_texts_last_deadline(ds):
    text = ("Officials had promised the drawdown would end by the end of May 2025. "
            "Trucks were seen near the border in June. "
            "Camp Buehring was supposed to be closed to US forces.")
    (c,) = _on(_claims(ds, text, dt.date(2025, 7, 1)), "camp-buehring")
    assert (c["date"], c["basis"]) == ("2025-05", "plan"), c
    # told in the present, the same plan has no target date of its own
    text = text.replace("was supposed to be closed", "will be closed")
    (c,) = _on(_claims(ds, text, dt.date(2025, 7, 1)), "camp-buehring")
    assert c["date"] == "2025-07-01", c


def test_a_status_clause_naming_no_place_is_about_the_texts_country(ds):
    # the sentence's places are all in Syria: the clause with no place is about Syria
    claims = _claims(ds, "Troops will leave Al-Tanf and Qasrak in May, "
                         "whereas the exit of the last remaining forces is due by October.", dt.date(2025, 3, 3))
    (c,) = _on(claims, "syria")
    assert (c["date"], c["basis"]) == ("2025-10", "plan"), c
    assert "names no place" in c["note"]
    # a sentence naming no place at all: the country the text has named most
    claims = _claims(ds, "About 900 US troops are deployed in Syria. "
                         "Other outposts are seeing steady reductions of American personnel.", dt.date(2025, 3, 3))
    assert [c["date"] for c in _on(claims, "syria") if "names no place" in c["note"]] == ["2025-03-03"]


def test_a_clause_with_no_place_and_no_troops_gives_no_claim(ds):
    claims = _claims(ds, "Troops will leave Al-Tanf in May, while prices are expected to be cut by October.",
                     dt.date(2025, 3, 3))
    assert not _on(claims, "syria"), claims


def test_troops_a_verb_keeps_at_a_site_are_a_plan_not_a_presence_report(ds):
    claims = _claims(ds, "Washington will keep advisers at Camp Arifjan through June.", dt.date(2025, 3, 3))
    assert [(c["basis"], c["date"]) for c in _on(claims, "camp-arifjan")] == [("plan", "2025-06")], claims


@pytest.mark.parametrize("sentence, expected", [
    ("Shelling began a few days ago.", "2025-W26"),  # about 3 days before Monday 2025-06-30: the week
    ("The unit left about 20 days ago.", "2025-06"),
    ("The unit left three days ago.", "2025-06-27"),
])
def test_counts_back_from_publication(sentence, expected):
    (d,) = find_dates(sentence, dt.date(2025, 6, 30), False)
    assert d.date.text == expected, d


@pytest.mark.parametrize("sentence, expected", [
    # a plan seen from the past: the month is the nearest one, here just gone
    ("Victory Base was to be handed over in June.", "2025-06"),
    ("Officials had promised that Victory Base would be closed in May.", "2025-05"),
    # a plan told from publication: the coming month
    ("Victory Base will be handed over in June.", "2026-06"),
    ("Officials say Victory Base would be closed in May.", "2026-05"),
])
def test_a_plan_told_from_the_past_takes_the_nearest_month(ds, sentence, expected):
    (c,) = _on(_claims(ds, sentence, dt.date(2025, 7, 1)), "victory-base")
    assert (c["date"], c["basis"]) == (expected, "plan"), c
