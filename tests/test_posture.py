"""Posture semantics on small synthetic datasets, then the embedded dataset's key days."""
import datetime as dt

import pytest

from geo.loader import load_dataset
from geo.posture import change_dates, conflicts, snapshot, timeline
from tests.conftest import claim

D = dt.date


@pytest.fixture
def tiny(make_data):
    def build(*claims, movements=()):
        return load_dataset(make_data(claims=list(claims), movements=list(movements)))
    return build


def test_figure_holds_until_replaced(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "100", "100"),
              claim("c2", "alpha", "2025-07-20", "50", "60", source="s1"))
    assert snapshot(ds, "2025-07-10").place("alpha").claim.id == "c1"
    assert snapshot(ds, "2025-07-19").place("alpha").age_days == 18
    ps = snapshot(ds, "2025-07-20").place("alpha")
    assert (ps.claim.id, ps.troops_min, ps.troops_max, ps.age_days) == ("c2", 50, 60, 0)
    assert snapshot(ds, "2026-07-20").place("alpha").claim.id == "c2"


def test_date_before_first_claim_shows_place_without_figure(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "100", "100"))
    ps = snapshot(ds, "2025-06-01").place("alpha")
    assert ps.claim is None and not ps.has_figure and ps.figure_text() == "no report"


def test_empty_dataset(tiny):
    ds = tiny()
    snap = snapshot(ds, "2025-07-01", "2025-07-01")
    assert snap.places == () and snap.groups == () and snap.movements == ()
    assert timeline(ds) == [] and conflicts(ds) == []


def test_month_claim_takes_effect_on_its_first_day(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07", "100", "100", precision="month"))
    assert snapshot(ds, "2025-07-01").place("alpha").claim.id == "c1"
    assert snapshot(ds, "2025-07-31").place("alpha").age_days == 0
    assert snapshot(ds, "2025-08-10").place("alpha").age_days == 10


def test_plan_is_never_a_report_and_keeps_last_report(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"),
              claim("p1", "alpha", "2025-09-15", "0", "0", status="withdrawn", basis="plan", source="s1"))
    before = snapshot(ds, "2025-08-01").place("alpha")
    assert before.claim.id == "r1" and before.upcoming_plan.id == "p1"
    after = snapshot(ds, "2025-09-20").place("alpha")
    assert (after.claim.id, after.basis, after.last_report.id) == ("p1", "plan", "r1")


def test_known_on_replays_what_was_known(tiny):
    ds = tiny(claim("p1", "alpha", "2025-09-15", "0", "0", status="withdrawn", basis="plan", source="s1"),
              claim("p2", "alpha", "2025-09-20", "250", "350", status="residual", basis="plan", source="s3"))
    then = snapshot(ds, "2025-10-05", known_on="2025-08-15").place("alpha")
    assert then.claim.id == "p1" and then.contradicted_by == ()
    now = snapshot(ds, "2025-10-05").place("alpha")
    assert now.claim.id == "p2" and [c.id for c in now.contradicts] == ["p1"]
    # on a day the plan is in force, what is known later says it was contradicted
    assert [c.id for c in snapshot(ds, "2025-09-16").place("alpha").contradicted_by] == ["p2"]
    assert [c.kind for c in conflicts(ds)] == ["plan contradicted"]
    assert conflicts(ds, known_on="2025-08-15") == []


def test_known_on_hides_sources_entirely(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "10", "10"),
              claim("c2", "bravo", "2025-07-01", "10", "10", source="s2"))
    snap = snapshot(ds, "2025-07-15", known_on="2025-08-15")
    assert [p.id for p in snap.places] == ["alpha"]
    assert snap.latest_published == D(2025, 8, 1) and snap.days_since_latest_source == -17


