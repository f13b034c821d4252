"""The server is closed by default (issue 8): `make run` and .streamlit/config.toml listen
on 127.0.0.1 only, no traceback reaches a browser, XSRF is on, uploads are bounded;
serving a team takes a deliberate `make serve-team ADDRESS=...`."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def test_config_listens_on_loopback_and_hides_tracebacks():
    assert CONFIG["server"]["address"] == "127.0.0.1"
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True
    assert 0 < CONFIG["server"]["maxUploadSize"] <= 20
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert "unsafeMetricsUserAttributes" not in CONFIG["server"]


def test_streamlit_reads_the_same_settings():
    """Streamlit itself, started from the repository, resolves these values."""
    out = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120).stdout
    assert re.search(r'^address = "127\.0\.0\.1"$', out, re.M)
    assert re.search(r'^showErrorDetails = "none"$', out, re.M)
    assert re.search(r"^enableXsrfProtection = true$", out, re.M)
    assert re.search(r"^maxUploadSize = 20$", out, re.M)


def _recipe(target: str, *args: str) -> str:
    r = subprocess.run(["make", "-n", target, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    [line] = [ln for ln in r.stdout.splitlines() if "streamlit run" in ln]
    return line


@needs_make
def test_make_run_listens_on_127_0_0_1_only():
    line = _recipe("run")
    assert re.findall(r"--server\.address (\S+)", line) == ["127.0.0.1"]
    # an ADDRESS in the environment or on the command line does not widen `make run`
    assert re.findall(r"--server\.address (\S+)", _recipe("run", "ADDRESS=0.0.0.0")) == ["127.0.0.1"]


@needs_make
def test_serve_team_needs_an_explicit_address():
    r = subprocess.run(["make", "require-address"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "give ADDRESS=" in r.stderr
    assert re.findall(r"--server\.address (\S+)", _recipe("serve-team", "ADDRESS=0.0.0.0")) == ["0.0.0.0"]
