"""``python -m geo ingest``: the command lives in :mod:`geo.ingest.command` (issue 12)."""
from ..ingest.command import register  # noqa: F401
