"""Posture semantics on small synthetic datasets, then the embedded dataset's key days."""
import datetime as dt

import pytest

from geo.loader import load_dataset
from geo.posture import PlanStatus, change_dates, conflicts, plan_settlements, snapshot, timeline
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


def test_plan_never_replaces_the_last_report(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"),
              claim("p1", "alpha", "2025-09-15", "0", "0", status="withdrawn", basis="plan", source="s1"))
    # s1 is published on 1 Aug: before that the plan is not announced
    assert snapshot(ds, "2025-07-20").place("alpha").plan is None
    before = snapshot(ds, "2025-08-05").place("alpha")
    assert (before.report.id, before.plan.claim.id, before.plan.state) == ("r1", "p1", PlanStatus.PENDING)
    after = snapshot(ds, "2025-09-20").place("alpha")
    assert (after.report.id, after.basis, after.troops_min, after.figure_age_days) == ("r1", "report", 100, 81)
    assert after.plan.claim.id == "p1" and after.plan.state is PlanStatus.OVERDUE
    assert after.plan.due_end == D(2025, 9, 15)


def _closure(**kw):
    return claim("p1", "alpha", "2025-09-15", "0", "0", status="withdrawn", basis="plan", source="s1", **kw)


def test_plan_confirmed_by_a_later_report_and_late_in_hindsight(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"), _closure(),
              claim("r2", "alpha", "2025-09-25", "0", "0", status="withdrawn", source="s3"))
    ps = snapshot(ds, "2025-09-26").place("alpha")
    assert (ps.report.id, ps.plan.state, ps.plan.settled_by.id) == ("r2", PlanStatus.CONFIRMED, "r2")
    # on a day before it was carried out, the map says overdue; hindsight says when it happened
    early = snapshot(ds, "2025-09-20").place("alpha").plan
    assert early.state is PlanStatus.OVERDUE
    assert early.hindsight_text(ds.sources) == "carried out 25 Sep 2025, 10 days late (Outlet Three)"
    # ... but not as known before the report was published
    assert snapshot(ds, "2025-09-20", known_on="2025-09-21").place("alpha").plan.hindsight is None


def test_plan_reversed_by_a_later_announcement(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"), _closure(),
              claim("p2", "alpha", "2025-12", "250", "350", status="residual", basis="plan",
                    source="s2", precision="month"))
    on_the_day = snapshot(ds, "2025-08-15").place("alpha").plan
    assert on_the_day.claim.id == "p1" and on_the_day.state is PlanStatus.PENDING
    assert on_the_day.hindsight_text(ds.sources) == "reversed 1 Sep 2025 (Outlet Two)"
    later = snapshot(ds, "2025-09-02").place("alpha")
    assert later.plan.claim.id == "p2" and later.plan.state is PlanStatus.PENDING
    assert later.report.id == "r1"  # the report still leads
    (c,) = [c for c in conflicts(ds) if c.kind == "plan contradicted"]
    assert (c.first.id, c.second.id) == ("p1", "p2")


def test_plan_superseded_by_a_newer_compatible_plan(tiny):
    ds = tiny(_closure(), claim("p3", "alpha", "2025-10-15", "0", "0", status="withdrawn",
                                basis="plan", source="s2"))
    (settled,) = [s for s in plan_settlements(ds) if s[0].id == "p1"]
    assert settled[2] is PlanStatus.SUPERSEDED and settled[3].id == "p3"
    ps = snapshot(ds, "2025-09-20").place("alpha")
    assert (ps.report, ps.plan.claim.id, ps.basis) == (None, "p3", "plan")
    assert ps.figure_text() == "no report yet"  # a place with plans only shows the plan as a plan


def test_month_deadline_is_due_at_the_end_of_the_month(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"),
              claim("p1", "alpha", "2025-09", "0", "0", status="withdrawn", basis="plan", precision="month"))
    assert snapshot(ds, "2025-09-01").place("alpha").plan.state is PlanStatus.PENDING
    assert snapshot(ds, "2025-09-30").place("alpha").plan.state is PlanStatus.PENDING
    assert snapshot(ds, "2025-10-01").place("alpha").plan.state is PlanStatus.OVERDUE
    # the month deadline never makes the plan take effect on the 1st
    assert snapshot(ds, "2025-09-02").place("alpha").troops_min == 100


