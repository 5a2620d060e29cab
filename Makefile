# dicomreg — two commands on a fresh machine: `make demo` and `make test`.
GO        ?= go
BIN       := $(CURDIR)/bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/dicomreg/dicomreg/plugin/cli.Version=$(VERSION) -X github.com/dicomreg/dicomreg/mockgraph/servecmd.Version=$(VERSION)
FUZZTIME  ?= 20s
BENCHTIME ?= 2s

.PHONY: all build test vet fmt-check demo bench bench-peer check-msal-node fuzz load clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/dicomreg and bin/mockgraph
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/dicomreg ./plugin/cmd/dicomreg
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/mockgraph ./mockgraph/cmd/mockgraph

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

REPORT    := $(CURDIR)/bin/conformance-mock.txt

test: fmt-check vet ## vet, then every test with the race detector (the conformance suite runs on the bundled mock)
	@mkdir -p $(BIN) && rm -f $(REPORT)
	DICOMREG_CONFORMANCE_REPORT=$(REPORT) $(GO) test -race -count=1 ./...
	@cat $(REPORT)

demo: build ## register a DICOM client against the bundled mock, get a token, call the mock DICOM endpoint
	@bash scripts/demo.sh

bench: build ## Go benchmarks and a short load run against `mockgraph serve`
	@bash scripts/bench.sh

bench-peer: ## oauth2-mock-server (npm) vs mockgraph serve: tokens/s, p50/p99, exec→ready, ratios
	@bash scripts/bench-peer.sh

check-msal-node: ## Microsoft's MSAL for Node (npm) against the mock: four flows and a refusal
	@bash scripts/msal-node-check.sh

load: ## 200 clients for 60 s against mockgraph built with -race (LOAD_CLIENTS, LOAD_DURATION)
	@bash scripts/load.sh

fuzz: ## run every native fuzz target for FUZZTIME each
	@bash scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN)
