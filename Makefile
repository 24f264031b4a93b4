# Gongkai — the two commands people use are `make run` and `make test`.

GO       ?= go
BIN      := bin/gongkai
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080
PG_URL   ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: all build run test test-short vet bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/gongkai

## run: build and serve on the embedded store; the demo data is loaded on first start
run: build
	$(BIN) serve --demo --data $(DATA) --addr $(ADDR)

## test: every test; PostgreSQL tests run when GONGKAI_TEST_PG is set
test: vet node_modules
	$(GO) test -race -count=1 ./...

## node_modules: front-end packages for the browser tests (axe-core), from npm
node_modules: package.json
	npm install --no-audit --no-fund
	@touch $@

test-short:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); test -z "$$unformatted" || (echo "gofmt needed: $$unformatted"; exit 1)

## bench: import rates (entries/s) on SQLite and, if reachable, PostgreSQL
bench:
	@GONGKAI_TEST_PG="$${GONGKAI_TEST_PG:-$(PG_URL)}" $(GO) test -run '^$$' -bench 'BenchmarkImportEntries' -benchtime 1x -count 1 ./internal/ingest | grep -E 'Benchmark|entries/s|^ok|FAIL'

clean:
	rm -rf bin
