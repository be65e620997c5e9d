# The stable entry points. See README.md.
.PHONY: deps build install test thread-safety sanitize fuzz serve demo rebac-bench blob-bench bench bench-cli bench-cluster bench-mount bench-scale stress crash-test cluster cluster-stop cluster-test clean

JOBS ?= $(shell nproc)
# Tests keep their temporary directories (data directories, SQLite files, blobs) on tmpfs when
# the machine has one: fsync there returns at once, so the durability code paths all run, at
# memory speed (the concurrency test: 62 s on disk, 4.6 s on tmpfs). No test here simulates
# power loss, which is the only thing a disk would add. Benchmarks, stress and crash runs
# keep their data on disk.
TEST_TMPDIR ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp)
WITH_PG := tools/with-postgres.sh
CTEST_FLAGS := --output-on-failure --timeout 900 -j $(JOBS)

deps:
	@bash tools/install-deps.sh
	@bash tools/install-npm-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS)

# nexus and nexus-stress into $(DESTDIR)$(PREFIX)/bin (docs/deployment.md shows a systemd unit).
PREFIX ?= /usr/local
install: build
	@DESTDIR=$(DESTDIR) cmake --install build/release --prefix $(PREFIX) --strip

# Every test on the release build with the thread-safety analysis beside it, then the
# sanitizer runs (what CI runs). The analysis is CPU work and the release tests mostly wait on
# servers and disks, so running both at once costs little more than the tests alone; the
# analysis gets one core and reports after the tests.
test: build
	@mkdir -p build/logs
	@THREAD_SAFETY_JOBS=1 tools/thread-safety.sh build/release > build/logs/thread-safety.log 2>&1 & \
	  analysis=$$!; \
	  TMPDIR=$(TEST_TMPDIR) $(WITH_PG) ctest --test-dir build/release $(CTEST_FLAGS); tests=$$?; \
	  wait $$analysis; analysed=$$?; cat build/logs/thread-safety.log; \
	  [ $$tests -eq 0 ] && [ $$analysed -eq 0 ]
	@$(MAKE) --no-print-directory sanitize

# Clang's thread-safety analysis (-Wthread-safety -Werror, syntax only) over src/ with the
# release build's compile commands: every GUARDED_BY member read or written without its lock
# fails it (util/thread_annotations.h). Part of `make test`.
thread-safety: build
	@THREAD_SAFETY_JOBS=$(JOBS) tools/thread-safety.sh build/release

# A server on the embedded default (SQLite in ./nexus-data). Override with e.g.
# `make serve SERVE_ARGS="--port 9000 --database-url postgresql://..."`.
SERVE_ARGS ?=
NEXUS := build/release/nexus

serve: build
	@$(NEXUS) serve --data-dir ./nexus-data $(SERVE_ARGS)

# The reference's demo (spec/domain.md §6), provisioned inside the server: the fixed admin
# key sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee, a workspace, the agents
# ImpersonatedUser and UntrustedAgent, and six skills. Data in ./nexus-demo-data.
demo: build
	@$(NEXUS) serve --demo --data-dir ./nexus-demo-data $(SERVE_ARGS)

# The whole suite but the cluster's (whole clusters of processes, run by the release pass)
# under ASan+UBSan (LeakSanitizer included; the HTTP tests run the ASan server binary), and the storage, path-tree and unit tests, where the concurrency tests are,
# under TSan. Sanitizers slow the concurrency test about tenfold, so it runs a fifth of its
# operations here.
SANITIZE_OPS ?= 2000
sanitize: deps
	@cmake --preset asan >/dev/null && cmake --build build/asan -j $(JOBS)
	@cmake --preset tsan >/dev/null && \
	  cmake --build build/tsan -j $(JOBS) --target storage_test vfs_test util_test
	@TMPDIR=$(TEST_TMPDIR) NEXUS_CONCURRENCY_OPS=$(SANITIZE_OPS) $(WITH_PG) sh -c 'ctest --test-dir build/asan $(CTEST_FLAGS) -LE cluster && \
	  TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan $(CTEST_FLAGS) -L "storage|vfs|unit"'

# Every libFuzzer target (fuzz/) for FUZZ_SECONDS each, built with clang 14 under ASan+UBSan
# in build/fuzz. Clang itself is in tools/deps.txt (the thread-safety pass uses it); its
# libFuzzer and sanitizer runtimes are tools/fuzz-deps.txt (`make test` replays the corpus
# with g++ and needs none of them). FUZZ_TARGETS picks some targets.
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

# The blob stores side by side: files on this disk against rows in PostgreSQL (what nodes
# sharing a database use), Put and Get of 1 KiB, 64 KiB and 1 MiB (docs/performance.md). The
# throwaway server's fsync is turned back on first: both stores pay for durability.
blob-bench: build
	@$(WITH_PG) sh -c 'psql -q "$$NEXUS_TEST_PG_URL" -c "ALTER SYSTEM SET fsync = on" \
	  -c "ALTER SYSTEM SET synchronous_commit = on" -c "ALTER SYSTEM SET full_page_writes = on" \
	  -c "SELECT pg_reload_conf()" >/dev/null && build/release/src/storage/blob_bench'

