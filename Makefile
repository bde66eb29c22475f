# The project's commands. Quick start: `make example`, then `make test`.
SHELL := bash
GO ?= go

# A Docker engine at another address (README: Remote engine): testcontainers
# must dial the ports it publishes at its host, not at localhost. Before the
# default below, which `?=` then leaves alone; an IPv6 address in brackets is
# yours to set.
ifneq ($(filter tcp://%,$(DOCKER_HOST)),)
ifeq ($(findstring [,$(DOCKER_HOST)),)
export TESTCONTAINERS_HOST_OVERRIDE ?= $(firstword $(subst :, ,$(patsubst tcp://%,%,$(DOCKER_HOST))))
endif
endif

# testcontainers-go settings this project needs on machines where the test
# process runs inside a container or no registry is reachable (README:
# Troubleshooting). `?=` keeps a value the user already set in the environment.
export TESTCONTAINERS_HOST_OVERRIDE ?= localhost
export TESTCONTAINERS_RYUK_DISABLED ?= true

# Under CI a machine without Docker must fail the container tests, not skip
# them; one without a browser must fail the report's browser test.
ifeq ($(CI),true)
export CHAOSTEST_REQUIRE_DOCKER ?= 1
export CHAOSTEST_REQUIRE_BROWSER ?= 1
endif

# Under CI the remote-engine test (a network namespace and a veth pair, as
# root) must run, not skip.
ifeq ($(CI),true)
export CHAOSTEST_REQUIRE_NETNS ?= 1
endif

# The library's module and the examples' own (go.work joins them): the
# examples' clients (pgx, go-redis, ...) never reach a user's go.mod.
PKGS = ./... ./examples/...

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Where `make example` keeps the experiments' journals.
JOURNALS ?= $(CURDIR)/.journals

.PHONY: all images short test example bench lint leaks clean

all: test

## images: make every image the fixtures use present locally (pull, else build offline)
images:
	@fixtures/images/images.sh

## test: -short first (fast, no Docker needed), then the whole suite with the race detector, container tests included
test: short images
	@$(LIST_TEST_OBJECTS) > .test-objects-before
	$(GO) test -race -count=1 $(PKGS)
	@$(MAKE) --no-print-directory leaks BEFORE=.test-objects-before; rc=$$?; rm -f .test-objects-before; exit $$rc

## short: the suite under -short, as a developer runs it before a commit: no container, no fault, seconds
short:
	$(GO) test -short -count=1 $(PKGS)

## example: run the examples' resilience tests, show the experiments, and say where their reports are
example: images
	@rm -rf "$(JOURNALS)" && mkdir -p "$(JOURNALS)"
	@set -o pipefail; CHAOSTEST_JOURNAL="$(JOURNALS)" $(GO) test -count=1 -v ./examples/... | tee "$(JOURNALS)/go-test.log"; status=$$?; \
	  echo; $(GO) run ./examples/internal/summary "$(JOURNALS)"; summary=$$?; \
	  $(SHOW_MATRICES) "$(JOURNALS)/go-test.log"; \
	  if [ -f "$(JOURNALS)/index.html" ]; then \
	    echo; echo "reports: open file://$(JOURNALS)/index.html (one page per experiment, linked from it)"; \
	  fi; \
	  [ $$summary -ne 0 ] && exit $$summary; exit $$status

## bench: benchmarks of the sampler, the proxies and the fixtures
bench: images
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 $(PKGS)

## lint: gofmt, go vet and staticcheck (pinned, through the module proxy)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

# The fault-space matrices the explorers logged (fixtures/explore), again
# after the summary: t.Log's indentation removed, a blank line between them.
SHOW_MATRICES = awk '/explore: fault space of/ { p = 1; sub(/^ *[A-Za-z_]+\.go:[0-9]+: explore: /, ""); print "\n" $$0; next } \
	p && /^        / { sub(/^        /, ""); print; next } { p = 0 }'

# Every container and network testcontainers-go made, one ID a line.
LIST_TEST_OBJECTS = { docker ps -aq --filter label=org.testcontainers=true; \
	docker network ls -q --filter label=org.testcontainers=true; } 2>/dev/null | sort

## leaks: fail if a test left a container or a network behind (those listed in BEFORE were there already)
leaks:
	@left=$$($(LIST_TEST_OBJECTS) | comm -23 - <(sort $(or $(BEFORE),/dev/null))); \
	  if [ -n "$$left" ]; then \
	    echo "left behind by the tests:"; \
	    for id in $$left; do docker inspect --format '{{.Name}} {{.Config.Image}} {{.State.Status}}' $$id 2>/dev/null || \
	      docker network inspect --format 'network {{.Name}}' $$id; done; \
	    exit 1; \
	  fi; \
	  echo "nothing left behind: no test container or network remains"

clean:
	rm -rf "$(JOURNALS)"
