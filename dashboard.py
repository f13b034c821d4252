"""Posture Atlas: troop posture on a date slider over an offline map.

The entry script: a visible top navigation (Map, Timeline, Sources, Compare, Data
quality; ``st.navigation(position="top")``) and, below it, the Map page itself. The
other pages are the files in ``app_pages/`` (not ``pages/``: ui/nav.py says why), each
still runs on its own under AppTest; their URL paths stay ``/Timeline``, ``/Sources``,
``/Compare``, ``/Data_quality``, ``/Add_report``.

Thin page: read the widgets (their state lives in ui.state, mirrored in the URL), ask
ui.cache for the snapshot, hand geo.mapview's layers to streamlit-folium, and render
geo.popup's claim history beside the map.

The map updates in place: the base map (geo.mapview.base_map) is the same object on
every rerun, so streamlit-folium keeps it mounted, and only the posture layers and
the date/source boxes (``feature_group_to_add``) are swapped; zoom and pan survive.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo import mapview, style
from geo.analysis import md_escape
from geo.popup import chosen_day_html, day_label, milestone_strip_html, place_id_from_tooltip, place_panel_html
from geo.posture import forces as posture_forces
from ui import cache, nav, state

try:  # the Export section arrives with ui/downloads.py; the map works without it
    from ui.downloads import render_downloads
except ImportError:
    render_downloads = None

MAP_KEY = "atlas_map"
MAP_HEIGHT = 660
#: label -> (mode, seconds per step, days per step): "change" steps from one change date
#: to the next, whatever the gap; "rate" moves at a constant number of days per second.
PLAY_SPEEDS = {"each change · 3 s": ("change", 3.0, 0), "each change · 1.5 s": ("change", 1.5, 0),
               "each change · 0.7 s": ("change", 0.7, 0), "7 days per second": ("rate", 1.0, 7),
               "30 days per second": ("rate", 1.0, 30)}
PLAY_DEFAULT = "each change · 1.5 s"

#: The map's frame follows the window: the controls above it take about 250 px, and the
#: source line (inside the frame, bottom left) stays on screen down to 1366x768.
PAGE_CSS = """
<style>
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.6rem 1.5rem 1rem 1.5rem !important; max-width: 100% !important; }
iframe[title="streamlit_folium.st_folium"] { height: max(420px, calc(100vh - 262px)) !important; }
/* the milestone strip sits close under the slider, as st.markdown's block did (st.html has no negative margin),
   and the chosen day's box of no height right under it, its mark drawn up over the strip */
[data-testid="stElementContainer"]:has(.pa-strip), [data-testid="stElementContainer"]:has(.pa-strip-day) { margin-bottom: -1rem; }
</style>
"""

#: Briefing view: no Streamlit chrome, the map in a 16:9 frame as large as fits both the
#: window's width and its height (less the exit bar above and the slider below), so the
#: whole slide, its source line, scale bar and the exit control are on screen.
BRIEF_PAGE_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.4rem 1rem 0.2rem 1rem !important; max-width: 100% !important; }
iframe[title="streamlit_folium.st_folium"] { aspect-ratio: 16 / 9; height: auto !important;
  width: min(100%, calc((100vh - 182px) * 16 / 9)) !important; display: block; margin: 0 auto;
  border: 1px solid #999; }
</style>
"""

st.set_page_config(page_title="Posture Atlas", layout="wide", initial_sidebar_state="collapsed")


# The briefing view is the slide alone: no navigation bar above it.
_pages = nav.pages()
_current = st.navigation(_pages, position="hidden" if st.session_state.get("view_brief") else "top")
st.session_state[state.PAGE_KEY] = _current.url_path  # ui.state tells a new page's link from a stale address
_current.run()
if _current is not _pages[0]:   # another page has run; the rest of this script is the Map page
    st.stop()

ds = cache.dataset_or_stop()

# A play step decided in the last run lands here, before the slider exists.
if "_play_next" in st.session_state:
    st.session_state["view_date"] = st.session_state.pop("_play_next")
b = cache.bounds()  # once per dataset and day, not twice per run
url_warnings = state.init_view(ds, b=b)
first_published = min((s.published for s in ds.sources.values()), default=b.first)


# ------------------------------------------------------------------- callbacks

def _stops(known: dt.date) -> tuple[dt.date, ...]:
    return cache.change_dates(known)  # cached: at scale it walks every claim


