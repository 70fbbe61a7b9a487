# Two commands for a fresh clone: `make run` and `make test`.
# Each creates .venv when missing and installs the project into it; a stamp file makes the
# second call fast (it reinstalls only when pyproject.toml changes).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test bench package clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(VENV)/bin/liveaction app

test: $(DEV_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(DEV_STAMP)
	$(PY) bench/pose.py
	$(PY) bench/models.py

# A one-folder build, dist/liveaction/ (several minutes; not part of `make test`), then its smoke test.
package: $(RUN_STAMP)
	$(PY) -m pip install -q pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
	PY=$(PY) bash packaging/build.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