def test_group_figure_is_never_split(tiny):
    ds = tiny(claim("g1", "alpha|bravo", "2025-07-01", "2500", "2500", qualifier="about"))
    snap = snapshot(ds, "2025-07-02")
    (group,) = snap.groups
    assert group.id == "group:alpha+bravo" and (group.troops_min, group.troops_max) == (2500, 2500)
    for pid in ("alpha", "bravo"):
        ps = snap.place(pid)
        assert ps.group == "group:alpha+bravo"
        assert (ps.troops_min, ps.troops_max) == (None, None)
        assert ps.figure_text() == "part of a group figure: about 2,500"


def test_group_stands_until_every_member_has_its_own_claim(tiny):
    ds = tiny(claim("g1", "alpha|bravo", "2025-07-01", "2500", "2500"),
              claim("a2", "alpha", "2025-07-10", "2000", "2000"),
              claim("b2", "bravo", "2025-07-20", "100", "100"))
    assert [g.id for g in snapshot(ds, "2025-07-12").groups] == ["group:alpha+bravo"]
    assert snapshot(ds, "2025-07-12").place("alpha").troops_min == 2000
    assert snapshot(ds, "2025-07-21").groups == ()


def test_zero_group_means_none_at_each(tiny):
    ds = tiny(claim("g0", "alpha|bravo", "2025-07-01", "0", "0", status="withdrawn"))
    snap = snapshot(ds, "2025-07-02")
    assert snap.groups == ()
    assert snap.place("alpha").troops_max == 0 and snap.place("bravo").troops_max == 0


def test_status_only_report_keeps_last_figure(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "2500", "2500", qualifier="about"),
              claim("c2", "alpha", "2025-07-20", status="drawing-down"))
    ps = snapshot(ds, "2025-07-25").place("alpha")
    assert (ps.claim.id, ps.status, ps.figure_claim.id) == ("c2", "drawing-down", "c1")
    assert (ps.troops_min, ps.figure_text(), ps.age_days, ps.figure_age_days) == (2500, "about 2,500", 5, 24)


def test_withdrawal_without_figure_ends_the_figure(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "2500", "2500"),
              claim("c2", "alpha", "2025-07-20", status="withdrawn"))
    ps = snapshot(ds, "2025-07-25").place("alpha")
    assert ps.figure_claim.id == "c2" and not ps.has_figure


def test_conflicting_reports_are_both_shown(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07", "2500", "2500", qualifier="about", precision="month"),
              claim("c2", "alpha", "2025-07-15", "0", "1999", qualifier="fewer than", source="s2"))
    ps = snapshot(ds, "2025-07-20").place("alpha")
    assert ps.claim.id == "c2" and [c.id for c in ps.conflicts] == ["c1"]
    (conflict,) = conflicts(ds)
    assert conflict.kind == "conflict" and {conflict.first.id, conflict.second.id} == {"c1", "c2"}


def test_agreeing_sources_corroborate_instead_of_conflicting(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07", "2500", "2500", qualifier="about", precision="month"),
              claim("c2", "alpha", "2025-07", "2450", "2450", source="s2", precision="month"))
    ps = snapshot(ds, "2025-07-20").place("alpha")
    assert ps.conflicts == () and [s.id for s in ps.sources] == ["s2", "s1"]


def test_part_cannot_exceed_its_group(tiny):
    ds = tiny(claim("g1", "alpha|bravo", "2025-07", "300", "300", precision="month"),
              claim("a1", "alpha", "2025-07-10", "2000", "2000", source="s2"))
    assert [c.kind for c in conflicts(ds)] == ["conflict"]


def test_movements_active_on_the_day(tiny):
    mv = dict(id="m1", from_place="alpha", to_place="charlie", start="2025-08", start_precision="month",
              end="2025-09-15", end_precision="day", basis="plan", source="s1", quote="will move")
    ds = tiny(claim("c1", "alpha", "2025-07-01", "10", "10"), movements=[mv])
    assert snapshot(ds, "2025-07-31").movements == ()
    (m,) = snapshot(ds, "2025-08-01").movements
    assert (m.origin.id, m.destination.id, m.movement.basis) == ("alpha", "charlie", "plan")
    assert snapshot(ds, "2025-09-16").movements == ()
    assert [iv.layer for iv in timeline(ds) if iv.key == "m1"] == ["movement"]


