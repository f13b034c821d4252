"""geo.charts: the timeline chart specification is checked for the data it draws (the
values embedded in the Vega-Lite specification), not only for its existence."""
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from geo import analysis as A
from geo import charts as C
from geo import style
from geo.loader import load_dataset
from tests.conftest import claim

D = dt.date
DOMAIN = (D(2025, 7, 1), D(2026, 4, 1))


def rows(spec: dict) -> dict[str, list[dict]]:
    """Series title -> the layers of its row, each as {mark, encoding, values}."""
    out = {}
    for row in spec["vconcat"]:
        title = row["title"]["text"]
        layers = []
        for layer in row["layer"]:
            data = layer.get("data", {})
            values = data["values"] if "values" in data else spec["datasets"][data["name"]]
            layers.append({"mark": layer["mark"], "encoding": layer.get("encoding", {}), "values": values})
        out[title] = layers
    return out


@pytest.fixture(scope="session")
def vega_lite_schema():
    import altair

    path = Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def layer(layers, kind: str):
    """The one layer of a row drawing ``kind``: line, band, strip, open, plan, start, chosen."""
    def what(lyr):
        m, e = lyr["mark"], lyr["encoding"]
        y = e.get("y", {})
        if m["type"] == "rule" and y.get("field") == "y" and "x2" in e and m.get("color") != style.GROUP_COLOUR:
            return "line"
        if m["type"] == "rule" and y.get("field") == "y" and m.get("color") == style.GROUP_COLOUR:
            return "earlier"
        if m["type"] == "rect" and y.get("field") == "troops_min":
            return "band"
        if m["type"] == "rect" and "value" in y:
            return "strip"
        if m["type"] == "point" and e.get("shape", {}).get("field") == "marker":
            return "open"
        if m["type"] == "point" and m.get("shape") == C.PLAN_MARKER:
            return "plan"
        if m["type"] == "point":
            return "start"
        if m["type"] == "rule" and "x2" not in e and e.get("x", {}).get("field") == "date" and \
                m.get("strokeWidth") == 2:
            return "chosen"
        return "other"
    hits = [lyr for lyr in layers if what(lyr) == kind]
    assert len(hits) <= 1, f"{len(hits)} {kind} layers"
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def spec(ds):
    series = A.timeline_series(ds)
    keep = ["ain-al-asad", "group:ain-al-asad+al-harir", "group:ain-al-asad+al-harir+victory-base", "iraq",
            "jordan"]
    return C.timeline_chart(series[series["series_key"].isin(keep)], phases=A.phase_rows(ds, until=DOMAIN[1]),
                            milestones=A.milestone_rows(ds), plans=A.plan_rows(ds), selected=D(2025, 10, 21),
                            domain=DOMAIN, width=900)


def test_spec_is_valid_vega_lite(spec, vega_lite_schema, ds):
    jsonschema.validate(spec, vega_lite_schema)
    with_overlay = C.timeline_chart(A.country_series(ds), earlier=A.country_series(ds, known_on="2025-08-19"),
                                    plans=A.plan_rows(ds), selected=D(2026, 3, 1))
    jsonschema.validate(with_overlay, vega_lite_schema)
    json.dumps(spec, allow_nan=False)  # plain JSON: no NaN, no dates, no numpy


@pytest.fixture(scope="module")
def closure(ds):
    (c,) = [c for c in ds.claims if c.places == ("ain-al-asad",) and c.date.text == "2025-09-15"
            and c.basis == "plan"]
    return c


def test_rows_in_series_order_with_a_header(spec):
    titles = [row["title"]["text"] for row in spec["vconcat"]]
    assert titles == ["Phases and milestones", "Ain al-Asad Air Base", "Ain al-Asad Air Base + Al-Harir Air Base",
                      "Ain al-Asad Air Base + Al-Harir Air Base + Victory Base Complex / Baghdad International Airport",
                      "Iraq", "Jordan"]
    assert spec["vconcat"][2]["title"]["subtitle"] == "one figure for these places together, never split"


