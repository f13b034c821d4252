"""Kept for old habits: the benchmarks live in ``benchmarks/run.py`` (``make bench``).

``python scripts/bench.py [--quick] [--json FILE]`` runs them with the same arguments.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
