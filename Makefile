# raftplay: `make run` starts the playground, `make test` runs every test.
GO      ?= go
BIN     ?= bin/raftplay
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 30m

.PHONY: build wasm run test lint fuzz torture soak pagebench clean

build: wasm
	$(GO) build -o $(BIN) ./cmd/raftplay

# The browser app: Go compiled to WebAssembly, embedded by package static.
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o static/dist/app.wasm ./wasm
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" static/dist/
	gzip -9kf static/dist/app.wasm

run: build
	./$(BIN) play

test: lint wasm
	$(GO) test $(TESTFLAGS) $(PKGS)

lint:
	$(GO) vet $(PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Each fuzz target for FUZZTIME (go test -fuzz runs one target at a time).
FUZZTIME ?= 1m
FUZZ_TARGETS = ./node/sql:FuzzPrepareExecute ./node/sql:FuzzDecodeBatch ./node/sql:FuzzDecodeRow \
	./node/sql:FuzzAppendResponseJSON ./node/store:FuzzDecodeCommand \
	./node/pgwire:FuzzServeConn ./node/sqllex:FuzzScan ./web:FuzzCommandDecoding ./web:FuzzHTTPHandlers
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

# The long safety run: SEEDS seeds of DURATION each on NODES nodes, on LOG_STORE logs
# (boltdb or wal; see docs/reliability.md).
SEEDS ?= 10
DURATION ?= 60s
NODES ?= 5
LOG_STORE ?= boltdb
torture:
	RAFTPLAY_TORTURE_SEEDS=$(SEEDS) RAFTPLAY_TORTURE_DURATION=$(DURATION) RAFTPLAY_TORTURE_NODES=$(NODES) \
	  RAFTPLAY_TORTURE_LOG_STORE=$(LOG_STORE) \
	  $(GO) test ./web/torture -run TestTortureLong -timeout 0 -count=1 -v

# An idle playground cluster for SOAK while BUSY shell loops keep the cores busy; fails on
# any leader change (docs/benchmarks.md, "Elections without a cause"). TIMING=fixed-300ms
# runs the profile the default replaced.
SOAK ?= 5m
BUSY ?= 4
TIMING ?= default
soak:
	RAFTPLAY_SOAK=$(SOAK) RAFTPLAY_SOAK_BUSY=$(BUSY) RAFTPLAY_SOAK_TIMING=$(TIMING) \
	  $(GO) test ./web -run TestSoakIdleUnderLoad -timeout 0 -count=1 -v

# The page in headless Chromium beside a blank animated page: frame rate, busy time, long
# tasks, idle and at 100 writes/s (docs/benchmarks.md, "The page"). A few minutes.
pagebench: wasm
	RAFTPLAY_PAGEBENCH=1 $(GO) test ./web/uitest -run TestPageBench -count=1 -v -timeout 30m

clean:
	rm -rf bin raftplay-data static/dist/app.wasm static/dist/app.wasm.gz static/dist/wasm_exec.js
