# Ballast — the front door. `make test` and `make demo` work on a fresh Debian 12 machine.
.PHONY: all deps build release test test-dev test-asan demo demo-stop bench lint fmt fuzz tidy clean

JOBS ?= $(shell nproc)
CTEST_ARGS ?=

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The dev build's tests (unit, integration, e2e, lint), then the asan build's unit tests.
test: build
	@ctest --preset dev -j $(JOBS) $(CTEST_ARGS)
	@$(MAKE) --no-print-directory test-asan

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS) $(CTEST_ARGS)

# Starts Ballast on the realistic example spec (see README.md); `make demo-stop` ends it.
demo: build
	@scripts/demo start

demo-stop:
	@scripts/demo stop

bench: release
	@scripts/bench

lint: build
	@scripts/check-layering .
	@scripts/check-format .
	@scripts/tidy-changed

fmt:
	@find src tests bench $(wildcard fuzz) -type f \( -name '*.h' -o -name '*.cpp' \) \
	  -not -path 'tests/odoo_standin/*' | xargs clang-format -i

# libFuzzer targets (clang); FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzz_spec_loader fuzz_api_request
	@scripts/fuzz $(FUZZ_SECONDS)

clean:
	@rm -rf build