def _step(direction: int) -> None:
    on, known = st.session_state["view_date"], st.session_state["view_known"]
    days = _stops(known)
    target = (max((d for d in days if d < on), default=None) if direction < 0
              else min((d for d in days if d > on), default=None))
    if target is not None:
        st.session_state["view_date"] = min(max(target, b.first), b.last)


def _jump() -> None:
    chosen = st.session_state.get("_jump")
    if chosen is not None:
        st.session_state["view_date"] = min(max(chosen.day, b.first), b.last)
    st.session_state["_jump"] = None


def _toggle_play() -> None:
    st.session_state["playing"] = not st.session_state.get("playing", False)


def _on_map_change() -> None:
    """A click on a marker selects its place (the id rides hidden in the tooltip); a pan
    or zoom goes to the URL (``view=``), so a copied link opens the same extent."""
    value = st.session_state.get(MAP_KEY) or {}
    place = place_id_from_tooltip(value.get("last_object_clicked_tooltip"))
    if place and place in ds.places:
        st.session_state["view_place"] = place
    centre, zoom = value.get("center") or {}, value.get("zoom")
    if "lat" in centre and "lng" in centre and zoom is not None:
        try:
            st.session_state["view_map"] = state.format_map_view(
                *state.parse_map_view(f"{centre['lat']},{centre['lng']},{zoom}"))
        except ValueError:
            pass  # a map state outside the ranges a link accepts is not written


def _leave_brief() -> None:
    st.session_state["view_brief"] = False


def _date_slider() -> None:
    st.slider("Date", min_value=b.first, max_value=b.last, step=dt.timedelta(days=1), format="D MMM YYYY",
              key="view_date", persist_state="session",
              help="The day the posture refers to. Arrow keys move a day; the buttons below jump between changes.")


# ---------------------------------------------------------------------- widgets

brief = bool(st.session_state.get("view_brief"))
st.markdown(BRIEF_PAGE_CSS if brief else PAGE_CSS, unsafe_allow_html=True)
# A link's bad values are reported until the view changes: streamlit-folium's first
# mount reruns the script, which would otherwise wipe the warnings unseen.
if url_warnings:
    st.session_state["_url_warnings"] = (url_warnings, state.url_params())
kept, kept_for = st.session_state.get("_url_warnings", ((), None))
if kept and kept_for == state.url_params():
    for warning in kept:
        st.warning(md_escape(warning))  # it quotes the link's text: shown inert

# Every view_* value is in session state already (ui.state.init_view), so the snapshot
# can be computed before the widgets that edit it are drawn beside the map.
on: dt.date = st.session_state["view_date"]
known: dt.date = st.session_state["view_known"]
plans: bool = bool(st.session_state["view_plans"])
labels: bool = bool(st.session_state["view_labels"])
marking: str = (st.session_state.get("view_marking") or "")[: state.MARKING_MAX]
stops = mapview.milestones(ds, known)
title: str = (st.session_state.get("view_title") or "")[: state.TITLE_MAX]
speed = st.session_state.get("play_speed") or PLAY_DEFAULT


def _step_controls() -> None:
    """Previous/next change, Play and its speed, the milestone jump. Drawn into their
    place above the map but after it: whether a change lies before or after the day
    needs every place's change days, which a cold start at 1,000 places takes about a
    second to find (then cached). Sent after the map, that second overlaps the browser
    loading the map instead of delaying it (issue 11)."""
    days = _stops(known)
    c_prev, c_next, c_play, c_speed, c_jump = st.columns([1, 1, 1, 1.2, 3.4], vertical_alignment="bottom")
    c_prev.button("◀ Previous change", on_click=_step, args=(-1,), width="stretch",
                  disabled=not any(d < on for d in days))
    c_next.button("Next change ▶", on_click=_step, args=(1,), width="stretch",
                  disabled=not any(d > on for d in days))
    playing = bool(st.session_state.get("playing"))
    c_play.button("■ Stop" if playing else "▶ Play", on_click=_toggle_play, width="stretch",
                  help="Step through time at the speed beside: from change to change (a 1-day change "
                       "and a 5-week gap take the same time), or at a constant number of days per second.")
    # its value is read from session state (play_speed) where Play needs it
    c_speed.selectbox("Play speed", list(PLAY_SPEEDS), index=list(PLAY_SPEEDS).index(PLAY_DEFAULT),
                      key="play_speed", label_visibility="collapsed")
    c_jump.selectbox("Jump to milestone", stops, index=None, key="_jump", on_change=_jump,
                     label_visibility="collapsed",
                     placeholder=f"Jump to milestone ({len(stops)}: announcements, handovers, phases…)",
                     format_func=lambda m: f"{day_label(m.day)} — {m.label}")


