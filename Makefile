# Gongkai — the two commands people use are `make run` and `make test`.

GO       ?= go
BIN      := bin/gongkai
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080
PG_URL   ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: all build editor run test test-short vet fuzz bench bench-import bench-search bench-scale bench-export bench-relevance bench-workflow bench-checks bench-replicas bench-load bench-deps clean

all: build

build: editor
	$(GO) build -o $(BIN) ./cmd/gongkai

## run: build and serve on the embedded store; the demo data is loaded on first start
run: build
	$(BIN) serve --demo --data $(DATA) --addr $(ADDR)

## test: every test; PostgreSQL tests run when GONGKAI_TEST_PG is set. The judged
## relevance set runs again without the race detector, which makes its set-up (the demo
## data set, imported and indexed) too slow to run under it.
test: editor node_modules vet
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -timeout 20m -run 'TestRelevance' ./internal/relevance
	GONGKAI_TEST_SHARDS=3 $(GO) test -count=1 ./indexer

## node_modules: front-end packages from npm: the console's editor (Jodit) and axe-core for the browser tests
node_modules: package.json
	npm install --no-audit --no-fund
	@touch $@

## editor: the rich-text editor's build and the supervision charts' library (ECharts), embedded in the binary with the console's static files
EDITOR_DIR := portal/console/static/vendor
editor: $(EDITOR_DIR)/jodit.min.js
$(EDITOR_DIR)/jodit.min.js: package.json
	@if command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory node_modules && \
	  cp node_modules/jodit/es2021/jodit.min.js node_modules/jodit/es2021/jodit.min.css $(EDITOR_DIR)/ && \
	  cp node_modules/jodit/LICENSE.txt $(EDITOR_DIR)/jodit-LICENSE.txt && \
	  cp node_modules/echarts/dist/echarts.min.js $(EDITOR_DIR)/ && \
	  cp node_modules/echarts/LICENSE $(EDITOR_DIR)/echarts-LICENSE.txt; \
	else echo "npm not found: the console's editor is a plain text area and the supervision charts are tables until npm installs Jodit and ECharts"; fi

test-short:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); test -z "$$unformatted" || (echo "gofmt needed: $$unformatted"; exit 1)

## fuzz: every fuzz target for FUZZTIME (20s) one at a time, printing executions; a failing input is kept in its package's testdata/fuzz
FUZZTIME ?= 20s
FUZZ_TARGETS = \
	./internal/ingest:FuzzEntryLines ./internal/ingest:FuzzDatasetLine ./internal/ingest:FuzzCSVReader \
	./indexer:FuzzDocNoKey ./indexer:FuzzParseQuery \
	./internal/extract:FuzzDOCX ./internal/extract:FuzzXLSX ./internal/extract:FuzzPDF ./internal/extract:FuzzOFD
fuzz:
	@fail=0; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; dir=$${pkg#./}/testdata/fuzz/$$name; \
		before=$$(ls $$dir 2>/dev/null | wc -l); \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 200x $$pkg 2>&1); rc=$$?; \
		after=$$(ls $$dir 2>/dev/null | wc -l); \
		execs=$$(printf '%s\n' "$$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2); \
		if [ $$rc -eq 0 ]; then echo "ok    $$pkg $$name: $${execs:-0} executions"; \
		elif [ $$after -eq $$before ] && printf '%s\n' "$$out" | grep -q 'context deadline exceeded'; then \
			echo "ok    $$pkg $$name: $${execs:-0} executions (the fuzzing engine stopped on its own deadline, no failing input)"; \
		else echo "FAIL  $$pkg $$name: $${execs:-0} executions"; printf '%s\n' "$$out" | tail -40; fail=1; fi; \
	done; exit $$fail

## bench-replicas: publish → searchable on each of three serve processes sharing PostgreSQL (p50/p99)
bench-replicas:
	@$(BENCH_ENV) GONGKAI_REPLICA_PUBLISHES=200 $(GO) test -count=1 -run TestThreeReplicas -v -timeout 20m ./internal/cli | grep -E 'p50|PASS|FAIL'

## bench-load: the portal under a spike over loopback, each page against nginx, then a 200-connection mix (needs wrk and nginx-light)
bench-load: build
	@scripts/bench-load.sh

## bench: every figure the benchmarks report, each against its baseline run in the same process
bench: bench-import bench-search bench-export bench-workflow bench-checks

BENCH_ENV = GONGKAI_TEST_PG="$${GONGKAI_TEST_PG:-$(PG_URL)}"
BENCH     = $(GO) test -run '^$$' -benchtime 1x -count 1 -timeout 60m

## bench-import: entries imported per second (20,000 generated entries), SQLite and PostgreSQL
bench-import:
	@$(BENCH_ENV) $(BENCH) -bench 'BenchmarkImportEntries' ./internal/ingest | grep -E 'Benchmark|entries/s|FAIL'

## bench-search: index build, search latency and publish lag, ours vs Groonga (GONGKAI_BENCH_ENTRIES, default 200,000)
bench-search: bench-deps
	@$(BENCH) -bench 'BenchmarkSearchVsGroonga' ./internal/searchbench | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok)'

## bench-scale: bytes, build CPU, memory and cold latency per entry at 200,000 and 1,000,000 generated entries (GONGKAI_SCALE_ENTRIES), PostgreSQL's size on a sample when GONGKAI_TEST_PG is set (docs/scale.md)
bench-scale:
	@$(BENCH) -timeout 240m -bench 'BenchmarkScale' ./internal/searchbench | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok)'

## bench-export: 1,000,000-row CSV/JSON/XLSX exports vs psql \copy and sqlite3 -csv
bench-export: bench-deps
	@$(BENCH_ENV) $(BENCH) -bench 'BenchmarkExport' ./opendata | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok)'

## bench-relevance: search quality per query kind on the judged set (success@1, nDCG@10, boundary traps, suggestions, facet counts, no-hit), SQLite and PostgreSQL
bench-relevance:
	@$(BENCH_ENV) $(BENCH) -bench 'BenchmarkRelevance' ./internal/relevance | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok)'

## bench-workflow: submit → unit approval → office approval → searchable, against an import's publish → searchable, SQLite and PostgreSQL
bench-workflow:
	@$(BENCH_ENV) $(BENCH) -bench 'BenchmarkReviewToSearchable' ./internal/workflow | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok)'

## bench-checks: the quality gate's precision and recall per rule on the labelled sets, and its speed on a 10,000-character entry
bench-checks:
	@$(GO) test -run '^$$' -bench 'BenchmarkQualityGate|BenchmarkColumnFitPredict' -benchtime 200x -count 1 -v ./internal/checks | grep -vE '^(goos|goarch|pkg|cpu|PASS|ok|=== RUN)'
	@$(GO) test -run '^(TestColumnFit|TestColumnFitUnseenWording)$$' -count 1 -v ./internal/checks | grep -E 'trained on|held out|unseen wording|threshold 0.05'

## bench-deps: the baselines' programs (Groonga, sqlite3), from Debian
bench-deps:
	@command -v groonga >/dev/null && command -v sqlite3 >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq groonga-bin sqlite3 >/dev/null)

clean:
	rm -rf bin
