"""A catalogue of corrupted datasets (issue 8): every file, through the loader, the CLI
and the app. Each case corrupts a copy of the embedded dataset one way and names the
message that must locate it (file:row, column, value, what was expected)."""
from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from geo.cli import main
from geo.loader import COLUMNS, DEFAULT_DATA_DIR, load_dataset
from geo.model import DataError

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ corruptions

def _rows(folder: Path, file: str) -> list[dict]:
    with (folder / file).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(folder: Path, file: str, rows: list[dict], header: list[str] | None = None) -> None:
    with (folder / file).open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header or COLUMNS[file])
        w.writeheader()
        w.writerows(rows)


def cell(file: str, rid: str, **cells):
    """Set cells of the row with id ``rid``."""
    def apply(folder: Path):
        rows = _rows(folder, file)
        [row] = [r for r in rows if r["id"] == rid]
        row.update(cells)
        _write(folder, file, rows)
    return apply


def first(file: str, **cells):
    """Set cells of the file's first row."""
    def apply(folder: Path):
        rows = _rows(folder, file)
        rows[0].update(cells)
        _write(folder, file, rows)
    return apply


def text(file: str, old: str, new: str, count: int = 1):
    """Replace raw text in the file (header edits, broken quoting)."""
    def apply(folder: Path):
        path = folder / file
        body = path.read_text(encoding="utf-8")
        assert old in body, f"{old!r} not in {file}"
        path.write_text(body.replace(old, new, count), encoding="utf-8")
    return apply


def line(file: str, number: int, new: str):
    """Replace one physical line of the file (1 = the header) with ``new``."""
    def apply(folder: Path):
        path = folder / file
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[number - 1] = new + "\n"
        path.write_text("".join(lines), encoding="utf-8")
    return apply


def append(file: str, line: str):
    def apply(folder: Path):
        with (folder / file).open("a", encoding="utf-8", newline="") as fh:
            fh.write(line)
    return apply


def raw(file: str, data: bytes):
    def apply(folder: Path):
        (folder / file).write_bytes(data)
    return apply


def header_only(file: str):
    def apply(folder: Path):
        _write(folder, file, [])
    return apply


def directory(file: str):
    def apply(folder: Path):
        (folder / file).unlink()
        (folder / file).mkdir()
    return apply


def dangling_link(file: str):
    def apply(folder: Path):
        (folder / file).unlink()
        (folder / file).symlink_to(folder / "nowhere.csv")
    return apply


def removed(file: str):
    def apply(folder: Path):
        (folder / file).unlink()
    return apply


def cell_with_border(value: str):
    """Add the optional border_ok column, with ``value`` on Ain al-Asad's row."""
    def apply(folder: Path):
        rows = _rows(folder, "places.csv")
        for r in rows:
            r["border_ok"] = value if r["id"] == AIN else ""
        _write(folder, "places.csv", rows, COLUMNS["places.csv"] + ["border_ok"])
    return apply


AIN = "ain-al-asad"
SRC = "shafaq-2025-08-19"
LONG = "x" * 1001

