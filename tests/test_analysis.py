"""geo.analysis: the tables and series of the analysis pages, on small synthetic datasets
(``make_data``) for each rule, then on the embedded dataset's key cases (``ds``).

Embedded claims are found by what they say (place, date, figure), not by their ids, so
that renumbering the data does not break the tests."""
import datetime as dt
import json

import pandas as pd
import pytest

from geo import analysis as A
from geo.loader import load_dataset
from geo.posture import snapshot, timeline
from tests.conftest import claim

D = dt.date


@pytest.fixture
def tiny(make_data):
    def build(*claims, movements=(), phases=(), events=(), places=None, sources=None):
        kw = {}
        if places is not None:
            kw["places"] = places
        if sources is not None:
            kw["sources"] = sources
        return load_dataset(make_data(claims=list(claims), movements=list(movements), phases=list(phases),
                                      events=list(events), **kw))
    return build


def find(ds, places, date, basis=None, lo="any"):
    """The one embedded claim about exactly ``places`` dated ``date`` (and basis/minimum)."""
    hits = [c for c in ds.claims if set(c.places) == set(places) and c.date.text == date
            and (basis is None or c.basis == basis) and (lo == "any" or c.troops_min == lo)]
    assert len(hits) == 1, f"expected one claim for {places} on {date}, found {[c.id for c in hits]}"
    return hits[0]


def rows_of(df, **match):
    mask = pd.Series(True, index=df.index)
    for col, value in match.items():
        mask &= df[col] == value
    return df[mask]


# ----------------------------------------------------------------- small helpers

@pytest.mark.parametrize("lo, hi, qualifier, shape", [
    (2500, 2500, "about", "point"),
    (0, 0, "", "point"),
    (250, 350, "", "range"),
    (0, 1999, "fewer than", "at most"),
    (None, 500, "up to", "at most"),
    (2501, None, "more than", "at least"),
    (250, None, "at least", "at least"),
    (None, None, "a few", "none"),
    (None, None, "", "none"),
])
def test_figure_shape(lo, hi, qualifier, shape):
    assert A.figure_shape(lo, hi, qualifier) == shape


def test_day_label_and_map_link():
    assert A.day_label(D(2025, 9, 5)) == "5 Sep 2025"
    assert A.day_label(None) == ""
    assert A.map_link(D(2025, 10, 20), "ain-al-asad", D(2026, 2, 23)) == \
        "/?date=2025-10-20&place=ain-al-asad&known=2026-02-23"
    assert A.map_link(D(2025, 10, 20)) == "/?date=2025-10-20"
    # a place id is URL-encoded, never pasted raw
    assert "&" not in A.map_link(D(2025, 1, 1), "a&b").split("place=")[1]


@pytest.mark.parametrize("text", ["<script>x</script>", "[link](javascript:alert(1))", "*bold* _it_",
                                  ":red[alarm]", "$x$", "`code`", "a | b"])
def test_md_escape_leaves_no_markup(text):
    out = A.md_escape(text)
    for i, ch in enumerate(out):
        if ch in "<>[]()*_`:$|":
            assert out[i - 1] == "\\", f"{ch!r} unescaped in {out!r}"


# -------------------------------------------------------------------- timeline

def test_series_rows_are_the_posture_intervals(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "100", "100"),
              claim("c2", "alpha", "2025-07-20", "50", "60", status="drawing-down"),
              claim("p1", "alpha", "2025-12", "0", "0", basis="plan", status="withdrawn", precision="month"))
    s = A.timeline_series(ds, until="2025-12-31")
    # the plan is announced on 1 Aug (its source's day): it never takes the line's place
    assert list(zip(s["start"], s["end"], s["claim"], s["shape"], s["basis"])) == [
        (D(2025, 7, 1), D(2025, 7, 20), "c1", "point", "report"),
        (D(2025, 7, 20), D(2025, 8, 1), "c2", "range", "report"),
        (D(2025, 8, 1), D(2025, 12, 31), "c2", "range", "report")]
    assert list(s["end_label"]) == ["19 Jul 2025", "31 Jul 2025", "30 Dec 2025"]
    assert s.loc[0, "value"] == 100 and pd.isna(s.loc[1, "value"])
    assert (s.loc[1, "troops_min"], s.loc[1, "troops_max"]) == (50, 60)
    assert s.loc[1, "map_link"] == "/?date=2025-07-20&place=alpha&known=2025-10-01"


