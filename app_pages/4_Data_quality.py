"""Data quality: what an analyst should doubt before quoting the map. Conflicting claims,
contradicted plans, old figures, places with no figure or a vague location, inferred
publication dates, unchecked quotes; each row links to the map."""
from __future__ import annotations

import streamlit as st

from geo import analysis
from ui.cache import dataset_or_stop, posture
from ui.state import start_page, write_url

st.set_page_config(page_title="Data quality · Posture Atlas", layout="wide")

ds = dataset_or_stop()

b = start_page(ds)

st.title("Data quality")
st.caption("Where the data is weak: disagreements, plans that did not happen, old or missing figures, "
           "vague locations and dates, quotes not checked. Each row opens the map at that place and date.")

c_date, c_known, c_age = st.columns(3)
c_date.date_input("Chosen day (as on the map)", key="view_date", min_value=b.first, max_value=b.last,
                  format="YYYY-MM-DD", persist_state="session")
c_known.date_input("As known on", key="view_known", min_value=b.first, max_value=b.last,
                   format="YYYY-MM-DD", persist_state="session",
                   help="Hide every source published after this day (default: the newest source).")
max_age = c_age.number_input("Report older than (days)", min_value=0, max_value=3650, value=90, step=15,
                             key="dq_max_age", persist_state="session",
                             help="List places whose latest report is older than this on the chosen day.")
write_url()

on, known = st.session_state.view_date, st.session_state.view_known
snap = posture(on, known)
conflicts = analysis.conflict_rows(ds, known)
stale = analysis.stale_rows(snap, int(max_age))
no_figure = analysis.no_figure_rows(snap)
imprecise = analysis.imprecise_rows(ds, on, known)
inferred = analysis.inferred_source_rows(ds, known)
unchecked = analysis.unchecked_quote_rows(ds, known)
plans = analysis.plan_state_rows(snap)
over = analysis.containment_rows(ds, known)

st.info(analysis.data_edge(snap))
# two rows of four: eight metrics in one row cut their labels off
m = st.columns(4) + st.columns(4)
m[0].metric("Conflicts", int(conflicts["kind"].eq("conflict").sum()))
m[1].metric("Plans contradicted", int(conflicts["kind"].eq("plan contradicted").sum()))
m[2].metric(f"Reports older than {int(max_age)} days", len(stale))
m[3].metric("Places with no figure", len(no_figure))
m[4].metric("Inferred publication dates", len(inferred))
m[5].metric("Quotes not checked", len(unchecked))
m[6].metric("Plans overdue", int(plans["state"].eq("overdue").sum()))
m[7].metric("Figures over their total", len(over))

MAP = st.column_config.LinkColumn("Map", display_text="open on map")

st.subheader("Conflicting claims and contradicted plans")
st.caption("'conflict': two sources about the same place and time that cannot both hold (both stay on the map). "
           "'plan contradicted': a later claim says something else happened or is planned.")
kinds = st.multiselect("Kinds", ["conflict", "plan contradicted"], default=["conflict", "plan contradicted"],
                       key="dq_kinds")
st.dataframe(
    conflicts[conflicts["kind"].isin(kinds)][["kind", "places", "first_text", "second_text", "first_link",
                                              "second_link"]],
    hide_index=True, width="stretch", placeholder="—",
    column_config={
        "kind": "Kind", "places": "Places",
        "first_text": st.column_config.TextColumn("Claim (or plan)", width="large"),
        "second_text": st.column_config.TextColumn("Against", width="large"),
        "first_link": st.column_config.LinkColumn("Map (first)", display_text="open on map"),
        "second_link": st.column_config.LinkColumn("Map (second)", display_text="open on map"),
    })

st.subheader(f"Plans in force on {analysis.day_label(on)}")
st.caption("The latest plan announced for each place by the chosen day, beside its last report: due at the end "
           "of its period; 'overdue' once that has passed with no report bearing it out. 'How it turned out' uses "
           "the reporting known on the 'as known on' day.")
st.dataframe(plans[["name", "plan", "status", "due", "state", "report", "hindsight", "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"name": "Place", "plan": "Planned figure", "status": "Planned status", "due": "Due",
                            "state": "On the chosen day", "report": "Last report",
                            "hindsight": st.column_config.TextColumn("How it turned out", width="large"),
                            "map_link": MAP})

st.subheader("Site figures that add up to more than their area's or group's total")
st.caption("An area total (a country, a region) is never added to the sites in it; where the sites' own "
           "figures (lower bounds, like forces only) exceed it, one of them is wrong or dated differently.")
st.dataframe(over[["kind", "total_name", "total_figure", "members", "members_figure", "start", "end_label",
                   "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"kind": "Total of", "total_name": "Area or group", "total_figure": "Its total",
                            "members": st.column_config.TextColumn("Sites inside", width="large"),
                            "members_figure": "Their figures add up to", "start": "From",
                            "end_label": "To", "map_link": MAP})

st.subheader(f"Places whose latest report is older than {int(max_age)} days on {analysis.day_label(on)}")
st.dataframe(stale[["name", "last_report", "age", "in_force", "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"name": "Place", "last_report": "Latest report", "age": "Age",
                            "in_force": st.column_config.TextColumn("In force on the chosen day", width="large"),
                            "map_link": MAP})

st.subheader(f"Places with no figure on {analysis.day_label(on)}")
st.dataframe(no_figure[["name", "status", "basis", "why", "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"name": "Place", "status": "Status", "basis": "Basis",
                            "why": st.column_config.TextColumn("Why", width="large"), "map_link": MAP})

st.subheader("Places located only to a region or a country")
st.dataframe(imprecise[["name", "precision", "kind", "claims", "movements", "coord_source", "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"name": "Place", "precision": "Precision", "kind": "Kind", "claims": "Claims",
                            "movements": "Movements",
                            "coord_source": st.column_config.TextColumn("Where the point comes from", width="large"),
                            "map_link": MAP})

st.subheader("Sources whose publication date is inferred")
st.dataframe(inferred[["published_label", "outlet", "title", "claims", "note", "url", "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"published_label": "Published", "outlet": "Outlet", "title": "Title",
                            "claims": "Claims", "note": st.column_config.TextColumn("Why", width="large"),
                            "url": st.column_config.LinkColumn("Link", display_text="article"),
                            "map_link": MAP})

st.subheader("Quotes not checked against the article")
st.dataframe(unchecked[["item", "kind", "places", "date_label", "figure", "source", "quote", "note", "map_link"]],
             hide_index=True, width="stretch", placeholder="—",
             column_config={"item": "Item", "kind": "Kind", "places": "Places", "date_label": "Date",
                            "figure": "Figure", "source": "Source",
                            "quote": st.column_config.TextColumn("Quote", width="large"),
                            "note": st.column_config.TextColumn("Note", width="medium"), "map_link": MAP})
