"""Article text from pasted text, .txt and .html (offline), and sentences with spans."""
from __future__ import annotations

import pytest

from geo.ingest.text import MAX_ARTICLE_BYTES, ArticleError, article_text, split_sentences


def test_pasted_text_is_kept():
    assert article_text("US troops left.\r\nThen more left.") == "US troops left.\nThen more left."


def test_html_becomes_text_offline_without_scripts():
    page = ("<html><head><title>T</title><script>alert('x')</script></head><body>"
            "<nav>Home | News</nav><article><h1>Troops leave</h1>"
            "<p>About 300 US troops left Ain al-Asad Air Base on Monday, officials said in a statement "
            "to reporters in Baghdad.</p><p>The rest will be transferred to Kuwait by the end of "
            "September, according to two officials familiar with the plan.</p></article></body></html>")
    text = article_text(page.encode(), "story.html")
    assert "About 300 US troops left Ain al-Asad" in text
    assert "transferred to Kuwait" in text
    assert "alert(" not in text and "<p>" not in text


def test_html_fragment_falls_back_to_stripped_text():
    text = article_text(b"<p>Some 200 troops remain at Erbil.</p>", "bit.html")
    assert "Some 200 troops remain at Erbil." in text


@pytest.mark.parametrize("data, name, match", [
    (b"\x00\x01\x02binary", "x.txt", "binary"),
    (b"text", "x.pdf", "expected a .txt or .html"),
    (b"   \n ", "x.txt", "no text"),
    (b"a" * (MAX_ARTICLE_BYTES + 1), "x.txt", "too large"),
])
def test_bad_articles_are_refused_with_a_reason(data, name, match):
    with pytest.raises(ArticleError, match=match):
        article_text(data, name)


def test_cp1252_text_is_decoded():
    assert "’" in article_text("the base’s gate".encode("cp1252"), "a.txt")


def test_sentences_carry_their_spans():
    text = "Lt. Gen. Smith said U.S. forces left. About 2,500 remain in Iraq!\nHeadline without stop\n\n“Quoted.” Next one."
    sents = split_sentences(text)
    for s in sents:
        assert text[s.start:s.end] == s.text
    assert [s.text for s in sents] == ["Lt. Gen. Smith said U.S. forces left.", "About 2,500 remain in Iraq!",
                                       "Headline without stop", "“Quoted.”", "Next one."]


def test_list_markers_are_not_part_of_a_sentence():
    text = "- Coalition forces to fully withdraw from Ain al-Asad.\n• Withdrawal next week."
    assert [s.text for s in split_sentences(text)] == ["Coalition forces to fully withdraw from Ain al-Asad.",
                                                       "Withdrawal next week."]
