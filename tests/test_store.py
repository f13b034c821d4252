"""Saving reviewed rows: validated whole, backed up, atomic, locked; and dataset zips."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import threading
import zipfile
from pathlib import Path

import pytest

from geo import store
from geo.loader import load_dataset

ROOT = Path(__file__).resolve().parents[1]


def _source(sid="test-wire-2025-11-03", published="2025-11-03"):
    return {"kind": "source", "id": sid, "outlet": "Test Wire", "title": "t", "url": "https://example.org/x",
            "published": published, "published_precision": "day", "published_inferred": "no"}


def _claim(lo="300", source="test-wire-2025-11-03", place="al-harir", date="2025-11-03", **kw):
    row = {"kind": "claim", "places": place, "date": date, "date_precision": "day", "troops_min": lo,
           "troops_max": lo, "qualifier": "about", "status": "present", "basis": "report", "force": "US",
           "restated": "no", "source": source, "quote": f"About {lo} troops are at Harir.", "quote_checked": "yes"}
    row.update(kw)
    return row


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.csv")}


def test_add_rows_appends_validates_and_backs_up(data_copy):
    before = _snapshot(data_copy)
    n_claims = len(load_dataset(data_copy).claims)
    result = store.add_rows(data_copy, [_source(), _claim()])
    ds = load_dataset(data_copy)
    assert len(ds.claims) == n_claims + 1
    new = ds.claims[-1]
    assert (new.places, new.troops_min, new.source) == (("al-harir",), 300, "test-wire-2025-11-03")
    assert re.fullmatch(r"c\d{3}", result.ids[2])
    # the backup holds the previous files, outside the loader's *.csv set, and no marker
    assert result.backup.parent == data_copy / ".backups"
    assert (result.backup / "claims.csv").read_bytes() == before["claims.csv"]
    assert not (result.backup / store.MARKER).exists()
    assert sorted(p.name for p in data_copy.glob("*.csv")) == sorted(before)


@pytest.mark.parametrize("rows, where, match", [
    ([_source(), _claim(place="atlantis")], (2, "places"), "place id"),
    ([_source(), _claim(lo="lots")], (2, "troops_min"), "whole number"),
    ([_source(), _claim(date="2025-11")], (2, "date"), "day date"),
    ([_source(), _claim(date="2025-12-01")], (2, "date"), "was published"),  # a report after publication
    ([_claim(source="nobody")], (1, "source"), "source id"),
    ([_source(published="someday"), _claim()], (1, "published"), "expected YYYY-MM-DD"),
    ([{"kind": "place", "id": "zakho", "name": "Zakho", "place_kind": "village", "country": "IRQ",
       "lat": "37.1", "lon": "42.7", "precision": "town"}], (1, "place_kind"), "expected one of"),
])
def test_a_bad_row_is_located_and_nothing_is_written(data_copy, rows, where, match):
    before = _snapshot(data_copy)
    with pytest.raises(store.RowsError, match=match) as err:
        store.add_rows(data_copy, rows)
    assert (err.value.problems[0].row, err.value.problems[0].column) == where
    assert _snapshot(data_copy) == before
    assert not (data_copy / ".backups").exists()


def test_new_place_and_claim_on_it_saved_together(data_copy):
    rows = [_source(), {"kind": "place", "id": "zakho", "name": "Zakho", "place_kind": "town", "country": "IRQ",
                        "within": "iraq", "lat": "37.1487", "lon": "42.6859", "precision": "town",
                        "coord_source": "GeoNames"}, _claim(place="zakho")]
    store.add_rows(data_copy, rows)
    ds = load_dataset(data_copy)
    assert ds.places["zakho"].within == "iraq" and ds.claims[-1].places == ("zakho",)


_KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from geo import store
    rows = {rows!r}
    def die(name):
        if name == {after!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    store.add_rows({folder!r}, rows, _after_each_file=die)
""")


@pytest.mark.parametrize("after", ["places.csv", "sources.csv", "claims.csv"])
def test_a_save_killed_half_way_leaves_the_old_data(data_copy, after):
    before = _snapshot(data_copy)
    rows = [_source(), {"kind": "place", "id": "zakho", "name": "Zakho", "place_kind": "town", "country": "IRQ",
                        "within": "iraq", "lat": "37.1", "lon": "42.7", "precision": "town"},
            _claim(place="zakho"),
            {"kind": "movement", "from_place": "al-harir", "to_place": "zakho", "start": "2025-11-03",
             "start_precision": "day", "end": "2025-11-03", "end_precision": "day", "basis": "report",
             "source": "test-wire-2025-11-03", "quote": "moved", "quote_checked": "yes"}]
    code = _KILLER.format(root=str(ROOT), rows=rows, after=after, folder=str(data_copy))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    # killed between two renames: every file is whole and the dataset still loads
    load_dataset(data_copy)
    # the next save (or recover) rolls the half-done save back
    restored = store.recover(data_copy)
    assert after in restored
    assert _snapshot(data_copy) == before
    # and a new save then works
    store.add_rows(data_copy, [_source(), _claim()])


