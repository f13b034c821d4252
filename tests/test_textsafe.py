"""No text is ever code (issue 8): template syntax in every text field and flag goes
through every renderer as literal text, is never evaluated, and never runs a command.

branca compiles each map element's rendered script as a Jinja2 template a second time;
before geo.textsafe a place name of ``{{7*7}}`` came out as 49 and
``lipsum.__globals__.os.system`` ran on the server.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pyogrio
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo import textsafe
from geo.loader import COLUMNS, DEFAULT_DATA_DIR, load_dataset

ROOT = Path(__file__).resolve().parent.parent
ON, KNOWN = dt.date(2025, 10, 21), dt.date(2026, 2, 23)

#: Evaluated, this prints "q1z9"; literal, the page holds the expression itself.
EVAL_MARK = "q1z9"


def payloads(canary: Path) -> list[str]:
    """The corpus: each would print, run or break a template if it were compiled."""
    return [
        "{{7*7}}",
        "{% if true %}{% endif %}",
        "{# c",                                     # an unterminated comment
        "${7*7}",
        "{{ 'q1' ~ 'z9' }}",
        f"{{{{ lipsum.__globals__.os.system('touch {canary}') }}}}",
        "{{ \"a\" }} 'sq' \"dq\" {%",               # quotes with a dangling tag
    ]


@pytest.fixture
def canary():
    path = Path("/tmp") / f"pa-pwned-{uuid.uuid4().hex[:8]}"
    yield path
    assert not path.exists(), f"a payload ran: {path} was created"


@pytest.fixture
def combined(canary) -> str:
    return " ".join(payloads(canary))


#: Every free-text column, by file (ids, dates, figures and vocabularies are validated
#: and cannot hold braces).
TEXT_COLUMNS = {
    "places.csv": ("name", "aliases", "coord_source", "note"),
    "sources.csv": ("outlet", "title", "note"),
    "claims.csv": ("quote", "note"),
    "movements.csv": ("quote", "note"),
    "phases.csv": ("name", "description"),
    "events.csv": ("label",),
}


def poisoned_copy(folder: Path, text: str) -> Path:
    """The embedded dataset with ``text`` in every free-text cell of every file (names keep
    their own start so they stay distinct), and in every source URL's query."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in COLUMNS:
        with (DEFAULT_DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            for col in TEXT_COLUMNS[name]:
                if col == "quote":
                    row[col] = text
                elif col == "aliases":
                    row[col] = text.replace("|", "/")
                else:
                    row[col] = f"{row[col][:20]} {text}"
            if name == "sources.csv":
                row["seed_file"] = ""     # the poisoned quotes are not in the seeds
                if row["url"]:
                    row["url"] = row["url"] + "?q={{7*7}}{%if%}{#"
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS[name])
            w.writeheader()
            w.writerows(rows)
    return folder


@pytest.fixture
def bad_ds(tmp_path, combined):
    return load_dataset(poisoned_copy(tmp_path / "poisoned", combined))


def page_text(page: str) -> str:
    """What a browser shows of ``page``: every JSON string decoded, entities resolved."""
    def decode(m):
        try:
            return json.loads(m.group(0))
        except ValueError:            # an HTML attribute, not a JSON string
            return m.group(0)
    decoded = re.sub(r'"(?:[^"\\]|\\.)*"', decode, page)
    return html.unescape(html.unescape(decoded))


def assert_not_evaluated(text: str) -> None:
    assert EVAL_MARK not in text
    assert "TemplateSyntaxError" not in text


# ------------------------------------------------------------------ the functions

@pytest.mark.parametrize("text", payloads(Path("/tmp/x")) + ["50% #1 <b>&'\"`\\"])
def test_js_json_round_trips_and_holds_no_delimiter(text):
    out = textsafe.js_json({"k": [text, {"n": text}]})
    assert not textsafe.has_template_syntax(out)
    assert json.loads(out) == {"k": [text, {"n": text}]}


_STRING_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"')
_FIDDLY = st.text(alphabet=st.sampled_from(list('ab\\"{}<>&\'%#u00225c \n\x00é😀,:[]')), max_size=24)


def _js_json_reference(value) -> str:
    """What js_json means: JSON (textsafe.raw_json) whose string tokens (and only those)
    have < > & ' { } % # written as \\u escapes. js_json gets there without a callback
    per string."""
    return _STRING_TOKEN.sub(lambda m: m.group(0).translate(textsafe._JS_TABLE), textsafe.raw_json(value))


_ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                         | _FIDDLY
                         | st.text(max_size=8),
                         lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_FIDDLY, inner, max_size=4),
                         max_leaves=20)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_ANY_JSON)
