"""dashboard.py under Streamlit's AppTest: widgets and the URL drive the map.

The map is a streamlit-folium component; AppTest keeps its arguments as JSON in the
element's proto (``json_args``), so the layers handed to the browser can be read back.
The page also records what it gave the map in ``st.session_state["_map_view"]``.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PLACES, SOURCES, claim

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
D = dt.date


def start(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def map_args(at: AppTest) -> dict:
    [component] = [c for c in at.get("component_instance") if "st_folium" in c.proto.component_name]
    return json.loads(component.proto.json_args)


def map_id(at: AppTest) -> str:
    [component] = [c for c in at.get("component_instance") if "st_folium" in c.proto.component_name]
    return component.proto.id


def texts(at: AppTest) -> str:
    """Every text on the page: Markdown, captions, and the HTML the page writes as is
    (the milestone strip and the place panel, st.html)."""
    return "\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption),
                      *(h.value for h in at.html)])


@pytest.fixture
def oct21():
    return start(date="2025-10-21")


def test_opens_without_error_on_the_latest_source(ds):
    at = start()
    assert not at.exception
    view = at.session_state["_map_view"]
    assert view["on"] == ds.latest_published.isoformat() == view["known_on"]
    assert at.query_params["date"] == ds.latest_published.isoformat()


def test_query_params_drive_the_snapshot(oct21):
    at = oct21
    assert not at.exception
    assert at.session_state["_map_view"]["on"] == "2025-10-21"
    args = map_args(at)
    assert "21 Oct 2025" in args["feature_group"]
    assert "250–350" in args["feature_group"] or "250\\u2013350" in args["feature_group"]
    assert args["returned_objects"] == ["last_object_clicked_tooltip", "last_object_clicked_count", "center", "zoom"]


def test_known_on_replays_what_was_known():
    at = start(date="2025-10-21", known="2025-08-19")
    view = at.session_state["_map_view"]
    assert (view["on"], view["known_on"]) == ("2025-10-21", "2025-08-19")
    fg = map_args(at)["feature_group"]
    assert "as known on 19 Aug 2025" in fg
    assert "Task \\u0026 Purpose" not in fg and "Task & Purpose" not in fg  # published 20 Oct


def test_slider_changes_the_layers_but_not_the_base_map(oct21):
    at = oct21
    before_id, before = map_id(at), map_args(at)
    at.slider(key="view_date").set_value(D(2025, 8, 20)).run()
    assert not at.exception
    after = map_args(at)
    assert at.session_state["_map_view"]["on"] == "2025-08-20"
    assert "20 Aug 2025" in after["feature_group"] and "21 Oct 2025" not in after["feature_group"]
    assert after["script"] == before["script"], "the base map must not change between dates"
    assert map_id(at) == before_id, "same component instance: the map is updated, not reloaded"
    assert at.query_params["date"] == "2025-08-20"


def test_next_and_previous_change(ds):
    from geo.posture import change_dates

    at = start(date="2025-08-20")
    days = change_dates(ds)
    nxt = min(d for d in days if d > D(2025, 8, 20))
    at.button[1].click().run()  # Next change
    assert at.session_state["view_date"] == nxt
    at.button[0].click().run()  # Previous change
    assert at.session_state["view_date"] == max(d for d in days if d < nxt)


def test_jump_to_milestone(ds):
    from geo.mapview import milestones

    at = start(date="2025-08-20")
    reversal = next(m for m in milestones(ds) if "Reversal" in m.label)
    at.selectbox(key="_jump").set_value(reversal).run()
    assert not at.exception
    assert at.session_state["view_date"] == reversal.day == D(2025, 10, 20)
    assert at.selectbox(key="_jump").value is None  # ready for the next jump


def test_controls_round_trip_through_the_url():
    at = start(date="2025-10-21")
    at.toggle(key="view_plans").set_value(False).run()
    at.toggle(key="view_labels").set_value(False).run()
    at.text_input(key="view_marking").input("UNCLASSIFIED // OPEN SOURCE").run()
    at.selectbox(key="view_place").set_value("ain-al-asad").run()
    at.date_input(key="view_known").set_value(D(2025, 9, 1)).run()
    assert not at.exception
    params = dict(at.query_params)
    assert params == {"date": "2025-10-21", "known": "2025-09-01", "place": "ain-al-asad", "plans": "0",
                      "labels": "0", "brief": "0", "marking": "UNCLASSIFIED // OPEN SOURCE", "as_planned": "0"}
    view = at.session_state["_map_view"]
    assert (view["plans"], view["labels"], view["selected"]) == (False, False, "ain-al-asad")
    # opening the copied link reproduces the view
    again = start(**params)
    assert again.session_state["_map_view"] == view
    assert again.toggle(key="view_plans").value is False
    assert again.text_input(key="view_marking").value == "UNCLASSIFIED // OPEN SOURCE"


def test_slide_title_from_the_app_reaches_the_map_and_the_link():
    at = start(date="2025-10-21")
    at.text_input(key="view_title").input("Drawdown <week 3>").run()
    assert not at.exception
    assert at.query_params["title"] == "Drawdown <week 3>"
    fg = map_args(at)["feature_group"]
    assert "Drawdown \\u0026lt;week 3\\u0026gt;" in fg        # escaped into the title box
    again = start(date="2025-10-21", title="From a link")
    assert "From a link" in map_args(again)["feature_group"]
    assert again.session_state["_map_view"]["title"] == "From a link"


def test_map_extent_from_the_link_opens_the_same_view():
    at = start(date="2025-10-21", view="36.1900,44.0100,8.5")
    assert not at.exception
    script = map_args(at)["script"]
    assert "map.setView([36.19,44.01], 8.5, {animate: false});" in script
    assert "map.fitBounds(" not in script
    assert at.query_params["view"] == "36.1900,44.0100,8.5"
    # without view= the map fits every place the posture names
    assert "map.fitBounds(" in map_args(start(date="2025-10-21"))["script"]


@pytest.mark.parametrize("view", ["1,2", "91,40,6", "33,44,40", "a,b,c"])
def test_bad_map_extent_in_the_link_warns_and_fits_the_default(view):
    at = start(date="2025-10-21", view=view)
    assert not at.exception
    assert any("view=" in w.value.replace("\\", "") for w in at.warning)
    assert "view" not in at.query_params


def test_as_planned_link_draws_the_projection_framed_and_labelled():
    at = start(date="2025-10-21", known="2025-08-19", as_planned="1")
    assert not at.exception
    assert at.session_state["_map_view"]["as_planned"] is True
    fg = map_args(at)["feature_group"]
    assert "PROJECTION" in fg and "pa-projection-frame" in fg and "as planned: closure by" in fg
    assert "PROJECTION" not in map_args(start(date="2025-10-21"))["feature_group"]


def test_hidden_plans_draw_reports_only():
    at = start(date="2025-10-21", plans="0")
    fg = map_args(at)["feature_group"]
    assert "(plan)" not in fg and "plans hidden" in fg


def test_place_from_the_link_opens_its_claim_history():
    at = start(date="2025-10-21", place="ain-al-asad")
    body = texts(at)
    assert "Claim history" in body and "Ain al-Asad Air Base" in body and "MGRS" in body
    assert "▶ in force" in body


@pytest.mark.parametrize("params, words", [
    ({"date": "garbage"}, "date="),
    ({"date": "2031-01-01"}, "after"),
    ({"known": "2025-13-40"}, "known="),
    ({"place": "atlantis"}, "atlantis"),
    ({"plans": "maybe"}, "plans="),
])
def test_bad_link_warns_and_the_app_still_runs(params, words):
    at = start(**params)
    assert not at.exception
    # the warning is markdown-escaped (it quotes the link): read it as displayed
    shown = [w.value.replace("\\", "").replace("\u200b", "") for w in at.warning]
    assert any(words in text for text in shown), shown
    assert map_args(at)["feature_group"]  # the map is still drawn


def test_link_warnings_survive_the_rerun_until_the_view_changes():
    at = start(date="garbage")
    at.run()  # streamlit-folium's mount triggers a rerun like this one
    assert any("is not a day date" in w.value.replace("\\", "") for w in at.warning)
    at.session_state["view_plans"] = not at.session_state["view_plans"]
    at.run()
    assert not any("is not a day date" in w.value.replace("\\", "") for w in at.warning)


def test_date_past_the_data_says_how_old_it_is():
    at = start(date="2026-11-01")
    assert any("No source published after 28 Feb 2026" in w.value for w in at.warning)
    assert "No source published after 28 Feb 2026" in map_args(at)["feature_group"]


def test_briefing_view_hides_the_chrome():
    at = start(date="2025-10-21", brief="1", marking="SECRET//<b>x</b>")
    assert not at.exception
    css = "\n".join(m.value for m in at.markdown)
    assert 'data-testid="stSidebar"' in css and "aspect-ratio: 16 / 9" in css
    fg = map_args(at)["feature_group"]
    assert "SECRET//\\u0026lt;b\\u0026gt;x" in fg  # escaped into the frame, top and bottom
    assert "<b>x</b>" not in fg


def test_hostile_dataset_is_escaped(make_data, monkeypatch):
    places = [dict(PLACES[0], name="<script>alert(1)</script>")] + PLACES[1:]
    folder = make_data(claims=[claim("c1", "alpha", "2025-08-01", "100", "100", quote="`${alert(2)}`")],
                       places=places, sources=SOURCES)
    monkeypatch.setenv("POSTURE_ATLAS_DATA", str(folder))
    at = start(date="2025-08-02", place="alpha")
    assert not at.exception
    body = texts(at)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "${alert" not in body
    fg = map_args(at)["feature_group"]
    assert "<script>" not in fg and "${alert" not in fg


def test_one_force_in_the_link_filters_the_map_and_a_bad_one_warns():
    at = start(date="2025-11-27", force="coalition")
    assert not at.exception and at.session_state["view_force"] == "coalition"
    fg = map_args(at)["feature_group"]
    assert "nearly 1,500" in fg            # the coalition figure for the Kurdistan Region
    assert "more than 2,500" not in fg     # Iraq's US figure is not this force's
    assert "more than 2,500" in map_args(start(date="2025-11-27"))["feature_group"]
    bad = start(date="2025-11-27", force="UN")
    assert not bad.exception and bad.session_state["view_force"] == ""
    assert any("force=" in w.value.replace("\\", "") for w in bad.warning)


def _address(at: AppTest) -> dict:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}


def _send_address(at: AppTest, address: dict) -> None:
    at.query_params.clear()
    at.query_params.update(address)


def test_a_stale_address_does_not_undo_the_last_change():
    """A rerun that left the browser before the last run's address arrived (the map
    reporting its extent) carries the address from before the change; the change stands."""
    at = start(date="2025-10-21")
    before = _address(at)
    at.slider(key="view_date").set_value(D(2025, 8, 20)).run()
    assert _address(at)["date"] == "2025-08-20"
    _send_address(at, before)  # what the browser still shows while the new address is on its way
    at.run()
    assert not at.exception and not at.warning
    assert at.session_state["view_date"] == D(2025, 8, 20)
    assert at.session_state["_map_view"]["on"] == "2025-08-20"
    assert _address(at)["date"] == "2025-08-20", "the session's view is written back over the stale address"


def test_a_new_address_on_the_same_page_is_still_applied():
    at = start(date="2025-10-21")
    at.slider(key="view_date").set_value(D(2025, 8, 20)).run()
    _send_address(at, {**_address(at), "date": "2025-09-01", "place": "erbil"})
    at.run()
    assert not at.exception
    assert (at.session_state["view_date"], at.session_state["view_place"]) == (D(2025, 9, 1), "erbil")


def test_an_address_held_before_is_applied_when_it_opens_another_page():
    """A link to another page (the top navigation, or Sources' "Open on the map" back to
    the map) may carry a view the session once showed: that is the user's choice."""
    at = start(date="2025-10-21")
    before = _address(at)
    at.slider(key="view_date").set_value(D(2025, 8, 20)).run()
    at.switch_page("app_pages/2_Sources.py")
    _send_address(at, before)
    at.run()
    assert not at.exception
    assert at.session_state["view_date"] == D(2025, 10, 21)
    assert _address(at)["date"] == "2025-10-21"