def test_two_saves_at_once_both_land(data_copy):
    n = len(load_dataset(data_copy).claims)
    code = textwrap.dedent("""
        import sys, time
        sys.path.insert(0, {root!r})
        from geo import store
        def slow(name):
            time.sleep({pause})
        r = store.add_rows({folder!r}, {rows!r}, _after_each_file=slow)
        print(r.ids)
    """)
    procs = []
    for i, pause in enumerate((0.4, 0.0)):
        rows = [_source(sid=f"wire{i}-2025-11-03"), _claim(lo=str(100 + i), source=f"wire{i}-2025-11-03")]
        procs.append(subprocess.Popen([sys.executable, "-c", code.format(root=str(ROOT), pause=pause,
                                                                         folder=str(data_copy), rows=rows)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    ds = load_dataset(data_copy)
    assert len(ds.claims) == n + 2
    assert {c.troops_min for c in ds.claims[-2:]} == {100, 101}
    assert len({c.id for c in ds.claims}) == len(ds.claims)
    assert len(list((data_copy / ".backups").iterdir())) == 2


def test_a_save_refuses_clearly_when_the_lock_is_held(data_copy):
    before = _snapshot(data_copy)
    with store.locked(data_copy):
        with pytest.raises(store.SaveError, match="another save .* nothing was written"):
            store.add_rows(data_copy, [_source(), _claim()], lock_timeout_s=0.2)
    assert _snapshot(data_copy) == before


def test_the_lock_is_released_after_a_failed_save(data_copy):
    with pytest.raises(store.RowsError):
        store.add_rows(data_copy, [_claim(source="nobody")])
    done = []
    t = threading.Thread(target=lambda: done.append(store.add_rows(data_copy, [_source(), _claim()], lock_timeout_s=2)))
    t.start()
    t.join(10)
    assert done


# ------------------------------------------------------------------------ zips

def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_dataset_zip_round_trip(data_copy, tmp_path):
    data = store.dataset_zip(data_copy)
    ds = store.unpack_dataset_zip(data, tmp_path / "opened")
    assert len(ds.claims) == len(load_dataset(data_copy).claims)


def test_zip_in_a_folder_is_accepted(data_copy, tmp_path):
    data = _zip({f"mydata/{p.name}": p.read_bytes() for p in data_copy.glob("*.csv")})
    assert store.unpack_dataset_zip(data, tmp_path / "o").places


@pytest.mark.parametrize("name", ["../claims.csv", "/etc/claims.csv", "a/../../claims.csv", "C:/claims.csv",
                                  "..\\claims.csv"])
def test_zip_with_a_traversal_path_is_refused(data_copy, tmp_path, name):
    data = _zip({name: (data_copy / "claims.csv").read_bytes()})
    dest = tmp_path / "o"
    with pytest.raises(store.ZipRefused, match="outside the dataset folder"):
        store.unpack_dataset_zip(data, dest)
    assert not (tmp_path / "claims.csv").exists() and not list(dest.glob("*"))


def test_zip_bomb_is_refused(tmp_path):
    data = _zip({"claims.csv": b"0" * 60_000_000})
    assert len(data) < 200_000
    with pytest.raises(store.ZipRefused, match="bomb|inflates"):
        store.unpack_dataset_zip(data, tmp_path / "o")
    assert not list((tmp_path / "o").glob("*"))


def test_zip_with_a_high_ratio_member_is_refused(tmp_path):
    data = _zip({"claims.csv": b"a" * 5_000_000})
    with pytest.raises(store.ZipRefused, match="zip bomb"):
        store.unpack_dataset_zip(data, tmp_path / "o")


def test_zip_with_a_symlink_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("claims.csv")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(store.ZipRefused, match="symbolic link"):
        store.unpack_dataset_zip(buf.getvalue(), tmp_path / "o")


@pytest.mark.parametrize("data, match", [
    (b"not a zip", "not a zip file"),
    (b"PK" + b"\0" * (store.MAX_ZIP_BYTES + 1), "at most"),
])
def test_bad_uploads_are_refused(tmp_path, data, match):
    with pytest.raises(store.ZipRefused, match=match):
        store.unpack_dataset_zip(data, tmp_path / "o")


def test_zip_of_other_files_is_refused(tmp_path):
    with pytest.raises(store.ZipRefused, match="not one of the dataset's files"):
        store.unpack_dataset_zip(_zip({"run.sh": b"rm -rf /"}), tmp_path / "o")


def test_an_invalid_dataset_zip_lists_its_problems(data_copy, tmp_path):
    from geo.model import DataError

    members = {p.name: p.read_bytes() for p in data_copy.glob("*.csv")}
    members["claims.csv"] = members["claims.csv"].replace(b",report,", b",rumour,", 1)
    with pytest.raises(DataError, match="claims.csv"):
        store.unpack_dataset_zip(_zip(members), tmp_path / "o")


@pytest.mark.parametrize("column, value", [("quote", "=HYPERLINK(\"http://x\",\"y\")"), ("note", "@SUM(A1)"),
                                           ("quote", "+1 troops"), ("note", "-2+3")])
def test_a_formula_cell_is_refused_in_the_data_files(data_copy, column, value):
    before = _snapshot(data_copy)
    with pytest.raises(store.RowsError, match="formula") as err:
        store.add_rows(data_copy, [_source(), _claim(**{column: value})])
    assert (err.value.problems[0].row, err.value.problems[0].column) == (2, column)
    assert _snapshot(data_copy) == before


def test_negative_coordinates_are_not_formulas(data_copy):
    rows = [_source(), {"kind": "place", "id": "westplace", "name": "West", "place_kind": "town", "country": "USA",
                        "lat": "38.9", "lon": "-77.03", "precision": "town"}]
    store.add_rows(data_copy, rows)
    assert load_dataset(data_copy).places["westplace"].lon == -77.03
