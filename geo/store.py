"""Saving reviewed rows into a dataset folder without ever losing data.

:func:`add_rows` is the one way in:

1. **lock** the folder (``fcntl.flock`` on ``.posture-atlas.lock``; a second save waits
   up to ``LOCK_TIMEOUT_S`` and then *re-reads* the files as the first save left them,
   so neither is lost; past the timeout it refuses with a clear :class:`SaveError`);
2. **recover** a save that was killed half-way (see below);
3. **append** the new rows to the current files (new ids take the next free number);
4. **validate** the whole dataset with :func:`geo.loader.load_dataset` on a temporary
   copy: any problem in a new row is reported by the review table's row and column,
   and nothing is written;
5. **back up** the files about to change into ``.backups/<UTC stamp>/`` (outside the
   loader's ``*.csv`` set) with a ``SAVING`` marker;
6. **replace** each file atomically (write a temporary file, fsync, rename, fsync the
   folder), in the order places, sources, claims, movements, so a reader between two
   renames always sees a valid dataset (claims never point at a source not yet written);
7. remove the marker.

A save killed during 6 leaves its marker: the next save (or :func:`recover`) puts the
backed-up files back before doing anything else, so a half-done save is rolled back
whole and the old data stays intact.

All file replacement goes through :func:`_replace_file`, which uses the product's atomic
writer :func:`geo.files.write_atomic`.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .loader import COLUMNS, load_dataset
from .model import DataError, Dataset

LOCK_NAME = ".posture-atlas.lock"
BACKUP_DIR = ".backups"
MARKER = "SAVING"
LOCK_TIMEOUT_S = 15.0
#: files written in dependency order: what others refer to first
WRITE_ORDER = ("places.csv", "sources.csv", "claims.csv", "movements.csv", "phases.csv", "events.csv")
_KIND_FILE = {"source": "sources.csv", "place": "places.csv", "claim": "claims.csv", "movement": "movements.csv"}
_ID_PREFIX = {"claims.csv": "c", "movements.csv": "m"}
#: a cell a spreadsheet would run as a formula: = + @ tab CR first, or - not starting a number
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?!\d+(?:\.\d+)?$))")


class SaveError(RuntimeError):
    """A save that could not be done; nothing was written."""


@dataclass(frozen=True)
class RowProblem:
    """A problem in one row of the review table (``row`` counts from 1)."""

    row: int | None
    kind: str
    column: str | None
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"review row {self.row} ({self.kind})" if self.row is not None else "dataset"
        col = f", column {self.column!r}" if self.column else ""
        val = f": {self.value!r}" if self.value else ": (empty)"
        return f"{where}{col}{val} — {self.expected}"


class RowsError(ValueError):
    """The new rows do not validate with the dataset; every problem, located."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the new rows:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class SaveResult:
    dataset: Dataset
    ids: dict[int, str]          # review row -> id given
    backup: Path | None
    counts: dict[str, int]       # file -> rows added


# --------------------------------------------------------------------- writing

