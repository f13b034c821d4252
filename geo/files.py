"""Writing files so that a reader never sees half of one (issue 8).

:func:`write_atomic` is the one writer behind every file the product writes (exports,
briefing images, the HTML map, animations; ``geo.export.write_atomic`` delegates here):

1. the bytes go to a temporary ``.<name>.<random>.part`` file beside the target (same
   folder, so the rename cannot cross file systems);
2. the file is flushed and ``fsync``-ed, given the target's permissions, then renamed
   over the target with :func:`os.replace` (atomic on POSIX and Windows), and the
   folder is ``fsync``-ed so the rename itself survives a power cut;
3. on any failure, on Ctrl-C (KeyboardInterrupt) and on SIGTERM the ``.part`` file is
   removed and the target is left as it was. SIGKILL cannot be caught: the target is
   still never partial, but a ``.part`` file can stay behind (its name says what it is).

Permissions: an existing target keeps its mode (``chmod 640 brief.png`` stays 640); a
new file gets what a plain ``open()`` would give (0666 less the umask), not
``mkstemp``'s 0600. The owner is the writer's.

Symlinks are written *through*: when the target is a symbolic link, the file it points
to is replaced and the link stays a link (as ``open(path, "w")`` would do, so
``latest.png -> briefs/2025-10-21.png`` keeps working). A dangling link creates its
target; a link loop is refused with an OSError.
"""
from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator


class _Terminated(SystemExit):
    """SIGTERM arrived while a file was being written: clean up, then exit 128 + 15."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into an exception for the duration, so ``finally`` blocks run.

    Only the main thread can set signal handlers (a Streamlit script runs in another
    thread: there the server's own shutdown applies and this is a no-op).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def resolve_target(path: str | Path) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or the end of its symlink
    chain (see the module docstring). Raises OSError for a link loop or a directory."""
    path = Path(path)
    if path.is_symlink():
        try:
            target = path.resolve(strict=False)
        except RuntimeError as exc:   # Python < 3.13 reports a loop this way
            raise OSError(f"{path} is a symbolic link that loops; write to a real file") from exc
        if target.is_symlink():        # resolve() gave up inside a loop
            raise OSError(f"{path} is a symbolic link that loops; write to a real file")
        path = target
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name to write")
    return path


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:      # e.g. Windows cannot open a folder: the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: bytes | Iterable[bytes]) -> Path:
    """Write ``data`` (bytes, or an iterable of byte chunks) to ``path`` atomically.

    Returns the path written (the symlink's target when ``path`` is a link). The file
    appears whole or not at all; see the module docstring for permissions, symlinks and
    interrupts.
    """
    target = resolve_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    chunks = (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data
    tmp = None
    with _sigterm_raises():
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
            tmp = None
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
    _fsync_dir(target.parent)
    return target
