# raftplay: `make run` starts the playground, `make test` runs every test.
GO      ?= go
BIN     ?= bin/raftplay
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 30m

.PHONY: build wasm run test lint clean

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

clean:
	rm -rf bin raftplay-data static/dist/app.wasm static/dist/app.wasm.gz static/dist/wasm_exec.js
