"""Streamlit-side glue shared by dashboard.py and app_pages/: caching and view state.

The domain lives in geo/; this package is the only place besides the page scripts that
imports Streamlit."""