def _replace_file(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably: the one place the store
    replaces a file, through the product's atomic writer (:func:`geo.files.write_atomic`:
    temporary file, fsync, rename, fsync of the folder)."""
    from .files import write_atomic

    write_atomic(path, data)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(folder: Path, timeout_s: float = LOCK_TIMEOUT_S):
    """Hold the folder's save lock; :class:`SaveError` if another save keeps it longer
    than ``timeout_s``."""
    import fcntl

    path = folder / LOCK_NAME
    fh = open(path, "a+")
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SaveError(f"another save of {folder} has held its lock for more than "
                                    f"{timeout_s:.0f} s; nothing was written — try again") from None
                time.sleep(0.05)
        yield
    finally:
        fh.close()  # closing the file releases the lock


def recover(folder: str | Path) -> list[str]:
    """Roll back any save that was killed half-way (its backup still has the marker).
    Returns the files put back. Call with the lock held (``add_rows`` does)."""
    folder = Path(folder)
    restored: list[str] = []
    root = folder / BACKUP_DIR
    if not root.is_dir():
        return restored
    for backup in sorted(root.iterdir()):
        marker = backup / MARKER
        if not marker.exists():
            continue
        for name in WRITE_ORDER:
            saved = backup / name
            if saved.exists():
                _replace_file(folder / name, saved.read_bytes())
                restored.append(name)
            elif (backup / (name + ".absent")).exists():
                (folder / name).unlink(missing_ok=True)
                restored.append(name)
        marker.unlink()
        (backup / "ROLLED-BACK").write_text("this save was interrupted and rolled back\n")
    return restored


# ---------------------------------------------------------------------- tables

def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.exists():
        return [], []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return (rows[0], rows[1:]) if rows else ([], [])


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _next_id(prefix: str, taken: set[str]) -> str:
    nums = [int(m[1]) for t in taken if (m := re.fullmatch(rf"{prefix}(\d+)", t))]
    n = max(nums, default=0) + 1
    return f"{prefix}{n:03d}"


def _to_file_row(kind: str, row: dict) -> dict:
    from .ingest.records import to_file_row

    return to_file_row(kind, row)


def _plan(folder: Path, rows: list[dict]) -> tuple[dict[str, bytes], dict, dict[int, str], dict[str, int]]:
    """The new contents of each changed file, and where each review row landed."""
    tables = {name: _read_rows(folder / name) for name in _KIND_FILE.values()}
    where: dict[tuple[str, int], int] = {}   # (file, spreadsheet row) -> review row
    ids: dict[int, str] = {}
    counts: dict[str, int] = {}
    problems: list[RowProblem] = []
    for i, row in enumerate(rows, start=1):
        kind = str(row.get("kind") or "").strip()
        if kind not in _KIND_FILE:
            problems.append(RowProblem(i, kind or "?", "kind", kind, "one of source, place, claim, movement"))
            continue
        file = _KIND_FILE[kind]
        header, body = tables[file]
        if not header:
            header = list(COLUMNS[file])
        rec = _to_file_row(kind, row)
        for col, value in rec.items():
            if _FORMULA.match(value):
                from .ingest.records import file_column_to_review

                problems.append(RowProblem(i, kind, file_column_to_review(kind, col), value,
                                           "text that does not start with = + - @ (a spreadsheet would run it as "
                                           "a formula); drop or rephrase the first character"))
        taken = {r[header.index("id")] for r in body if "id" in header and len(r) > header.index("id")}
        if not rec.get("id") and file in _ID_PREFIX:
            rec["id"] = _next_id(_ID_PREFIX[file], taken)
        ids[i] = rec.get("id", "")
        body = body + [[rec.get(c, "") for c in header]]
        tables[file] = (header, body)
        where[(file, len(body) + 1)] = i
        counts[file] = counts.get(file, 0) + 1
    if problems:
        raise RowsError(problems)
    out = {name: _csv_bytes(*tables[name]) for name in counts}
    return out, where, ids, counts


def _validate(folder: Path, new: dict[str, bytes], where: dict) -> Dataset:
    """Load the whole dataset with the new files on a temporary copy."""
    from .ingest.records import file_column_to_review

    with tempfile.TemporaryDirectory(prefix="pa-validate-") as tmp:
        tmp = Path(tmp)
        for name in COLUMNS:
            if name in new:
                (tmp / name).write_bytes(new[name])
            elif (folder / name).exists():
                shutil.copy(folder / name, tmp / name)
        try:
            ds = load_dataset(tmp)
        except DataError as exc:
            located = []
            for p in exc.problems:
                review = where.get((p.file, p.row))
                kind = next((k for k, f in _KIND_FILE.items() if f == p.file), p.file)
                if review is None:
                    located.append(RowProblem(None, kind, p.column, p.value,
                                              f"{p.file}:{p.row}: {p.expected} (an existing row: the new rows "
                                              "conflict with it, or the dataset already had this problem)"))
                else:
                    located.append(RowProblem(review, kind, file_column_to_review(kind, p.column),
                                              p.value, p.expected))
            raise RowsError(located) from None
    return ds


def preview(folder: str | Path, rows: list[dict]) -> Dataset:
    """The dataset as it would be with ``rows`` added, validated whole; nothing is
    written. Raises :class:`RowsError` like :func:`add_rows`."""
    folder = Path(folder)
    new, where, _ids, _counts = _plan(folder, rows)
    return _validate(folder, new, where)


def add_rows(folder: str | Path, rows: list[dict], *, lock_timeout_s: float = LOCK_TIMEOUT_S,
             now: dt.datetime | None = None, _after_each_file=None) -> SaveResult:
    """Append reviewed rows (review-table dicts with a ``kind``) to the dataset in
    ``folder``: validated whole, backed up, replaced atomically, under the lock.

    Raises :class:`RowsError` (every problem by review row and column; nothing written)
    or :class:`SaveError` (lock timeout).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SaveError(f"{folder} is not a dataset folder")
    if not rows:
        raise RowsError([RowProblem(None, "-", None, "", "no rows to add")])
    with locked(folder, lock_timeout_s):
        recover(folder)
        new, where, ids, counts = _plan(folder, rows)
        _validate(folder, new, where)
        stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
        backup = folder / BACKUP_DIR / stamp
        backup.mkdir(parents=True, exist_ok=False)
        for name in new:
            if (folder / name).exists():
                shutil.copy2(folder / name, backup / name)
            else:
                (backup / (name + ".absent")).write_text("")
        (backup / MARKER).write_text("a save is in progress; if this file remains, the save was interrupted\n")
        _fsync_dir(backup)
        for name in WRITE_ORDER:
            if name in new:
                _replace_file(folder / name, new[name])
                if _after_each_file is not None:
                    _after_each_file(name)
        (backup / MARKER).unlink()
        ds = load_dataset(folder)
    return SaveResult(ds, ids, backup, counts)