step_controls = None
if not brief:  # the briefing view puts the slider under the slide
    _date_slider()
    # st.html, not st.markdown: the strip is HTML already (escaped in geo.popup), and the
    # browser ran st.markdown's Markdown parser over all of it on every run, some 60 ms a
    # step at 1,000 places (issue 11); st.html only sanitises it (DOMPurify) and inserts it.
    # The strip is the same on every date and the chosen day is its own element: the page
    # sanitises and inserts an st.html body again only when its text changes.
    st.html(milestone_strip_html(stops, b.first, b.last, b.latest_source, ds.phases))
    st.html(chosen_day_html(on, b.first, b.last))
    step_controls = st.container()   # filled after the map (_step_controls)

# ----------------------------------------------------------------------- posture

force: str = st.session_state.get("view_force") or ""
as_planned = bool(st.session_state.get("view_planned"))
snap_full = cache.posture(on, known, force=force)
snap_map = snap_full if plans and not as_planned else cache.posture(on, known, plans=plans, force=force,
                                                                      as_planned=as_planned)

# The extent the map opens at: the link's view= once per session; later pans are the
# map's own and only go to the URL, so the mounted map is never rebuilt under the user.
opened_at = st.session_state.setdefault("_map_opened_at", st.session_state.get("view_map") or "")
base = mapview.base_map(ds, base_url_path=st.get_option("server.baseUrlPath") or "", brief=brief,
                        view=state.parse_map_view(opened_at) if opened_at else None)
place_options = [""] + [ps.place.id for ps in snap_full.places]
if st.session_state.get("view_place") not in place_options:
    st.session_state["view_place"] = ""
selected = st.session_state.get("view_place") or None
layers = mapview.posture_layers(snap_map, show_plans=plans, labels=labels, selected=selected,
                                popups=False, ds=ds)
layers.append(mapview.overlay_layer(snap_map, marking=marking, show_plans=plans,
                                    title=title or mapview.DEFAULT_TITLE))
# What the map was handed, for tests and for anyone debugging a view.
st.session_state["_map_view"] = {"on": snap_map.on.isoformat(), "known_on": snap_map.known_on.isoformat(),
                                 "plans": plans, "labels": labels, "selected": selected or "",
                                 "marking": marking, "title": title, "view": opened_at,
                                 "as_planned": bool(getattr(snap_map, "as_planned", False)),
                                 "places": len(snap_map.places),
                                 "groups": len(snap_map.groups), "movements": len(snap_map.movements)}


def _map() -> None:
    # render=False: st_folium renders the base map's Figure once more before its own
    # render of the map; on a fresh base map that extra pass changes nothing in what is
    # sent (same script, header and hash) and costs half of the base map's rendering.
    st_folium(base, key=MAP_KEY, feature_group_to_add=layers, height=MAP_HEIGHT, use_container_width=True,
              returned_objects=["last_object_clicked_tooltip", "last_object_clicked_count", "center", "zoom"],
              on_change=_on_map_change, render=False)


if brief:
    # the exit control first, so it is on screen whatever the window's size
    c_note, c_leave = st.columns([4, 1], vertical_alignment="center")
    c_note.caption("Briefing view: the frame below is the slide. Change the date with the slider under it; "
                   "the link reproduces this view.")
    c_leave.button("✕ Leave briefing view", on_click=_leave_brief, width="stretch", key="leave_brief")
    _map()
    _date_slider()
    state.write_url()
    st.stop()

c_map, c_side = st.columns([3, 1.25], gap="small")
with c_map:
    _map()
with step_controls:
    _step_controls()