def test_closure_plan_is_a_dashed_zero_from_2025_09_15(spec, closure):
    ain = rows(spec)["Ain al-Asad Air Base"]
    lines = layer(ain, "line")
    (plan,) = [v for v in lines["values"] if v["figure_claim"] == closure.id]
    assert (plan["start"], plan["end"], plan["y"], plan["basis"]) == ("2025-09-15", "2025-10-20", 0, "plan")
    assert plan["figure_status"] == "withdrawn"
    dash = lines["encoding"]["strokeDash"]
    assert dash["field"] == "basis"
    assert dict(zip(dash["scale"]["domain"], dash["scale"]["range"])) == {"report": [1, 0], "plan": [6.0, 5.0]}
    # the place's row has no number while the group figure is in force: never split
    assert not [v for v in lines["values"] if "2025-10-20" <= v["start"] < "2026-01-05"]
    # ...but its status strip says what is said of it then (residual, part of the group)
    strip = layer(ain, "strip")
    (during,) = [v for v in strip["values"] if v["start"] == "2025-10-20"]
    assert (during["status"], during["shape"], during["status_basis"]) == ("residual", "in group", "plan")
    # the plan's own marker where it was set to take effect
    assert closure.id in {v["claim"] for v in layer(ain, "plan")["values"]}


def test_reversal_is_a_250_350_band_from_2025_10_20(spec):
    grp = rows(spec)["Ain al-Asad Air Base + Al-Harir Air Base"]
    band = layer(grp, "band")
    (b,) = band["values"]
    assert (b["start"], b["troops_min"], b["troops_max"], b["basis"], b["figure"]) == \
        ("2025-10-20", 250, 350, "plan", "250–350")
    assert b["end"] == DOMAIN[1].isoformat()  # clipped to the chosen period
    assert band["encoding"]["y"]["field"] == "troops_min" and band["encoding"]["y2"]["field"] == "troops_max"
    bounds = sorted((v["bound"], v["y"]) for v in layer(grp, "line")["values"])
    assert bounds == [("lower", 250), ("upper", 350)]  # both edges, no invented middle


def test_group_figure_keeps_its_qualifier(spec):
    grp = rows(spec)["Ain al-Asad Air Base + Al-Harir Air Base + Victory Base Complex / Baghdad International Airport"]
    (line,) = layer(grp, "line")["values"]
    assert (line["y"], line["figure"], line["basis"], line["start"]) == (2500, "about 2,500", "report", "2025-08-01")


def test_open_bounds_are_drawn_open(spec):
    iraq = rows(spec)["Iraq"]
    opened = {(v["figure"], v["marker"], v["value"]) for v in layer(iraq, "open")["values"]}
    assert ("fewer than 2,000", "triangle-down", 1999) in opened
    assert ("more than 2,500", "triangle-up", 2501) in opened
    assert layer(iraq, "band") is None  # no band from 0 to 1,999 for "fewer than 2,000"
    # a plan replaced the same day by a report still shows where it was set
    assert ("fewer than 2,000", "2025-09-30") in {(v["figure"], v["date"]) for v in layer(iraq, "plan")["values"]}


def test_row_without_figures_keeps_its_status_strip(spec):
    jordan = rows(spec)["Jordan"]
    assert layer(jordan, "line") is None
    assert {v["status"] for v in layer(jordan, "strip")["values"]} == {"destination"}


def test_chosen_day_phases_and_milestones(spec):
    every = rows(spec)
    for title, layers in every.items():
        if title != "Phases and milestones":
            assert layer(layers, "chosen")["values"][0]["date"] == "2025-10-21"
    header = every["Phases and milestones"]
    values = [v for lyr in header for v in lyr["values"]]
    assert {"Reversal: 250-350 stay", "Planned closure of Ain al-Asad"} <= {v.get("label") for v in values}
    phases = {v["name"]: (v["start"], v["end"]) for v in values if "name" in v and "phase" in v}
    assert phases["Phase 1"] == ("2025-07-01", "2025-10-01")  # clipped to the period shown
    assert "chosen day: 21 Oct 2025" in {v.get("label") for v in values}
    lanes = [v["lane"] for v in values if "lane" in v]
    assert lanes and max(lanes) >= 1  # close milestones do not share a line


