# ltuya: the two commands a person needs are `make demo` and `make test`.
# Both install missing Debian packages first (scripts/deps.sh).

BUILD      ?= build
BUILD_TEST ?= build-test
BUILD_SSL  ?= build-openssl
BUILD_PSA  ?= build-psa
BUILD_MEMCHECK ?= build-memcheck
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench clean format check-format

all: build

deps:
	@scripts/deps.sh build

# Release-style build of the library and the ltuya tool: the tool lands in
# $(BUILD)/ltuya; `cmake --install $(BUILD) --prefix ~/.local` puts it (and
# the library, headers, man pages, completions) under ~/.local.
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTUYA_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@echo "built $(BUILD)/ltuya (install: cmake --install $(BUILD) --prefix ~/.local)"

# Everything that needs no real device: unit and vector tests under ASan/UBSan
# with the mbedTLS backend, then the crypto and frame tests again with OpenSSL.
test:
	@scripts/deps.sh test
	@test -d node_modules/tuyapi || npm ci --no-audit --no-fund --loglevel=error || \
	  echo "npm could not install tuyapi: interop_tuyapi will be reported as skipped"
	@cmake -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=ON -DLTUYA_WERROR=ON -DLTUYA_BUILD_LWIP_PORT=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_TEST) -j $(JOBS)
	@cmake -S . -B $(BUILD_SSL) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=ON -DLTUYA_WERROR=ON -DLTUYA_CRYPTO=openssl -DLTUYA_BUILD_TOOLS=OFF >/dev/null
	@cmake --build $(BUILD_SSL) -j $(JOBS)
	@cmake -S . -B $(BUILD_PSA) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=ON -DLTUYA_WERROR=ON -DLTUYA_CRYPTO=psa -DLTUYA_BUILD_TOOLS=OFF -DLTUYA_BUILD_FUZZ=OFF >/dev/null
	@cmake --build $(BUILD_PSA) -j $(JOBS) --target test_crypto test_frame test_frame_edge test_handshake test_vectors
	@cmake -S . -B $(BUILD_MEMCHECK) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=OFF -DLTUYA_WERROR=ON >/dev/null
	@cmake --build $(BUILD_MEMCHECK) -j $(JOBS) --target ltuya
	@echo "== the core compiled for Cortex-M4 (every feature set) =="
	@scripts/size.sh --check build-size-check
	@echo "== OpenSSL backend =="
	@cd $(BUILD_SSL) && ctest --output-on-failure -R 'test_(crypto|frame|handshake|vectors)'
	@echo "== PSA Crypto backend (mbedTLS's PSA API, as ESP-IDF 6 uses) =="
	@cd $(BUILD_PSA) && ctest --output-on-failure -R 'test_(crypto|frame|frame_edge|handshake|vectors)$$'
	@echo "== the CLI and simulator under valgrind memcheck (no sanitizers) =="
	@cd $(BUILD_MEMCHECK) && ctest --output-on-failure -R cli_memcheck
	@$(MAKE) --no-print-directory test-cross
	@$(MAKE) --no-print-directory test-builds
	@echo "== mbedTLS backend, ASan/UBSan/LSan (all tests) =="
	@cd $(BUILD_TEST) && ctest --output-on-failure -j $(JOBS)

# The builds users and packagers make, warnings as errors: Release (shared
# libraries), MinSizeRel, and Debian's dpkg-buildflags set; then the Release
# build installed into a temporary prefix and used by C and C++ programs
# through find_package, pkg-config, add_subdirectory and FetchContent.
BUILD_RELEASE ?= build-release
BUILD_MINSIZE ?= build-minsize
BUILD_DPKGFLAGS ?= build-dpkgflags
.PHONY: test-builds package
test-builds:
	@echo "== Release (shared), MinSizeRel and dpkg-buildflags builds, warnings as errors =="
	@cmake -S . -B $(BUILD_RELEASE) -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DLTUYA_WERROR=ON -DLTUYA_BUILD_LWIP_PORT=ON >/dev/null
	@cmake --build $(BUILD_RELEASE) -j $(JOBS) >/dev/null
	@cmake -S . -B $(BUILD_MINSIZE) -DCMAKE_BUILD_TYPE=MinSizeRel -DLTUYA_WERROR=ON -DLTUYA_BUILD_LWIP_PORT=ON >/dev/null
	@cmake --build $(BUILD_MINSIZE) -j $(JOBS) >/dev/null
	@CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	  LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" cmake -S . -B $(BUILD_DPKGFLAGS) -DCMAKE_BUILD_TYPE=None \
	  -DLTUYA_WERROR=ON -DLTUYA_BUILD_LWIP_PORT=ON >/dev/null
	@cmake --build $(BUILD_DPKGFLAGS) -j $(JOBS) >/dev/null
	@echo "== cmake --install, then C and C++ consumers against ltuya sim =="
	@JOBS=$(JOBS) tests/install/consumers.sh $(BUILD_RELEASE)