with c_side:
    st.date_input("As known on", key="view_known", min_value=first_published, max_value=b.last,
                  format="YYYY-MM-DD", persist_state="session",
                  help="Hide every source published after this day and replay what was known then. "
                       f"Default: the newest source ({day_label(b.latest_source)}).")
    t1, t2, t3 = st.columns(3)
    t4 = st
    t1.toggle("Plans", key="view_plans", persist_state="session",
              help="Plans (announced, scheduled) are drawn dashed. Off: reports only, each place "
                   "showing its last report.")
    t2.toggle("Labels", key="view_labels", persist_state="session")
    t4.toggle("As planned", key="view_planned", persist_state="session",
              help="Projection: the posture the plans said there would be on this day, framed and "
                   "labelled as a projection (?as_planned=1). Off: what was reported.")
    t3.toggle("Brief", key="view_brief", persist_state="session",
              help="Briefing view: a 16:9 frame without the app around it, for a slide (?brief=1).")
    force_options = [""] + [f for f in posture_forces(ds)]
    if st.session_state.get("view_force") not in force_options:
        st.session_state["view_force"] = ""
    st.selectbox("Whose troops", force_options, key="view_force", persist_state="session",
                 format_func=lambda f: "every force (each labelled)" if not f else
                 {"US": "US only", "coalition": "US and partners counted together (coalition)"}.get(f, f),
                 help="US and coalition figures are different things: show one only (?force=US). "
                      "Conflicts are only looked for between like forces.")
    st.text_input("Slide title", key="view_title", max_chars=state.TITLE_MAX, persist_state="session",
                  placeholder=mapview.DEFAULT_TITLE,
                  help="The title on the map, the briefing view and every export (PNG, SVG, PDF, HTML, GIF).")
    st.text_input("Marking line", key="view_marking", max_chars=state.MARKING_MAX, persist_state="session",
                  placeholder="e.g. UNCLASSIFIED // OPEN SOURCE",
                  help="Printed at the top and bottom of the map frame (and of the briefing view).")
    with st.expander("Export"):
        if render_downloads is not None:
            render_downloads(ds, snap_map, state.view())
        else:
            st.caption("Downloads are not available in this build.")
    phase = snap_full.phase
    if phase is not None:
        until = day_label(phase.end) if phase.end else "open"
        st.caption(f"**{md_escape(phase.name)}** ({day_label(phase.start)} – {until}): "
                   f"{md_escape(phase.description)}")
    stale = mapview.staleness_text(snap_full)
    if stale:
        (st.warning if (snap_full.days_since_latest_source or 0) > style.FRESH_DAYS else st.caption)(stale)
    if snap_full.latest_published is None:
        st.info(f"No source was published by {day_label(known)}: nothing is known yet on that day.")

    names = {ps.place.id: ps.place.name for ps in snap_full.places}
    st.selectbox("Place", place_options, key="view_place", persist_state="session",
                 format_func=lambda pid: names.get(pid, pid) if pid else "— click a marker or choose —")
    pid = st.session_state.get("view_place")
    if pid:
        ps = snap_full.place(pid)
        group = next((g for g in snap_full.groups if g.id == ps.group), None)
        st.markdown(place_panel_html(ps, ds, on, known, group), unsafe_allow_html=True)
    else:
        st.caption("Click a place on the map (or choose it above) for its claim history: every figure with "
                   "its date, plan or report, outlet, verbatim quote and link.")

st.caption(f"**Posture Atlas** · {len(ds.claims)} claims from {len(ds.sources)} sources, "
           f"{day_label(b.first)} – {day_label(b.latest_source)}. Works offline.")

state.write_url()

def next_play_day(on: dt.date, mode: str, days_per_step: int) -> dt.date | None:
    """The day Play shows next: the next change, or ``days_per_step`` later (not past
    the slider's end); None when there is nothing further."""
    if mode == "rate":
        return min(on + dt.timedelta(days=days_per_step), b.last) if on < b.last else None
    return min((d for d in _stops(st.session_state["view_known"]) if d > on), default=None)


# Play: a fragment that wakes every few seconds and moves to the next change. The first
# call happens inside this full run and only arms it; a timed rerun of the fragment then
# decides the next day and reruns the whole app, which applies it before the slider.
if st.session_state.get("playing"):
    st.session_state["_play_armed"] = False

    mode, every, days_per_step = PLAY_SPEEDS.get(speed, PLAY_SPEEDS[PLAY_DEFAULT])

    @st.fragment(run_every=every)
    def _player() -> None:
        if not st.session_state.get("_play_armed"):
            st.session_state["_play_armed"] = True
            return
        nxt = next_play_day(st.session_state["view_date"], mode, days_per_step)
        if nxt is None or nxt > b.last:
            st.session_state["playing"] = False
        else:
            st.session_state["_play_next"] = nxt
        st.rerun()

    _player()
