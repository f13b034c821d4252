"""The one place where text from the data, a flag or the URL is made safe for a page.

Why this module exists (issue 8): branca renders each map element's script with Jinja2
and then compiles that *output* as a template a second time
(``branca.element.MacroElement.render`` wraps it in ``Element(...)``, i.e.
``jinja2.Template(output)``). Any ``{{ … }}``, ``{% … %}`` or ``{# … #}`` that a value
carried into the first pass was therefore evaluated by an unsandboxed Jinja2 on the
second: a place name of ``{{7*7}}`` printed 49, and ``lipsum.__globals__.os`` ran
commands. ``|tojson`` and ``html.escape`` leave braces alone, so neither helped.

The rule here: no value ever carries a Jinja2 delimiter out of the first pass.

* :func:`js_json` is JSON for a ``<script>``: inside every JSON *string* it writes
  ``{ } % #`` (and, as Jinja2's and folium's own ``tojson`` do, ``< > & '``) as
  ``\\u007b``-style escapes, so JavaScript reads exactly the original text while the
  page source never holds a delimiter. JSON's own structure never produces ``{{``,
  ``{%`` or ``{#`` (an object's ``{`` is followed by ``"`` or ``}``).
* :func:`html_text` is HTML element text or an attribute value: ``html.escape`` plus
  character references for ``{ } % #`` and for `````, ``$`` and ``\\`` (folium's own
  Tooltip/Popup paste HTML into a JavaScript template literal, where ``${…}`` would run).
* :class:`Template` is the Jinja2 template class every map element in ``geo`` uses: its
  ``tojson`` filter is :func:`js_json`. :func:`literal` is a branca element whose text
  is written as is, never compiled.

Every renderer goes through these: the live map and its HTML export
(:mod:`geo.mapview`, :mod:`geo.popup`, :mod:`geo.assets`, :mod:`geo.html_export`), the
dashboard and pages (their HTML comes from :mod:`geo.popup`). Static images
(matplotlib) draw text with ``parse_math=False`` and never see a template.
"""
from __future__ import annotations

import json
import re

import jinja2
import orjson
from branca.element import Element
from folium.template import Template as _FoliumTemplate
from markupsafe import Markup

#: Characters that must never appear raw in a JSON string inside a page's script.
_JS_ESCAPES = {
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
    "{": "\\u007b", "}": "\\u007d", "%": "\\u0025", "#": "\\u0023",
}
_JS_TABLE = str.maketrans(_JS_ESCAPES)
#: ... of which these never occur outside a string in JSON (braces are its structure)
_JS_ANYWHERE = tuple((ch, e) for ch, e in _JS_ESCAPES.items() if ch not in "{}")

#: Characters written as character references in HTML text and attribute values.
_HTML_TABLE = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
    "`": "&#96;", "$": "&#36;", "\\": "&#92;",
    "{": "&#123;", "}": "&#125;", "%": "&#37;", "#": "&#35;",
})

#: Any character of _HTML_TABLE: most texts (a date, a figure) hold none and need no copy.
_HTML_SPECIAL = re.compile("[" + re.escape("".join(map(chr, _HTML_TABLE))) + "]")

#: What a Jinja2 (default syntax) lexer takes for the start of code or a comment.
TEMPLATE_DELIMITERS = ("{{", "{%", "{#")


#: orjson would write dates and dataclasses, which json.dumps refuses: passed through,
#: they raise as before (and so does a key that is not a string, which json.dumps would
#: sort as a number and orjson as text)
_ORJSON = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
#: JavaScript's line terminators beyond \n and \r: legal raw in JSON, and in a string
#: literal only since ES2019; written as escapes for any older reader of an exported page
_JS_LINE_ENDS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def raw_json(value: object, *, sort_keys: bool = True) -> str:
    """``value`` as compact JSON text, before :func:`js_json`'s escapes: orjson, which
    writes a layer's marks at 1,000 places in a tenth of the time ``json.dumps`` takes
    (some 20 ms of every slider step, issue 11), and writes other than ASCII as itself
    (``·`` is 2 bytes where ``\\u00b7`` was 6, and Streamlit escapes that backslash
    again). A value orjson does not take (an integer past 64 bits, a numpy scalar, a key
    that is not a string, a lone surrogate) goes through ``json.dumps``, written in ASCII
    as before. NaN and the infinities, which JSON has no word for, are null from orjson.

    >>> raw_json({"b": [1, 0.5, None, True], "a": "é — \u2028"})
    '{"a":"é — \\\\u2028","b":[1,0.5,null,true]}'
    """
    try:
        text = orjson.dumps(value, option=_ORJSON | orjson.OPT_SORT_KEYS if sort_keys else _ORJSON).decode()
    except TypeError:   # orjson.JSONEncodeError is a TypeError
        # ASCII here: a lone surrogate (which orjson refuses) is written as its escape
        text = json.dumps(value, sort_keys=sort_keys, separators=(",", ":"))
    for ch, escaped in _JS_LINE_ENDS:
        if ch in text:
            text = text.replace(ch, escaped)
    return text


