# make demo   sets everything up, then runs the pipeline on the local AWS (localaws)
# make test   sets up what the tests need, lints (ruff, mypy), then runs every test (function, module plans, localaws, end to end);
#             each run writes where its time went to build/test-times.json (devkit/testreport.py)
# make test-report  prints that report again; RECORD=1 also records its totals for the README (docs/figures.json)
# make bench  the full benchmark run; writes docs/benchmarks.md and docs/benchmarks.png, then what previews cost
# make bench-heic  an iPhone's HEIC (12 MP, grid of tiles) against a 24 MP JPEG at 1 and 2 CPUs, beside libheif's own
#             decode; records docs/benchmarks.md's HEIC section (benchmarks/heic.py)
# make soak   every trigger mode under S3, Secrets Manager and Lambda faults on localaws, then an outage and redrive
#             (devkit/soak.py, about 20 minutes; RECORD=1 records docs/reliability.md's figures)
# make bench-backfill  the thumbnails command end to end at 2,000 objects on localaws; records its rate and cost
# make bench-on-demand first-request latency beside aws-samples/image-optimization (sharp from npm, into build/)
# make tune   the cheapest memory size: pictures through the function on localaws at several sizes (TUNE_ARGS=--help)
# make docs   regenerates the inputs/outputs tables of the READMEs from variables.tf and outputs.tf, and rewrites
#             the measured figures in README.md and docs/ from docs/figures.json (devkit/figures.py)
# make lock   locks layer/requirements*.txt with every wheel's hash (layer/*.lock; make test checks they are current)
# make pin     pins the function ZIP again (seconds), and rebuilds only the layers whose inputs changed
# make release  builds the function ZIP and every layer ZIP into dist/ (SHA256SUMS, manifest.json, RELEASE-NOTES.md)
#               and rewrites the digests the module pins (release/artifacts.json; make test checks they are current)
# make publish BUCKET=... PREFIX=...  uploads dist/ with S3's SHA-256 checksums (the module verifies them at plan)

SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-$(shell cat requirements-dev.txt pyproject.toml | sha256sum | cut -c1-12)
# checkov has a venv of its own: it pins an older boto3 than the tests use.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat requirements-checkov.txt | sha256sum | cut -c1-12)
PYTEST_ARGS ?=
TUNE_ARGS ?=

.PHONY: setup test test-report lint demo soak bench bench-heic bench-backfill bench-on-demand tune docs lock pin release publish fmt clean

$(STAMP):
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(CHECKOV_STAMP):
	rm -f $(CHECKOV_VENV)/.installed-*
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

setup: $(STAMP) $(CHECKOV_STAMP)
	$(PYTHON) devkit/system.py

test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

test-report:
	$(PY) -m devkit.testreport $(if $(RECORD),--record)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

demo: setup
	$(PY) -m devkit.demo

soak: setup
	$(PY) -m devkit.soak --catalogue $(if $(RECORD),--record)

bench: setup
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.previews

bench-heic: setup
	$(PY) -m benchmarks.heic --record

bench-backfill: setup
	THUMBNAILS_E2E_OBJECTS=2000 RECORD_FIGURES=1 $(PY) -m pytest tests/e2e/test_batch.py -n 0 -s

bench-on-demand: setup
	$(PY) -m benchmarks.on_demand

tune: setup
	$(PY) -m benchmarks.tune $(TUNE_ARGS)

docs: setup
	$(PY) -m devkit.docs
	$(PY) -m devkit.figures

lock: setup
	$(PY) -m devkit.lock

pin: setup
	$(PY) -m devkit.release pin

release: setup
	$(PY) -m devkit.release build

BUCKET ?=
PREFIX ?=
publish: setup
	@test -n "$(BUCKET)" || { echo "make publish needs BUCKET=<bucket in the functions' region> (and PREFIX=...)"; exit 2; }
	$(PY) -m devkit.release publish --bucket "$(BUCKET)" --prefix "$(PREFIX)"

fmt: setup
	terraform fmt -recursive .
	$(PY) -m ruff format .

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
	find . -path ./.venv -prune -o -path ./.venv-checkov -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./.venv -prune -o -path ./.venv-checkov -prune -o -name .terraform -type d -prune -exec rm -rf {} +  # from terraform validate
	find . -path ./.venv -prune -o -path ./.venv-checkov -prune -o -name .terraform.lock.hcl -type f -exec rm -f {} +
