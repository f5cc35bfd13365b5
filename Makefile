# raftplay: `make run` starts the playground, `make test` runs every test.
GO      ?= go
BIN     ?= bin/raftplay
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 30m

.PHONY: build run test lint clean

build:
	$(GO) build -o $(BIN) ./cmd/raftplay

run: build
	./$(BIN) play

test: lint
	$(GO) test $(TESTFLAGS) $(PKGS)

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin raftplay-data
