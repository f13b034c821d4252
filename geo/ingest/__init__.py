"""Proposals from article text: places, figures, dates, plan or report, moves.

Pure and offline (no streamlit, nothing fetched): :func:`propose` turns an article into
:class:`~geo.ingest.records.Proposals` the analyst reviews; :mod:`geo.store` saves the
reviewed rows. Every proposal carries its verbatim sentence as quote, the sentence's
character span in the article text and a confidence between 0 and 1.
"""
from .extract import propose
from .records import Proposals, REVIEW_COLUMNS
from .text import article_text, split_sentences

__all__ = ["propose", "Proposals", "REVIEW_COLUMNS", "article_text", "split_sentences"]
