"""Loading and validation: every problem names file, row, column, value and the fix."""
import csv

import pytest

from geo.loader import load_dataset
from geo.model import DataError
from tests.conftest import PLACES, SOURCES, claim, write_table


def test_embedded_dataset_loads(ds):
    assert len(ds.places) >= 20 and len(ds.claims) >= 30 and ds.movements and ds.phases
    assert all(c.quote for c in ds.claims)


def test_valid_synthetic_dataset_loads(make_data):
    ds = load_dataset(make_data(claims=[claim("c1", "alpha", "2025-07-01", "10", "20")]))
    (c,) = ds.claims
    assert (c.troops_min, c.troops_max, c.places) == (10, 20, ("alpha",))


def _problem_text(err: DataError) -> str:
    return "\n".join(str(p) for p in err.problems)


BAD_CLAIMS = [
    # (field overrides, expected message pattern)
    (dict(places="alpah"), r"claims\.csv:2: column 'places': 'alpah' — a place id from places\.csv \(closest: alpha"),
    (dict(places=""), r"claims\.csv:2: column 'places': \(empty\) — one place id, or several joined with \|"),
    (dict(places="alpha|alpha"), r"column 'places': 'alpha\|alpha' — each place at most once"),
    (dict(source="s9"), r"claims\.csv:2: column 'source': 's9' — a source id from sources\.csv"),
    (dict(lo="30", hi="20"), r"column 'troops_max': '20' — troops_max at least troops_min \(30\)"),
    (dict(lo="2,500"), r"column 'troops_min': '2,500' — a whole number of troops \(digits only"),
    (dict(lo="-5"), r"column 'troops_min': '-5' — a whole number"),
    (dict(date="2025-07"), r"column 'date': '2025-07' — '2025-07' is not a day date; expected YYYY-MM-DD"),
    (dict(date="2025-07-01", precision="fortnight"), r"column 'date_precision': 'fortnight' — expected one of 'day', 'week', 'month', 'year'"),
    (dict(status="gone"), r"column 'status': 'gone' — expected one of 'present', 'drawing-down'"),
    (dict(basis="rumour"), r"column 'basis': 'rumour' — expected one of 'plan', 'report'"),
    (dict(qualifier="approx."), r"column 'qualifier': 'approx\.' — expected one of 'about'"),
    (dict(quote=""), r"column 'quote': \(empty\) — a short verbatim quote"),
    (dict(quote="x" * 500), r"column 'quote': 'x{60}…' — a short quote of at most 400 characters"),
    (dict(status="withdrawn", lo="5", hi="5"), r"column 'status': 'withdrawn' — a status other than withdrawn, since troops_min is 5"),
    # s1 is published 2025-08-01: it cannot report 2025-09-01
    (dict(date="2025-09-01"), r"column 'date': '2025-09-01' — a date on or before 2025-08-01, when source 's1' was published"),
]


@pytest.mark.parametrize("overrides,match", BAD_CLAIMS)
def test_bad_claim_rows(make_data, overrides, match):
    row = claim("c1", "alpha", "2025-07-01", "10", "20")
    for k, v in overrides.items():
        key = {"lo": "troops_min", "hi": "troops_max", "precision": "date_precision"}.get(k, k)
        row[key] = v
    with pytest.raises(DataError) as info:
        load_dataset(make_data(claims=[row]))
    assert any(__import__("re").search(match, str(p)) for p in info.value.problems), _problem_text(info.value)


def test_plan_may_be_dated_after_its_source(make_data):
    ds = load_dataset(make_data(claims=[claim("c1", "alpha", "2026-09", precision="month", basis="plan",
                                              status="withdrawn", lo="0", hi="0")]))
    assert ds.claims[0].basis == "plan"


def test_claim_finer_than_a_month_dated_source(make_data):
    sources = [dict(SOURCES[0], published_precision="month")]
    with pytest.raises(DataError, match=r"claims\.csv:2: column 'date': '2025-08-01' — a date no finer than month"):
        load_dataset(make_data(sources=sources, claims=[claim("c1", "alpha", "2025-08-01")]))


BAD_PLACES = [
    (dict(lat="133.0"), r"places\.csv:2: column 'lat': '133\.0' — a latitude in decimal degrees"),
    (dict(lon="east"), r"places\.csv:2: column 'lon': 'east' — a longitude in decimal degrees"),
    (dict(country="Iraq"), r"column 'country': 'Iraq' — an ISO 3166 alpha-3 code"),
    (dict(precision="exact"), r"column 'precision': 'exact' — expected one of 'facility', 'town'"),
    (dict(id="Alpha Base"), r"column 'id': 'Alpha Base' — an id of lower-case letters"),
    (dict(name=""), r"column 'name': \(empty\) — the place's display name"),
]


@pytest.mark.parametrize("overrides,match", BAD_PLACES)
def test_bad_place_rows(make_data, overrides, match):
    places = [dict(PLACES[0], **overrides), *PLACES[1:]]
    with pytest.raises(DataError) as info:
        load_dataset(make_data(places=places))
    assert any(__import__("re").search(match, str(p)) for p in info.value.problems), _problem_text(info.value)


