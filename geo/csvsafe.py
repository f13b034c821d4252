"""The product's one CSV writer: no cell runs as a spreadsheet formula (issue 8).

Kept apart from :mod:`geo.textsafe` (which needs folium) so that ``python -m geo export``
stays light. GeoJSON and GeoPackage keep the exact text; only CSV, which people open in
a spreadsheet, is neutralised, following OWASP's "CSV Injection" guidance.
"""
from __future__ import annotations

#: A text cell starting with one of these is run as a formula by Excel, LibreOffice or
#: Google Sheets (OWASP, "CSV Injection"): ``=HYPERLINK(...)`` in a quote would become a
#: link that leaks data, ``@SUM(...)`` or ``+cmd|...`` worse.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Only text is touched: a number stays a number, so ``-250`` in a numeric column is
    still -250, while the text ``"-250"`` or ``"=1+1"`` is written ``'-250``, ``'=1+1``.

    >>> [spreadsheet_cell(v) for v in ("=1+1", "@SUM(A1)", "\\tx", "ok", -5, None)]
    ["'=1+1", "'@SUM(A1)", "'\\tx", 'ok', -5, None]
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame) -> bytes:
    """The one CSV writer of the product: ``frame`` (a pandas DataFrame) as UTF-8 CSV
    with every text cell passed through :func:`spreadsheet_cell` (column names too).

    GeoJSON and GeoPackage exports keep the exact text; only CSV, which spreadsheets
    open, is neutralised. Used by :func:`geo.export.render_bytes` (the CLI and the
    dashboard's downloads, snapshot and timeline) and :func:`geo.analysis.compare_csv`.
    """
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    out = frame.copy()
    out.columns = [spreadsheet_cell(str(c)) for c in out.columns]
    for col in out.columns:
        s = out[col]
        # numeric columns are left alone: -250 is a number, not a formula
        if is_numeric_dtype(s) or is_bool_dtype(s):
            continue
        if isinstance(s.dtype, pd.StringDtype):
            # Text only: spreadsheet_cell's rule on the whole column at once (a timeline
            # at 1,000 places has some 4.7 million text cells, a call each took 5 s).
            hit = s.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            if hit.any():
                out[col] = s.mask(hit, "'" + s)
        else:   # mixed or other values: one by one
            out[col] = s.map(spreadsheet_cell)
    return out.to_csv(index=False).encode("utf-8")