def test_known_on_replays_what_was_known(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"), _closure(),
              claim("p2", "alpha", "2025-09-20", "250", "350", status="residual", basis="plan", source="s3"))
    then = snapshot(ds, "2025-10-05", known_on="2025-08-15").place("alpha")
    assert then.plan.claim.id == "p1" and then.plan.state is PlanStatus.OVERDUE
    assert then.plan.hindsight is None and then.contradicted_by == ()
    now = snapshot(ds, "2025-10-05").place("alpha")
    assert now.plan.claim.id == "p2"
    assert [c.kind for c in conflicts(ds)] == ["plan contradicted"]
    assert conflicts(ds, known_on="2025-08-15") == []


def test_projection_replays_what_the_plans_said(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "100", "100"), _closure(),
              claim("p2", "alpha", "2025-09-20", "250", "350", status="residual", basis="plan", source="s3"))
    then = snapshot(ds, "2025-10-05", known_on="2025-08-15", as_planned=True)
    assert then.as_planned and then.place("alpha").projection.id == "p1"
    assert snapshot(ds, "2025-09-10", known_on="2025-08-15", as_planned=True).place("alpha").projection is None
    assert snapshot(ds, "2025-10-05", as_planned=True).place("alpha").projection.id == "p2"
    # projection never touches the reported state
    assert then.place("alpha").report.id == "r1"


def test_restated_figure_supports_but_never_refreshes(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", "2500", "2500", qualifier="about"),
              claim("r2", "alpha", "2025-08-25", "2500", "2500", qualifier="about", source="s2",
                    restated="yes"))
    ps = snapshot(ds, "2025-08-30").place("alpha")
    assert (ps.report.id, ps.figure_claim.id, ps.figure_age_days) == ("r1", "r1", 60)
    assert [c.id for c in ps.restated_by] == ["r2"]
    assert [s.id for s in ps.figure_sources] == ["s1", "s2"]
    assert change_dates(ds) == [D(2025, 7, 1), D(2025, 8, 25)]


def test_restated_figure_never_replaces_a_newer_one(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-10", "2000", "2000"),
              claim("r2", "alpha", "2025-08-20", "2500", "2500", qualifier="about", source="s2",
                    restated="yes"))
    ps = snapshot(ds, "2025-08-30").place("alpha")
    assert (ps.figure_claim.id, ps.troops_min, ps.restated_by) == ("r1", 2000, ())


def test_restated_figure_stands_only_where_nothing_else_was_reported(tiny):
    ds = tiny(claim("r2", "alpha", "2025-07-20", "2500", "2500", qualifier="about", restated="yes"))
    ps = snapshot(ds, "2025-07-30").place("alpha")
    assert ps.figure_claim.id == "r2" and ps.figure_restated and ps.troops_min == 2500


def test_coalition_and_us_figures_never_conflict(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07", "2500", "2500", qualifier="about", precision="month"),
              claim("c2", "alpha", "2025-07-15", "1500", "1500", qualifier="nearly", source="s2",
                    force="coalition"),
              claim("c3", "alpha", "2025-07-20", "0", "999", qualifier="fewer than", source="s2"))
    pairs = {frozenset((c.first.id, c.second.id)) for c in conflicts(ds)}
    assert pairs == {frozenset(("c1", "c3"))}
    assert snapshot(ds, "2025-07-16").place("alpha").force == "coalition"


def test_area_total_keeps_its_scope(make_data):
    from tests.conftest import AREA_PLACES
    ds = load_dataset(make_data(places=AREA_PLACES, claims=[
        claim("a", "land", "2025-07-01", "2500", "2500", qualifier="about"),
        claim("b", "alpha", "2025-07-01", "2000", "2000")]))
    snap = snapshot(ds, "2025-07-02")
    assert snap.place("land").scope == "area" and snap.place("alpha").scope == "site"
    assert ds.places["alpha"].within == "land" and ds.places["land"].has_children


def test_phase_hidden_by_known_on(make_data):
    ds = load_dataset(make_data(
        claims=[claim("c1", "alpha", "2025-07-01", "100", "100")],
        phases=[dict(id="ph", name="Phase X", start="2025-06-01", end="2025-12-31",
                     description="d", source="s3")]))
    assert snapshot(ds, "2025-07-02").phase.name == "Phase X"
    assert snapshot(ds, "2025-07-02", known_on="2025-08-15").phase is None
    assert D(2025, 6, 1) not in change_dates(ds, known_on="2025-08-15")


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