CASES = [
    # ---------------------------------------------------------------- places.csv
    ("places-dup-header", text("places.csv", ",coord_source,", ",name,"),
     r"places\.csv:1: .* each column once in the header; 'name' appears 2 times"),
    ("places-nul", cell("places.csv", AIN, name="Ain\x00al-Asad"), r"places\.csv: '\\\\x00' — text with no NUL byte; there is one on line 2"),
    ("places-lat-fullwidth", cell("places.csv", AIN, lat="３３.７８５６"), r"places\.csv:2: column 'lat': '３３\.７８５６' — a latitude in decimal degrees"),
    ("places-lat-underscore", cell("places.csv", AIN, lat="3_3.7856"), r"places\.csv:2: column 'lat': '3_3\.7856' — a latitude"),
    ("places-lon-nan", cell("places.csv", AIN, lon="nan"), r"column 'lon': 'nan' — a longitude in decimal degrees"),
    ("places-lat-exponent", cell("places.csv", AIN, lat="3.3e1"), r"column 'lat': '3\.3e1' — a latitude"),
    ("places-lat-range", cell("places.csv", AIN, lat="91"), r"column 'lat': '91' — a latitude .* between -90 and 90"),
    ("places-swapped", cell("places.csv", AIN, lat="42.4411", lon="33.7856"),
     r"places\.csv:2: column 'lat': '42\.4411, 33\.7856' — a point inside IRQ .* km outside it.*lat and lon look swapped.*border_ok"),
    ("places-sign", cell("places.csv", AIN, lon="-42.4411"),
     r"column 'lat': '33\.7856, -42\.4411' — a point inside IRQ"),
    ("places-wrong-country", cell("places.csv", AIN, country="KWT"),
     r"places\.csv:2: column 'lat': .* — a point inside KWT .* it lies in IRQ"),
    ("places-country-unknown", cell("places.csv", AIN, country="XXX"), r"column 'country': 'XXX' — an ISO 3166 alpha-3 code that exists"),
    ("places-country-name", cell("places.csv", AIN, country="Iraq"), r"column 'country': 'Iraq' — an ISO 3166 alpha-3 code in capitals"),
    ("places-kind", cell("places.csv", AIN, kind="fortress"), r"column 'kind': 'fortress' — expected one of 'air base'"),
    ("places-precision", cell("places.csv", AIN, precision="exact"), r"column 'precision': 'exact' — expected one of 'facility'"),
    ("places-name-long", cell("places.csv", AIN, name="N" * 201), r"column 'name': 'N{60}…' — at most 200 characters \(201 here\)"),
    ("places-alias-long", cell("places.csv", AIN, aliases="ok|" + "A" * 201), r"column 'aliases': .* at most 200 characters per alias"),
    ("places-note-long", cell("places.csv", AIN, note=LONG), r"column 'note': .* at most 1000 characters \(1001 here\)"),
    ("places-name-empty", cell("places.csv", AIN, name=""), r"column 'name': \(empty\) — the place's display name"),
    ("places-id-case", cell("places.csv", "khan-al-baghdadi", id="Khan"), r"column 'id': 'Khan' — an id of lower-case letters"),
    ("places-id-dup", cell("places.csv", "khan-al-baghdadi", id=AIN), r"places\.csv:3: column 'id': 'ain-al-asad' — a unique id; it is already used on row 2"),
    ("places-within-unknown", cell("places.csv", AIN, within="narnia"), r"column 'within': 'narnia' — a place id from places\.csv"),
    ("places-within-loop", cell("places.csv", "iraq", within=AIN), r"column 'within': .* is a loop"),
    ("places-border-ok-bad", lambda folder: cell_with_border("maybe")(folder),
     r"places\.csv:2: column 'border_ok': 'maybe' — yes if the point is a true border case"),
    ("places-empty-file", raw("places.csv", b""), r"places\.csv:1: \(empty\) — the file is empty; expected a header row"),
    ("places-not-utf8", raw("places.csv", "id,name\nx,Caf\xe9\n".encode("latin-1")), r"places\.csv: \(empty\) — the file is not UTF-8 text"),
    ("places-header-only", header_only("places.csv"), r"places\.csv: \(empty\) — places\.csv has no rows"),
    ("places-folder", directory("places.csv"), r"places\.csv: '.*places\.csv' — a CSV file, but this is a folder"),
    ("places-dangling-link", dangling_link("places.csv"), r"places\.csv: '.*places\.csv' — a file the app can read; it cannot be read \(No such file"),
    ("places-missing", removed("places.csv"), r"places\.csv: \(empty\) — missing file; expected .*places\.csv with header id,name"),
    ("places-missing-column", text("places.csv", ",coord_source,", ","), r"places\.csv:1: .* missing column\(s\) coord_source"),
    ("places-unknown-column", text("places.csv", ",note\n", ",note,notes\n"), r"places\.csv:1: .* unknown column\(s\) 'notes'.*\(optional: border_ok\)"),
    ("places-ragged", append("places.csv", "zulu,Zulu,,air base,IRQ\n"), r"places\.csv:\d+: '.*' — 5 cells where the header has 11"),
    ("places-unclosed-quote", append("places.csv", 'zulu,"Zulu base,,air base,IRQ,,33,44,facility,,\n'),
     r"places\.csv:\d+: \(empty\) — a closing \" for the quoted cell opened on line \d+"),
    ("places-text-after-quote", append("places.csv", 'zulu,"Zulu" base,,air base,IRQ,,33,44,facility,,\n'),
     r"places\.csv:\d+: \(empty\) — a quoted cell that ends at its closing \" \(line \d+\): text follows"),
    ("places-cell-over-csv-limit", cell("places.csv", AIN, note="n" * 140_000),
     r"places\.csv:2: \(empty\) — a cell of at most 100,000 characters; a cell on line 2 is longer"),
    ("places-cell-over-limit", cell("places.csv", AIN, note="n" * 100_001),
     r"places\.csv:2: column 'note': 'n{60}…' — a cell of at most 100,000 characters; this one has 100,001"),
    # ---------------------------------------------------------------- sources.csv
    ("sources-published-9999", cell("sources.csv", SRC, published="9999-01-01"),
     r"sources\.csv:\d+: column 'published': '9999-01-01' — expected a date in the years 1900-2100"),
    ("sources-published-0001", cell("sources.csv", SRC, published="0001-01-01"), r"column 'published': '0001-01-01' — expected a date in the years 1900-2100"),
    ("sources-published-fullwidth", cell("sources.csv", SRC, published="２０２５-０８-１９"), r"column 'published': '２０２５-０８-１９' — the publication day, YYYY-MM-DD"),
    ("sources-precision", cell("sources.csv", SRC, published_precision="hour"), r"column 'published_precision': 'hour' — expected one of 'day'"),
    ("sources-inferred", cell("sources.csv", SRC, published_inferred="perhaps"), r"column 'published_inferred': 'perhaps' — yes or no"),
    ("sources-url-js", cell("sources.csv", SRC, url="javascript:alert(1)"), r"column 'url': 'javascript:alert\(1\)' — an http\(s\) URL"),
    ("sources-seed-traversal", cell("sources.csv", SRC, seed_file="../../etc/passwd"), r"column 'seed_file': '\.\./\.\./etc/passwd' — a bare file name"),
    ("sources-seed-folder", cell("sources.csv", SRC, seed_file="sub/000.txt"), r"column 'seed_file': 'sub/000\.txt' — a bare file name"),
    ("sources-seed-hidden", cell("sources.csv", SRC, seed_file=".hidden"), r"column 'seed_file': '\.hidden' — a bare file name"),
    ("sources-outlet-empty", cell("sources.csv", SRC, outlet=""), r"column 'outlet': \(empty\) — the outlet's name"),
    ("sources-title-long", cell("sources.csv", SRC, title="T" * 301), r"column 'title': .* at most 300 characters"),
    ("sources-header-only", header_only("sources.csv"), r"sources\.csv: \(empty\) — sources\.csv has no rows"),
    ("sources-dup-header", text("sources.csv", ",note\n", ",url\n"), r"sources\.csv:1: .* 'url' appears 2 times"),
    ("sources-nul", cell("sources.csv", SRC, title="a\x00b"), r"sources\.csv: '\\\\x00' — text with no NUL byte"),
    ("sources-folder", directory("sources.csv"), r"sources\.csv: .* this is a folder"),
    # ---------------------------------------------------------------- claims.csv
    ("claims-troops-1e20", cell("claims.csv", "c008", troops_min="100000000000000000000", troops_max="100000000000000000000"),
     r"claims\.csv:\d+: column 'troops_min': '100000000000000000000' — expected a figure of at most 1,000,000 troops"),
    ("claims-troops-8bn", cell("claims.csv", "c008", troops_max="8000000000"),
     r"column 'troops_max': '8000000000' — expected a figure of at most 1,000,000 troops; 8,000,000,000 is not plausible"),
    ("claims-troops-fullwidth", cell("claims.csv", "c008", troops_min="２５００"), r"column 'troops_min': '２５００' — a whole number of troops \(digits only"),
    ("claims-troops-underscore", cell("claims.csv", "c008", troops_min="2_500"), r"column 'troops_min': '2_500' — a whole number of troops"),
    ("claims-troops-plus", cell("claims.csv", "c008", troops_min="+2500"), r"column 'troops_min': '\+2500' — a whole number of troops"),
    ("claims-date-9999", cell("claims.csv", "c001", date="9999-09-15"), r"claims\.csv:2: column 'date': '9999-09-15' — expected a date in the years 1900-2100"),
    ("claims-date-month-13", cell("claims.csv", "c001", date="2025-13-01"), r"column 'date': '2025-13-01' — "),
    ("claims-date-precision", cell("claims.csv", "c001", date_precision="fortnight"), r"column 'date_precision': 'fortnight' — expected one of 'day'"),
    ("claims-at-least-max-only", cell("claims.csv", "c008", qualifier="at least", troops_min=""),
     r"column 'qualifier': 'at least' — a qualifier that fits the figure: 'at least' needs troops_min, and the row has only troops_max"),
    ("claims-fewer-than-min-only", cell("claims.csv", "c008", qualifier="fewer than", troops_max=""),
     r"column 'qualifier': 'fewer than' — .* needs troops_max, and the row has only troops_min"),
    ("claims-about-no-figure", cell("claims.csv", "c008", troops_min="", troops_max=""),
     r"column 'qualifier': 'about' — .* needs a figure, and the row has no figure"),
    ("claims-force-unknown", cell("claims.csv", "c001", force="XYZ"), r"column 'force': 'XYZ' — whose troops"),
    ("claims-force-usa", cell("claims.csv", "c001", force="USA"), r"column 'force': 'USA' — whose troops"),
    ("claims-restated", cell("claims.csv", "c001", restated="sometimes"), r"column 'restated': 'sometimes' — yes if the source repeats"),
    ("claims-quote-checked", cell("claims.csv", "c001", quote_checked="maybe"), r"column 'quote_checked': 'maybe' — yes or no \(empty means not checked\)"),
    ("claims-quote-long", cell("claims.csv", "c001", quote="q" * 401), r"column 'quote': 'q{60}…' — a short quote of at most 400 characters"),
    ("claims-note-long", cell("claims.csv", "c001", note=LONG), r"claims\.csv:2: column 'note': .* at most 1000 characters"),
    ("claims-place-typo", cell("claims.csv", "c001", places="ain-al-assad"), r"column 'places': 'ain-al-assad' — a place id from places\.csv \(closest: ain-al-asad"),
    ("claims-source-unknown", cell("claims.csv", "c001", source="nowhere-2025"), r"column 'source': 'nowhere-2025' — a source id from sources\.csv"),
    ("claims-status", cell("claims.csv", "c001", status="gone"), r"column 'status': 'gone' — expected one of 'present'"),
    ("claims-basis", cell("claims.csv", "c001", basis="rumour"), r"column 'basis': 'rumour' — expected one of 'plan', 'report'"),
    ("claims-nul", cell("claims.csv", "c001", note="\x00"), r"claims\.csv: '\\\\x00' — text with no NUL byte; there is one on line 2"),
    ("claims-unclosed-quote", line("claims.csv", 2, 'c001,ain-al-asad,2025-09-15,day,0,0,,withdrawn,plan,US,no,'
                                                  'shafaq-2025-08-19,"the base will close,yes,'),
     r"claims\.csv:2: \(empty\) — a closing \" for the quoted cell opened on line 2"),
    ("claims-dup-header", text("claims.csv", ",note\n", ",quote\n"), r"claims\.csv:1: .* 'quote' appears 2 times \(the later one would silently win\)"),
    ("claims-missing", removed("claims.csv"), r"claims\.csv: \(empty\) — missing file"),
    # ---------------------------------------------------------------- movements.csv
    ("movements-start-2101", cell("movements.csv", "m001", start="2101-08-18"), r"movements\.csv:2: column 'start': '2101-08-18' — expected a date in the years 1900-2100"),
    ("movements-end-before-start", cell("movements.csv", "m001", end="2025-08-01"), r"movements\.csv:2: column 'end': '2025-08-01' — an end on or after the start"),
    ("movements-from-unknown", cell("movements.csv", "m001", from_place="nowhere"), r"column 'from_place': 'nowhere' — a place id from places\.csv"),
    ("movements-same-ends", cell("movements.csv", "m001", to_place=AIN), r"column 'to_place': 'ain-al-asad' — a destination different from from_place"),
    ("movements-troops", cell("movements.csv", "m001", troops_max="2000000"), r"column 'troops_max': '2000000' — expected a figure of at most 1,000,000"),
    ("movements-force", cell("movements.csv", "m001", force="GBX"), r"movements\.csv:2: column 'force': 'GBX' — whose troops"),
    ("movements-up-to-min-only", cell("movements.csv", "m001", qualifier="up to", troops_min="5"),
     r"movements\.csv:2: column 'qualifier': 'up to' — .* needs troops_max"),
    ("movements-quote-checked", cell("movements.csv", "m001", quote_checked="perhaps"), r"movements\.csv:2: column 'quote_checked': 'perhaps'"),
    ("movements-folder", directory("movements.csv"), r"movements\.csv: .* this is a folder"),
    # ---------------------------------------------------------------- phases.csv
    ("phases-start-1899", cell("phases.csv", "phase-1", start="1899-12-31"), r"phases\.csv:2: column 'start': '1899-12-31' — expected a date in the years 1900-2100"),
    ("phases-end-9999", cell("phases.csv", "phase-1", end="9999-12-31"), r"phases\.csv:2: column 'end': '9999-12-31' — expected a date in the years"),
    ("phases-end-before-start", cell("phases.csv", "phase-1", end="2024-01-01"), r"phases\.csv:2: column 'end': '2024-01-01' — an end on or after the start"),
    ("phases-name-empty", cell("phases.csv", "phase-1", name=""), r"phases\.csv:2: column 'name': \(empty\) — the phase's name"),
    ("phases-description-long", cell("phases.csv", "phase-1", description=LONG), r"phases\.csv:2: column 'description': .* at most 1000 characters"),
    ("phases-source", cell("phases.csv", "phase-1", source="nope"), r"phases\.csv:2: column 'source': 'nope' — a source id"),
    # ---------------------------------------------------------------- events.csv
    ("events-date-3000", cell("events.csv", "e001", date="3000-01-01"), r"events\.csv:2: column 'date': '3000-01-01' — expected a date in the years 1900-2100"),
    ("events-date-fullwidth", cell("events.csv", "e001", date="２０２４-09-27"), r"events\.csv:2: column 'date': '２０２４-09-27' — a day date"),
    ("events-kind", cell("events.csv", "e001", kind="party"), r"events\.csv:2: column 'kind': 'party' — expected one of 'announcement'"),
    ("events-label-long", cell("events.csv", "e001", label="L" * 201), r"events\.csv:2: column 'label': .* at most 200 characters"),
    ("events-label-empty", cell("events.csv", "e001", label=""), r"events\.csv:2: column 'label': \(empty\) — a short label"),
    ("events-ragged", append("events.csv", "e099,2025-01-01\n"), r"events\.csv:\d+: 'e099,2025-01-01' — 2 cells where the header has 6"),
]
IDS = [c[0] for c in CASES]


