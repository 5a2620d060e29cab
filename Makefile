# dicomreg — two commands on a fresh machine: `make demo` and `make test`.
GO        ?= go
BIN       := $(CURDIR)/bin
# Semver from the nearest vX.Y.Z tag (X.Y.(Z+1)-dev.N+gSHA past it; 0.0.0-dev.N+gSHA untagged): plugin/hosts VersionFromGit.
VERSION   ?= $(shell $(GO) run ./plugin/hosts/cmd/dicomreg-dist version 2>/dev/null || echo 0.0.0-dev)
DIST      := $(CURDIR)/dist
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
LDFLAGS   := -s -w -X github.com/dicomreg/dicomreg/plugin/cli.Version=$(VERSION) -X github.com/dicomreg/dicomreg/mockgraph/internal/servecmd.Version=$(VERSION)
FUZZTIME  ?= 20s
BENCHTIME ?= 2s

.PHONY: all build test vet fmt-check tidy-check demo bench bench-peer bench-dicom-peer check-msal-node check-az check-postman check-dicomweb-clients check-graph-sdk check-plugins check-az-extension dist fuzz load clean help

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

# vet builds every dependency; with -race it builds them as the race-enabled tests need them, so
# make test compiles each package once (msgraph-sdk-go's models alone take minutes cold).
vet: ## go vet
	$(GO) vet -race ./...

tidy-check: ## fail if go.mod or go.sum is not what `go mod tidy` makes
	$(GO) mod tidy -diff

REPORT    := $(CURDIR)/bin/conformance-mock.txt

# The three checks run side by side: on a cold cache tidy spends its time indexing modules while
# vet compiles.
test: ## gofmt, go mod tidy and vet checks, then every test with the race detector (the conformance suite runs on the bundled mock, default and --realistic)
	@$(MAKE) --no-print-directory -j3 fmt-check tidy-check vet
	@mkdir -p $(BIN) && rm -f $(REPORT) $(REPORT:.txt=.realistic.txt)
	DICOMREG_CONFORMANCE_REPORT=$(REPORT) $(GO) test -race -vet=off -count=1 ./...
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

check-graph-sdk: ## the conformance suite with Microsoft's msgraph-sdk-go behaviours (-tags graphsdk), on the mock default and --realistic
	@mkdir -p $(BIN)
	$(GO) vet -tags graphsdk ./conformance
	DICOMREG_CONFORMANCE_REPORT=$(BIN)/conformance-graphsdk.txt $(GO) test -tags graphsdk -count=1 -run '^TestMock' ./conformance
	@cat $(BIN)/conformance-graphsdk.txt $(BIN)/conformance-graphsdk.realistic.txt

check-dicomweb-clients: ## OHIF's dicomweb-client + dcmjs (npm) and a pydicom client (Debian) against the mock DICOM service
	@bash scripts/dicomweb-clients-check.sh

bench-dicom-peer: ## Orthanc 1.10 + DICOMweb plugin (Debian) vs the mock DICOM service: same load generator, same files, ratios
	@bash scripts/bench-dicom-peer.sh

load: ## 200 clients for 60 s against mockgraph built with -race (LOAD_CLIENTS, LOAD_DURATION)
	@bash scripts/load.sh

check-plugins: ## gh, kubectl and az (Debian's, installed if missing) run a fresh dicomreg as their plugin, in a temporary HOME; azd's files checked
	@bash scripts/check-plugins.sh

check-az-extension: ## az (Debian's azure-cli) signs in to the mock and runs `az dicomreg register` and `az dicomreg verify`
	@bash scripts/check-az-extension.sh

dist: ## dicomreg and mockgraph for linux/darwin/windows × amd64/arm64 (no cgo), azd registry.json, krew manifest, az wheel, SHA256SUMS
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  for prog in dicomreg mockgraph; do \
	    pkg=./plugin/cmd/dicomreg; [ $$prog = mockgraph ] && pkg=./mockgraph/cmd/mockgraph; \
	    echo "  $$prog $$os/$$arch"; \
	    CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DIST)/$$prog-$$os-$$arch$$ext $$pkg; \
	  done; done
	$(GO) run ./plugin/hosts/cmd/dicomreg-dist pack -dir $(DIST) -version '$(VERSION)'
	@echo "dist: version $(VERSION)"; ls $(DIST)

fuzz: ## run every native fuzz target for FUZZTIME each
	@bash scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN) $(DIST)
