"""Sources: every report, what it supports, each item's verbatim quote, and which claims
contradict which. Thin page: filters -> geo.analysis tables -> st.dataframe."""
from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.errors import StreamlitAPIException

from geo import analysis
from ui import nav
from ui.cache import dataset_or_stop
from ui.state import start_page, url_params, write_url

st.set_page_config(page_title="Sources · Posture Atlas", layout="wide")

ds = dataset_or_stop()

b = start_page(ds)

st.title("Sources")
st.caption("Every source with what it supports: each claim and movement with its verbatim quote, "
           "whether the quote was checked against the article, and the claims that contradict it.")

c_known, c_place, c_outlet = st.columns([1, 1, 2])
c_known.date_input("As known on", key="view_known", min_value=b.first, max_value=b.last,
                   format="YYYY-MM-DD", persist_state="session",
                   help="Hide every source published after this day (default: the newest source).")
named = sorted({p for c in ds.claims for p in c.places}
               | {p for m in ds.movements for p in (m.from_place, m.to_place)},
               key=lambda p: ds.places[p].name.lower())
if st.session_state.get("view_place") and st.session_state.view_place not in named:
    st.session_state.view_place = ""
c_place.selectbox("Place", ["", *named], key="view_place", persist_state="session",
                  format_func=lambda p: ds.places[p].name if p else "All places",
                  help="Shared with the map: the place selected there is selected here.")
outlets = sorted({s.outlet for s in ds.sources.values()})
chosen_outlets = c_outlet.multiselect("Outlets", outlets, key="sources_outlets", placeholder="All outlets")
pub_days = analysis.publication_days(ds)
if len(pub_days) > 1:
    published = st.slider("Published between", min_value=pub_days[0], max_value=pub_days[-1],
                          value=(pub_days[0], pub_days[-1]), format="D MMM YYYY", key="sources_published")
else:  # one publication day (or none): nothing to choose between
    published = (None, None)
write_url()

known: dt.date = st.session_state.view_known
place: str = st.session_state.view_place
filters = dict(place=place or None, outlets=chosen_outlets, published_from=published[0],
               published_to=published[1])
sources = analysis.source_rows(ds, known, **filters)
evidence = analysis.evidence_rows(ds, known, **filters)
hidden = sum(s.published > known for s in ds.sources.values())

m1, m2, m3, m4 = st.columns(4)
m1.metric("Sources", len(sources))
m2.metric("Claims", int((evidence["kind"] == "claim").sum()))
m3.metric("Movements", int((evidence["kind"] == "movement").sum()))
m4.metric("Items contradicted or contradicting", int((evidence["n_contradictions"] > 0).sum()))
if hidden:
    st.caption(f"{hidden} source(s) published after {analysis.day_label(known)} are hidden "
               "('as known on').")

st.subheader("Sources")
st.dataframe(
    sources[["published_label", "outlet", "title", "url", "claims", "movements", "milestones", "places",
             "note"]],
    hide_index=True, width="stretch", placeholder="—",
    column_config={
        "published_label": st.column_config.TextColumn("Published", help="'(inferred)': worked out, not read"),
        "outlet": "Outlet", "title": st.column_config.TextColumn("Title", width="medium"),
        "url": st.column_config.LinkColumn("Link", display_text="article"),
        "claims": "Claims", "movements": "Movements", "milestones": "Phases / milestones",
        "places": "Places", "note": st.column_config.TextColumn("Note", width="medium"),
    })

st.subheader("Claims and movements")
st.caption("'open on map' opens the map at the item's place and date; pick an item below to read it in full.")
st.dataframe(
    evidence[["places", "date_label", "figure", "status", "basis", "quote", "quote_checked", "contradictions",
              "map_link", "outlet", "published_label", "item", "kind"]],
    hide_index=True, width="stretch", placeholder="—", height=min(600, 38 + 35 * max(1, len(evidence))),
    column_config={
        "published_label": "Published", "outlet": "Outlet", "item": "Item", "kind": "Kind",
        "places": st.column_config.TextColumn("Places", width="medium"), "date_label": "Date",
        "figure": "Figure", "status": "Status", "basis": "Basis",
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "quote_checked": st.column_config.CheckboxColumn("Quote checked"),
        "contradictions": st.column_config.TextColumn("Contradicted by / contradicts", width="large"),
        "map_link": st.column_config.LinkColumn("Map", display_text="open on map"),
    })

labels = {r.item: f"{r.item} · {r.places} · {r.date_label} · {r.figure} ({r.outlet})"
          for r in evidence.itertuples()}
if st.session_state.get("sources_item") not in labels:  # filtered out since it was picked
    st.session_state.sources_item = ""
chosen = st.selectbox("Read an item in full", ["", *labels], key="sources_item",
                      format_func=lambda i: labels.get(i, "—"))
if chosen:
    item = evidence[evidence["item"] == chosen].iloc[0]
    esc = analysis.md_escape
    with st.container(border=True):
        st.markdown(f"**{esc(item['item'])}** · {esc(item['kind'])} · {esc(item['places'])} · "
                    f"{esc(item['date_label'])}")
        st.markdown(f"**{esc(item['figure'])}** · {esc(item['status'])} · {esc(item['basis'])}")
        st.markdown(f"> {esc(item['quote'])}")
        checked = "checked against the article" if item["quote_checked"] else "**not checked** against the article"
        st.markdown(f"{esc(item['outlet'])}, {esc(item['published_label'])} · quote {checked}")
        if isinstance(item["url"], str) and item["url"]:  # a missing URL arrives as NaN from the frame
            st.link_button("Read the article", item["url"])
        for relation, other in analysis.contradictions(ds, known).get(item["item"], []):
            link = analysis.map_link(other.date.start, other.places[0], known)
            st.markdown(f"- {esc(relation)} {esc(analysis.claim_text(ds, other))} · [open on map]({link})")
        params = {**url_params(), **analysis.map_params(item["date"], item["map_place"], known)}
        try:
            st.page_link(nav.map_page(), label="Open on the map (this tab)", icon=":material/map:",
                         query_params=params)
        except StreamlitAPIException:  # the page runs on its own (AppTest): a plain link instead
            st.markdown(f"[Open on the map]({item['map_link']})")
