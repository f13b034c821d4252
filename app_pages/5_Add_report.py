"""Add report: paste or upload an article, review what the tool proposes, save safely."""
from __future__ import annotations

import streamlit as st

from geo.ingest import article_text, propose
from geo.ingest.preview import claim_days, highlight_html, map_changes
from geo.model import DataError
from geo import store
from ui import ingest as ui
from ui.cache import SESSION_DATA_KEY, data_dir, dataset_or_stop, invalidate

st.set_page_config(page_title="Add report · Posture Atlas", layout="wide")
ui.defaults()
ds = dataset_or_stop()
folder = data_dir()

st.title("Add report")
st.caption("Paste an article or upload a .txt/.html file. The tool proposes places, figures, dates, plan or "
           "report and moves, each with its sentence as quote; you fix, drop or add rows, check how the map "
           "changes, and save. Nothing is fetched: the URL is only recorded.")

with st.expander("Dataset: open another, or download this one"):
    st.write(f"Current dataset: `{folder}`" + (" (opened for this browser session only)"
                                                if st.session_state.get(SESSION_DATA_KEY) else ""))
    st.download_button("Download the current dataset as a zip", store.dataset_zip(folder),
                       file_name="posture-atlas-dataset.zip", mime="application/zip")
    upload = st.file_uploader("Open another dataset (a .zip of the CSV files)", type=["zip"], key="ingest_zip")
    if upload is not None and st.button("Open this dataset for my session"):
        try:
            ui.session_dataset_dir(upload.getvalue())
        except store.ZipRefused as exc:
            st.error(f"The zip was refused: {exc}")
        except DataError as exc:
            st.error("The zip's dataset does not validate; it was not opened.")
            st.code(str(exc), language=None)
        else:
            st.rerun()

c1, c2, c3 = st.columns([2, 3, 1])
outlet = c1.text_input("Outlet", key="ingest_outlet")
url = c2.text_input("URL (recorded, never fetched)", key="ingest_url")
published = c3.date_input("Published", key="ingest_published", format="YYYY-MM-DD", value=None)
pasted = st.text_area("Article text", key="ingest_text", height=180)
upload = st.file_uploader("…or upload a .txt or .html file", type=["txt", "html", "htm"], key="ingest_file")

if st.button("Propose rows", type="primary"):
    problems = [w for w, v in (("an outlet", outlet.strip()), ("a publication date", published)) if not v]
    if not (pasted.strip() or upload is not None):
        problems.append("a pasted text or an uploaded file")
    if problems:
        st.error("Give " + ", ".join(problems) + ".")
    else:
        try:
            text = article_text(upload.getvalue(), upload.name) if upload is not None else article_text(pasted)
            ui.set_proposals(propose(ds, text, outlet=outlet, url=url, published=published))
        except ValueError as exc:  # ArticleError and bad input
            st.error(f"The article could not be read: {exc}")
        except Exception as exc:  # noqa: BLE001 — never a traceback in the browser
            st.error(f"The article could not be processed ({type(exc).__name__}); nothing was changed.")

state = st.session_state.get(ui.STATE)
if st.session_state.get("ingest_saved"):
    st.success(st.session_state["ingest_saved"])
if state:
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Article")
        st.caption("Highlighted: places (blue), figures (orange), dates (green).")
        st.html(highlight_html(state["text"], state["highlights"]))
    with right:
        st.subheader("Source")
        rows = ui.editor("source", [state["source"]], state["version"], fixed=True)
        for kind in ui.TABLES:
            st.subheader(ui.TABLE_TITLES[kind])
            rows += ui.editor(kind, state["tables"][kind], state["version"])
    st.subheader("How the map would change")
    try:
        after = store.preview(folder, rows)
    except store.RowsError as exc:
        after = None
        st.error("These rows would not validate; fix them before saving (rows as numbered in each table):")
        st.code(ui.describe(exc.problems, rows), language=None)
    if after is not None:
        changes = [c for day in claim_days(rows) for c in map_changes(ds, after, day)]
        if changes:
            st.dataframe(changes, width="stretch", hide_index=True)
        else:
            st.info("No place on the map changes on the new claims' dates.")
        if st.button("Save to the dataset", type="primary"):
            try:
                result = store.add_rows(folder, rows)
            except store.RowsError as exc:
                st.error("Nothing was saved; fix these rows:")
                st.code(ui.describe(exc.problems, rows), language=None)
            except store.SaveError as exc:
                st.error(f"Nothing was saved: {exc}")
            except OSError as exc:
                st.error(f"Nothing was saved: the dataset folder could not be written ({exc.strerror or exc}).")
            else:
                invalidate()
                added = ", ".join(f"{n} row(s) to {f}" for f, n in result.counts.items())
                st.session_state[ui.STATE] = None
                st.session_state["ingest_saved"] = (f"Saved: {added}. The previous files are kept in "
                                                    f"{result.backup}. The map and the other pages show the new rows.")
                st.rerun()