def test_group_figure_is_its_own_series_never_split(tiny):
    ds = tiny(claim("g1", "alpha|bravo", "2025-07-01", "2500", "2500", qualifier="about"),
              claim("a2", "alpha", "2025-07-10", "2000", "2000"))
    s = A.timeline_series(ds, until="2025-08-01")
    group = rows_of(s, series_key="group:alpha+bravo")
    # one figure; a new row where a member leaves the group (it has a figure of its own)
    assert set(group["figure"]) == {"about 2,500"} and set(group["series"]) == {"Alpha Base + Bravo Base"}
    assert set(group["layer"]) == {"group"} and list(group["start"]) == [D(2025, 7, 1), D(2025, 7, 10)]
    for pid in ("alpha", "bravo"):
        in_group = rows_of(s, series_key=pid, shape="in group")
        assert len(in_group) == 1
        assert in_group["troops_min"].isna().all() and in_group["value"].isna().all()
    assert list(rows_of(s, series_key="alpha")["shape"]) == ["in group", "point"]
    cat = A.series_catalogue(s)
    # the group sits right after its first member
    assert list(cat["series_key"]) == ["alpha", "group:alpha+bravo", "bravo"]


def test_status_only_report_keeps_the_figure_and_its_basis(tiny):
    ds = tiny(claim("r0", "alpha", "2025-07-01", "100", "100"),
              claim("r1", "alpha", "2025-07-20", status="drawing-down"))
    s = A.timeline_series(ds, until="2025-08-01")
    last = s.iloc[-1]
    assert (last["claim"], last["figure_claim"], last["value"]) == ("r1", "r0", 100)
    assert (last["basis"], last["status"], last["status_basis"]) == ("report", "drawing-down", "report")


def test_known_on_replays_the_series(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"),
              claim("r2", "alpha", "2025-09-20", "300", "300", source="s3"))
    then = A.timeline_series(ds, known_on="2025-08-15", until="2025-12-01")
    assert list(then["claim"]) == ["r1"] and then.iloc[0]["end"] == D(2025, 12, 1)
    now = A.timeline_series(ds, until="2025-12-01")
    assert list(now["claim"]) == ["r1", "r2"]


def test_country_sum_only_without_guessing(tiny):
    same_day = [claim("a", "alpha", "2025-07-01", "100", "100", qualifier="about"),
                claim("b", "bravo", "2025-07-01", "50", "50")]
    s = A.country_series(tiny(*same_day), until="2025-08-01")
    (total,) = rows_of(s, layer="country sum").itertuples()
    assert (total.value, total.figure, total.start) == (150, "about 150 (sum of 2 figures)", D(2025, 7, 1))
    assert "Alpha Base: about 100" in total.source

    ranged = [same_day[0], claim("b", "bravo", "2025-07-01", "40", "60")]
    assert rows_of(A.country_series(tiny(*ranged), until="2025-08-01"), layer="country sum").empty
    other_day = [same_day[0], claim("b", "bravo", "2025-07-02", "50", "50")]
    assert rows_of(A.country_series(tiny(*other_day), until="2025-08-01"), layer="country sum").empty
    one_missing = [same_day[0]]
    mv = dict(id="m1", from_place="charlie", to_place="bravo", start="2025-07-01", start_precision="day",
              end="2025-07-02", end_precision="day", basis="report", source="s1", quote="moved",
              quote_checked="yes")  # empty would now mean not checked (issue 8)
    assert rows_of(A.country_series(tiny(*one_missing, movements=[mv]), until="2025-08-01"),
                   layer="country sum").empty
    # a group figure for both places counts once
    group = [claim("g", "alpha|bravo", "2025-07-01", "300", "300")]
    (g,) = rows_of(A.country_series(tiny(*group), until="2025-08-01"), layer="country sum").itertuples()
    assert g.value == 300


def test_country_sum_refuses_region_places(tiny, make_data):
    from tests.conftest import PLACES
    region = dict(id="delta", name="Delta Region", kind="region", country="IRQ", lat="35", lon="44",
                  precision="region")
    ds = tiny(claim("a", "alpha", "2025-07-01", "100", "100"), claim("b", "bravo", "2025-07-01", "50", "50"),
              claim("d", "delta", "2025-07-01", "120", "120"), places=[*PLACES, region])
    assert rows_of(A.country_series(ds, until="2025-08-01"), layer="country sum").empty


def test_country_reported_series_is_the_country_place(tiny):
    ds = tiny(claim("k1", "charlie", "2025-07-01", "1000", "1000", qualifier="about"))
    s = A.country_series(ds, until="2025-08-01")
    assert list(s["layer"]) == ["country"] and list(s["series"]) == ["Charlie: figures given for the country"]


