"""``python -m geo``: check a dataset, export the posture, render briefing images.

Every failure exits non-zero with one line on stderr saying what was wrong and what
would be right (a dataset's problems are listed one per line after that line): 1 for
bad data or a failed write, 2 for a bad command line.

One module per sub-command. A module in this package whose name does not start with
``_`` *is* a sub-command: it defines ``register(subparsers)``, which adds its parser and
sets ``func`` to its handler (``handler(args) -> int``). Adding a command is adding
such a module; nothing else to wire. Modules import their heavy dependencies (the
renderer, geopandas) inside the handler, so ``check`` stays light; an import that
fails is a real error and surfaces (no command silently vanishes).
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from ..model import DataError
from ._common import UsageError, day, data_arg  # noqa: F401  (the public helpers of a command)

#: Sub-commands in the order ``--help`` lists them; any other command module follows
#: in alphabetical order.
ORDER = ("check", "export", "brief", "animate")


def command_modules() -> list[str]:
    """The sub-command modules of this package, in help order."""
    found = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    return [n for n in ORDER if n in found] + sorted(n for n in found if n not in ORDER)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo",
                                description="Posture Atlas: check data, export posture, render briefings.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in command_modules():
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(f"error: {len(exc.problems)} problem(s) in the dataset", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
