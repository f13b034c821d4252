"""The Add report page under Streamlit's AppTest: paste, review, preview, save; bad
input shows an error and the app keeps running."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.loader import load_dataset

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app_pages" / "5_Add_report.py")
ARTICLE = ("About 300 US troops remain at Al-Harir Air Base, officials said on Monday. "
           "The troops will relocate to Erbil by the end of November.")


@pytest.fixture
def page(data_copy, monkeypatch):
    monkeypatch.setenv("POSTURE_ATLAS_DATA", str(data_copy))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _fill(at, text=ARTICLE, outlet="Test Wire", published=dt.date(2025, 11, 3)):
    at.text_input(key="ingest_outlet").set_value(outlet)
    at.text_input(key="ingest_url").set_value("https://example.org/a")
    at.date_input(key="ingest_published").set_value(published)
    at.text_area(key="ingest_text").set_value(text)
    _button(at, "Propose rows").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_paste_review_save(page, data_copy):
    at = _fill(page)
    assert not at.error, [e.value for e in at.error]
    frames = {tuple(d.value.columns)[:3]: d.value for d in at.dataframe}
    claims = next(v for k, v in frames.items() if k[:2] == ("id", "places"))
    assert "al-harir" in set(claims["places"])
    harir = claims[claims["places"] == "al-harir"].iloc[0]
    assert (harir["troops_min"], harir["qualifier"], harir["basis"]) == ("300", "about", "report")
    # the map preview: Al-Harir's figure on the claim's day, before and after
    change = next(v for k, v in frames.items() if k[:2] == ("day", "place"))
    row = change[change["place"].str.contains("Harir")].iloc[0]
    assert row["day"] == "2025-11-03" and row["after"].startswith("about 300")
    # the highlighted article is escaped HTML with marks
    (html,) = [h for h in at.get("html")]
    assert '<mark class="pa-place"' in html.proto.body
    at = _button(at, "Save to the dataset").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Saved" in at.success[0].value
    ds = load_dataset(data_copy)
    assert "test-wire-2025-11-03" in ds.sources
    assert any(c.places == ("al-harir",) and c.troops_min == 300 and c.source == "test-wire-2025-11-03"
               for c in ds.claims)
    assert any(m.from_place == "al-harir" and m.to_place == "erbil" for m in ds.movements)


def test_a_fixed_row_is_saved_as_fixed(page, data_copy):
    at = _fill(page)
    key = f"ingest_editor_claim_{at.session_state['ingest']['version']}"
    # the analyst corrects the figure in the first claim row and drops the second
    at.session_state[key] = {"edited_rows": {0: {"troops_min": "320", "troops_max": "320"}},
                             "added_rows": [], "deleted_rows": [1]}
    at.run()
    at = _button(at, "Save to the dataset").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    new = [c for c in load_dataset(data_copy).claims if c.source == "test-wire-2025-11-03"]
    assert [(c.places, c.troops_min) for c in new] == [(("al-harir",), 320)]


def test_a_bad_row_is_shown_located_and_not_saved(page, data_copy):
    at = _fill(page)
    key = f"ingest_editor_claim_{at.session_state['ingest']['version']}"
    at.session_state[key] = {"edited_rows": {0: {"places": "atlantis"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("would not validate" in e.value for e in at.error)
    assert any("Claims, row 0, column places: 'atlantis'" in c.value for c in at.code), [c.value for c in at.code]
    assert not [b for b in at.button if b.label == "Save to the dataset"]
    assert "test-wire-2025-11-03" not in load_dataset(data_copy).sources


@pytest.mark.parametrize("kwargs, message", [
    ({"outlet": ""}, "Give an outlet"),
    ({"text": "binary \x00 junk"}, "could not be read"),
    ({"text": "   "}, "a pasted text"),
])
def test_bad_input_gives_an_error_and_the_app_runs_on(page, kwargs, message):
    at = _fill(page, **kwargs)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not at.exception


def _open_zip_app(zip_path: str):
    """A one-line app: open the zip at ``zip_path`` (if given) for this session, then
    say which data folder the session reads."""
    import streamlit as st

    from ui import ingest as ui
    from ui.cache import data_dir, dataset

    if zip_path and "opened" not in st.session_state:
        ui.session_dataset_dir(open(zip_path, "rb").read())
        st.session_state["opened"] = True
    st.write(f"folder={data_dir()}")
    st.write(f"claims={len(dataset().claims)}")


def test_an_opened_dataset_is_for_its_session_only(data_copy, tmp_path, monkeypatch):
    from geo import store

    monkeypatch.setenv("POSTURE_ATLAS_DATA", str(data_copy))
    # a smaller dataset in the zip: its own claims count tells the folders apart
    lines = (data_copy / "claims.csv").read_text(encoding="utf-8").splitlines()
    other = tmp_path / "other"
    other.mkdir()
    for p in data_copy.glob("*.csv"):
        (other / p.name).write_bytes(p.read_bytes())
    (other / "claims.csv").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    zip_path = tmp_path / "other.zip"
    zip_path.write_bytes(store.dataset_zip(other))

    opener = AppTest.from_function(_open_zip_app, args=(str(zip_path),), default_timeout=120)
    opener.run()
    assert not opener.exception, [e.value for e in opener.exception]
    texts = [m.value for m in opener.markdown]
    assert "claims=3" in texts and not any(str(data_copy) in t for t in texts)

    other_session = AppTest.from_function(_open_zip_app, args=("",), default_timeout=120)
    other_session.run()
    texts = [m.value for m in other_session.markdown]
    assert f"folder={data_copy}" in texts
    assert f"claims={len(load_dataset(data_copy).claims)}" in texts
