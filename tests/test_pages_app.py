"""The analysis pages under Streamlit's AppTest: each runs on the embedded dataset, answers
its controls, and shows the expected rows for the key cases."""
import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import analysis as A
from geo import charts as C

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["1_Timeline.py", "2_Sources.py", "3_Compare.py", "4_Data_quality.py"]
D = dt.date


def run(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(widget) -> AppTest:
    """Rerun after a widget change (``widget.set_value(...)``); the page must not fail."""
    at = widget.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def elements(at: AppTest, kind: str) -> list:
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == kind:
                found.append(child)
            walk(child)
    walk(at.main)
    return found


def chart_spec(at: AppTest) -> dict:
    """The chart's Vega-Lite specification, with the datasets Streamlit sent apart (as
    Arrow tables) put back under ``datasets``."""
    import pyarrow as pa

    (chart,) = elements(at, "vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    spec.setdefault("datasets", {})
    for named in chart.proto.datasets:
        spec["datasets"][named.name] = pa.ipc.open_stream(named.data.data).read_all().to_pylist()
    return spec


def row_titles(spec: dict) -> list[str]:
    return [row["title"]["text"] for row in spec["vconcat"]]


def table(at: AppTest, index: int):
    return at.dataframe[index].value


@pytest.fixture(scope="module")
def closure(ds, reversal):
    """The evacuation plan for Ain al-Asad that the October 2025 reversal contradicted."""
    from geo.posture import conflicts
    (c,) = [cf.first for cf in conflicts(ds) if cf.kind == "plan contradicted"
            and cf.second == reversal and "ain-al-asad" in cf.first.places]
    return c


@pytest.fixture(scope="module")
def reversal(ds):
    (c,) = [c for c in ds.claims if set(c.places) == {"ain-al-asad", "al-harir"} and c.troops_min == 250]
    return c


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_and_keeps_the_view_in_the_url(page, ds):
    at = run(page, date="2025-10-21")
    assert not at.error
    assert at.title[0].value
    assert at.query_params["date"] == ["2025-10-21"] or at.query_params["date"] == "2025-10-21"
    assert at.session_state["view_date"] == D(2025, 10, 21)
    assert at.session_state["view_known"] == ds.latest_published


@pytest.mark.parametrize("page", PAGES)
def test_bad_link_warns_and_the_page_still_opens(page):
    at = run(page, date="2025-13-45")
    assert any("date= in the link" in w.value.replace("\\", "") for w in at.warning)


@pytest.mark.parametrize("page", PAGES)
def test_nothing_known_yet(page):
    at = run(page, date="2024-10-01", known="2024-09-27")
    assert not at.error


def test_link_text_in_a_warning_is_inert():
    at = run("2_Sources.py", place="[x](javascript:alert(1))")
    (warning,) = at.warning
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in warning.value


@pytest.mark.parametrize("page", PAGES)
def test_broken_dataset_is_an_error_not_a_crash(page, data_copy, monkeypatch):
    (data_copy / "claims.csv").write_text("id,places\nx,y\n", encoding="utf-8")
    monkeypatch.setenv("POSTURE_ATLAS_DATA", str(data_copy))
    at = run(page)
    assert at.error and "could not be loaded" in at.error[0].value
    assert "claims.csv" in at.code[0].value


# -------------------------------------------------------------------- timeline

def test_timeline_draws_the_closure_plan_and_the_reversal(closure, reversal, ds):
    at = run("1_Timeline.py", date="2025-10-21")
    spec = chart_spec(at)
    titles = row_titles(spec)
    assert titles[:3] == ["Phases and milestones", "Ain al-Asad Air Base", "Ain al-Asad Air Base + Al-Harir Air Base"]
    values = C.chart_values(spec)
    # the evacuation plan is a marker where it fell due; the line is what was reported
    assert any(v.get("claim") == closure.id and v.get("date") == closure.date.start.isoformat() for v in values)
    assert not any(v.get("figure_claim") == closure.id for v in values)
    # the reversal's 250-350 is a plan for the two bases together
    assert any(v.get("claim") == reversal.id and v.get("figure") == "250–350" and v.get("date") == "2025-10-20"
               for v in values)
    assert {"date": "2025-10-21", "label": "chosen day: 21 Oct 2025"} in values
    intervals = table(at, 0)
    ain = intervals[intervals["series"] == "Ain al-Asad Air Base"]
    assert set(ain["basis"]) == {"report"}
    (row,) = ain[ain["period"].str.startswith("24 Aug 2025")].itertuples()
    assert (row.figure, row.map_link) == ("about 2,000", f"/?date=2025-08-24&place=ain-al-asad&known={ds.latest_published}")


def test_timeline_follows_the_chosen_day_and_the_controls():
    at = run("1_Timeline.py", date="2025-10-21")
    ok(at.date_input(key="view_date").set_value(D(2025, 9, 1)))
    assert {"date": "2025-09-01", "label": "chosen day: 1 Sep 2025"} in C.chart_values(chart_spec(at))
    assert at.query_params["date"] in ("2025-09-01", ["2025-09-01"])

    ok(at.radio(key="timeline_mode").set_value("Countries"))
    titles = row_titles(chart_spec(at))
    assert "Iraq: figures given for the country" in titles and "Ain al-Asad Air Base" not in titles

    ok(at.radio(key="timeline_mode").set_value("Places and groups"))
    series = at.multiselect[1]
    ok(series.set_value(["al-harir"]))
    assert row_titles(chart_spec(at)) == ["Phases and milestones", "Al-Harir Air Base",
                                          "Ain al-Asad Air Base + Al-Harir Air Base"]  # its group's plan
    assert set(table(at, 0)["series"]) == {"Al-Harir Air Base"}


def test_timeline_overlay_of_earlier_knowledge():
    at = run("1_Timeline.py", date="2025-10-21", place="iraq")
    ok(at.toggle(key="timeline_overlay").set_value(True))
    ok(at.select_slider(key="timeline_then").set_value(D(2025, 8, 19)))
    values = C.chart_values(chart_spec(at))
    earlier = [v for v in values if v.get("known") == "as known on 19 Aug 2025"]
    # known on 19 Aug 2025: Iraq's about 2,500 (ISW, 18 Aug) was the last word
    assert any(v.get("y") == 2500 for v in earlier)


def test_timeline_as_known_on_hides_later_sources(reversal):
    at = run("1_Timeline.py", date="2025-10-21", known="2025-08-19")
    values = C.chart_values(chart_spec(at))
    assert not any(v.get("claim") == reversal.id for v in values)
    assert "Ain al-Asad Air Base + Al-Harir Air Base" not in row_titles(chart_spec(at))


# --------------------------------------------------------------------- sources

def test_sources_show_the_reversal_contradicting_the_closure(closure, reversal, ds):
    at = run("2_Sources.py")
    sources, evidence = table(at, 0), table(at, 1)
    assert len(sources) == len(ds.sources)
    assert any(label.endswith("(inferred)") for label in sources["published_label"])
    row = evidence.set_index("item").loc[closure.id]
    assert f"plan contradicted by {reversal.id}" in row["contradictions"]
    assert row["map_link"] == (f"/?date={closure.date.start}&place={closure.places[0]}"
                               f"&known={ds.latest_published}")
    assert row["quote"] == closure.quote
    assert f"contradicts plan {closure.id}" in evidence.set_index("item").loc[reversal.id, "contradictions"]


def test_sources_filters_change_the_rows(reversal):
    at = run("2_Sources.py")
    everything = len(table(at, 1))
    ok(at.multiselect(key="sources_outlets").set_value(["Task & Purpose"]))
    only = table(at, 1)
    assert 0 < len(only) < everything and set(only["outlet"]) == {"Task & Purpose"}
    ok(at.multiselect(key="sources_outlets").set_value([]))
    ok(at.selectbox(key="view_place").set_value("baghdad"))
    assert table(at, 1)["places"].str.contains("Baghdad").all()
    assert at.query_params["place"] in ("baghdad", ["baghdad"])  # shared with the map
    ok(at.selectbox(key="view_place").set_value(""))
    ok(at.date_input(key="view_known").set_value(D(2025, 8, 19)))
    assert reversal.id not in set(table(at, 1)["item"])
    ok(at.date_input(key="view_known").set_value(D(2026, 2, 23)))
    ok(at.slider(key="sources_published").set_value((D(2025, 10, 1), D(2025, 10, 31))))
    assert {label.split(" (")[0][-8:] for label in table(at, 0)["published_label"]} == {"Oct 2025"}


def test_sources_item_detail_is_escaped_and_links_to_the_map(closure, reversal, ds):
    at = run("2_Sources.py")
    ok(at.selectbox(key="sources_item").set_value(closure.id))
    text = "\n".join(m.value for m in at.markdown)
    assert "> " + A.md_escape(closure.quote) in text
    assert f"plan contradicted by {reversal.id}" in text.replace("\\", "")
    assert f"(/?date=2025-10-20&place=ain-al-asad&known={ds.latest_published})" in text
    # under the app's navigation a page link to the Map page (this tab) with the claim's view
    [link] = [e for e in at.get("page_link") if "Open on the map" in e.proto.label]
    assert link.proto.page == "" and link.proto.page_script_hash   # the default page: the map at /
    assert f"date={closure.date.start}" in link.proto.query_string
    assert f"place={closure.places[0]}" in link.proto.query_string


# --------------------------------------------------------------------- compare

def test_compare_shows_the_ain_al_asad_change():
    at = run("3_Compare.py", date="2025-10-21", date_a="2025-08-20")
    rows = table(at, 0).set_index("name")
    ain = rows.loc["Ain al-Asad Air Base"]
    # August: a convoy leaving, no figure; October: AP's 250-350 kept there, reported
    assert ain["figure_a"] == "no figure" and ain["figure_b"].startswith("250–350")
    assert ain["basis_a"] == ain["basis_b"] == "report"
    assert "plan:" in ain["change"] and "Residual force" in ain["change"]
    assert rows.loc["Ain al-Asad Air Base + Al-Harir Air Base", "change"] == "new"
    moves = table(at, 1)
    assert ("Ain al-Asad Air Base", "Syria") in set(zip(moves["from_name"], moves["to_name"]))
    assert at.query_params["date_a"] in ("2025-08-20", ["2025-08-20"])
    assert len(elements(at, "image")) == 2


def test_compare_responds_to_its_controls():
    at = run("3_Compare.py", date="2025-10-21", date_a="2025-08-20")
    changed = set(table(at, 0)["name"])
    ok(at.toggle(key="cmp_only_changed").set_value(False))
    assert set(table(at, 0)["name"]) > changed
    ok(at.date_input(key="cmp_date_a").set_value(D(2025, 10, 20)))
    rows = table(at, 0).set_index("name")
    assert rows.loc["Ain al-Asad Air Base", "change"] == "no change"


def test_compare_keeps_its_change_over_a_stale_address():
    """A rerun carrying the address from before the last change (ui.state's stale
    address) leaves both sides as the user set them."""
    at = run("3_Compare.py", date="2025-10-21", date_a="2025-08-20")
    before = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    ok(at.date_input(key="cmp_date_a").set_value(D(2025, 10, 20)))
    ok(at.date_input(key="view_date").set_value(D(2025, 11, 1)))
    at.query_params.clear()
    at.query_params.update(before)
    at.run()
    assert not at.exception
    assert (at.session_state["cmp_date_a"], at.session_state["view_date"]) == (D(2025, 10, 20), D(2025, 11, 1))
    assert at.query_params["date_a"] in ("2025-10-20", ["2025-10-20"])


def test_compare_two_known_days_for_one_date():
    at = run("3_Compare.py", date="2025-09-20", known="2025-10-21", date_a="2025-09-20", known_a="2025-08-20")
    rows = table(at, 0)
    assert not rows.empty and rows["change"].ne("no change").all()
    assert any("as known on 20 Aug 2025" in m.value.replace("\\", "") for m in at.markdown)


def test_compare_downloads_carry_both_dates(monkeypatch):
    import streamlit.elements.widgets.button as button

    names = []
    original = button.ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        names.append((file_name, data))
        return original(self, label, data, file_name, *args, **kwargs)
    monkeypatch.setattr(button.ButtonMixin, "download_button", spy)
    run("3_Compare.py", date="2025-10-21", date_a="2025-08-20")
    files = dict(names)
    assert {"posture_2025-08-20_vs_2025-10-21.csv", "posture_2025-08-20_vs_2025-10-21.geojson"} <= set(files)
    fc = json.loads(files["posture_2025-08-20_vs_2025-10-21.geojson"])
    ain = next(f for f in fc["features"] if f["id"] == "ain-al-asad")
    assert ain["geometry"]["coordinates"] == [42.4411, 33.7856] and "plan:" in ain["properties"]["change"]
    assert files["posture_2025-08-20_vs_2025-10-21.csv"].decode().startswith("date_a,known_on_a,date_b,known_on_b")


# ---------------------------------------------------------------- data quality

def test_data_quality_lists_the_reversal_against_the_closure(closure, reversal, ds):
    at = run("4_Data_quality.py", date="2025-10-21")
    conflicts = table(at, 0)
    hit = conflicts[conflicts["first_text"].str.startswith(closure.id + " ")
                    & conflicts["second_text"].str.startswith(reversal.id + " ")]
    assert list(hit["kind"]) == ["plan contradicted"]
    assert hit.iloc[0]["first_link"] == (f"/?date={closure.date.start}&place={closure.places[0]}"
                                         f"&known={ds.latest_published}")
    assert at.info[0].value.startswith(f"Newest source known: {A.day_label(ds.latest_published)}")
    plans = table(at, 1).set_index("name")
    assert plans.loc["Iraq", "plan"] == "fewer than 2,000" and plans.loc["Iraq", "report"] == "more than 2,500"


def test_data_quality_controls_change_the_rows():
    at = run("4_Data_quality.py", date="2025-10-21")
    stale_90 = len(table(at, 3))
    ok(at.number_input(key="dq_max_age").set_value(0))
    assert len(table(at, 3)) > stale_90
    ok(at.multiselect(key="dq_kinds").set_value(["conflict"]))
    assert set(table(at, 0)["kind"]) == {"conflict"}
    ok(at.date_input(key="view_date").set_value(D(2026, 10, 1)))
    assert "months before 1 Oct 2026" in at.info[0].value


def test_data_quality_other_lists(ds):
    at = run("4_Data_quality.py", date="2025-10-21")
    imprecise, inferred, unchecked = table(at, 5), table(at, 6), table(at, 7)
    assert {"Iraq", "Kurdistan Region of Iraq"} <= set(imprecise["name"])
    assert all(label.endswith("(inferred)") for label in inferred["published_label"])
    assert set(unchecked["item"]) == {c.id for c in ds.claims if not c.quote_checked} | \
        {m.id for m in ds.movements if not m.quote_checked}


def test_no_legacy_pages_folder_beside_the_entry_script():
    """A ``pages/`` folder beside dashboard.py makes Streamlit run a legacy sidebar-menu app
    until a session first calls st.navigation (ui/nav.py): a link to /Timeline opened
    first after a start showed the sidebar and no top navigation."""
    from ui import nav

    assert not (ROOT / "pages").exists(), "rename pages/ (see ui/nav.py): the pages live in app_pages/"
    for path, _, _ in nav.PAGE_FILES:
        assert (ROOT / path).is_file(), path
