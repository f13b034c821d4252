"""Pausing Python's cyclic garbage collector while one large structure is built.

Three builders use it: the loader (a dataset and its index: cells, records, dates, all
kept), the timeline export (at 1,000 places some 114,000 features, a few million
dicts, lists and strings, all alive until the export is written) and the GeoPackage
and CSV writer (the table of those features, built while they are all still alive).
Each full collection in the meantime walks every one of those objects again and
finds nothing to free (they hold no cycles; reference counting frees them when
dropped), and collections come more often as the heap grows: a third of a load and
about half a timeline build at that size (issue 11, measured with
``benchmarks/hotspots.py``). Paused, the collector catches up
in one pass over the new objects when it next runs.

Only for builders whose objects are kept until the end. A snapshot is not one: its
garbage is short-lived, so a pause would only move the collection to the next call.

A long-running app keeps its dataset for hours, and every full collection walks it
again: :func:`freeze_kept` takes what is alive once it is loaded out of the
collector's sight.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Disable the cyclic collector for the block; re-enable it after (even on an error)
    if it was enabled before. Process-wide: another thread's cycles wait too, and are
    collected when the collector next runs; a nested or concurrent pause leaves the
    collector as the outermost one found it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def freeze_kept() -> None:
    """Move every object alive now into the collector's permanent generation
    (``gc.freeze``), so that later full collections skip them.

    For a server right after it loaded what it keeps (the app's dataset): in the
    dashboard at 1,000 places a full collection walked ~500,000 objects, about 0.45 s,
    every fifth slider step or so (issue 11). A frozen cycle is never collected, and a
    dataset is one (its posture index points back at it): so a later call, after a
    reload, first unfreezes and collects what the last one kept, freeing a replaced
    dataset, then freezes what is alive."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.freeze()