def test_phases_and_milestones_follow_known_on(tiny):
    phases = [dict(id="p1", name="Phase 1", start="2025-07-01", end="2025-09-30", description="d", source="s2"),
              dict(id="p2", name="Phase 2", start="2025-10-01", end="", description="d", source="s1")]
    events = [dict(id=f"e{i}", date=f"2025-07-{i:02d}", date_precision="day", label=f"Event {i}",
                   kind="report", source="s1") for i in (1, 2, 3)]
    ds = tiny(claim("c1", "alpha", "2025-07-01", "10", "10"), phases=phases, events=events)
    ph = A.phase_rows(ds, until="2026-01-01")
    assert list(ph["name"]) == ["Phase 1", "Phase 2"]
    assert list(ph["end"]) == [D(2025, 10, 1), D(2026, 1, 1)] and ph.iloc[1]["end_label"] == "open"
    assert list(A.phase_rows(ds, known_on="2025-08-15")["name"]) == ["Phase 2"]
    ms = A.milestone_rows(ds)
    assert list(ms["label"]) == ["Event 1", "Event 2", "Event 3"]
    assert list(ms["lane"]) == [0, 1, 2]  # a day apart: labels on separate lanes


def test_plan_rows_list_plans_never_in_force(tiny):
    ds = tiny(claim("p1", "alpha", "2025-09-01", "0", "1999", qualifier="fewer than", basis="plan",
                    status="drawing-down"),
              claim("r1", "alpha", "2025-09-01", "2600", "2600", source="s2"),
              claim("g1", "alpha|bravo", "2025-10-01", "250", "350", basis="plan", status="residual"))
    assert "p1" not in set(A.timeline_series(ds)["figure_claim"])  # the report of the same day wins
    plans = A.plan_rows(ds)
    assert list(zip(plans["series_key"], plans["claim"], plans["value"], plans["shape"])) == [
        ("alpha", "p1", 1999, "at most"), ("group:alpha+bravo", "g1", 350, "range")]


# --------------------------------------------------------------------- sources

def test_source_rows_filters(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "10", "10", source="s1"),
              claim("c2", "bravo", "2025-08-15", "20", "20", source="s2"),
              claim("c3", "alpha", "2025-09-15", "30", "30", source="s3"))
    assert list(A.source_rows(ds)["source"]) == ["s1", "s2", "s3"]
    assert list(A.source_rows(ds, place="alpha")["source"]) == ["s1", "s3"]
    assert list(A.source_rows(ds, outlets=["Outlet Two"])["source"]) == ["s2"]
    assert list(A.source_rows(ds, published_from="2025-08-15", published_to="2025-09-15")["source"]) == ["s2"]
    assert list(A.source_rows(ds, known_on="2025-09-01")["source"]) == ["s1", "s2"]
    s3 = A.source_rows(ds).set_index("source").loc["s3"]
    assert (s3["published_label"], bool(s3["inferred"])) == ("1 Oct 2025 (inferred)", True)
    assert pd.isna(s3["url"])
    ev = A.evidence_rows(ds, place="alpha")
    assert list(ev["item"]) == ["c1", "c3"] and list(ev["quote_checked"]) == [True, True]


def test_evidence_lists_movements_and_contradictions_both_ways(tiny):
    mv = dict(id="m1", from_place="alpha", to_place="charlie", start="2025-08", start_precision="month",
              end="2025-09", end_precision="month", basis="plan", source="s1", quote="will move",
              quote_checked="no")
    ds = tiny(claim("p1", "alpha", "2025-09-15", "0", "0", status="withdrawn", basis="plan", source="s1"),
              claim("p2", "alpha", "2025-09-20", "250", "350", status="residual", basis="plan", source="s3"),
              movements=[mv])
    ev = A.evidence_rows(ds).set_index("item")
    assert ev.loc["p1", "contradictions"].startswith("plan contradicted by p2 Alpha Base, 20 Sep 2025: 250–350")
    assert ev.loc["p2", "contradictions"].startswith("contradicts plan p1 Alpha Base, 15 Sep 2025: 0")
    assert ev.loc["p1", "map_link"] == "/?date=2025-09-15&place=alpha&known=2025-10-01"
    assert (ev.loc["m1", "kind"], ev.loc["m1", "places"], ev.loc["m1", "date_label"]) == \
        ("movement", "Alpha Base → Charlie", "Aug 2025 – Sep 2025")
    assert not ev.loc["m1", "quote_checked"]
    # known on a day before the contradicting source: no contradiction yet
    assert A.evidence_rows(ds, known_on="2025-09-01").set_index("item").loc["p1", "n_contradictions"] == 0


