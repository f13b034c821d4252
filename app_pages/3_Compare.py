"""Compare two dates, or two "as known on" days for the same date: per place and group,
what each side shows and what changed; the moves in between; two maps; CSV and GeoJSON.

Side B is the map's view (ui.state); side A is this page's own, kept in the session and
in the URL (date_a, known_a) so that a link reproduces the comparison.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import analysis, render
from geo.dates import parse_day
from ui.cache import dataset_or_stop, posture
from ui.state import address_is_stale, start_page, write_url

st.set_page_config(page_title="Compare · Posture Atlas", layout="wide")

ds = dataset_or_stop()

b = start_page(ds)


def _side_a_from_url() -> None:
    """Side A from the link (date_a, known_a) when it is new; else keep the session's."""
    for key, param, default in (("cmp_date_a", "date_a", st.session_state.view_date - dt.timedelta(days=61)),
                                ("cmp_known_a", "known_a", st.session_state.view_known)):
        raw = st.query_params.get(param)
        seen = st.session_state.setdefault("_cmp_url_seen", {})
        if raw is not None and seen.get(param) != raw and not address_is_stale():
            seen[param] = raw
            try:
                st.session_state[key] = min(max(parse_day(raw), b.first), b.last)
                continue
            except ValueError as exc:
                st.warning(analysis.md_escape(f"{param}= in the link: {exc}; using the default"))
        if key not in st.session_state:
            st.session_state[key] = min(max(default, b.first), b.last)
        else:  # keep side A while its widgets are not on screen
            st.session_state[key] = st.session_state[key]


_side_a_from_url()

st.title("Compare two dates")
st.caption("Per place and group figure: what the map shows on each side and what changed. "
           "Two 'as known on' days for the same date show how the picture of that day changed.")

col_a, col_b = st.columns(2)
with col_a.container(border=True):
    st.markdown("**A**")
    a1, a2 = st.columns(2)
    a1.date_input("Date A", key="cmp_date_a", min_value=b.first, max_value=b.last, format="YYYY-MM-DD",
                  persist_state="session")
    a2.date_input("As known on (A)", key="cmp_known_a", min_value=b.first, max_value=b.last,
                  format="YYYY-MM-DD", persist_state="session")
with col_b.container(border=True):
    st.markdown("**B** (the map's date)")
    b1, b2 = st.columns(2)
    b1.date_input("Date B", key="view_date", min_value=b.first, max_value=b.last, format="YYYY-MM-DD",
                  persist_state="session")
    b2.date_input("As known on (B)", key="view_known", min_value=b.first, max_value=b.last,
                  format="YYYY-MM-DD", persist_state="session")
# Side A joins the map's parameters in the address bar, so a copied link reproduces both sides.
side_a = {"date_a": st.session_state.cmp_date_a.isoformat(), "known_a": st.session_state.cmp_known_a.isoformat()}
write_url(side_a)
st.session_state["_cmp_url_seen"] = side_a

snap_a = posture(st.session_state.cmp_date_a, st.session_state.cmp_known_a)
snap_b = posture(st.session_state.view_date, st.session_state.view_known)


def side(snap) -> str:
    return f"{analysis.day_label(snap.on)}, as known on {analysis.day_label(snap.known_on)}"


rows = analysis.compare_rows(snap_a, snap_b)
moves = analysis.moves_between(ds, snap_a.on, snap_b.on, max(snap_a.known_on, snap_b.known_on))
st.markdown(f"**A:** {analysis.md_escape(side(snap_a))} · **B:** {analysis.md_escape(side(snap_b))}")
st.caption(f"A: {analysis.data_edge(snap_a)} B: {analysis.data_edge(snap_b)}")

only_changed = st.toggle("Only rows that changed", value=True, key="cmp_only_changed")
shown = rows.loc[rows["changed"]] if only_changed else rows
m1, m2, m3 = st.columns(3)
m1.metric("Places and groups that changed", int(rows["changed"].sum()), help=f"of {len(rows)}")
m2.metric("New on B", int(rows["change"].eq("new").sum()))
m3.metric("Moves between the dates", len(moves))

st.dataframe(
    shown[["name", "layer", "change", "figure_a", "status_a", "basis_a", "as_of_a", "figure_b", "status_b",
           "basis_b", "as_of_b"]],
    hide_index=True, width="stretch", placeholder="—",
    column_config={
        "name": st.column_config.TextColumn("Place or group", width="medium"), "layer": "Kind",
        "figure_a": "Figure A", "status_a": "Status A", "basis_a": "Basis A", "as_of_a": "As of A",
        "figure_b": "Figure B", "status_b": "Status B", "basis_b": "Basis B", "as_of_b": "As of B",
        "change": st.column_config.TextColumn("Change (A → B)", width="large"),
    })

st.subheader("Moves between the two dates")
if moves.empty:
    st.caption("No movement was active between the two dates.")
else:
    st.dataframe(
        moves[["from_name", "to_name", "period", "figure", "basis", "source", "quote", "quote_checked",
               "map_link"]],
        hide_index=True, width="stretch", placeholder="—",
        column_config={
            "from_name": "From", "to_name": "To", "period": "Period", "figure": "Figure", "basis": "Basis",
            "source": "Source", "quote": st.column_config.TextColumn("Quote", width="large"),
            "quote_checked": st.column_config.CheckboxColumn("Quote checked"),
            "map_link": st.column_config.LinkColumn("Map", display_text="open on map"),
        })

d1, d2 = st.columns(2)
d1.download_button("Download the comparison (CSV)", analysis.compare_csv(rows, snap_a, snap_b),
                   file_name=analysis.compare_filename(snap_a, snap_b, "csv"), mime="text/csv",
                   key="cmp_csv", on_click="ignore")
d2.download_button("Download the comparison (GeoJSON)",
                   analysis.geojson_bytes(analysis.compare_geojson(ds, snap_a, snap_b, rows, moves)),
                   file_name=analysis.compare_filename(snap_a, snap_b, "geojson"),
                   mime="application/geo+json", key="cmp_geojson", on_click="ignore")

st.subheader("The two maps")
if st.toggle("Show the two maps side by side", value=True, key="cmp_show_maps",
             help="Briefing images of both sides on the same extent, to lay side by side on a slide."):
    extent = analysis.union_extent(render.fit_extent(render.scene(ds, snap_a)),
                                   render.fit_extent(render.scene(ds, snap_b)))
    m_a, m_b = st.columns(2)
    for col, snap, name in ((m_a, snap_a, "A"), (m_b, snap_b, "B")):
        png = render.render_brief(ds, snap, title=f"{name}: troop posture on {analysis.day_label(snap.on)}",
                                  size_px=(960, 700), extent=extent)
        col.image(png, width="stretch")
        col.download_button(f"Download map {name} (PNG)", png, key=f"cmp_png_{name}", on_click="ignore",
                            file_name=f"posture_{snap.on.isoformat()}_known-{snap.known_on.isoformat()}.png",
                            mime="image/png")