# Throughput and latency of the release server under wrk against baselines measured in the same
# run (nginx, GET /health, a bare SQLite commit loop, pgbench -S): SQLite, then PostgreSQL.
# BENCH_SECONDS per workload after BENCH_WARMUP; the table goes to stdout and
# build/bench/latest.json (docs/performance.md). Its extra packages are tools/bench-deps.txt.
BENCH_SECONDS ?= 10
BENCH_WARMUP ?= 3
bench: build
	@bash tools/install-deps.sh tools/bench-deps.txt
	@rm -f build/bench/rows.tsv
	@BENCH_SECONDS=$(BENCH_SECONDS) BENCH_WARMUP=$(BENCH_WARMUP) tools/bench.sh build/release sqlite
	@BENCH_SECONDS=$(BENCH_SECONDS) BENCH_WARMUP=$(BENCH_WARMUP) \
	  $(WITH_PG) tools/bench.sh build/release postgres
	@tools/bench.sh build/release report

# Read and write throughput through HAProxy at 1, 2 and 3 nodes on one PostgreSQL, against
# pgbench (select-only, and 1 KiB inserts) on the same database (docs/performance.md,
# "Several nodes").
bench-cluster: build
	@bash tools/install-deps.sh tools/bench-deps.txt
	@rm -f build/bench/rows.tsv
	@BENCH_SECONDS=$(BENCH_SECONDS) BENCH_WARMUP=$(BENCH_WARMUP) \
	  $(WITH_PG) tools/bench.sh build/release cluster
	@tools/bench.sh build/release report

# The path tree at scale (docs/performance.md, "Scale"): SCALE_FILES files (1,000 to a
# directory) written through the storage API into a data directory under $TMPDIR, then stat,
# read and list timed against a 1,000-file tree, the database size per file, and the start time
# of the release server on it. Niced: the fill takes minutes at a million files. The table goes
# to stdout and its rows are appended to build/bench/scale.json.
SCALE_FILES ?= 1000000
# The command line moving 10,000 small files, against `cp -r`, and one 1 GiB file, against
# curl and nginx (tools/bench-cli.sh).
bench-cli: build
	@bash tools/install-deps.sh tools/bench-deps.txt
	@tools/bench-cli.sh build/release

# `nexus mount` against local directories (tmpfs and disk) in the same run: cold ls -lR of
# 10,000 files, warm stat, rm -rf of 5,000 files, git status, a 1 GiB sequential read against
# `nexus cat` (tools/bench-mount.sh, docs/performance.md).
bench-mount: build
	@tools/bench-mount.sh build/release

bench-scale: deps
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS) --target nexus scale_bench
	@nice build/release/src/bench/scale_bench --files $(SCALE_FILES) \
	  --nexus build/release/nexus --json build/bench/scale.json

# nexus-stress against a fresh server: STRESS_CLIENTS clients for STRESS_SECONDS on SQLite,
# then on PostgreSQL; fails on any 5xx, transport error, unexpected error or lost write.
STRESS_SECONDS ?= 60
STRESS_CLIENTS ?= 256
stress: build
	@STRESS_SECONDS=$(STRESS_SECONDS) STRESS_CLIENTS=$(STRESS_CLIENTS) tools/stress.sh build/release sqlite
	@STRESS_SECONDS=$(STRESS_SECONDS) STRESS_CLIENTS=$(STRESS_CLIENTS) \
	  $(WITH_PG) tools/stress.sh build/release postgres

# SIGKILL under write load, restart, verify: 50 cycles on SQLite (durability full) and 20 on
# PostgreSQL; CRASH_CYCLES=N sets both. `make test` runs a short version (5 and 3).
CRASH_CYCLES ?=
crash-test: build
	@NEXUS_CRASH_CYCLES_SQLITE=$(or $(CRASH_CYCLES),50) \
	  NEXUS_CRASH_CYCLES_POSTGRES=$(or $(CRASH_CYCLES),20) \
	  $(WITH_PG) build/release/src/stress/crash_test

clean:
	rm -rf build

# Several nodes on one PostgreSQL (docs/deployment.md): `make cluster` starts tools/cluster.sh's
# whole cluster (pg_auto_failover primary and standby, 3 nodes, HAProxy) in build/cluster and
# leaves it running; `make cluster-stop` ends it. `make cluster-test` runs the cluster tests
# (label cluster, part of `make test`) with runs CLUSTER_SOAK times as long.
CLUSTER_SOAK ?= 5
cluster: build
	@bash tools/cluster.sh start build/cluster

cluster-stop:
	@bash tools/cluster.sh stop build/cluster

cluster-test: build
	@TMPDIR=$(TEST_TMPDIR) NEXUS_CLUSTER_SOAK=$(CLUSTER_SOAK) $(WITH_PG) \
	  ctest --test-dir build/release $(CTEST_FLAGS) -L cluster
