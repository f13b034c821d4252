"""Timeline: troops over time per place, per group figure and per country.

Thin page: widgets -> geo.analysis series -> geo.charts Vega-Lite spec -> st.vega_lite_chart, as
wide as the page's column (width="stretch").
The date and "as known on" are the map's (ui.state), so the chosen day carries over.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import analysis, charts
from geo.posture import change_dates
from ui.cache import dataset_or_stop, posture
from ui.cache import timeline_series as cached_series
from ui.state import start_page, write_url

st.set_page_config(page_title="Timeline · Posture Atlas", layout="wide")

ds = dataset_or_stop()

b = start_page(ds)

st.title("Timeline")
st.caption("Troops over time as the map shows them day by day: each line is the figure in force, "
           "each band a range, plans dashed, groups' figures on their own rows (never split).")

c_date, c_known, c_view = st.columns([1, 1, 2])
c_date.date_input("Chosen day (as on the map)", key="view_date", min_value=b.first, max_value=b.last,
                  format="YYYY-MM-DD", persist_state="session")
c_known.date_input("As known on", key="view_known", min_value=b.first, max_value=b.last,
                   format="YYYY-MM-DD", persist_state="session",
                   help="Hide every source published after this day (default: the newest source).")
mode = c_view.radio("Show", ["Places and groups", "Countries"], horizontal=True, key="timeline_mode",
                    persist_state="session")
on: dt.date = st.session_state.view_date
known: dt.date = st.session_state.view_known

days = change_dates(ds, known)
if not days:
    write_url()
    st.info(f"No claim was published by {analysis.day_label(known)}: nothing to draw yet.")
    st.stop()
until = max(days[-1], on, known) + dt.timedelta(days=1)
series = cached_series(known, until, "countries" if mode == "Countries" else "places")
catalogue = analysis.series_catalogue(series)
if series.empty:
    write_url()
    st.info(f"No claim about troops was published by {analysis.day_label(known)}: nothing to draw yet.")
    st.stop()

if mode == "Places and groups":
    c_country, c_series = st.columns([1, 3])
    countries = sorted(c for c in catalogue["country"].unique() if c)
    place = st.session_state.get("view_place") or ""
    # The chosen place's country, else the country with the most series with a figure.
    home = ds.places[place].country if place in ds.places else next(
        iter(catalogue.loc[catalogue["has_figure"].astype(bool), "country"].value_counts().index), "")
    chosen_countries = c_country.multiselect("Countries", countries,
                                             default=[home] if home in countries else countries[:1])
    pool = catalogue[catalogue["country"].isin(chosen_countries)]
    if place:  # the place chosen on the map, and the groups it is part of
        wanted = pool.loc[[place in key.removeprefix("group:").split("+") for key in pool["series_key"]]]
    else:
        wanted = pool.loc[pool["has_figure"].astype(bool)]
    labels = dict(zip(pool["series_key"], pool["series"]))
    keys = c_series.multiselect("Series", list(labels), default=list(wanted["series_key"]),
                                format_func=labels.get,
                                help="Places and group figures (a group's figure is never split).")
    series = series[series["series_key"].isin(keys)]

first_claim = min((c.date.start for c in ds.claims), default=b.first)
lo_default = max(b.first, min(first_claim, on) - dt.timedelta(days=21))
period = st.slider("Period", min_value=b.first, max_value=until, value=(lo_default, until),
                   format="D MMM YYYY", key="timeline_period")
c_overlay, c_then = st.columns([1, 3])
overlay = c_overlay.toggle("Overlay what was known earlier", key="timeline_overlay",
                           help="Draw the timeline as it could be known on an earlier day, dotted grey: "
                                "the plan then expected next to what was later reported.")
earlier = None
earlier_label = ""
if overlay:
    published = analysis.publication_days(ds, before=known)
    if published:
        if st.session_state.get("timeline_then") not in published:  # 'as known on' moved before it
            st.session_state.pop("timeline_then", None)
        then = c_then.select_slider(
            "Known on (earlier)", options=published, value=analysis.default_earlier_day(ds, known),
            format_func=analysis.day_label, key="timeline_then",
            help="Publication days of the sources: the timeline as it could be known at the end of that day.")
        earlier_label = f"as known on {analysis.day_label(then)}"
        earlier = cached_series(then, until)
    else:
        c_then.caption("No source was published before the 'as known on' day.")

write_url()

if series.empty:
    st.info("No series to draw: choose a country or a series above.")
    st.stop()

chart = charts.timeline_chart(
    series, phases=analysis.phase_rows(ds, known, until), milestones=analysis.milestone_rows(ds, known),
    plans=analysis.plan_rows(ds, known), earlier=earlier, earlier_label=earlier_label, selected=on,
    domain=(period[0], period[1]), width="container",
    y_scale="own" if st.session_state.get("timeline_own_scale") else "shared")
st.toggle("Each row its own y scale", key="timeline_own_scale", persist_state="session",
          help="Off (default): every row on one scale, so a row's height says how many troops it holds. "
               "On: each row scaled to its own figures, to read small numbers.")
st.vega_lite_chart(spec=chart, width="stretch")  # each row as wide as the column
st.caption(
    "Line: the figure in force (colour = status, dashed = plan). Band: a range between its bounds. "
    "▲ / ▼: an open bound (at least / fewer than) drawn at the bound given. ◇: where a plan's figure was "
    "set to take effect (also plans replaced before they did). Strip along the top of a row: the status in "
    "force, faint for a plan. Dotted rules: milestones; solid rule: the chosen day; shading: phases."
    + (f" Dotted grey: {earlier_label}." if earlier is not None else ""))
if mode == "Countries" and not series["layer"].eq("country sum").any():
    st.caption("No country sum is drawn: on no day did every place of a country have a single figure "
               "for the same date, so adding them up would mean guessing.")
st.caption(analysis.data_edge(posture(on, known)))

st.subheader("Intervals drawn")
table = series.assign(
    period=[f"{a} – {z}" if a != z else a for a, z in zip(series["start_label"], series["end_label"])])
st.dataframe(
    table[["series", "period", "figure", "basis", "status_label", "as_of", "source", "published", "quote",
           "quote_checked", "claim", "map_link"]],
    hide_index=True, width="stretch", placeholder="—",
    column_config={
        "series": "Series", "period": "In force", "figure": "Figure", "basis": "Figure basis",
        "status_label": "Status", "as_of": "As of", "source": "Source", "published": "Published",
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "quote_checked": st.column_config.CheckboxColumn("Quote checked"),
        "claim": "Claim",
        "map_link": st.column_config.LinkColumn("Map", display_text="open on map",
                                                help="The map on the first day of the interval"),
    })
