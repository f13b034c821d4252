"""Troop figures with their qualifiers (data/README.md *Qualifiers*; vague words as in
geo/ingest/figures.py)."""
from __future__ import annotations

import pytest

from geo.ingest.figures import find_figures, number_value
from geo.model import QUALIFIERS


@pytest.mark.parametrize("sentence, expected", [
    ("There are 2,500 US troops in the country.", (2500, 2500, "")),
    ("about 2,000 troops remain", (2000, 2000, "about")),
    ("around 900 soldiers are deployed", (900, 900, "about")),
    ("nearly 1,500 American and coalition personnel", (1500, 1500, "nearly")),
    ("fewer than 500 personnel will stay", (0, 499, "fewer than")),
    ("cut to less than 500 personnel", (0, 499, "fewer than")),
    ("at least 250 US troops will remain", (250, None, "at least")),
    ("just over 2,500 troops were counted", (2501, None, "more than")),
    ("more than 700 troops left", (701, None, "more than")),
    ("up to 300 soldiers could go", (None, 300, "up to")),
    ("a force of 250-350 American military advisors", (250, 350, "")),
    ("between 150 and 200 advisers", (150, 200, "")),
    ("four to five personnel remaining", (4, 5, "")),
    ("two thousand soldiers arrived", (2000, 2000, "")),
    ("hundreds of US troops", (100, None, "at least")),
    ("dozens of soldiers", (12, None, "at least")),
    ("several hundred troops", (300, None, "at least")),
    ("a few US personnel left", (None, None, "a few")),
    ("A small force of American troops will remain", (None, None, "limited number")),
    ("a limited number of American personnel", (None, None, "limited number")),
])
def test_figures_and_qualifiers(sentence, expected):
    figs = find_figures(sentence)
    assert [(f.troops_min, f.troops_max, f.qualifier) for f in figs] == [expected]
    assert figs[0].qualifier in QUALIFIERS
    assert sentence[figs[0].start:figs[0].end] == figs[0].words
    assert 0 < figs[0].confidence <= 1


@pytest.mark.parametrize("sentence", [
    "The base will close on September 15.",
    "It lies 10 kilometers from the district.",
    "The coalition was formed in 2014.",
    "The troops will leave within 20 days.",
    "It is the headquarters of the 7th Division.",
    "The deal covers 3 bases and 2 phases.",
    "Oil output rose by 2,500 barrels.",
])
def test_numbers_that_are_not_troops(sentence):
    assert find_figures(sentence) == []


def test_a_change_gives_both_figures_not_a_range():
    figs = find_figures("The number of American troops inside Iraq would fall from 2,500 to fewer than 2,000, officials said.")
    assert [(f.troops_min, f.troops_max, f.qualifier) for f in figs] == [(2500, 2500, ""), (0, 1999, "fewer than")]


@pytest.mark.parametrize("words, value", [("2,500", 2500), ("two thousand", 2000), ("twenty-five", 25),
                                          ("five hundred", 500), ("3 thousand", 3000), ("a thousand", 1000)])
def test_number_words(words, value):
    assert number_value(words) == value
