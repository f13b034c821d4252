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
    keep = ["ain-al-asad", "iraq", "jordan"]
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
    # the plan for Ain al-Asad and al-Harir together has its own row, after its first place
    assert titles == ["Phases and milestones", "Ain al-Asad Air Base", "Ain al-Asad Air Base + Al-Harir Air Base",
                      "Iraq", "Jordan"]
    assert spec["vconcat"][2]["title"]["subtitle"] == "planned for these places together, never reported: plans only"


def test_reports_draw_the_line_and_plans_are_markers_beside_it(spec, ds):
    ain = rows(spec)["Ain al-Asad Air Base"]
    lines = layer(ain, "line")
    assert {v["basis"] for v in lines["values"]} == {"report"}  # a plan never becomes the line
    # (a line may be cut where the plan beside it changes; the first piece starts it)
    about_2000 = min((v for v in lines["values"] if v["y"] == 2000), key=lambda v: v["start"])
    assert about_2000["start"] == "2025-08-24" and about_2000["figure"] == "about 2,000"
    # the evacuation plans are diamonds where they fell due, beside the reported line
    planned = {(v["claim"], v["date"]) for v in layer(ain, "plan")["values"]}
    closure = next(c for c in ds.claims if c.places == ("ain-al-asad",) and c.date.text == "2025-09-15"
                   and c.basis == "plan" and c.troops_max == 0)
    assert (closure.id, "2025-09-15") in planned


def test_250_350_is_a_reported_band_at_ain_al_asad_and_a_plan_for_the_two_bases(spec):
    ain = rows(spec)["Ain al-Asad Air Base"]
    b = min((v for v in layer(ain, "band")["values"] if v["troops_min"] == 250), key=lambda v: v["start"])
    assert (b["start"], b["troops_max"], b["basis"], b["figure"]) == ("2025-10-20", 350, "report", "250–350")
    assert layer(ain, "band")["encoding"]["y"]["field"] == "troops_min"
    grp = rows(spec)["Ain al-Asad Air Base + Al-Harir Air Base"]
    (p,) = layer(grp, "plan")["values"]
    assert (p["date"], p["figure"]) == ("2025-10-20", "250–350")
    assert layer(grp, "line") is None  # never reported for the two together: no line


def test_area_total_keeps_its_qualifier(spec):
    iraq = rows(spec)["Iraq"]
    line = min((v for v in layer(iraq, "line")["values"] if v["y"] == 2500), key=lambda v: v["start"])
    assert (line["figure"], line["basis"], line["start"]) == ("about 2,500", "report", "2025-08-18")


def test_open_bounds_are_drawn_open(spec):
    iraq = rows(spec)["Iraq"]
    opened = {(v["figure"], v["marker"], v["value"]) for v in layer(iraq, "open")["values"]}
    assert ("more than 2,500", "triangle-up", 2501) in opened
    assert layer(iraq, "band") is None  # an open bound is never a band
    # the plan of fewer than 2,000 is a marker where it was set, never the line
    assert ("fewer than 2,000", "2025-09-30") in {(v["figure"], v["date"]) for v in layer(iraq, "plan")["values"]}
    assert not [v for v in layer(iraq, "line")["values"] if v["figure"] == "fewer than 2,000"]


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


def _overlaps(boxes):
    return [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
            if min(p[2], q[2]) - max(p[0], q[0]) > 0 and min(p[3], q[3]) - max(p[1], q[1]) > 0]


@pytest.mark.parametrize("width", [700, 1000, 1600])
@pytest.mark.parametrize("period", ["page default", "milestones only", "whole dataset"])
def test_milestone_labels_never_overlap(ds, width, period):
    """The label boxes (dot and text, from the same width estimate the layout uses) of
    every milestone of the embedded data: none overlaps another or leaves the chart, at
    each width the chart may be drawn at (it follows its container)."""
    milestones = A.milestone_rows(ds)
    first, last = min(milestones["date"]), max(milestones["date"])
    domain = {"page default": (D(2024, 12, 11), D(2027, 1, 2)),  # the Timeline page's default period
              "milestones only": (first, last + dt.timedelta(days=1)),
              "whole dataset": (D(2024, 1, 1), D(2027, 1, 2))}[period]
    spec = C.timeline_chart(A.timeline_series(ds), phases=A.phase_rows(ds, until=domain[1]), milestones=milestones,
                            plans=A.plan_rows(ds), selected=D(2025, 10, 21), domain=domain, width="container")
    boxes = C.milestone_label_boxes(spec, width)
    assert len(boxes) == sum(domain[0] <= d < domain[1] for d in milestones["date"])
    assert _overlaps(boxes) == []
    assert [label for label, b in boxes if b[0] < 0 or b[2] > width] == []
    # the lanes fit the header: below the phase names, above the chosen day's label
    height = spec["vconcat"][0]["height"]
    assert all(C.HEADER_TOP_PX <= b[1] and b[3] <= height - C.HEADER_BOTTOM_PX for _, b in boxes)


def test_overlap_check_sees_labels_on_one_lane(ds):
    """The check above can fail: the same milestones forced onto one lane overlap."""
    spec = C.timeline_chart(A.timeline_series(ds), milestones=A.milestone_rows(ds),
                            domain=(D(2024, 12, 11), D(2027, 1, 2)), width="container")
    header = spec["vconcat"][0]
    for lyr in header["layer"]:
        if lyr.get("name", "").startswith("milestone_labels"):
            spec["datasets"][lyr["data"]["name"]] = [{**m, "y": 30} for m in spec["datasets"][lyr["data"]["name"]]]
    assert _overlaps(C.milestone_label_boxes(spec, 1000))



def test_every_colour_layer_carries_the_one_status_legend(spec):
    """A layer with "legend": null beside the others' legend dropped the Status legend."""
    legends = [lyr["encoding"]["color"].get("legend", "missing") for layers in rows(spec).values()
               for lyr in layers if "field" in lyr["encoding"].get("color", {})]
    assert legends and all(lg == legends[0] for lg in legends) and legends[0]["title"] == "Status"


def test_colours_come_from_geo_style(spec):
    line = layer(rows(spec)["Ain al-Asad Air Base"], "line")
    scale = line["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"]))
    for status, colour in style.STATUS_COLOURS.items():
        assert colours[status] == colour
    assert line["encoding"]["color"]["legend"]["values"] == list(style.STATUS_COLOURS)


def test_earlier_knowledge_overlay(ds):
    series = A.timeline_series(ds)
    then = A.timeline_series(ds, known_on="2025-08-19")
    part = series[series["series_key"] == "iraq"]
    spec = C.timeline_chart(part, earlier=then, earlier_label="as known on 19 Aug 2025", domain=DOMAIN)
    earlier = layer(rows(spec)["Iraq"], "earlier")["values"]
    # known on 19 Aug 2025, about 2,500 was the last word: it holds to the end of the period
    assert earlier and earlier[-1]["end"] == DOMAIN[1].isoformat() and earlier[-1]["y"] == 2500
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
