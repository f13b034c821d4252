"""The view state shared by the map and the analysis pages, and its URL form.

One function, :func:`init_view`, sets every default at the top of each page; the URL
(``?date=…&known=…&place=…&plans=…&brief=…``) wins when a link is opened, the session
keeps the view when moving between pages, and :func:`write_url` puts the state back in
the address bar so that copying the link reproduces the view.

Widgets bind to the ``view_*`` session keys; nothing else writes them.

A stale address is not a link. Each rerun request carries the browser's address bar as
it was when the request left, and the address this session writes arrives only at the
end of a run. A rerun sent in between (the map reporting its new extent while the run
that moved the date is still on its way) carries an address the session has already
moved past; applying it again would undo the user's last change. So an address this
page has already held and left (kept in ``_url_history``) is recognised and ignored, and
the session's view is written back over it. A new page's address is always applied,
since "Open on the map" links arrive that way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from geo.dates import parse_day
from geo.model import Dataset

#: session key -> (URL parameter, kind)
FIELDS = {
    "view_date": ("date", "day"),
    "view_known": ("known", "day"),
    "view_place": ("place", "text"),
    "view_plans": ("plans", "flag"),
    "view_labels": ("labels", "flag"),
    "view_brief": ("brief", "flag"),
    "view_marking": ("marking", "text"),
    "view_title": ("title", "text"),
    "view_planned": ("as_planned", "flag"),
    "view_force": ("force", "text"),
    "view_map": ("view", "text"),
}

#: A marking line longer than this is cut (it has to fit one line of a slide).
MARKING_MAX = 80
#: A slide title longer than this is cut (two lines of a 1920x1080 slide).
TITLE_MAX = 120
#: Session key holding the URL path of the page that is running (set by dashboard.py
#: from st.navigation; absent when a page runs on its own, as under AppTest).
PAGE_KEY = "_page_now"
#: How many of a page's recent addresses are remembered to recognise a stale one.
URL_HISTORY = 32
#: The map's extent in the URL: ``view=LAT,LON,ZOOM`` (degrees, degrees, Leaflet zoom).
ZOOM_LIMITS = (2.0, 18.0)


@dataclass(frozen=True)
class Bounds:
    first: dt.date
    last: dt.date          # slider end: today, or the data's last date if later
    latest_source: dt.date


def bounds(ds: Dataset, today: dt.date | None = None) -> Bounds:
    today = today or dt.date.today()
    first = ds.first_date or today
    latest = ds.latest_published or today
    return Bounds(first, max(today, ds.last_date or today), latest)


def _defaults(b: Bounds) -> dict:
    return {"view_date": min(b.latest_source, b.last), "view_known": b.latest_source,
            "view_place": "", "view_plans": True, "view_labels": True, "view_brief": False,
            "view_marking": "", "view_title": "", "view_map": "", "view_planned": False, "view_force": ""}


def _parse(kind: str, raw: str):
    if kind == "day":
        return parse_day(raw)
    if kind == "flag":
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{raw!r} is not a switch; expected 1 or 0")
    return raw.strip()


def _check_text(key: str, value: str, ds: Dataset, warnings: list[str]) -> str:
    if key == "view_force" and value:
        from geo.posture import forces
        if value not in forces(ds):
            warnings.append(f"force={value!r} in the link: no claim is about that force; showing every force")
            return ""
    if key == "view_place" and value and value not in ds.places:
        warnings.append(f"place={value!r} in the link is not in the gazetteer; no place selected")
        return ""
    if key == "view_marking" and len(value) > MARKING_MAX:
        warnings.append(f"marking= in the link is {len(value)} characters; cut to {MARKING_MAX}")
        return value[:MARKING_MAX]
    if key == "view_title" and len(value) > TITLE_MAX:
        warnings.append(f"title= in the link is {len(value)} characters; cut to {TITLE_MAX}")
        return value[:TITLE_MAX]
    if key == "view_map" and value:
        try:
            lat, lon, zoom = parse_map_view(value)
        except ValueError as exc:
            warnings.append(f"view= in the link: {exc}; opening the default extent")
            return ""
        return format_map_view(lat, lon, zoom)
    return value


def parse_map_view(text: str) -> tuple[float, float, float]:
    """'33.3,43.9,6.5' -> (latitude, longitude, zoom); ValueError saying what is expected."""
    parts = [p.strip() for p in text.split(",")]
    try:
        lat, lon, zoom = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"{text!r} is not LAT,LON,ZOOM; expected e.g. 33.3,43.9,6.5") from None
    if not (-85 <= lat <= 85 and -180 <= lon <= 180):
        raise ValueError(f"{text!r}: latitude must be -85..85 and longitude -180..180 degrees")
    if not (ZOOM_LIMITS[0] <= zoom <= ZOOM_LIMITS[1]):
        raise ValueError(f"{text!r}: zoom {zoom:g} is out of range; expected {ZOOM_LIMITS[0]:g}-{ZOOM_LIMITS[1]:g}")
    return lat, lon, zoom


def format_map_view(lat: float, lon: float, zoom: float) -> str:
    """The URL form of a map extent: 4 decimals (about 10 m), zoom to a quarter step."""
    return f"{lat:.4f},{lon:.4f},{round(zoom * 4) / 4:g}"


def init_view(ds: Dataset, today: dt.date | None = None, b: Bounds | None = None) -> list[str]:
    """Set every view key once per session, from the URL if present, else defaults.

    Returns warnings for URL values that could not be used (shown by the page; the
    default is used instead, so a mistyped link still opens). ``b``: the bounds, if the
    page has them already (ui.cache.bounds), so they are not computed again.
    """
    b = b or bounds(ds, today)
    defaults = _defaults(b)
    warnings: list[str] = []
    params = st.query_params
    from_url = not st.session_state.get("_view_ready")
    page = st.session_state.get(PAGE_KEY, "")
    history = st.session_state.get("_url_history")
    if history is None or history[0] != page:
        # a new page: its link is the user's intent, so only the newest address is kept
        # (what the session last showed, never stale); the older ones may come back
        history = st.session_state["_url_history"] = (page, history[1][-1:] if history else [])
    incoming = _frozen(params.to_dict())
    # the newest address, as a dict; an address already moved past is ignored whole
    stale = not from_url and incoming in history[1][:-1]
    seen = dict(history[1][-1]) if history[1] else {}
    for key, (param, kind) in FIELDS.items():
        if not stale and (from_url or param in params and seen.get(param) != params.get(param)):
            raw = params.get(param)
            if raw is not None:
                try:
                    value = _parse(kind, raw)
                    if kind == "day":
                        value = _clamp(value, b, param, warnings)
                    if kind == "text":
                        value = _check_text(key, value, ds, warnings)
                    st.session_state[key] = value
                    continue
                except ValueError as exc:
                    warnings.append(f"{param}= in the link: {exc}; using the default")
        st.session_state.setdefault(key, defaults[key])
    st.session_state["_view_ready"] = True
    st.session_state["_url_stale"] = stale
    if not stale:
        _remember(incoming)
    return warnings


def address_is_stale() -> bool:
    """Whether this run's address bar was one the page had already left (see the module
    docstring); a page reading its own parameters (Compare's side A) then ignores it too."""
    return bool(st.session_state.get("_url_stale"))


def _frozen(params: dict[str, str]) -> tuple:
    return tuple(sorted(params.items()))


def _remember(address: tuple) -> None:
    """Add an address bar's content to this page's recent history (newest last)."""
    _, seen = st.session_state["_url_history"]
    if address in seen:
        seen.remove(address)
    seen.append(address)
    del seen[:-URL_HISTORY]


def _clamp(day: dt.date, b: Bounds, param: str, warnings: list[str]) -> dt.date:
    if day < b.first:
        warnings.append(f"{param}={day} is before the data begins ({b.first}); showing {b.first}")
        return b.first
    if day > b.last:
        warnings.append(f"{param}={day} is after {b.last}; showing {b.last}")
        return b.last
    return day


def start_page(ds: Dataset) -> Bounds:
    """The top of every analysis page: the view from the link (its warnings shown
    inert), the map's view kept while its widgets are not on this page, the bounds."""
    from geo.analysis import md_escape

    for warning in init_view(ds):  # the warning quotes the link's text
        st.warning(md_escape(warning))
    for key in FIELDS:
        # a widget key not rendered on this page would otherwise be dropped by Streamlit
        st.session_state[key] = st.session_state[key]
    return bounds(ds)


def view() -> dict:
    """The current view as plain values."""
    return {key: st.session_state.get(key) for key in FIELDS}


def url_params(state: dict | None = None) -> dict[str, str]:
    """The URL form of a view: only what differs from nothing, dates as ISO days."""
    state = state or view()
    out: dict[str, str] = {}
    for key, (param, kind) in FIELDS.items():
        value = state.get(key)
        if value is None or value == "":
            continue
        if kind == "day":
            out[param] = value.isoformat()
        elif kind == "flag":
            out[param] = "1" if value else "0"
        else:
            out[param] = str(value)
    return out


def write_url(extra: dict[str, str] | None = None) -> None:
    """Put the view in the address bar (only when it changed, to avoid extra reruns).

    ``extra`` adds a page's own parameters (Compare's ``date_a``) to the shared view's.
    """
    wanted = url_params()
    wanted.update(extra or {})
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    if "_url_history" in st.session_state:  # a page that ran init_view (all of the app's do)
        _remember(_frozen(wanted))