# --------------------------------------------------------------------- compare

def test_compare_rows_say_what_changed(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "2500", "2500", qualifier="about"),
              claim("c2", "alpha", "2025-12", "250", "350", status="residual", basis="plan", source="s2",
                    precision="month"),
              claim("c4", "alpha", "2025-08-20", "2000", "2000", status="drawing-down", source="s2"),
              claim("c3", "bravo", "2025-08-15", "10", "10", source="s2"))
    rows = A.compare_rows(snapshot(ds, "2025-07-15"), snapshot(ds, "2025-09-15")).set_index("key")
    alpha = rows.loc["alpha"]
    assert alpha["change"] == ("figure: about 2,500 → 2,000; status: Present → Drawing down; "
                               "plan: none → 250–350, Residual force, due Dec 2025 · pending")
    assert (alpha["figure_a"], alpha["figure_b"], alpha["claim_a"], alpha["claim_b"]) == \
        ("about 2,500", "2,000", "c1", "c4")
    assert rows.loc["bravo", "change"] == "new" and rows.loc["bravo", "figure_a"] == "no report"
    back = A.compare_rows(snapshot(ds, "2025-09-15"), snapshot(ds, "2025-07-15")).set_index("key")
    assert back.loc["bravo", "change"] == "no longer reported"
    same = A.compare_rows(snapshot(ds, "2025-07-15"), snapshot(ds, "2025-07-20")).set_index("key")
    assert same.loc["alpha", "change"] == "no change" and not same.loc["alpha", "changed"]


def test_compare_groups_and_same_date_two_known_days(tiny):
    ds = tiny(claim("g1", "alpha|bravo", "2025-07-01", "2500", "2500", qualifier="about"),
              claim("g2", "alpha|bravo", "2025-09-20", "250", "350", status="residual", source="s3"))
    a, b = snapshot(ds, "2025-09-25", "2025-08-15"), snapshot(ds, "2025-09-25", "2025-10-01")
    rows = A.compare_rows(a, b).set_index("key")
    assert rows.loc["group:alpha+bravo", "change"].startswith("figure: about 2,500 → 250–350")
    assert rows.loc["alpha", "figure_b"] == "part of a group figure: 250–350"
    assert A.compare_filename(a, b, "csv") == \
        "posture_2025-09-25_known-2025-08-15_vs_2025-09-25_known-2025-10-01.csv"


def test_moves_between_and_exports(tiny):
    moves = [dict(id=f"m{i}", from_place="alpha", to_place="charlie", start=s, start_precision="day", end=e,
                  end_precision="day", basis="report", source="s1", quote="moved")
             for i, (s, e) in enumerate([("2025-07-01", "2025-07-05"), ("2025-07-10", "2025-07-20"),
                                         ("2025-08-01", "2025-08-02")])]
    ds = tiny(claim("c1", "alpha", "2025-07-01", "100", "100"),
              claim("g1", "alpha|bravo", "2025-07-12", "300", "300"), movements=moves)
    assert list(A.moves_between(ds, "2025-07-18", "2025-07-06")["movement"]) == ["m1"]
    assert list(A.moves_between(ds, "2025-07-05", "2025-08-01")["movement"]) == ["m0", "m1", "m2"]
    a, b = snapshot(ds, "2025-07-02"), snapshot(ds, "2025-07-15")
    assert A.compare_filename(a, b, ".geojson") == "posture_2025-07-02_vs_2025-07-15.geojson"
    fc = json.loads(A.geojson_bytes(A.compare_geojson(ds, a, b)))
    assert (fc["type"], fc["date_a"], fc["date_b"]) == ("FeatureCollection", "2025-07-02", "2025-07-15")
    by_id = {f["id"]: f for f in fc["features"]}
    assert by_id["alpha"]["geometry"] == {"type": "Point", "coordinates": [43.0, 33.0]}  # lon, lat
    assert by_id["group:alpha+bravo"]["geometry"]["type"] == "MultiPoint"
    assert by_id["group:alpha+bravo"]["properties"]["change"] == "new"
    assert by_id["m1"]["geometry"]["type"] == "LineString"
    csv = A.compare_csv(A.compare_rows(a, b), a, b).decode()
    header, first = csv.splitlines()[:2]
    assert header.startswith("date_a,known_on_a,date_b,known_on_b,key,") and first.startswith("2025-07-02,")


# ---------------------------------------------------------------- data quality

