# ltuya: the two commands a person needs are `make demo` and `make test`.
# Both install missing Debian packages first (scripts/deps.sh).

BUILD      ?= build
BUILD_TEST ?= build-test
BUILD_SSL  ?= build-openssl
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench clean format check-format

all: build

deps:
	@scripts/deps.sh build

# Release-style build of the library and the ltuya tool.
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTUYA_BUILD_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Everything that needs no real device: unit and vector tests under ASan/UBSan
# with the mbedTLS backend, then the crypto and frame tests again with OpenSSL.
test:
	@scripts/deps.sh test
	@test -d node_modules/tuyapi || npm ci --no-audit --no-fund --loglevel=error
	@cmake -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_TEST) -j $(JOBS)
	@cmake -S . -B $(BUILD_SSL) -DCMAKE_BUILD_TYPE=Debug -DLTUYA_SANITIZE=ON -DLTUYA_CRYPTO=openssl -DLTUYA_BUILD_TOOLS=OFF >/dev/null
	@cmake --build $(BUILD_SSL) -j $(JOBS)
	@echo "== OpenSSL backend =="
	@cd $(BUILD_SSL) && ctest --output-on-failure -R 'test_(crypto|frame|handshake|vectors)'
	@echo "== mbedTLS backend (all tests) =="
	@cd $(BUILD_TEST) && ctest --output-on-failure -j $(JOBS)

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

demo: build
	@scripts/demo.sh $(BUILD)/ltuya

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_TEST) $(BUILD_SSL) $(BUILD_BENCH)

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
