# Two commands on a fresh machine (see README):
#   make run    install into .venv and open the dashboard on the embedded dataset
#   make test   install everything the tests need (Chromium included) and run the suite
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test install install-test chromium rsvg lock check bench

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
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

test: install-test chromium rsvg
	$(PY) -m geo check
	$(PY) -m pytest

check: install
	$(PY) -m geo check

bench: install
	$(PY) scripts/bench.py

lock: install-test
	$(PY) -m pip freeze --exclude-editable | { echo "# Exact versions of every package (direct and transitive) the suite was last run with."; \
	  echo "# Used as pip constraints by \`make run\` / \`make test\`; refresh with \`make lock\`."; cat; } > constraints.txt