def test_duplicate_ids_name_the_first_row(make_data):
    with pytest.raises(DataError, match=r"places\.csv:5: column 'id': 'alpha' — a unique id; it is already used on row 2"):
        load_dataset(make_data(places=[*PLACES, PLACES[0]]))


def test_every_problem_is_reported_at_once(make_data):
    rows = [claim("c1", "nowhere", "2025-07-01"), claim("c2", "alpha", "2025-13", precision="month"),
            claim("c2", "alpha", "2025-07-01", quote="")]
    with pytest.raises(DataError) as info:
        load_dataset(make_data(claims=rows))
    text = _problem_text(info.value)
    assert "claims.csv:2: column 'places': 'nowhere'" in text
    assert "claims.csv:3: column 'date': '2025-13'" in text
    assert "claims.csv:4: column 'id': 'c2' — a unique id; it is already used on row 3" in text
    assert "claims.csv:4: column 'quote'" in text
    assert str(info.value).startswith("4 problems in the dataset")


def test_header_problems(make_data):
    folder = make_data()
    text = (folder / "claims.csv").read_text().replace("troops_min", "troops_mn")
    (folder / "claims.csv").write_text(text)
    with pytest.raises(DataError, match=r"claims\.csv:1: 'id,places.*troops_mn.*' — missing column\(s\) troops_min; "
                                        r"unknown column\(s\) 'troops_mn'; expected the header"):
        load_dataset(folder)


def test_missing_required_file_and_folder(make_data, tmp_path):
    folder = make_data()
    (folder / "sources.csv").unlink()
    with pytest.raises(DataError, match=r"sources\.csv: \(empty\) — missing file; expected .*sources\.csv with header id,outlet"):
        load_dataset(folder)
    with pytest.raises(DataError, match=r"a folder holding places\.csv"):
        load_dataset(tmp_path / "nope")


def test_ragged_row_points_at_unquoted_comma(make_data):
    folder = make_data(claims=[claim("c1", "alpha", "2025-07-01")])
    with (folder / "claims.csv").open("a", newline="") as fh:
        fh.write("c2,alpha,2025-07-01,day,1,2\n")
    with pytest.raises(DataError, match=r"claims\.csv:3: '.*' — 6 cells where the header has 15; check for an unquoted comma"):
        load_dataset(folder)


def test_movement_checks(make_data):
    mv = dict(id="m1", from_place="alpha", to_place="alpha", start="2025-07-01", start_precision="day",
              end="2025-06-01", end_precision="day", basis="report", source="s1", quote="moved")
    with pytest.raises(DataError) as info:
        load_dataset(make_data(movements=[mv]))
    text = _problem_text(info.value)
    assert "movements.csv:2: column 'to_place': 'alpha' — a destination different from from_place" in text
    assert "movements.csv:2: column 'end': '2025-06-01' — an end on or after the start (2025-07-01)" in text


def test_corrupted_copy_of_embedded_data(data_copy):
    """The 'done when' case: a corrupted copy fails with file, row and column."""
    path = data_copy / "claims.csv"
    rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
    header = rows[0]
    rows[3][header.index("troops_min")] = "lots"
    rows[5][header.index("places")] = "ain-al-assad"
    rows[6][header.index("date")] = "2025-31-12"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(DataError) as info:
        load_dataset(data_copy)
    text = _problem_text(info.value)
    assert "claims.csv:4: column 'troops_min': 'lots'" in text
    assert "claims.csv:6: column 'places': 'ain-al-assad' — a place id from places.csv (closest: ain-al-asad" in text
    assert "claims.csv:7: column 'date': '2025-31-12'" in text


def test_not_utf8(make_data):
    folder = make_data()
    (folder / "places.csv").write_bytes("id,name\n\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=r"places\.csv: \(empty\) — the file is not UTF-8 text"):
        load_dataset(folder)


def test_write_table_helper_roundtrip(tmp_path):
    write_table(tmp_path, "places.csv", PLACES)
    assert (tmp_path / "places.csv").read_text().splitlines()[0].startswith("id,name,aliases")


@pytest.mark.parametrize("url", ['https://example.com/a"onmouseover="alert(1)', "ftp://example.com", "https://x.org/<b>"])
def test_bad_url_is_reported_once_without_orphaning_claims(make_data, url):
    sources = [dict(SOURCES[0], url=url), *SOURCES[1:]]
    with pytest.raises(DataError) as info:
        load_dataset(make_data(sources=sources, claims=[claim("c1", "alpha", "2025-07-01")]))
    assert len(info.value.problems) == 1, _problem_text(info.value)
    assert "an http(s) URL without spaces, quotes or angle brackets" in _problem_text(info.value)


def test_a_frozen_dataset_that_is_replaced_is_freed_by_the_next_freeze():
    # The app freezes what it keeps after each load (geo.gcpause.freeze_kept). A dataset
    # is a cycle (its posture index points back at it), so a frozen one would never be
    # collected: the next load's freeze must free the one it replaced.
    import gc
    import weakref

    from geo.gcpause import freeze_kept

    ds = load_dataset()
    assert ds.posture.ds is ds   # the cycle this test is about
    ref = weakref.ref(ds)
    try:
        freeze_kept()
        del ds
        gc.collect()
        assert ref() is not None   # frozen: out of the collector's sight
        freeze_kept()              # the next load's
        assert ref() is None
    finally:
        gc.unfreeze()
