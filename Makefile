# The stable entry points. See README.md.
.PHONY: deps build test sanitize fuzz serve rebac-bench clean

JOBS ?= $(shell nproc)
WITH_PG := tools/with-postgres.sh
CTEST_FLAGS := --output-on-failure --timeout 900 -j $(JOBS)

deps:
	@bash tools/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS)

test: build
	@$(WITH_PG) ctest --test-dir build/release $(CTEST_FLAGS)

# A server on the embedded default (SQLite in ./nexus-data). Override with e.g.
# `make serve SERVE_ARGS="--port 9000 --database-url postgresql://..."`.
SERVE_ARGS ?=
serve: build
	@build/release/nexus serve --data-dir ./nexus-data $(SERVE_ARGS)

# The storage and path-tree tests under ASan+UBSan and under TSan. Sanitizers slow the
# concurrency test about tenfold, so it runs a fifth of its operations here.
SANITIZE_OPS ?= 2000
sanitize: deps
	@for preset in asan tsan; do \
	  cmake --preset $$preset >/dev/null && \
	  cmake --build build/$$preset -j $(JOBS) --target storage_test vfs_test util_test || exit 1; \
	done
	@NEXUS_CONCURRENCY_OPS=$(SANITIZE_OPS) $(WITH_PG) sh -c 'ctest --test-dir build/asan $(CTEST_FLAGS) -L "storage|vfs|unit" && \
	  TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan $(CTEST_FLAGS) -L "storage|vfs|unit"'

# Every libFuzzer target (fuzz/) for FUZZ_SECONDS each, built with clang 14 under ASan+UBSan
# in build/fuzz. Its extra packages are tools/fuzz-deps.txt (the only list for fuzzing; `make
# test` replays the corpus with g++ and needs none of them). FUZZ_TARGETS picks some targets.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	@bash tools/install-deps.sh tools/fuzz-deps.txt
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target fuzz_targets
	@tools/fuzz.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# In-process permission-check timings (Google Benchmark): warm and cold, parent depth 1, 3, 5.
rebac-bench: build
	@build/release/src/rebac/rebac_bench
	@$(WITH_PG) sh -c 'NEXUS_BENCH_PG_URL="$$NEXUS_TEST_PG_URL" build/release/src/rebac/rebac_bench'

clean:
	rm -rf build