def test_2025_08_20_iraq_total_with_presence_at_the_three_bases(ds):
    """ISW: 'around 2,500 ... present in Iraq ... primarily stationed at three bases' is a
    figure for Iraq, with presence at the bases: never a 2,500 drawn beside the bases."""
    snap = snapshot(ds, "2025-08-20")
    iraq = snap.place("iraq")
    assert (iraq.scope, iraq.troops_min, iraq.qualifier) == ("area", 2500, "about")
    for pid in ("ain-al-asad", "al-harir", "victory-base"):
        ps = snap.place(pid)
        assert ps.scope == "site" and ps.troops_min is None and ps.group is None, pid
    assert snap.groups == ()


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


def test_drawdown_followed_by_withdrawal_is_no_clash(tiny):
    ds = tiny(claim("p1", "alpha", "2025-09", status="drawing-down", basis="plan", precision="month"),
              claim("r1", "alpha", "2025-10-01", "0", "0", status="withdrawn", source="s3"))
    assert conflicts(ds) == []


def test_timeline_agrees_with_the_snapshot_on_every_day(ds):
    """The timeline is built per place from its own change days; the snapshot by
    bisection. Both must say the same on every day of every interval's start."""
    from geo.posture import _signature
    for iv in timeline(ds):
        if iv.layer != "place":
            continue
        for day in {iv.start, iv.end - dt.timedelta(days=1)}:
            ps = snapshot(ds, day).place(iv.key)
            assert _signature(ps) == _signature(iv.place_state), (iv.key, day)


def test_a_plan_with_no_deadline_is_never_overdue(tiny):
    # dated to its own announcement ("250-350 would stay"): no deadline of its own
    ds = tiny(claim("r1", "alpha", "2025-07-01", "2500", "2500"),
              claim("p1", "alpha", "2025-08-01", "250", "350", status="residual", basis="plan"))
    plan = snapshot(ds, "2025-12-01").place("alpha").plan
    assert plan.state is PlanStatus.PENDING and not plan.has_deadline


def test_a_restated_plan_never_becomes_the_plan_in_force(tiny):
    ds = tiny(claim("p1", "alpha", "2025-12", "0", "1999", qualifier="fewer than", status="drawing-down",
                    basis="plan", precision="month"),
              claim("p2", "alpha", "2026-09", "0", "0", status="withdrawn", basis="plan", source="s2",
                    precision="month", restated="yes"))
    assert snapshot(ds, "2025-09-05").place("alpha").plan.claim.id == "p1"


def test_a_destination_plan_is_not_borne_out_by_a_later_head_count(tiny):
    ds = tiny(claim("p1", "charlie", "2025-09", status="destination", basis="plan", precision="month"),
              claim("r1", "charlie", "2025-09-20", "1000", "1000", source="s3"))
    assert snapshot(ds, "2025-09-25").place("charlie").plan.state is PlanStatus.PENDING


def test_presence_after_a_withdrawal_leaves_no_figure(tiny):
    ds = tiny(claim("r1", "alpha", "2025-07-01", status="withdrawn"),
              claim("r2", "alpha", "2025-07-20", status="present", source="s2"))
    ps = snapshot(ds, "2025-07-25").place("alpha")
    assert ps.report.id == "r2" and ps.figure_claim is None and ps.figure_text() == "no figure"


def test_coalition_gone_against_us_present_is_a_conflict(tiny):
    ds = tiny(claim("c1", "alpha", "2025-07-10", status="withdrawn", force="coalition"),
              claim("c2", "alpha", "2025-07-10", status="present", source="s2"))
    assert [c.kind for c in conflicts(ds)] == ["conflict"]
    # the other way round is no clash: partners may stay where US troops left
    ds = tiny(claim("c1", "alpha", "2025-07-10", status="present", force="coalition"),
              claim("c2", "alpha", "2025-07-10", status="withdrawn", source="s2"))
    assert conflicts(ds) == []


def test_a_plan_for_a_later_period_supersedes_rather_than_reverses(tiny):
    ds = tiny(claim("p1", "charlie", "2025-09", status="destination", basis="plan", precision="month"),
              claim("p2", "charlie", "2026-03", "0", "0", status="withdrawn", basis="plan", source="s3",
                    precision="month"))
    (settled,) = [s for s in plan_settlements(ds) if s[0].id == "p1"]
    assert settled[2] is PlanStatus.SUPERSEDED