@pytest.fixture
def corrupt(data_copy):
    def make(apply) -> Path:
        apply(data_copy)
        return data_copy
    return make


def problems_of(folder: Path) -> str:
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    return "\n".join(str(p) for p in info.value.problems)


def test_the_catalogue_is_large_and_covers_every_file():
    assert len(CASES) >= 60
    for file in COLUMNS:
        assert any(c[0].startswith(file.split(".")[0] + "-") for c in CASES), file


@pytest.mark.parametrize("apply, match", [c[1:] for c in CASES], ids=IDS)
def test_loader_locates_the_problem(corrupt, apply, match):
    folder = corrupt(apply)
    with pytest.raises(DataError, match=match):
        load_dataset(folder)


@pytest.mark.parametrize("apply, match", [c[1:] for c in CASES], ids=IDS)
def test_cli_check_exits_1_with_the_located_problem(corrupt, capsys, apply, match):
    folder = corrupt(apply)
    assert main(["check", "--data", str(folder), "--no-seeds"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and re.search(match, err), err
    assert "Traceback" not in err


# ------------------------------------------------------------------ noise

@pytest.mark.parametrize("file", ["places.csv", "sources.csv"])
def test_a_header_only_file_is_one_problem(corrupt, file):
    with pytest.raises(DataError) as info:
        load_dataset(corrupt(header_only(file)))
    assert [str(p) for p in info.value.problems] == [
        f"{file}: (empty) — {file} has no rows: a dataset needs at least one "
        f"{'place' if file == 'places.csv' else 'source'} (only the header is there)"]


def test_a_bad_place_row_is_reported_once_not_at_every_reference(corrupt):
    with pytest.raises(DataError) as info:
        load_dataset(corrupt(cell("places.csv", AIN, lat="north")))
    lines = [str(p) for p in info.value.problems]
    assert len(lines) == 2, lines
    assert re.match(r"places\.csv:2: column 'lat': 'north' — a latitude", lines[0])
    assert re.match(r"places\.csv:2: column 'id': 'ain-al-asad' — a row that loads: this place has a problem "
                    r"listed above, so \d+ reference\(s\) to it wait on it \(claims\.csv:\d+", lines[1])
    assert not any("closest" in line for line in lines)


def test_a_bad_source_row_is_reported_once(corrupt):
    with pytest.raises(DataError) as info:
        load_dataset(corrupt(cell("sources.csv", SRC, published="someday")))
    lines = [str(p) for p in info.value.problems]
    assert len(lines) == 2 and "wait on it" in lines[1] and not any("closest" in x for x in lines), lines


def test_a_place_within_a_bad_place_waits_on_it(corrupt):
    with pytest.raises(DataError) as info:
        load_dataset(corrupt(cell("places.csv", "iraq", lat="x")))
    lines = [str(p) for p in info.value.problems]
    assert any(re.search(r"places\.csv:\d+: column 'id': 'iraq' — a row that loads: .*places\.csv:\d+", x) for x in lines)
    assert not any("closest" in x for x in lines), lines


def test_a_file_that_failed_as_a_whole_is_not_reported_again(corrupt):
    with pytest.raises(DataError) as info:
        load_dataset(corrupt(directory("places.csv")))
    assert len(info.value.problems) == 1


# ------------------------------------------------------------------ accepted on purpose

def test_border_ok_lets_a_true_border_case_load(corrupt):
    def apply(folder: Path):
        rows = _rows(folder, "places.csv")
        for r in rows:
            r["border_ok"] = "yes" if r["id"] == AIN else ""
        [ain] = [r for r in rows if r["id"] == AIN]
        ain["lon"] = "40.5"              # ~100 km into Syria, kept as IRQ on purpose
        ain["lat"] = "34.9"
        _write(folder, "places.csv", rows, COLUMNS["places.csv"] + ["border_ok"])
    ds = load_dataset(corrupt(apply))
    assert ds.places[AIN].lon == 40.5
    # the same point without border_ok is refused
    rows = _rows(ds_folder := Path(ds.root), "places.csv")
    for r in rows:
        r["border_ok"] = ""
    _write(ds_folder, "places.csv", rows, COLUMNS["places.csv"] + ["border_ok"])
    with pytest.raises(DataError, match=r"a point inside IRQ .* km outside it; it lies in SYR"):
        load_dataset(ds_folder)


def test_files_without_border_ok_still_load(ds):
    assert ds.places[AIN].country == "IRQ"


def test_empty_quote_checked_is_not_checked(corrupt):
    ds = load_dataset(corrupt(cell("claims.csv", "c001", quote_checked="")))
    [c] = [c for c in ds.claims if c.id == "c001"]
    assert c.quote_checked is False


def test_embedded_data_says_yes_or_no_explicitly():
    for file in ("claims.csv", "movements.csv"):
        assert {r["quote_checked"] for r in _rows(DEFAULT_DATA_DIR, file)} <= {"yes", "no"}


# ------------------------------------------------------------------ seeds (python -m geo check)

SEEDS = ROOT.parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the repo")


@pytest.fixture
def seeds(tmp_path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


@needs_seeds
def test_check_passes_on_the_embedded_data_with_its_seeds(seeds, capsys):
    assert main(["check", "--seeds", str(seeds)]) == 0
    assert "quotes checked against" in capsys.readouterr().out


@needs_seeds
def test_check_reports_a_seed_file_that_is_not_there(corrupt, seeds, capsys):
    folder = corrupt(cell("sources.csv", SRC, seed_file="999_missing.txt"))
    assert main(["check", "--data", str(folder), "--seeds", str(seeds)]) == 1
    assert re.search(r"sources\.csv:\d+: column 'seed_file': '999_missing\.txt' — a file in .*seeds; there is no such file",
                     capsys.readouterr().err)


@needs_seeds
def test_check_reports_a_quote_that_is_not_in_its_seed(corrupt, seeds, capsys):
    folder = corrupt(cell("claims.csv", "c001", quote="the base closes tomorrow, said nobody"))
    assert main(["check", "--data", str(folder), "--seeds", str(seeds)]) == 1
    assert re.search(r"claims\.csv:2: column 'quote': 'the base closes tomorrow, said nobody' — a verbatim quote from "
                     r"\S+\.txt \(quote_checked is yes\); it is not in that file", capsys.readouterr().err)


@needs_seeds
def test_an_unchecked_quote_is_not_held_to_its_seed(corrupt, seeds):
    folder = corrupt(cell("claims.csv", "c001", quote="paraphrase", quote_checked="no"))
    assert main(["check", "--data", str(folder), "--seeds", str(seeds)]) == 0


def test_check_with_a_missing_seeds_folder_says_so(capsys, tmp_path):
    assert main(["check", "--seeds", str(tmp_path / "none")]) == 1
    assert "a folder of seed files (--seeds); there is no such folder" in capsys.readouterr().err


# ------------------------------------------------------------------ the app

APP_CASES = [
    ("places-folder", directory("places.csv"), "places.csv", "a CSV file, but this is a folder"),
    ("places-dangling-link", dangling_link("places.csv"), "places.csv", "cannot be read"),
    ("sources-published-9999", cell("sources.csv", SRC, published="9999-01-01"), "sources.csv", "in the years 1900-2100"),
    ("claims-date-0001", cell("claims.csv", "c001", date="0001-09-15"), "claims.csv", "in the years 1900-2100"),
    ("claims-nul", cell("claims.csv", "c001", note="\x00"), "claims.csv", "NUL byte"),
    ("places-header-only", header_only("places.csv"), "places.csv", "has no rows"),
]


@pytest.mark.parametrize("script", ["dashboard.py", "app_pages/1_Timeline.py", "app_pages/3_Compare.py"])
@pytest.mark.parametrize("apply, file, expected", [c[1:] for c in APP_CASES], ids=[c[0] for c in APP_CASES])
def test_app_shows_the_error_panel_not_a_traceback(corrupt, monkeypatch, script, apply, file, expected):
    from streamlit.testing.v1 import AppTest

    from ui import cache

    monkeypatch.setenv(cache.DATA_DIR_ENV, str(corrupt(apply)))
    at = AppTest.from_file(str(ROOT / script), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "could not be loaded" in at.error[0].value
    [table] = at.dataframe
    frame = table.value
    assert list(frame.columns) == ["file", "row", "column", "value", "expected"]
    assert file in set(frame["file"]) and frame["expected"].str.contains(expected, regex=False).any()
