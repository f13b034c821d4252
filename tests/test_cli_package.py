"""The CLI as a package (issue 8): one module per command, discovered; a broken command
module is an error, not a command that silently vanishes; ``check`` stays light."""
from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

import geo.cli
from geo.cli import build_parser, command_modules, main
from tests.conftest import ROOT


def test_every_command_is_a_module_with_register():
    assert command_modules() == ["check", "export", "brief", "animate", "ingest", "synth"]
    for name in command_modules():
        mod = importlib.import_module(f"geo.cli.{name}")
        sub = argparse.ArgumentParser().add_subparsers()
        mod.register(sub)
        assert name in sub.choices and callable(sub.choices[name].get_default("func"))


def test_a_broken_command_module_surfaces(monkeypatch):
    real = importlib.import_module

    def failing(name, *a, **k):
        if name == "geo.cli.brief":
            raise ImportError("No module named 'matplotlib'")
        return real(name, *a, **k)

    monkeypatch.setattr(geo.cli.importlib, "import_module", failing)
    with pytest.raises(ImportError, match="matplotlib"):
        build_parser()


def test_parser_loads_without_the_rendering_stack():
    code = ("import sys; from geo.cli import build_parser; build_parser(); "
            "heavy = [m for m in ('matplotlib', 'geopandas', 'folium', 'streamlit') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_python_dash_m_geo_still_works():
    r = subprocess.run([sys.executable, "-m", "geo", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "{check,export,brief,animate,ingest,synth}" in r.stdout


def test_no_render_cli_circle():
    assert not (ROOT / "geo" / "render_cli.py").exists()
    for path in (ROOT / "geo" / "cli").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "render_cli" not in text and "from geo.cli" not in text, path.name


def test_usage_error_exits_2(capsys):
    assert main(["export", "--date", "2025-10-21", "--timeline"]) == 2
    assert "give either --date" in capsys.readouterr().err