def test_quality_lists(tiny):
    mv = dict(id="m1", from_place="alpha", to_place="charlie", start="2025-07-01", start_precision="day",
              end="2025-07-02", end_precision="day", basis="report", source="s1", quote="moved",
              quote_checked="yes")  # empty would now mean not checked (issue 8)
    ds = tiny(claim("c1", "alpha", "2025-07", "2500", "2500", qualifier="about", precision="month"),
              claim("c2", "alpha", "2025-07-15", "0", "1999", qualifier="fewer than", source="s2"),
              claim("c3", "bravo", "2025-07-01", status="present", basis="plan", source="s2"),
              movements=[mv])
    kinds = A.conflict_rows(ds)
    assert list(kinds["kind"]) == ["conflict"] and set(kinds.iloc[0][["first", "second"]]) == {"c1", "c2"}
    assert kinds.iloc[0]["first_link"].startswith("/?date=2025-07-01&place=alpha")
    snap = snapshot(ds, "2025-12-01")
    stale = A.stale_rows(snap, 90)
    assert list(stale["place"]) == ["bravo", "alpha"]  # never reported first, then the oldest
    assert stale.iloc[1]["age"] == "5 months" and stale.iloc[0]["age"] == "never reported"
    assert list(A.stale_rows(snap, 400)["place"]) == ["bravo"]
    nofig = A.no_figure_rows(snap).set_index("place")
    assert set(nofig.index) == {"bravo", "charlie"}
    assert nofig.loc["charlie", "why"].startswith("named in the data")
    assert list(A.imprecise_rows(ds, D(2025, 12, 1))["place"]) == ["charlie"]
    assert list(A.inferred_source_rows(ds)["source"]) == ["s3"]
    assert A.unchecked_quote_rows(ds).empty
    assert A.data_edge(snap) == "Newest source known: 1 Oct 2025, 2 months before 1 Dec 2025."


# ------------------------------------------------------------ embedded dataset

@pytest.fixture(scope="module")
def series(ds):
    return A.timeline_series(ds)


def test_embedded_series_match_the_map_day_by_day(ds, series):
    ivs = [iv for iv in timeline(ds) if iv.layer in ("place", "group")]
    assert len(series) == len(ivs)
    for row in series.sample(n=min(25, len(series)), random_state=1).itertuples():
        snap = snapshot(ds, row.start)
        if row.layer == "group":
            assert snap.group(row.series_key).claim.figure_text() == row.figure
        else:
            assert snap.place(row.series_key).figure_text() == row.figure


def test_embedded_iraq_series_is_the_area_total_from_reports(ds, series):
    iraq = rows_of(series, series_key="iraq")
    assert "about 2,500" in set(iraq["figure"]) and set(iraq["basis"]) == {"report"}


def test_embedded_quality_lists(ds):
    assert set(A.imprecise_rows(ds, D(2025, 10, 21))["place"]) >= {"iraq", "syria", "kurdistan-region"}
    assert not A.inferred_source_rows(ds).empty
    unchecked = A.unchecked_quote_rows(ds)
    assert all(not c.quote_checked for c in ds.claims if c.id in set(unchecked["item"]))
    edge = A.data_edge(snapshot(ds, "2026-10-01"))
    assert edge.startswith(f"Newest source known: {A.day_label(ds.latest_published)}") and "months before" in edge


def test_containment_flags_sites_exceeding_their_area_total(make_data):
    from tests.conftest import AREA_PLACES
    from geo.loader import load_dataset
    ds = load_dataset(make_data(places=AREA_PLACES, claims=[
        claim("a", "land", "2025-07-01", "1000", "1000", qualifier="about"),
        claim("b", "alpha", "2025-07-01", "900", "900"),
        claim("c", "bravo", "2025-07-10", "400", "400", source="s2"),
        claim("d", "bravo", "2025-07-05", "5000", "5000", force="coalition")]))
    rows = A.containment_rows(ds)
    (row,) = rows.itertuples()
    assert (row.kind, row.total_key, row.members_figure, row.start) == ("area", "land", "at least 1,300", D(2025, 7, 10))
    assert set(row.member_claims.split(", ")) == {"b", "c"}  # a coalition figure is never added to a US total


def test_plan_state_rows_say_where_each_plan_stands(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"),
              claim("p1", "alpha", "2025-09-15", "0", "0", status="withdrawn", basis="plan"),
              claim("r2", "alpha", "2025-09-25", "0", "0", status="withdrawn", source="s3"))
    (row,) = A.plan_state_rows(snapshot(ds, "2025-09-20")).itertuples()
    assert (row.plan, row.state, row.report) == ("0", "overdue", "100")
    assert row.hindsight == "carried out 25 Sep 2025, 10 days late (Outlet Three)"