def test_colours_come_from_geo_style(spec):
    line = layer(rows(spec)["Ain al-Asad Air Base"], "line")
    scale = line["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"]))
    for status, colour in style.STATUS_COLOURS.items():
        assert colours[status] == colour
    assert line["encoding"]["color"]["legend"]["values"] == list(style.STATUS_COLOURS)


def test_earlier_knowledge_overlay(ds, closure):
    series = A.timeline_series(ds)
    then = A.timeline_series(ds, known_on="2025-08-19")
    part = series[series["series_key"] == "ain-al-asad"]
    spec = C.timeline_chart(part, earlier=then, earlier_label="as known on 19 Aug 2025", domain=DOMAIN)
    (ain,) = [v for k, v in rows(spec).items() if k == "Ain al-Asad Air Base"]
    earlier = layer(ain, "earlier")["values"]
    last = [v for v in earlier if v["figure_claim"] == closure.id]
    # known on 19 Aug 2025 the closure plan was expected to hold on: to the end of the period
    assert last and last[-1]["end"] == DOMAIN[1].isoformat() and last[-1]["y"] == 0
    assert {v["known"] for v in earlier} == {"as known on 19 Aug 2025"}


def test_empty_and_tiny_series(make_data):
    ds = load_dataset(make_data(claims=[claim("c1", "alpha", "2025-07-01", "10", "10")]))
    empty = A.timeline_series(ds).iloc[0:0]
    spec = C.timeline_chart(empty, domain=(D(2025, 7, 1), D(2025, 8, 1)))
    assert [r["title"]["text"] for r in spec["vconcat"]] == ["Phases and milestones"]
    spec = C.timeline_chart(A.timeline_series(ds))
    assert {v["y"] for v in layer(rows(spec)["Alpha Base"], "line")["values"]} == {10}


def test_chart_values_finds_inline_and_consolidated_data(spec):
    values = C.chart_values(spec)
    assert any(v.get("figure") == "250–350" for v in values)
    assert C.chart_values({"datasets": {"a": [{"x": 1}]}, "data": {"name": "a"}}) == [{"x": 1}]


def _y_domains(spec: dict) -> list:
    out = []
    for row in spec["vconcat"][1:]:
        for layer in row.get("layer", []):
            y = layer.get("encoding", {}).get("y", {})
            if y.get("type") == "quantitative" and "domain" in y.get("scale", {}):
                out.append(tuple(y["scale"]["domain"]))
                break
    return out


def test_rows_share_one_y_scale_by_default_and_can_have_their_own():
    import datetime as dt

    import pandas as pd

    from geo import charts

    def seg(key, value, figure):
        return {"series_key": key, "series": key, "start": dt.date(2025, 1, 1), "end": dt.date(2025, 2, 1),
                "start_label": "1 Jan 2025", "end_label": "31 Jan 2025", "shape": "point", "troops_min": value,
                "troops_max": value, "value": value, "figure": figure, "qualifier": "", "basis": "report",
                "figure_status": "present", "status": "present", "status_label": "Present",
                "status_basis": "report", "group": "", "order": 0.0, "layer": "place", "country": "IRQ"}
    series = pd.DataFrame([seg("big", 2500, "about 2,500"), seg("small", 5, "4-5")])
    shared = _y_domains(charts.timeline_chart(series))
    assert len(shared) == 2 and shared[0] == shared[1]            # 4-5 looks small beside 2,500
    own = _y_domains(charts.timeline_chart(series, y_scale="own"))
    assert own[0] != own[1]
    texts = [v.get("text") for v in charts.chart_values(charts.timeline_chart(series)) if "text" in v]
    assert "about 2,500" in texts and "4-5" in texts              # each figure annotated on its line
    with pytest.raises(ValueError, match="y_scale"):
        charts.timeline_chart(series, y_scale="log")
