from pathlib import Path

import pytest

from geo.gazetteer import Gazetteer, UnknownPlace, normalise

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def gaz(ds):
    return Gazetteer(ds.places.values())


@pytest.mark.parametrize("name,place_id", [
    ("Ain al-Asad", "ain-al-asad"),
    ("Ain al-Assad", "ain-al-asad"),
    ("AIN AL ASAD", "ain-al-asad"),
    ("Ayn al-Asad", "ain-al-asad"),
    ("Ain Asad", "ain-al-asad"),
    ("al-Asad", "ain-al-asad"),
    ("Erbil", "erbil"), ("Arbil", "erbil"), ("Irbil", "erbil"), ("Hawler", "erbil"), ("Hewlêr", "erbil"),
    ("Harir", "al-harir"), ("Hareer", "al-harir"), ("Al Harir Air Base", "al-harir"),
    ("Baghdad Airport", "victory-base"), ("Victory Base", "victory-base"),
    ("Kasrak", "qasrak"), ("Iraqi Kurdistan", "kurdistan-region"), ("al-Tanf", "al-tanf"),
    ("ain-al-asad", "ain-al-asad"),
])
def test_resolves_spellings(gaz, name, place_id):
    assert gaz.resolve(name).id == place_id


@pytest.mark.parametrize("name,suggested", [
    ("Ain al-Asud", "ain-al-asad"),
    ("Erbel Airbase", "erbil-air-base"),
    ("Camp Arifjon", "camp-arifjan"),
])
def test_unknown_name_suggests_closest(gaz, name, suggested):
    with pytest.raises(UnknownPlace, match=rf"unknown place '{name}'; did you mean .*\({suggested}\)") as info:
        gaz.resolve(name)
    assert suggested in [p.id for p in info.value.suggestions]


def test_unknown_with_nothing_close(gaz):
    with pytest.raises(UnknownPlace, match=r"^unknown place 'Zzzqx'$"):
        gaz.resolve("Zzzqx")


def test_normalise_folds_articles_diacritics_and_variants():
    assert normalise("Ain al-Assad") == ("ain", "al", "asad")
    assert normalise("Hewlêr") == ("erbil",)


def test_find_in_text_gives_spans_and_prefers_longest(gaz):
    text = "Forces at Baghdad Airport and the Joint Operations Command will relocate to Erbil."
    found = gaz.find_in_text(text)
    assert [(m.matched, m.place.id) for m in found] == [
        ("Baghdad Airport", "victory-base"), ("Joint Operations Command", "joc-baghdad"), ("Erbil", "erbil")]
    for m in found:
        assert text[m.start:m.end] == m.matched


def test_assad_regime_is_not_the_air_base(gaz):
    found = gaz.find_in_text("the fall of the Assad regime in December 2024")
    assert all(m.place.id != "ain-al-asad" for m in found)


EXPECTED_IN_SEEDS = {
    "000_79457010f935ab5a.txt": {"ain-al-asad", "anbar", "syria", "baghdad", "erbil", "kurdistan-region",
                                 "balad", "khan-al-baghdadi", "us-embassy-baghdad", "kuwait", "iraq"},
    "001_647639aa0fb28daa.txt": {"ain-al-asad", "joc-baghdad", "baghdad", "anbar", "iraq", "syria", "kurdistan-region"},
    "002_23c18b444b40338d.txt": {"ain-al-asad", "baghdad", "anbar", "victory-base", "joc-baghdad", "erbil",
                                 "al-harir", "iraq"},
    "003_7eccfc2bfadc8a90.txt": {"baghdad", "ain-al-asad", "anbar", "mosul", "victory-base", "iraq", "syria"},
    "004_82ca904ac838403d.txt": {"ain-al-asad", "al-harir", "kurdistan-region", "al-tanf", "syria", "iraq", "baghdad"},
}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the repo")
@pytest.mark.parametrize("seed", sorted(EXPECTED_IN_SEEDS))
def test_finds_every_place_the_seeds_name(gaz, seed):
    found = {m.place.id for m in gaz.find_in_text((SEEDS / seed).read_text(encoding="utf-8"))}
    missing = EXPECTED_IN_SEEDS[seed] - found
    assert not missing, f"{seed}: not found {sorted(missing)}; found {sorted(found)}"