@example(["\u2028 \u2029", 2 ** 70, -(2 ** 64), 1e-05, 1e16, "é—😀", {"": [True, None]}])
def test_raw_json_is_the_value_compact_with_no_line_terminator_of_javascript(value):
    # orjson, or json.dumps for what orjson does not take (an integer past 64 bits)
    text = textsafe.raw_json(value)
    assert json.loads(text) == value
    assert "\u2028" not in text and "\u2029" not in text and "\n" not in text
    assert text == textsafe.raw_json(json.loads(text))
    if isinstance(value, dict):
        assert list(json.loads(text)) == sorted(value)


def test_raw_json_takes_what_orjson_would_take_otherwise_as_json_dumps_did():
    # keys that are not strings: sorted as numbers, as json.dumps sorts them
    assert textsafe.raw_json({10: "a", 2: "b"}) == '{"2":"b","10":"a"}'
    # a date or a dataclass is refused, as before (the caller turns it into text first)
    import dataclasses
    import datetime as dt

    @dataclasses.dataclass
    class Point:
        x: int

    for value in (dt.date(2025, 10, 21), Point(1)):
        with pytest.raises(TypeError):
            textsafe.raw_json({"v": value})
    # a lone surrogate (never in the data, which is read as strict UTF-8) stays an escape,
    # so the page can still be encoded as UTF-8
    text = textsafe.raw_json(["\ud800"])
    assert text == '["\\ud800"]' and text.encode("utf-8")


def test_raw_json_writes_what_json_has_no_word_for_as_null():
    # JSON has no NaN or infinity (json.dumps wrote NaN, which JSON.parse refuses)
    assert textsafe.raw_json([float("nan"), float("inf"), -float("inf")]) == "[null,null,null]"


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _FIDDLY,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_FIDDLY, inner, max_size=4),
                    max_leaves=20))
@example(["\\u0022", '\\"u005c', '\\\\"', "a\\", '"', "\\u005c\\u0022", "{}", "}{", '\\{"'])
def test_js_json_is_its_reference_for_any_value(value):
    assert textsafe.js_json(value) == _js_json_reference(value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list('ab &<>"\'`$\\{}%#é—😀\n')), max_size=30) | st.text(max_size=30))
def test_html_text_escapes_exactly_what_its_table_says_with_or_without_the_fast_path(text):
    # the regex fast path (nothing to escape: the text as it is) changes no output
    assert textsafe.html_text(text) == text.translate(textsafe._HTML_TABLE)


@pytest.mark.parametrize("text", payloads(Path("/tmp/x")) + ["50% #1 <b>&'\"`\\"])
def test_html_text_round_trips_and_holds_no_delimiter(text):
    out = textsafe.html_text(text)
    assert not textsafe.has_template_syntax(out) and "<" not in out and '"' not in out
    assert html.unescape(out) == text


def test_every_template_in_geo_is_the_safe_one():
    """A module that builds its own folium/jinja2 Template would bypass the escaping."""
    offenders = []
    for path in (ROOT / "geo").rglob("*.py"):
        if path.name == "textsafe.py":
            continue
        src = path.read_text(encoding="utf-8")
        if re.search(r"from folium\.template import|from jinja2 import|jinja2\.Template|branca\.element import .*\bElement\b",
                     src):
            offenders.append(path.name)
    assert offenders == []


# ------------------------------------------------------------------ every renderer

def test_live_map_html_keeps_every_payload_literal(bad_ds, canary, combined):
    from geo import mapview
    from geo.posture import snapshot

    for text in payloads(canary):     # each alone in the flags, all together in the data
        m = mapview.build_map(bad_ds, snapshot(bad_ds, ON, KNOWN), title=text, subtitle=text, marking=text)
        page = m.get_root().render()
        assert not textsafe.has_template_syntax(page)
        shown = page_text(page)
        assert_not_evaluated(shown)
        assert text in shown                      # title, subtitle, marking
    assert combined in shown                      # names, quotes, outlets in the popups


