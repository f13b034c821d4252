"""Chromium reads the same value from a large layer value sent as ``JSON.parse('…')``
(geo.textsafe.js_json_parsed) as from the JSON literal it replaces, hostile texts
included, and a page that inlines it runs no injected script."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import textsafe
from tests.test_textsafe import payloads

pytestmark = pytest.mark.browser


def test_a_json_parse_value_is_the_literal_value(browser, tmp_path):
    texts = payloads(Path("/tmp/x")) + ["50% #1 <b>&'\"`\\", "a\\", "\\u0022", "\u2028\u2029", "😀 é —",
                                        "</script><script>window.pwned=1</script>"]
    value = {"rows": [{"tip": [t, t + "!"], "n": i, "f": i / 7} for i, t in enumerate(texts)] * 40,
             "pad": "x" * textsafe.JSON_PARSE_OVER}
    parsed, literal = textsafe.js_json_parsed(value), textsafe.js_json(value)
    assert parsed.startswith("JSON.parse('") and literal.startswith("{")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # inline in a <script>, as the HTML export and streamlit-folium's eval have it
        page.set_content(f"<html><body><script>window.a = {parsed}; window.b = {literal};</script></body></html>")
        assert errors == []
        assert page.evaluate("() => window.pwned === undefined")
        got_a = page.evaluate("() => JSON.stringify(window.a)")
        got_b = page.evaluate("() => JSON.stringify(window.b)")
        assert json.loads(got_a) == json.loads(got_b) == value
    finally:
        page.close()