# The Debian packages (debian/): build, lintian, dpkg -i, ltuya --version
# (scripts/package.sh; the .deb files land in build-deb/). Not part of
# make test (it takes minutes); CI calls it.
package:
	@scripts/deps.sh package
	@scripts/package.sh build-deb

# Speed, reported as ratios (never asserted in tests).
BUILD_BENCH ?= build-bench
bench:
	@scripts/deps.sh test
	@cmake -S . -B $(BUILD_BENCH) -DCMAKE_BUILD_TYPE=Release -DLTUYA_SANITIZE=OFF -DLTUYA_BUILD_TESTS=OFF -DLTUYA_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD_BENCH) -j $(JOBS)
	@echo "== bench/codec: instructions per decoded status frame (callgrind) =="
	@bench/codec.sh $(BUILD_BENCH)/bench/codec
	@test -d node_modules/tuyapi || npm ci --no-audit --no-fund --loglevel=error
	@echo "== bench/latency: status round trips against ltuya sim (3.3) =="
	@bench/latency.sh $(BUILD_BENCH)
	@echo "== bench/fleet: 1,000 simulated devices in one process =="
	@bench/fleet.sh $(BUILD_BENCH)
	@echo "== bench/engine_fleet: 100 / 1,000 / 10,000 devices at 20 ms through the engine, against tuyapi =="
	@bench/engine_fleet.sh $(BUILD_BENCH)
	@echo "== bench/bridge_fleet: ltuya bridge with 1,000 plugs pushing every 10 s =="
	@bench/bridge_fleet.sh $(BUILD_BENCH)

demo: build
	@scripts/deps.sh demo
	@scripts/demo.sh $(BUILD)/ltuya

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_TEST) $(BUILD_SSL) $(BUILD_PSA) $(BUILD_BENCH) $(BUILD_MEMCHECK) \
	  $(BUILD_RELEASE) $(BUILD_MINSIZE) $(BUILD_DPKGFLAGS) build-deb

# Line and branch coverage of the core (gcovr; docs/coverage.md). Separate
# build dir, -O0 --coverage, no sanitizers. COVERAGE_ALL=1 adds the slower
# simulator tests.
BUILD_COV ?= build-cov
.PHONY: coverage
coverage:
	@scripts/deps.sh coverage
	@if [ "$(COVERAGE_ALL)" = 1 ]; then scripts/deps.sh test && \
	  { test -d node_modules/tuyapi || npm ci --no-audit --no-fund --loglevel=error; }; fi
	@LTUYA_COV_ALL=$(COVERAGE_ALL) scripts/coverage.sh $(BUILD_COV)

# Code size, context sizes and stack on Cortex-M4, ESP8266 and RISC-V
# (cross compilers, compile and link only); docs/size.md holds the output.
.PHONY: size
size:
	@scripts/deps.sh size
	@scripts/size.sh build-size

# Fault soak (docs/soak.md): 100,000 set commands (20,000 per protocol version) against the
# simulator with seeded faults, under ASan/LSan; prints the tallies. About 15 minutes.
SOAK_COMMANDS ?= 20000
SOAK_FAULTS   ?= drop=0.002,delay=0.002,reset=0.002,corrupt=0.002,close=0.002,split=0.01,coalesce=0.01,garbage=0.01
# The bridge's soak (docs/bridge.md): many simulated devices with faults, broker restarts,
# commands at a steady rate; every command answered. SOAK_SECONDS, SOAK_DEVICES, SOAK_RATE.
.PHONY: soak-bridge
soak-bridge:
	@scripts/deps.sh test
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTUYA_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target ltuya
	@tests/soak/bridge_soak.sh $(BUILD)/ltuya

.PHONY: soak
soak:
	@scripts/deps.sh test
	@cmake -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=ON -DLTUYA_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_TEST) -j $(JOBS) --target soak ltuya
	@$(BUILD_TEST)/tests/soak/soak --ltuya $(BUILD_TEST)/ltuya --commands $(SOAK_COMMANDS) \
	  --port 30200 --seed 1 --reply-timeout 300 --idle-every 2000 --idle-timeout 1 \
	  --faults $(SOAK_FAULTS)


# ---- fuzzing (docs/fuzzing.md) ----------------------------------------------
# libFuzzer + ASan/UBSan (clang) on every fuzz/ target for FUZZ_SECONDS each,
# FUZZ_JOBS targets at a time; prints executions and crashes per target.
# `make test` replays the corpora and fuzzes each target for 10 s.
BUILD_FUZZ   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
.PHONY: fuzz
fuzz:
	@scripts/deps.sh test
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) fuzz/run.sh $(BUILD_FUZZ)

# The unit tests, fuzz corpora and CLI tests again, cross-compiled for 32-bit
# ARM and big-endian s390x and run under qemu-user (docs/portability-testing.md).
.PHONY: test-cross
test-cross:
	@scripts/deps.sh cross
	@echo "== cross: armhf (32-bit) and s390x (big-endian) under qemu-user =="
	@JOBS=$(JOBS) scripts/cross-test.sh
