"""The floor: the least a Streamlit slider over a streamlit-folium map can cost.

A trivial app with the dashboard's moving parts and nothing else: a date slider, an
offline map built by :class:`geo.assets.OfflineMap` (the same vendored Leaflet, served
from the same ``static/`` folder, no tiles), kept mounted while one feature group
(a handful of circle markers and the dashboard's date box, marked up alike so the
benchmark waits for the same things) is swapped on each step. The dashboard's slider
step is measured against this in the same benchmark run; the ratio is what the
dashboard's own work costs.

``benchmarks/run.py`` serves it from a folder that links the repository's ``static/``
(Streamlit serves ``static/`` next to the main script).
"""
from __future__ import annotations

import datetime as dt
import html

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.assets import OfflineMap
from geo.mapview import MapNotes

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
SITES = [(33.79, 42.44), (36.19, 44.01), (33.31, 44.37), (35.47, 44.39), (36.34, 43.13)]


def _base() -> folium.Map:
    # Built afresh on every run, as the dashboard does: streamlit-folium keeps the map
    # mounted while its script (ids aside) is unchanged. A cached map object rendered a
    # second time is not, and would remount the frame on every step.
    return OfflineMap(location=[34.5, 43.5], zoom_start=6, tiles=None)


day = st.slider("Date", min_value=FIRST, max_value=LAST, value=dt.date(2025, 6, 1),
                step=dt.timedelta(days=1), format="D MMM YYYY", key="floor_date")
layer = folium.FeatureGroup(name="posture", control=False)
shift = (day - FIRST).days % 30 / 100
for i, (lat, lon) in enumerate(SITES):
    folium.CircleMarker([lat + shift, lon], radius=6 + i, class_name=f"pa-marker pa-key-site-{i}",
                        tooltip=html.escape(f"site {i}")).add_to(layer)
# the date box the dashboard's overlay uses (geo.mapview.MapNotes), which the benchmark waits on
layer.add_child(MapNotes([{"position": "topleft", "cls": "pa-box",
                          "html": f'<div class="pa-date">{day.day} {day:%b %Y}</div>'}]))
st_folium(_base(), key="floor_map", feature_group_to_add=[layer], height=660, use_container_width=True,
          returned_objects=[])