def js_json(value: object, *, sort_keys: bool = True) -> str:
    """``value`` as JSON that is safe inside ``<script>`` and inside a Jinja2 template.

    >>> js_json({"name": "{{7*7}} <b>"})
    '{"name":"\\\\u007b\\\\u007b7*7\\\\u007d\\\\u007d \\\\u003cb\\\\u003e"}'
    >>> json.loads(js_json(["{%", "50%", "#1"]))
    ['{%', '50%', '#1']
    """
    text = raw_json(value, sort_keys=sort_keys)
    # < > & ' % # never occur outside a JSON string: replaced throughout (str.replace is
    # a memchr scan; a regex callback per string token was most of serialising a map's
    # marks at 1,000 places). Braces also are JSON's structure: only those inside
    # strings are escaped, below.
    for ch, escaped in _JS_ANYWHERE:
        if ch in text:
            text = text.replace(ch, escaped)
    if "{" not in text and "}" not in text:
        return text
    restore = "\\" in text
    if restore:
        # so that every quote left starts or ends a string: a backslash and a quote are
        # written as the JSON escapes \u005c and \u0022 for the split, and back after
        # (json.dumps writes them only as \\ and \", so these occur nowhere else)
        text = text.replace("\\\\", "\\u005c").replace('\\"', "\\u0022")
    parts = text.split('"')   # odd parts: the strings' insides
    parts[1::2] = [p.replace("{", "\\u007b").replace("}", "\\u007d") if "{" in p or "}" in p else p
                   for p in parts[1::2]]
    text = '"'.join(parts)
    if restore:
        text = text.replace("\\u0022", '\\"').replace("\\u005c", "\\\\")
    return text


#: Above this many characters of JSON, :func:`js_json_parsed` hands the value to
#: ``JSON.parse``. V8 reads JSON text much faster than the same object literal: one date's
#: layer script at 1,000 places (700 KB) took a median 26 ms to parse and run as literals
#: in Chromium and 10 ms as ``JSON.parse`` strings, with a new script on every date (a
#: repeated script is served from V8's cache and shows no difference). Small values stay
#: literals, which read better in an exported page.
JSON_PARSE_OVER = 10_000


def js_json_parsed(value: object, *, sort_keys: bool = True) -> str:
    """``value`` as a script expression: :func:`js_json`'s text itself when short, else
    ``JSON.parse('…')`` of it (see :data:`JSON_PARSE_OVER`). Either gives JavaScript the
    same value, and neither holds a template delimiter.

    >>> js_json_parsed({"a": "<"})
    '{"a":"\\\\u003c"}'
    >>> long = js_json_parsed(["x" * JSON_PARSE_OVER, "{{"])
    >>> print(long[:15], "...", long[-20:])
    JSON.parse('["x ... ,"\\\\u007b\\\\u007b"]')
    """
    text = js_json(value, sort_keys=sort_keys)
    if len(text) <= JSON_PARSE_OVER:
        return text
    # The string literal's value must be the JSON text exactly: js_json writes every '
    # as \u0027, and JSON no raw \n or \r (raw_json escapes U+2028 and U+2029 too), so
    # only the backslashes of its escapes need doubling. The text still holds no < (no
    # </script>).
    if "'" in text or "\n" in text or "\r" in text:
        raise ValueError("js_json wrote a quote or a line break: it can no longer go in a string")
    return "JSON.parse('" + text.replace("\\", "\\\\") + "')"


def html_text(value: object) -> str:
    """``value`` escaped for HTML text or a quoted attribute, with no template delimiter.

    >>> html_text('<b onclick="x">`${1}`\\\\</b> {{7*7}} 50% #1')
    '&lt;b onclick=&quot;x&quot;&gt;&#96;&#36;&#123;1&#125;&#96;&#92;&lt;/b&gt; &#123;&#123;7*7&#125;&#125; 50&#37; &#35;1'
    """
    text = "" if value is None else str(value)
    # str.translate looks every character up in the table (~2 µs for a tooltip line, some
    # 8,000 lines a date at 1,000 places); a regex scan that finds nothing is much cheaper
    return text.translate(_HTML_TABLE) if _HTML_SPECIAL.search(text) else text


def has_template_syntax(text: str) -> bool:
    """Does ``text`` hold anything a Jinja2 lexer would take for code or a comment?"""
    return any(d in text for d in TEMPLATE_DELIMITERS)


def _tojson(value: object, indent: int | None = None) -> Markup:
    return Markup(js_json(value))


class _Environment(jinja2.Environment):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["tojson"] = _tojson
        self.filters["tojavascript"] = _FoliumTemplate.environment_class().filters["tojavascript"]


class Template(_FoliumTemplate):
    """The template class for every map element in ``geo``: ``|tojson`` is :func:`js_json`.

    Use it instead of ``folium.template.Template`` or ``jinja2.Template``; a test
    (tests/test_textsafe.py) fails if a module under ``geo/`` builds another.
    """

    environment_class = _Environment


class _Literal(Element):
    """A branca element that writes its text as is: never compiled as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Literal"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def literal(text: str) -> Element:
    """A branca element for a page's header or body that is never compiled by Jinja2
    (``branca.element.Element(text)`` compiles ``text`` as a template)."""
    return _Literal(text)

