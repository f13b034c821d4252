"""Score the extractor on the seed reports against the dataset's own claims.

    python scripts/score_ingest.py [--seeds DIR] [--data DIR] [-v] [--quotes]

For each source in data/sources.csv with a ``seed_file``, the seed text goes through
:func:`geo.ingest.propose` with the source's outlet and publication day, and is compared
with that source's rows in claims.csv and movements.csv ("gold"):

* places, recall: gold places (of claims and movements) that the extractor mentions;
* places, precision: places in proposed claims/movements that are gold places;
* a gold claim is *matched* by one of the proposed claims from the sentence holding its
  quote: the one sharing most places, then the same date, then the same basis; each
  proposal matches at most one gold claim (a sentence gives one proposal per clause
  and figure, and the analyst keeps the right ones);
* figures: matched gold claims with a figure or a vague qualifier whose proposed
  (troops_min, troops_max, qualifier) is the same;
* dates: matched gold claims whose proposed date is the same period (strict), or whose
  proposed date lies in the gold month / is the gold day (day-or-month);
* plan/report: matched gold claims with the same basis;
* movements: gold movements with a proposed movement of the same from/to.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.ingest import propose  # noqa: E402
from geo.loader import load_dataset  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score(ds, seeds: Path) -> dict:
    tot = dict(gold_places=0, found_places=0, prop_places=0, good_places=0, figures=0, figures_ok=0,
               claims=0, matched=0, dates_strict=0, dates_ok=0, basis_ok=0, moves=0, moves_ok=0)
    per_seed = []
    for src in sorted(ds.sources.values(), key=lambda s: s.seed_file):
        if not src.seed_file or not (seeds / src.seed_file).exists():
            continue
        text = (seeds / src.seed_file).read_text(encoding="utf-8")
        props = propose(ds, text, outlet=src.outlet, url=src.url, published=src.published)
        gold_claims = [c for c in ds.claims if c.source == src.id]
        gold_moves = [m for m in ds.movements if m.source == src.id]
        gold_places = {p for c in gold_claims for p in c.places} | {p for m in gold_moves for p in (m.from_place, m.to_place)}
        mentioned = {pid for _, _, pid, _ in props.mentions}
        prop_places = [p for c in props.claims for p in c["places"].split("|") if p]
        prop_places += [p for m in props.movements for p in (m["from_place"], m["to_place"])]
        prop_set = set(prop_places)
        tot["gold_places"] += len(gold_places)
        tot["found_places"] += len(gold_places & mentioned)
        tot["prop_places"] += len(prop_set)
        tot["good_places"] += len(prop_set & gold_places)
        row = {"seed": src.seed_file, "claims": len(gold_claims), "matched": 0, "figures": 0, "figures_ok": 0,
               "dates_ok": 0, "basis_ok": 0, "misses": []}
        used: set[int] = set()
        for g in gold_claims:
            tot["claims"] += 1
            q = _norm(g.quote)
            cands = [c for c in props.claims if q in _norm(c["quote"]) or _norm(c["quote"]) in q]
            has_figure = g.has_figure or g.qualifier in ("a few", "limited number")
            if has_figure:
                tot["figures"] += 1
                row["figures"] += 1
            if not cands:
                row["misses"].append(f"{g.id}: no proposal from its sentence")
                continue
            gset = set(g.places)
            # one proposal serves one gold claim: the one sharing most places, then the
            # same date, then the same basis (a sentence gives one proposal per clause)
            free = [c for c in cands if id(c) not in used] or cands
            best = max(free, key=lambda c: (len(gset & set(c["places"].split("|"))), c["date"] == g.date.text,
                                            c["basis"] == g.basis))
            if has_figure:
                # the figure is right if any proposal of the sentence has it (one per figure)
                fig = [c for c in cands if (_int(c["troops_min"]), _int(c["troops_max"]), c["qualifier"]) ==
                       (g.troops_min, g.troops_max, g.qualifier)]
                if fig:
                    best = max(fig, key=lambda c: (len(gset & set(c["places"].split("|"))), c["date"] == g.date.text,
                                                   c["basis"] == g.basis))
                    tot["figures_ok"] += 1
                    row["figures_ok"] += 1
                else:
                    row["misses"].append(f"{g.id}: figure {g.figure_text()!r}")
            used.add(id(best))
            tot["matched"] += 1
            row["matched"] += 1
            if best["date"] == g.date.text:
                tot["dates_strict"] += 1
            from geo.dates import parse_fuzzy

            pd = parse_fuzzy(best["date"], best["date_precision"])
            if best["date"] == g.date.text or (g.date.precision == "month" and g.date.start <= pd.start and pd.end <= g.date.end):
                tot["dates_ok"] += 1
                row["dates_ok"] += 1
            else:
                row["misses"].append(f"{g.id}: date {best['date']} for {g.date.text}")
            if best["basis"] == g.basis:
                tot["basis_ok"] += 1
                row["basis_ok"] += 1
            else:
                row["misses"].append(f"{g.id}: basis {best['basis']} for {g.basis}")
        for m in gold_moves:
            tot["moves"] += 1
            if any(pm["from_place"] == m.from_place and pm["to_place"] == m.to_place for pm in props.movements):
                tot["moves_ok"] += 1
            else:
                row["misses"].append(f"{m.id}: move {m.from_place} -> {m.to_place}")
        per_seed.append(row)
    pct = lambda a, b: 100.0 * a / b if b else float("nan")  # noqa: E731
    return {
        "places_recall": pct(tot["found_places"], tot["gold_places"]),
        "places_precision": pct(tot["good_places"], tot["prop_places"]),
        "figures": pct(tot["figures_ok"], tot["figures"]),
        "dates_day_or_month": pct(tot["dates_ok"], tot["claims"]),
        "dates_strict": pct(tot["dates_strict"], tot["claims"]),
        "plan_report": pct(tot["basis_ok"], tot["claims"]),
        "claims_matched": pct(tot["matched"], tot["claims"]),
        "movements_found": pct(tot["moves_ok"], tot["moves"]),
        "totals": tot, "per_seed": per_seed,
    }


DEVSET = ROOT / "tests" / "ingest_devset" / "devset.jsonl"


def devset_score(ds, path: Path = DEVSET) -> dict:
    """Score on the development set: per entry the proposed claim is the first one with
    a figure when a figure is expected, else the first one sharing a place."""
    import datetime as dt
    import json

    tot = dict(n=0, places=0, figures=0, dates=0, basis=0, force=0, restated=0, moves=0, n_moves=0,
               n_dates=0, n_places=0)
    misses = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        tot["n"] += 1
        props = propose(ds, e["text"], outlet="Dev", published=dt.date.fromisoformat(e["published"]))
        claims = props.claims
        want_fig = e["figure"]
        if want_fig is None:
            ok_fig = not any(c["troops_min"] != "" or c["troops_max"] != "" for c in claims
                             if not (want_fig is None and c["troops_min"] == 0 and c["troops_max"] == 0))
            cands = claims
        else:
            cands = [c for c in claims if (_int(c["troops_min"]), _int(c["troops_max"]), c["qualifier"]) == tuple(want_fig)]
            ok_fig = bool(cands)
            cands = cands or [c for c in claims if c["troops_min"] != "" or c["qualifier"]] or claims
        tot["figures"] += ok_fig
        if not ok_fig:
            misses.append(f"{e['id']}: figure {want_fig} not proposed")
        if e["places"] is not None:
            tot["n_places"] += 1
            want = set(e["places"])
            by_place = [c for c in cands if set(c["places"].split("|")) & want] or cands
            best = by_place[0] if by_place else None
            if best is not None and set(best["places"].split("|")) == want:
                tot["places"] += 1
            else:
                misses.append(f"{e['id']}: places {best and best['places']!r} for {sorted(want)}")
        else:
            best = cands[0] if cands else None
        if e["date"] is not None:
            tot["n_dates"] += 1
            if best is not None and best["date"] == e["date"]:
                tot["dates"] += 1
            else:
                misses.append(f"{e['id']}: date {best and best['date']!r} for {e['date']}")
        if best is not None:
            tot["basis"] += best["basis"] == e["basis"]
            tot["force"] += best["force"] == e["force"]
            tot["restated"] += best["restated"] == e["restated"]
            for k in ("basis", "force", "restated"):
                if best[k] != e[k]:
                    misses.append(f"{e['id']}: {k} {best[k]!r} for {e[k]!r}")
        elif e["places"]:
            misses.append(f"{e['id']}: no claim")
        if e["move"]:
            tot["n_moves"] += 1
            if any([m["from_place"], m["to_place"]] == e["move"] for m in props.movements):
                tot["moves"] += 1
            else:
                misses.append(f"{e['id']}: move {e['move']} not in {[(m['from_place'], m['to_place']) for m in props.movements]}")
    pct = lambda a, b: 100.0 * a / b if b else float("nan")  # noqa: E731
    return {"entries": tot["n"], "places": pct(tot["places"], tot["n_places"]), "figures": pct(tot["figures"], tot["n"]),
            "dates": pct(tot["dates"], tot["n_dates"]), "plan_report": pct(tot["basis"], tot["n"]),
            "force": pct(tot["force"], tot["n"]), "restated": pct(tot["restated"], tot["n"]),
            "movements": pct(tot["moves"], tot["n_moves"]), "misses": misses}


def quotes_score(ds) -> dict:
    """Dates on sentences the rules were not written from: the quote of every claim whose
    source has no seed file, read alone against its source's publication day. A quote is
    often a clause without its article's context (the place or the date in the sentence
    before), so the share of all quotes is a floor; the share of quotes given a proposal
    measures the date rules themselves. A date is right as in :func:`score`."""
    from geo.dates import parse_fuzzy

    n = proposed = ok = 0
    misses = []
    for g in ds.claims:
        src = ds.sources[g.source]
        if src.seed_file:
            continue
        n += 1
        claims = propose(ds, g.quote, outlet="Quote", published=src.published).claims
        if not claims:
            misses.append(f"{g.id}: no proposal")
            continue
        proposed += 1
        gset = set(g.places)
        best = max(claims, key=lambda c: (len(gset & set(c["places"].split("|"))), c["date"] == g.date.text))
        pd = parse_fuzzy(best["date"], best["date_precision"])
        if best["date"] == g.date.text or (g.date.precision == "month" and g.date.start <= pd.start and pd.end <= g.date.end):
            ok += 1
        else:
            misses.append(f"{g.id}: date {best['date']} for {g.date.text}")
    pct = lambda a, b: 100.0 * a / b if b else float("nan")  # noqa: E731
    return {"quotes": n, "proposed": proposed, "dates_ok": ok, "dates_of_all": pct(ok, n),
            "dates_of_proposed": pct(ok, proposed), "misses": misses}


def _int(v):
    return int(v) if str(v).strip() not in ("", "None") else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    ap.add_argument("--quotes", action="store_true",
                    help="also score the dates on the quotes of the non-seed sources' claims, read alone")
    args = ap.parse_args(argv)
    res = score(load_dataset(args.data), args.seeds)
    t = res["totals"]
    print(f"places recall     {res['places_recall']:5.1f}%  ({t['found_places']}/{t['gold_places']})  target >= 95%")
    print(f"places precision  {res['places_precision']:5.1f}%  ({t['good_places']}/{t['prop_places']})  target >= 90%")
    print(f"figures           {res['figures']:5.1f}%  ({t['figures_ok']}/{t['figures']})  target >= 90%")
    print(f"dates (day/month) {res['dates_day_or_month']:5.1f}%  ({t['dates_ok']}/{t['claims']})  target >= 85%")
    print(f"dates (strict)    {res['dates_strict']:5.1f}%  ({t['dates_strict']}/{t['claims']})")
    print(f"plan/report       {res['plan_report']:5.1f}%  ({t['basis_ok']}/{t['claims']})  target >= 85%")
    print(f"claims matched    {res['claims_matched']:5.1f}%  ({t['matched']}/{t['claims']})")
    print(f"movements found   {res['movements_found']:5.1f}%  ({t['moves_ok']}/{t['moves']})")
    dev = devset_score(load_dataset(args.data))
    print(f"\ndevelopment set ({dev['entries']} sentences, tests/ingest_devset/):")
    for k in ("places", "figures", "dates", "plan_report", "force", "restated", "movements"):
        print(f"  {k:<16}{dev[k]:5.1f}%")
    if args.quotes:
        q = quotes_score(load_dataset(args.data))
        print(f"\nquotes of non-seed claims, read alone ({q['quotes']}, {q['proposed']} with a proposal):")
        print(f"  dates right     {q['dates_of_proposed']:5.1f}% of those proposed ({q['dates_ok']}/{q['proposed']}), "
              f"{q['dates_of_all']:.1f}% of all")
        if args.verbose:
            for miss in q["misses"]:
                print(f"  miss {miss}")
    if args.verbose:
        for miss in dev["misses"]:
            print(f"  miss {miss}")
        for row in res["per_seed"]:
            print(f"\n{row['seed']}: {row['matched']}/{row['claims']} claims matched")
            for miss in row["misses"]:
                print(f"  miss {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
