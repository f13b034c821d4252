"""The app's pages and their top navigation (``st.navigation(position="top")``).

The Map page's body is ``dashboard.py`` itself (the entry script runs the navigation,
then, on the Map page, the map); the other pages are the files in ``pages/``. A page
that links to the map (Sources' "Open on the map") asks :func:`map_page` for the same
page, so ``st.page_link`` finds it under the navigation.
"""
from __future__ import annotations

import streamlit as st

#: (file, title, URL path) of the pages after the Map, in the order of the navigation bar
PAGE_FILES = (("pages/1_Timeline.py", "Timeline", "Timeline"), ("pages/2_Sources.py", "Sources", "Sources"),
              ("pages/3_Compare.py", "Compare", "Compare"), ("pages/4_Data_quality.py", "Data quality", "Data_quality"),
              ("pages/5_Add_report.py", "Add report", "Add_report"))
MAP_TITLE, MAP_URL_PATH = "Map", "map"


def _map_body() -> None:
    """The Map page is the rest of dashboard.py, which runs after the navigation."""


def map_page():
    """The Map page (the default: it opens at ``/``)."""
    return st.Page(_map_body, title=MAP_TITLE, url_path=MAP_URL_PATH, default=True)


def pages() -> list:
    return [map_page()] + [st.Page(path, title=title, url_path=url) for path, title, url in PAGE_FILES]