def test_html_export_writes_the_literal_text(tmp_path, bad_ds, canary, combined):
    out = tmp_path / "map.html"
    r = subprocess.run([sys.executable, "-m", "geo", "brief", "--data", bad_ds.root, "--date", str(ON),
                        "--title", combined, "--subtitle", combined, "--marking", combined[:70],
                        "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert not textsafe.has_template_syntax(page)
    shown = page_text(page)
    assert_not_evaluated(shown)
    assert combined in shown and "{{7*7}} Ain" not in page and "49 " + "Ain" not in shown


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_briefing_images_render_the_payloads(bad_ds, canary, combined, fmt):
    from geo import render
    from geo.posture import snapshot

    data = render.render_brief(bad_ds, snapshot(bad_ds, ON, KNOWN), title=combined[:90],
                               subtitle=combined[90:], marking=combined[:60], fmt=fmt, size_px=(960, 540), dpi=72)
    assert len(data) > 1000
    if fmt == "svg":                              # text is kept as text: it must be the literal
        shown = html.unescape(data.decode("utf-8"))
        assert "{{7*7}}" in shown and "${7*7}" in shown
        assert_not_evaluated(shown)


def test_animation_renders_the_payloads(tmp_path, bad_ds, canary, combined):
    out = tmp_path / "a.gif"
    r = subprocess.run([sys.executable, "-m", "geo", "animate", "--data", bad_ds.root, "-o", str(out),
                        "--from", "2025-10-01", "--to", "2025-10-25", "--size", "640x360",
                        "--title", combined[:80], "--marking", combined[:60]],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:6] in (b"GIF89a", b"GIF87a")


def test_exports_keep_the_exact_text(tmp_path, bad_ds, canary, combined):
    from geo import export
    from geo.posture import snapshot

    fc = export.snapshot_geojson(snapshot(bad_ds, ON, KNOWN))
    names = {f["properties"]["name"] for f in fc["features"] if f["properties"].get("name")}
    assert any(combined in n for n in names)
    for ext in (".geojson", ".gpkg"):
        path = export.write(fc, tmp_path / f"x{ext}")
        back = pyogrio.read_dataframe(path)
        assert set(back["name"].dropna()) == names
    path = export.write(fc, tmp_path / "x.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        cells = {row["name"] for row in csv.DictReader(fh)}
    assert names <= cells
    text = json.dumps(export.timeline_geojson(bad_ds), ensure_ascii=False)
    assert combined.replace('"', '\\"') in text


# ------------------------------------------------------------------ the app

def test_dashboard_marking_from_the_url_and_prepared_images(tmp_path, monkeypatch, canary):
    from streamlit.testing.v1 import AppTest

    from ui import cache

    text = f"{{{{lipsum.__globals__.os.system('touch {canary}')}}}}"
    assert len(text) <= 80                          # fits the marking line: not cut
    folder = poisoned_copy(tmp_path / "poisoned", " ".join(payloads(canary)[:5]))
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.query_params["date"] = str(ON)
    at.query_params["marking"] = text
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the milestone strip goes to the page as HTML (st.html): its poisoned labels escaped
    bodies = [h.value for h in at.html]
    assert any("pa-strip" in b and "&#123;&#123;7*7&#125;&#125;" in b for b in bodies)
    assert not any(textsafe.has_template_syntax(b) or "<script" in b.lower() for b in bodies)
    [prepare] = [b for b in at.button if b.label.startswith("Prepare images")]
    at = prepare.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    page = cache.html_bytes(ON, KNOWN, True, True, text).decode("utf-8")
    assert not textsafe.has_template_syntax(page) and text in page_text(page)


@pytest.mark.parametrize("page", ["1_Timeline.py", "2_Sources.py", "3_Compare.py", "4_Data_quality.py"])
def test_pages_show_the_payloads_as_text(tmp_path, monkeypatch, canary, page):
    from streamlit.testing.v1 import AppTest

    from ui import cache

    folder = poisoned_copy(tmp_path / "poisoned", " ".join(payloads(canary)))
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for md in at.markdown:
        assert EVAL_MARK not in md.value


def _js_string_value(literal: str) -> str:
    """What JavaScript reads from a '…' literal that js_json_parsed writes: its only
    escapes are doubled backslashes (anything else there would be a bug it hides)."""
    assert "'" not in literal and "\n" not in literal and "\r" not in literal
    return re.sub(r"\\(.)", lambda m: m.group(1) if m.group(1) == "\\" else pytest.fail(
        f"an escape other than \\\\ in the literal: {m.group(0)!r}"), literal)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _FIDDLY,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_FIDDLY, inner, max_size=4),
                    max_leaves=20),
       st.booleans())
@example(["\\u0022", "'", "</script>", "{{7*7}}", "\u2028", "a\\"], True)
def test_js_json_parsed_gives_the_same_value_long_or_short(value, long):
    if long:   # padded past the threshold: the JSON.parse form
        value = [value, "x" * textsafe.JSON_PARSE_OVER]
    out = textsafe.js_json_parsed(value)
    assert not textsafe.has_template_syntax(out)
    assert "</" not in out
    text = textsafe.js_json(value)
    if not long:
        assert out == text
        return
    assert out.startswith("JSON.parse('") and out.endswith("')")
    read = _js_string_value(out[len("JSON.parse('"):-2])
    assert read == text
    assert json.loads(read) == value
