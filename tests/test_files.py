"""geo.files.write_atomic: whole file or none, no .part left where an interrupt can be
caught, permissions kept, symlinks written through (issue 8)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from geo import export
from geo.files import write_atomic

ROOT = Path(__file__).resolve().parent.parent


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_writes_whole_file_and_leaves_nothing_else(tmp_path):
    out = write_atomic(tmp_path / "sub" / "a.bin", b"x" * 100_000)
    assert out.read_bytes() == b"x" * 100_000 and leftovers(out.parent) == []


def test_chunks_are_written_in_order(tmp_path):
    assert write_atomic(tmp_path / "a", (bytes([i]) * 10 for i in range(5))).read_bytes() == \
        b"".join(bytes([i]) * 10 for i in range(5))


def test_failure_midway_keeps_the_old_file_and_removes_the_part(tmp_path):
    target = tmp_path / "brief.png"
    target.write_bytes(b"old")

    def chunks():
        yield b"new-partial"
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError, match="renderer failed"):
        write_atomic(target, chunks())
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_keyboard_interrupt_removes_the_part(tmp_path):
    def chunks():
        yield b"a"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "x.gif", chunks())
    assert list(tmp_path.iterdir()) == []


def test_existing_permissions_are_kept_and_new_files_follow_the_umask(tmp_path):
    target = tmp_path / "kept.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0o022)
    try:
        fresh = write_atomic(tmp_path / "fresh.csv", b"x")
    finally:
        os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o644      # not mkstemp's 0600


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "briefs" / "2025-10-21.png"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.png"
    link.symlink_to(real)
    assert write_atomic(link, b"new") == real.resolve()
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert leftovers(real.parent) == [] and leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "out.geojson"
    link.symlink_to(tmp_path / "real.geojson")
    write_atomic(link, b"{}")
    assert link.is_symlink() and (tmp_path / "real.geojson").read_bytes() == b"{}"


def test_a_symlink_loop_and_a_folder_are_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError, match="loops"):
        write_atomic(tmp_path / "a", b"x")
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        write_atomic(tmp_path / "dir", b"x")


def test_geo_export_write_atomic_delegates(tmp_path, monkeypatch):
    import geo.files

    seen = []
    monkeypatch.setattr(geo.files, "write_atomic", lambda p, d: seen.append((p, d)))
    export.write_atomic(tmp_path / "x", b"1")
    assert seen == [(tmp_path / "x", b"1")]


# A writer in its own process that stops halfway through a file and waits to be killed.
WRITER = textwrap.dedent("""
    import sys, time
    from geo.files import write_atomic

    def chunks():
        yield b"p" * 1_000_000
        print("halfway", flush=True)
        time.sleep(60)
        yield b"never"

    write_atomic(sys.argv[1], chunks())
""")


@pytest.mark.parametrize("sig, part_left", [
    (signal.SIGTERM, False),      # caught: the .part is removed
    (signal.SIGINT, False),       # Ctrl-C: KeyboardInterrupt, removed
    (signal.SIGKILL, True),       # cannot be caught: a .part may stay, the target never partial
])
def test_a_killed_writer_never_leaves_a_partial_target(tmp_path, sig, part_left):
    target = tmp_path / "drawdown.gif"
    target.write_bytes(b"the previous animation")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "halfway"
        assert len(leftovers(tmp_path)) == 1            # the write is under way
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert target.read_bytes() == b"the previous animation"
    assert (len(leftovers(tmp_path)) == 1) is part_left, leftovers(tmp_path)
