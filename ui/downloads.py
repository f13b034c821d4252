"""The Export section of the dashboard: download buttons for the day on screen.

Data (GeoJSON of the day and of the whole timeline, GeoPackage, CSV) is made when its
button is clicked; briefing images (PNG, SVG, PDF) and the offline HTML map are made
when asked ("Prepare images"), and the animation when asked ("Make animation (GIF)"),
with a progress bar.
Payloads come from ui.cache (keyed on the data, the dates and the options); file names
carry the dates, so a folder of downloads sorts and explains itself.

A rendering error is shown with st.error and the rest of the page keeps working.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.popup import day_label
from ui import cache

MIME = {
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
    ".csv": "text/csv",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".gif": "image/gif",
}

_IMAGES_KEY = "_dl_images_for"      # session key: the view the images were prepared for
_ANIMATION_KEY = "_dl_animation"    # session key: (view key, GIF bytes)


def download_name(kind: str, ext: str, *, on: dt.date | None = None, known_on: dt.date | None = None,
                  plans: bool = True) -> str:
    """'posture_2025-10-21_known-2025-10-21.geojson', 'timeline_known-2026-02-23.geojson'.

    ``kind`` names the payload (posture, timeline, brief, map, animation); the day shown
    and the "as known on" day follow, and '_reports-only' when plans are hidden.
    """
    parts = [kind]
    if on is not None:
        parts.append(on.isoformat())
    if known_on is not None:
        parts.append(f"known-{known_on.isoformat()}")
    if not plans:
        parts.append("reports-only")
    return "_".join(parts) + ext


def _view_options(snap, view: dict) -> dict:
    return {"on": snap.on, "known_on": snap.known_on, "plans": bool(view.get("view_plans", True)),
            "labels": bool(view.get("view_labels", True)),
            "marking": (view.get("view_marking") or "").strip(),
            "title": (view.get("view_title") or "").strip()}


def render_downloads(ds, snap, view: dict) -> None:
    """Download buttons for ``snap`` (the day and "as known on" day on screen) and the
    options in ``view`` (plans, labels, marking), as ui.state.view() returns them."""
    o = _view_options(snap, view)
    on, known, plans = o["on"], o["known_on"], o["plans"]
    st.caption(f"For **{day_label(on)}**, as known on **{day_label(known)}**"
               + ("; plans hidden (reports only)" if not plans else "") + ".")
    _data_buttons(o)
    st.divider()
    _image_buttons(o)
    st.divider()
    _animation_button(ds, o)


def _button(col, label: str, data, name: str, help_text: str, key: str) -> None:
    ext = name[name.rfind("."):]
    col.download_button(label, data=data, file_name=name, mime=MIME.get(ext), key=key, help=help_text,
                        on_click="ignore", width="stretch")


def _data_buttons(o: dict) -> None:
    on, known, plans = o["on"], o["known_on"], o["plans"]
    c1, c2 = st.columns(2)
    # Every payload is made when its button is clicked (a callable runs on click), not on
    # every run: the expander's body runs even while it is closed, and at scale the
    # timeline alone takes seconds. Each is cached once made (ui.cache).
    try:
        _button(c1, "GeoJSON (this day)", lambda: cache.export_bytes(on, known, plans, ".geojson"),
                download_name("posture", ".geojson", on=on, known_on=known, plans=plans),
                "Places, group figures and active movements on this day (RFC 7946, WGS84).", "dl_geojson")
        _button(c2, "GeoJSON (timeline)", lambda: cache.timeline_bytes(known, ".geojson"),
                download_name("timeline", ".geojson", known_on=known),
                "Every state interval with start/end dates, for QGIS's Temporal Controller.", "dl_timeline")
        _button(c1, "GeoPackage (this day)", lambda: cache.export_bytes(on, known, plans, ".gpkg"),
                download_name("posture", ".gpkg", on=on, known_on=known, plans=plans),
                "The same features as a GeoPackage layer (lists as JSON text).", "dl_gpkg")
        _button(c2, "CSV (this day)", lambda: cache.export_bytes(on, known, plans, ".csv"),
                download_name("posture", ".csv", on=on, known_on=known, plans=plans),
                "One row per feature with lon/lat and WKT.", "dl_csv")
    except Exception as exc:  # an export bug must not take the map down with it
        st.error(f"The data export failed: {exc}")


def _image_key(o: dict) -> tuple:
    return (o["on"], o["known_on"], o["plans"], o["labels"], o["marking"], o["title"], cache.data_stamp())


def _prepare_images(key: tuple) -> None:
    st.session_state[_IMAGES_KEY] = key


def _image_buttons(o: dict) -> None:
    on, known, plans, marking = o["on"], o["known_on"], o["plans"], o["marking"]
    key = _image_key(o)
    if st.session_state.get(_IMAGES_KEY) != key:
        st.button("Prepare images (PNG, SVG, PDF, HTML)", key="dl_prepare", on_click=_prepare_images, args=(key,),
                  width="stretch",
                  help="Slide-ready 1920×1080 image of this day (title, dates, legend, scale bar, sources"
                       + (", marking" if marking else "") + ") and the offline HTML map.")
        return
    try:
        with st.spinner("Rendering the briefing images…"):
            payloads = {fmt: cache.brief_bytes(on, known, plans, marking, fmt, o["title"])
                        for fmt in ("png", "svg", "pdf")}
            page = cache.html_bytes(on, known, plans, o["labels"], marking, o["title"])
    except Exception as exc:
        st.error(f"The briefing images could not be made: {exc}")
        return
    c1, c2 = st.columns(2)
    _button(c1, "PNG 1920×1080", payloads["png"], download_name("brief", ".png", on=on, known_on=known, plans=plans),
            "For a slide: 1920×1080 px at 150 dpi.", "dl_png")
    _button(c2, "SVG", payloads["svg"], download_name("brief", ".svg", on=on, known_on=known, plans=plans),
            "Vector, text kept as text (editable in Inkscape or Illustrator).", "dl_svg")
    _button(c1, "PDF", payloads["pdf"], download_name("brief", ".pdf", on=on, known_on=known, plans=plans),
            "Vector, for print.", "dl_pdf")
    _button(c2, "HTML map (offline)", page, download_name("map", ".html", on=on, known_on=known, plans=plans),
            "The interactive map in one file that opens with no network (popups with quotes).", "dl_html")


def _animation_button(ds, o: dict) -> None:
    known, plans, marking = o["known_on"], o["plans"], o["marking"]
    key = (known, plans, marking, o["title"], cache.data_stamp())
    held = st.session_state.get(_ANIMATION_KEY)
    if held is not None and held[0] == key:
        st.download_button("Download animation (GIF)", data=held[1], file_name=download_name(
            "animation", ".gif", known_on=known, plans=plans), mime=MIME[".gif"], key="dl_gif",
            on_click="ignore", width="stretch")
        return
    if not st.button("Make animation (GIF)", key="dl_make_gif", width="stretch",
                     help="One frame per change date, with the date, legend and title on each (about a "
                          "second per frame to make)."):
        return
    # imported on the click: geo.render brings matplotlib, seconds of a cold start that
    # every first run paid while the Export section was closed
    from geo.render import animation_days, render_animation

    days = animation_days(ds, known)
    bar = st.progress(0.0, text=f"Rendering {len(days)} frames…")

    def progress(i: int, n: int, day: dt.date) -> None:
        bar.progress(i / n, text=f"Frame {i} of {n}: {day_label(day)}")

    try:
        gif = render_animation(ds, days, known_on=known, fmt="gif", show_plans=plans, marking=marking or None,
                               title=o["title"] or None, progress=progress)
    except Exception as exc:
        bar.empty()
        st.error(f"The animation could not be made: {exc}")
        return
    bar.empty()
    # Kept in the session (not a cache): one user's on-demand artifact, replaced by the next.
    st.session_state[_ANIMATION_KEY] = (key, gif)
    st.download_button("Download animation (GIF)", data=gif, file_name=download_name(
        "animation", ".gif", known_on=known, plans=plans), mime=MIME[".gif"], key="dl_gif",
        on_click="ignore", width="stretch")
