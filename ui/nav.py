"""The app's pages and their top navigation (``st.navigation(position="top")``).

The Map page's body is ``dashboard.py`` itself (the entry script runs the navigation,
then, on the Map page, the map); the other pages are the files in ``app_pages/``. A page
that links to the map (Sources' "Open on the map") asks :func:`map_page` for the same
page, so ``st.page_link`` finds it under the navigation.

Why ``app_pages/`` and not ``pages/``: Streamlit (1.67, ``PagesManager``) treats a
``pages/`` folder beside the entry script as a legacy multipage app for the whole
process until some session calls ``st.navigation``. Until then a request for a page
runs that page's file *instead of* ``dashboard.py``, under a sidebar menu of file names
("dashboard", "Timeline", ...): a link to ``/Timeline`` opened first after a start showed
no top navigation (docs.streamlit.io, "Creating multipage apps using the pages/
directory (legacy)": the switch happens once st.navigation is called "in any session";
Streamlit's own multipage guide names the folder ``app_pages/`` for this reason). With no
``pages/`` folder the entry script always runs. tests/browser/test_direct_url_browser.py opens each page first on a fresh server.
"""
from __future__ import annotations

import streamlit as st

#: (file, title, URL path) of the pages after the Map, in the order of the navigation bar
PAGE_FILES = (("app_pages/1_Timeline.py", "Timeline", "Timeline"),
              ("app_pages/2_Sources.py", "Sources", "Sources"),
              ("app_pages/3_Compare.py", "Compare", "Compare"),
              ("app_pages/4_Data_quality.py", "Data quality", "Data_quality"),
              ("app_pages/5_Add_report.py", "Add report", "Add_report"))
MAP_TITLE, MAP_URL_PATH = "Map", "map"


#: The browser tab of the Map page; the other pages set "<title> · Posture Atlas" themselves.
MAP_TAB_TITLE = f"{MAP_TITLE} · Posture Atlas"


def _map_body() -> None:
    """The Map page is the rest of dashboard.py, which runs after the navigation; here
    only its browser tab is named, like the other pages' ("Map · Posture Atlas")."""
    st.set_page_config(page_title=MAP_TAB_TITLE)


def map_page():
    """The Map page (the default: it opens at ``/``)."""
    return st.Page(_map_body, title=MAP_TITLE, url_path=MAP_URL_PATH, default=True)


def pages() -> list:
    return [map_page()] + [st.Page(path, title=title, url_path=url) for path, title, url in PAGE_FILES]
