# dicomreg — two commands on a fresh machine: `make demo` and `make test`.
GO        ?= go
BIN       := $(CURDIR)/bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/dicomreg/dicomreg/plugin/cli.Version=$(VERSION) -X github.com/dicomreg/dicomreg/mockgraph/servecmd.Version=$(VERSION)
FUZZTIME  ?= 20s
BENCHTIME ?= 2s

.PHONY: all build test vet fmt-check tidy-check demo bench bench-peer check-msal-node check-az check-postman fuzz load clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{n[NR]=$$1; d[NR]=$$2; if (length($$1) > w) w = length($$1)} END {for (i = 1; i <= NR; i++) printf "  %-" w "s  %s\n", n[i], d[i]}'

# dicomreg is built without cgo: a static binary starts faster (no dynamic loader, fewer page
# faults) and needs nothing of the machine. mockgraph keeps cgo for OpenSSL signing.
build: ## build bin/dicomreg (static) and bin/mockgraph
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/dicomreg ./plugin/cmd/dicomreg
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/mockgraph ./mockgraph/cmd/mockgraph

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

tidy-check: ## fail if go.mod or go.sum is not what `go mod tidy` makes
	$(GO) mod tidy -diff

REPORT    := $(CURDIR)/bin/conformance-mock.txt

test: fmt-check tidy-check vet ## gofmt, go mod tidy and vet checks, then every test with the race detector (the conformance suite runs on the bundled mock, default and --realistic)
	@mkdir -p $(BIN) && rm -f $(REPORT) $(REPORT:.txt=.realistic.txt)
	DICOMREG_CONFORMANCE_REPORT=$(REPORT) $(GO) test -race -count=1 ./...
	@cat $(REPORT) $(REPORT:.txt=.realistic.txt)

demo: build ## register a DICOM client against the bundled mock, get a token, call the mock DICOM endpoint
	@bash scripts/demo.sh

bench: build ## Go benchmarks and a short load run against `mockgraph serve`
	@bash scripts/bench.sh

bench-peer: ## oauth2-mock-server (npm) vs mockgraph serve: tokens/s, p50/p99, exec→ready, ratios
	@bash scripts/bench-peer.sh

check-msal-node: ## Microsoft's MSAL for Node (npm) against the mock: four flows and a refusal
	@bash scripts/msal-node-check.sh

check-az: ## the azure-cli sign-in flow against the real Azure CLI (needs az, `az login` and the network)
	DICOMREG_CHECK_AZ=1 $(GO) test -count=1 -run '^TestAzureCLIFlow$$' -v ./plugin/auth

check-postman: ## the exported Postman collection, run by newman (npm) against the mock: token, store, search, retrieve, metadata
	@bash scripts/postman-check.sh

load: ## 200 clients for 60 s against mockgraph built with -race (LOAD_CLIENTS, LOAD_DURATION)
	@bash scripts/load.sh

fuzz: ## run every native fuzz target for FUZZTIME each
	@bash scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN)
