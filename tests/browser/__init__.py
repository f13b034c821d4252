"""Real-browser tests: a live Streamlit app driven by Debian's Chromium through Playwright.

Marked ``browser`` (``pytest -m browser`` runs only these, ``-m "not browser"`` skips them).
Fixtures in ``conftest.py``: ``app_url``, ``browser``, ``open_page``.
"""