# ------------------------------------------------------------- zip in and out

MAX_ZIP_BYTES = 10_000_000          # the upload itself
MAX_UNZIPPED_BYTES = 50_000_000     # all members together, once inflated
MAX_RATIO = 100                     # inflated / compressed, per member


class ZipRefused(ValueError):
    """An uploaded dataset zip was refused; the message says why."""


def dataset_zip(folder: str | Path) -> bytes:
    """The dataset's CSV files (and data/README.md if present) as a zip."""
    import zipfile

    folder = Path(folder)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in COLUMNS:
            if (folder / name).exists():
                zf.write(folder / name, name)
    return buf.getvalue()


def unpack_dataset_zip(data: bytes, dest: str | Path) -> Dataset:
    """Unpack an uploaded zip of CSV files into ``dest`` (a fresh folder) and validate
    it whole. Refuses oversize uploads, zip bombs, paths outside the folder, links and
    anything but the dataset's CSV files. Raises :class:`ZipRefused` or
    :class:`~geo.model.DataError`."""
    import zipfile

    if len(data) > MAX_ZIP_BYTES:
        raise ZipRefused(f"the zip is {len(data):,} bytes; at most {MAX_ZIP_BYTES:,} are accepted")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ZipRefused("not a zip file; expected a .zip of the dataset's CSV files") from None
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    wanted = {}
    with zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir():
                continue
            parts = Path(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
                raise ZipRefused(f"{name!r}: a path outside the dataset folder is refused")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise ZipRefused(f"{name!r}: symbolic links are refused")
            base = parts[-1]
            if base not in COLUMNS:
                if base.startswith(".") or base.lower().endswith((".md", ".txt", ".geojson", ".json")) or "__MACOSX" in parts:
                    continue
                raise ZipRefused(f"{name!r}: not one of the dataset's files ({', '.join(COLUMNS)})")
            if base in wanted:
                raise ZipRefused(f"{name!r}: {base} appears twice in the zip")
            total += info.file_size
            if info.file_size > MAX_UNZIPPED_BYTES or total > MAX_UNZIPPED_BYTES:
                raise ZipRefused(f"the zip inflates to more than {MAX_UNZIPPED_BYTES:,} bytes (a zip bomb?)")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise ZipRefused(f"{name!r} inflates {info.file_size / info.compress_size:.0f} times "
                                 f"(at most {MAX_RATIO}): refused as a zip bomb")
            wanted[base] = info
        for base, info in wanted.items():
            # read in bounded chunks: the header's sizes can lie
            out, n = io.BytesIO(), 0
            with zf.open(info) as fh:
                while chunk := fh.read(65536):
                    n += len(chunk)
                    if n > info.file_size or n > MAX_UNZIPPED_BYTES:
                        raise ZipRefused(f"{info.filename!r} inflates beyond its stated size: refused")
                    out.write(chunk)
            (dest / base).write_bytes(out.getvalue())
    return load_dataset(dest)
