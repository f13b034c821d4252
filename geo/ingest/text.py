"""Article text: from pasted text, a .txt file or an .html file; sentences with spans.

HTML becomes text offline with trafilatura's extractor (no URL is ever fetched: only the
bytes given are read). Sentences keep their character span in the text, so a proposal's
quote is always ``text[start:end]``.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

#: The largest article accepted (characters of text, bytes of a file): a long report is
#: about 30 000 characters; anything far larger is not an article.
MAX_ARTICLE_BYTES = 2_000_000
TEXT_SUFFIXES = (".txt", ".html", ".htm")


class ArticleError(ValueError):
    """The upload or pasted text cannot be read as an article; the message says why."""


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    #: the line the sentence is on (0-based): a headline, bullet or paragraph
    paragraph: int


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ArticleError(f"{name}: not text in UTF-8 or Windows-1252")


def html_to_text(markup: str) -> str:
    """The article body of an HTML page as plain text, offline.

    trafilatura finds the main text; a page it finds nothing in (a fragment, a very
    short page) falls back to the tag-stripped text so nothing is silently dropped.
    """
    import trafilatura

    text = trafilatura.extract(markup, include_comments=False, include_tables=False,
                               favor_recall=True, deduplicate=False, with_metadata=False)
    if text and text.strip():
        return text
    stripped = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    stripped = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</h\d>|</li>", "\n", stripped)
    stripped = re.sub(r"<[^>]+>", " ", stripped)
    return html_lib.unescape(re.sub(r"[ \t]+", " ", stripped)).strip()


def article_text(data: bytes | str, name: str = "pasted text") -> str:
    """The text of an article: ``data`` is pasted text, or the bytes of a .txt/.html
    file called ``name``. Raises :class:`ArticleError` with the reason on bad input."""
    size = len(data)
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(f"{name}: {size:,} bytes is too large for an article "
                           f"(at most {MAX_ARTICLE_BYTES:,})")
    text = data if isinstance(data, str) else _decode(data, name)
    if "\x00" in text:
        raise ArticleError(f"{name}: binary data, not text; expected a .txt or .html article")
    lower = name.lower()
    looks_html = lower.endswith((".html", ".htm")) or re.match(r"\s*(<!doctype html|<html\b)", text, re.I)
    if isinstance(data, bytes) and not lower.endswith(TEXT_SUFFIXES):
        raise ArticleError(f"{name}: expected a .txt or .html file")
    if looks_html:
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ArticleError(f"{name}: no text found")
    return text


# A sentence ends at . ! ? (with closing quotes) followed by space and an upper-case
# letter or a quote, or at a blank line / line break. Abbreviations that end in a dot
# ("U.S.", "Lt.", "Gen.", "Sept.") do not end a sentence.
_ABBREV = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Lt|Gen|Col|Maj|Capt|Sgt|Mr|Mrs|Ms|Dr|St|Jan|Feb|Mar|Apr|"
                     r"Aug|Sept?|Oct|Nov|Dec|No|Rep|Sen|Gov|Adm|Brig|Cmdr|Jr|Sr|vs|etc|approx|est)\.)$")
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with their spans: ``text[s.start:s.end] == s.text``.

    Line breaks end a sentence too (headlines, bullet lines, datelines have no final
    full stop).
    """
    out: list[Sentence] = []
    for paragraph, block in enumerate(re.finditer(r"[^\n]+", text)):
        line_start = block.start()
        line = block.group()
        pos = 0
        cuts = []
        for m in _END.finditer(line):
            if _ABBREV.search(line[:m.start() + 1]) and m.group().startswith(".") and len(m.group()) == 1:
                continue
            cuts.append(m.end())
        cuts.append(len(line))
        for cut in cuts:
            seg = line[pos:cut]
            lead = len(seg) - len(seg.lstrip())
            bullet = re.match(r"[-–—•*·▪]+\s+", seg[lead:]) if pos == 0 else None
            if bullet:  # a list marker is not part of the sentence
                lead += bullet.end()
            seg_text = seg[lead:].strip()
            if seg_text:
                s = line_start + pos + lead
                out.append(Sentence(s, s + len(seg_text), seg_text, paragraph))
            pos = cut
    return out