def test_timeline_intervals_and_change_dates(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-01", "100", "100"),
              claim("c2", "alpha", "2025-07-20", "50", "50"))
    assert change_dates(ds) == [D(2025, 7, 1), D(2025, 7, 20)]
    ivs = timeline(ds, until="2025-12-31")
    assert [(iv.key, iv.start, iv.end, iv.place_state.claim.id) for iv in ivs] == [
        ("alpha", D(2025, 7, 1), D(2025, 7, 20), "c1"),
        ("alpha", D(2025, 7, 20), D(2025, 12, 31), "c2")]


# ------------------------------------------------------------- embedded dataset

def test_2025_08_20_ain_al_asad_under_three_base_figure(ds):
    snap = snapshot(ds, "2025-08-20")
    ps = snap.place("ain-al-asad")
    group = snap.group(ps.group)
    assert set(p.id for p in group.places) == {"ain-al-asad", "al-harir", "victory-base"}
    assert (group.troops_min, group.troops_max, group.claim.qualifier) == (2500, 2500, "about")
    assert group.claim.basis == "report"
    assert ps.troops_min is None  # never a share of the group


def test_2025_10_21_reversal_figure_for_two_bases(ds):
    snap = snapshot(ds, "2025-10-21")
    ps = snap.place("ain-al-asad")
    group = snap.group(ps.group)
    assert {p.id for p in group.places} == {"ain-al-asad", "al-harir"}
    assert (group.troops_min, group.troops_max, group.claim.basis) == (250, 350, "plan")
    assert snap.place("al-harir").group == group.id
    # the closure plan for 2025-09-15 is shown as contradicted, not silently replaced
    closure = [c for c in ps.contradicts if c.date.text == "2025-09-15"]
    assert closure and closure[0].status == "withdrawn" and closure[0].basis == "plan"


def test_2025_10_21_known_on_2025_08_19_shows_the_plan_then(ds):
    ps = snapshot(ds, "2025-10-21", known_on="2025-08-19").place("ain-al-asad")
    assert (ps.claim.basis, ps.claim.status, ps.troops_max) == ("plan", "withdrawn", 0)
    assert ps.claim.date.text == "2025-09-15" and ps.contradicted_by == ()


def test_reversal_is_a_contradiction_of_the_closure_plan(ds):
    pairs = [(c.first, c.second) for c in conflicts(ds) if c.kind == "plan contradicted"]
    assert any(a.date.text == "2025-09-15" and "ain-al-asad" in a.places and b.troops_min == 250
               for a, b in pairs)


def test_timeline_holds_the_moves(ds):
    moves = {(iv.movement_state.origin.id, iv.movement_state.destination.id)
             for iv in timeline(ds) if iv.layer == "movement"}
    assert ("ain-al-asad", "syria") in moves
    assert any(o in ("baghdad", "victory-base", "joc-baghdad") and d == "erbil" for o, d in moves)
    assert any(d == "kuwait" for _, d in moves)


def test_days_past_the_latest_source_are_counted(ds):
    snap = snapshot(ds, "2026-11-21")
    assert snap.latest_published == ds.latest_published
    assert snap.days_since_latest_source > 200


def test_contradiction_at_one_member_is_not_shown_at_another(ds):
    snap = snapshot(ds, "2026-02-15")
    assert snap.place("al-harir").contradicted_by == ()  # Ain al-Asad's handover is not al-Harir's
    group = snap.group(snap.place("al-harir").group)
    assert [p.id for p in group.current] == ["al-harir"]
    assert [p.id for p in group.superseded] == ["ain-al-asad"]
    assert group.contradicted_by  # the group's plan was contradicted at Ain al-Asad


def test_drawdown_followed_by_withdrawal_is_no_clash(tiny):
    ds = tiny(claim("p1", "alpha", "2025-09", status="drawing-down", basis="plan", precision="month"),
              claim("r1", "alpha", "2025-10-01", "0", "0", status="withdrawn", source="s3"))
    assert conflicts(ds) == []
