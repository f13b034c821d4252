# Two commands on a fresh machine (see README):
#   make run    install into .venv and open the dashboard on the embedded dataset
#               (listens on 127.0.0.1 only; `make serve-team ADDRESS=...` to share it;
#               make run DATA=dir: on another dataset, e.g. one from `python -m geo synth`)
#   make test   install everything the tests need (Chromium included) and run the suite
#   make bench  the benchmarks of README "Performance" (make bench QUICK=1: under a minute)
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PORT   ?= 8501
DATA   ?=
QUICK  ?=
# `make run` listens on this machine only; `make serve-team ADDRESS=...` is the one
# deliberate way to listen on a network interface (README, "Security").
LOCAL_ADDRESS = 127.0.0.1
ADDRESS ?=

.PHONY: run serve-team require-address test install install-test chromium rsvg lock check bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt

install-test: $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt -c constraints.txt

# Debian's Chromium: Playwright's own browser download cannot work offline.
chromium:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	else SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	     $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	     && echo "chromium: installed $$(/usr/bin/chromium --version)"; fi

# Debian's librsvg2-bin: the tests render the SVG briefing with rsvg-convert, as an editor would.
rsvg:
	@if command -v rsvg-convert >/dev/null; then echo "rsvg-convert: $$(rsvg-convert --version)"; \
	else SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	     $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq librsvg2-bin >/dev/null \
	     && echo "rsvg-convert: installed $$(rsvg-convert --version)"; fi

run: install
	$(if $(DATA),POSTURE_ATLAS_DATA="$(abspath $(DATA))") $(PY) -m streamlit run dashboard.py --server.address $(LOCAL_ADDRESS) --server.port $(PORT)

require-address:
	@if [ -z "$(ADDRESS)" ]; then echo "serve-team: give ADDRESS=<interface IP or 0.0.0.0>, e.g. make serve-team ADDRESS=0.0.0.0 (see README, Security)" >&2; exit 2; fi

# Serve the dashboard to a team on ADDRESS (an interface's IP, or 0.0.0.0 for all).
# Anyone who can reach ADDRESS:PORT sees the dataset and can make exports; there is
# no login. Put it behind a reverse proxy with TLS and authentication (README).
serve-team: require-address install
	@echo "serve-team: listening on $(ADDRESS):$(PORT); everyone who can reach it sees the data (no login)" >&2
	$(PY) -m streamlit run dashboard.py --server.address $(ADDRESS) --server.port $(PORT)

test: install-test chromium rsvg
	$(PY) -m geo check
	$(PY) -m pytest

check: install
	$(PY) -m geo check

bench: install-test chromium
	$(PY) benchmarks/run.py $(if $(QUICK),--quick) --json build/bench/latest.json

lock: install-test
	$(PY) -m pip freeze --exclude-editable | { echo "# Exact versions of every package (direct and transitive) the suite was last run with."; \
	  echo "# Used as pip constraints by \`make run\` / \`make test\`; refresh with \`make lock\`."; cat; } > constraints.txt
