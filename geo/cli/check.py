"""``python -m geo check``: validate a dataset; print a summary or every problem.

With the seeds folder (``../shared/seeds`` beside the repository, or ``--seeds DIR``)
present, every source's ``seed_file`` must exist there and every checked quote must be
verbatim in it (:func:`geo.loader.check_seeds`).
"""
from __future__ import annotations

from pathlib import Path

from ..model import DataError
from ._common import data_arg

#: Where the research seeds live when the repository sits in the project folder.
DEFAULT_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def register(sub) -> None:
    sp = sub.add_parser("check", help="validate a dataset; print a summary or every problem")
    data_arg(sp)
    seeds = sp.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", metavar="DIR",
                       help=f"folder of the sources' seed files, to check quotes against (default: {DEFAULT_SEEDS} "
                            "when it exists)")
    seeds.add_argument("--no-seeds", action="store_true", help="skip the quote-in-seed check")
    sp.set_defaults(func=run)


def run(args) -> int:
    from ..loader import check_seeds, load_dataset

    # validate and count: the posture index (built at load for the app) serves no word
    # of what check prints, so check does not build it (a third of its time at scale)
    ds = load_dataset(args.data, index=False)
    seeds = None if args.no_seeds else Path(args.seeds) if args.seeds else (
        DEFAULT_SEEDS if DEFAULT_SEEDS.is_dir() else None)
    if seeds is not None:
        if not seeds.is_dir():
            raise DataError([_no_folder(seeds)])
        problems = check_seeds(ds, seeds)
        if problems:
            raise DataError(problems)
    n_group = sum(c.is_group for c in ds.claims)
    print(f"ok: {args.data or 'embedded dataset'}")
    print(f"  places     {len(ds.places)}")
    print(f"  sources    {len(ds.sources)}  (published {min(s.published for s in ds.sources.values())}"
          f" to {ds.latest_published})" if ds.sources else "  sources    0")
    print(f"  claims     {len(ds.claims)}  ({sum(c.basis == 'plan' for c in ds.claims)} plans, "
          f"{n_group} group figures)")
    print(f"  movements  {len(ds.movements)}")
    print(f"  phases     {len(ds.phases)}")
    print(f"  events     {len(ds.events)}")
    if ds.first_date:
        print(f"  dates      {ds.first_date} to {ds.last_date}")
    if seeds is not None:
        print(f"  seeds      quotes checked against {seeds}")
    return 0


def _no_folder(path: Path):
    from ..model import Problem

    return Problem(str(path), None, None, "", "a folder of seed files (--seeds); there is no such folder")
