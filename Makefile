# Entry points for developers and CI. Works from a fresh clone (as root or not):
# the first target that needs Python builds .venv, the stack installs the rest (Java and
# Maven from Debian's packages when missing, Kafka 4.3.1 from Maven Central, PostgreSQL).

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
XINGCUN := $(VENV)/bin/xingcun
PYTEST_ARGS ?=

.PHONY: .venv tools bench-tools dashboard browser infra up down status test test-long chaos demo bench scale k8s-tools k8s-check

.venv: $(STAMP)

# Reinstalled when pyproject.toml changes; the stamp records the last install.
$(STAMP): pyproject.toml
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; fi
	test -x $(VENV)/bin/pip || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

infra: .venv
	$(XINGCUN) stack infra

# Programs the tests and benchmarks drive, from Debian's packages when missing:
# wrk (HTTP load generator).
TOOLS := wrk
tools:
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else echo "缺少 / missing:$$missing (apt-get install as root)"; exit 1; fi; fi

# The overload benchmark's load generator, vegeta (a constant rate from outside Python: a Python
# client saturates two cores before the API does), from Go's module proxy into build/tools/bin;
# Go from Debian's packages when missing.
VEGETA := build/tools/bin/vegeta
bench-tools: $(VEGETA)
$(VEGETA):
	@if ! command -v go >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go; \
		else echo "缺少 / missing: go (apt-get install golang-go as root)"; exit 1; fi; fi
	GOBIN=$(abspath build/tools/bin) go install github.com/tsenart/vegeta/v12@v12.13.0

# The dashboards' third-party files (ECharts, Tianjin's district geometry, an SSE parser), from npm
# into one git-ignored node_modules (exactly the lock file) that publicity and monitoring both serve.
DASHBOARD := shared/dashboard
dashboard: $(DASHBOARD)/node_modules/.package-lock.json
# npm from Debian's packages when missing (also the image test's npm ci of the same lock file).
$(DASHBOARD)/node_modules/.package-lock.json: $(DASHBOARD)/package-lock.json
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm; \
		else echo "缺少 / missing: npm (apt-get install as root)"; exit 1; fi; fi
	cd $(DASHBOARD) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Headless Chromium and a CJK font for the dashboard test, from Debian's packages when missing.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-zenhei; \
		else echo "缺少 / missing: chromium fonts-wqy-zenhei (apt-get install as root)"; exit 1; fi; fi

# kustomize, kubeconform and the schemas they validate against (Kubernetes', CloudNativePG's
# CRDs, Strimzi's generated from its Maven artifacts), installed once into a git-ignored
# directory: Go modules, PyPI and Maven Central, a few minutes the
# first time; afterwards no network (deploy/k8s/check/).
K8S_TOOLS := build/k8s-check
k8s-tools: $(K8S_TOOLS)/.ready
$(K8S_TOOLS)/.ready: deploy/k8s/check/setup.sh deploy/k8s/check/versions.env deploy/k8s/check/kubernetes_schemas.py deploy/k8s/check/strimzi/pom.xml $(STAMP)
	deploy/k8s/check/setup.sh $(K8S_TOOLS) $(VENV)/bin/python

# Renders base and both overlays with kustomize and validates every object strictly (≈ 10 s).
k8s-check: k8s-tools
	deploy/k8s/check/check.sh $(K8S_TOOLS)

up: .venv dashboard
	$(XINGCUN) stack up

down: .venv
	$(XINGCUN) stack down

status: .venv
	$(XINGCUN) stack status

# Infrastructure stays up afterwards, so the next run starts at once.
# pytest's exit code 5 ("no tests collected") fails the target like any other.
# --durations: the slowest tests in every run's output, to keep CI well under 30 minutes;
# the long runs (marked `long`) have their own target, and make test a shorter version of each.
test: infra tools dashboard browser k8s-check
	$(VENV)/bin/python -m pytest -q --durations=25 -m "not long" $(PYTEST_ARGS)

test-long: infra tools bench-tools dashboard browser
	$(VENV)/bin/python -m pytest -q --durations=10 -m long $(PYTEST_ARGS)

# The long chaos run (make test runs a short one with a fixed seed): a random seed, printed
# first, so a failing run is repeated with XINGCUN_CHAOS_SEED=<seed> make chaos.
CHAOS_FAULTS ?= 40
chaos: infra tools
	@seed=$${XINGCUN_CHAOS_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "混沌测试种子 / chaos seed: $$seed ($(CHAOS_FAULTS) faults at most)"; \
	XINGCUN_CHAOS_SEED=$$seed XINGCUN_CHAOS_FAULTS=$(CHAOS_FAULTS) \
		$(VENV)/bin/python -m pytest -q -s tests/faults/test_chaos.py

demo: up
	$(XINGCUN) demo

bench: infra tools bench-tools
	$(VENV)/bin/python -m bench

# National scale (docs/scaling.md): the scenario at each size on a private stack, checked, with
# every process's peak RSS and the reads on its read model. Hours at 10×: SCALE_TIMES="1 3 10".
SCALE_TIMES ?= 1 3
scale: infra tools
	$(VENV)/bin/python -m bench.scale $(foreach n,$(SCALE_TIMES),--times $(n))
