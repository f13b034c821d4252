"""``python -m geo synth``: a synthetic dataset of any size, for the benchmarks.

The command lives with its generator in :mod:`geo.synth` (``register`` and ``run``).
"""
from __future__ import annotations

from ..synth import register  # noqa: F401  (this package's sub-command contract)
