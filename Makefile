# ceplus build, test and demo. Run `make help` for the targets.
SHELL     := /bin/bash
GO        ?= go
BIN       := $(CURDIR)/bin
TOOLS     := $(BIN)/tools
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/ceplus/ceplus/shared/version.Version=$(VERSION)
TESTFLAGS ?=
STATICCHECK_VERSION := v0.8.2
# Pinned protobuf tool chain: protoc from Debian's protobuf-compiler, the Go generators by version.
PROTOC_VERSION            := 3.21.12
PROTOC_GEN_GO_VERSION     := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
# Plugin signing: the private key stays in deploy/keys/ (in .gitignore); the public key is
# embedded in ceplus-agent at link time.
PLUGIN_KEY     := deploy/keys/plugins.key
PLUGIN_KEY_VAR := github.com/ceplus/ceplus/agent/internal/sources.publicKey
PLUGIN_CMDS    := $(addprefix ./,$(addsuffix ...,$(wildcard plugins/*/cmd/)))

export CGO_ENABLED ?= 0

.PHONY: help build package setup test lint bench bench-agent bench-vulndb bench-ingest bench-discovery demo demo-stop proto cross clean

help:
	@echo "make build      build bin/ceplus-agent, bin/ceplus-collector and the plugins"
	@echo "make test       install test dependencies if missing, then run every test"
	@echo "make demo       run the main job on the embedded default data"
	@echo "make lint       gofmt, go vet and staticcheck"
	@echo "make bench      run the benchmarks and print the figures"
	@echo "make bench-agent  time and measure the peak RSS of ceplus-agent inventory on this machine"
	@echo "make bench-discovery  time nmap discovery of 10 and 100 loopback services, and parsing 10,000 hosts"
	@echo "make bench-vulndb  matcher benchmarks and ours vs osv-scanner DoScan (2,000 packages x 50,000 records, minutes)"
	@echo "make bench-ingest  collector ingest rate, ack latency and RSS with many simulated agents"
	@echo "make proto      regenerate the committed protobuf code with the pinned tools"
	@echo "make cross      compile agent and plugins for Windows and macOS"
	@echo "make package    .deb and .rpm (agent, collector) and agent tarballs for Linux, Windows and macOS into dist/"

# build signs the plugins with deploy/keys/plugins.key (generated on first use, never in git)
# and embeds the matching public key in ceplus-agent: the agent's trust anchor is its own binary.
build:
	@mkdir -p $(BIN) $(TOOLS)
	$(GO) build -o $(TOOLS)/signplugins ./deploy/tools/signplugins
	$(if $(PLUGIN_CMDS),$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(PLUGIN_CMDS))
	$(TOOLS)/signplugins -key $(PLUGIN_KEY) -dir $(BIN)
	$(GO) build -trimpath -ldflags "$(LDFLAGS) -X $(PLUGIN_KEY_VAR)=$$($(TOOLS)/signplugins -key $(PLUGIN_KEY) -print-pub)" -o $(BIN)/ ./agent/cmd/...
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./collector/cmd/...

# package runs the steps of build for each target (same flags, same plugin key), then writes
# versioned .deb, .rpm and .tar.gz files into dist/ (deploy/tools/pkg; needs dpkg-deb and rpmbuild).
package: build
	@command -v dpkg-deb >/dev/null && command -v rpmbuild >/dev/null || bash deploy/dev/setup.sh
	$(GO) run ./deploy/tools/pkg -key $(PLUGIN_KEY) -out $(CURDIR)/dist

setup:
	@bash deploy/dev/setup.sh

test: setup
	@set -o pipefail; $(GO) test -json -timeout 45m $(TESTFLAGS) ./... 2>&1 | $(GO) run ./deploy/tools/testsum

$(TOOLS)/staticcheck:
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: $(TOOLS)/staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...

$(TOOLS)/protoc-gen-go-$(PROTOC_GEN_GO_VERSION):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	@touch $@

$(TOOLS)/protoc-gen-go-grpc-$(PROTOC_GEN_GO_GRPC_VERSION):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	@touch $@

# proto regenerates the committed protobuf code; protoc must be Debian's $(PROTOC_VERSION)
# (apt-get install protobuf-compiler), so that regenerating an unchanged schema changes nothing.
proto: $(TOOLS)/protoc-gen-go-$(PROTOC_GEN_GO_VERSION) $(TOOLS)/protoc-gen-go-grpc-$(PROTOC_GEN_GO_GRPC_VERSION)
	@v=$$(protoc --version 2>/dev/null); if [ "$$v" != "libprotoc $(PROTOC_VERSION)" ]; then \
		echo "make proto needs protoc $(PROTOC_VERSION) (apt-get install protobuf-compiler), found '$$v'"; exit 1; fi
	cd shared/pluginapi/proto && PATH=$(TOOLS):$$PATH protoc -I . \
		--go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative \
		$$(cd $(CURDIR)/shared/pluginapi/proto && find . -name '*.proto' | sort)
	cd shared/wire/proto && PATH=$(TOOLS):$$PATH protoc -I . --go_out=. --go_opt=paths=source_relative ceplus/wire/v1/wire.proto

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./... 2>&1 | grep -E "^(Benchmark|ok|FAIL|---|goos|pkg|[a-z_]+:)" || true

bench-agent: build
	@bash deploy/bench-agent.sh

# bench-discovery scans only services it starts on 127.0.0.1 (needs nmap: apt-get install nmap).
bench-discovery:
	$(GO) test -run '^$$' -bench 'BenchmarkDiscoverLoopback' -benchtime 1x -count 1 ./plugins/nmap
	$(GO) test -run '^$$' -bench 'BenchmarkParse10kHosts' -benchmem -count 1 ./plugins/nmap

# bench-vulndb: the matcher's load and match benchmarks, then ours against osv-scanner's DoScan
# offline on the same 2,000 packages x 50,000 records, run once (DoScan takes minutes).
bench-vulndb:
	$(GO) test -run '^$$' -bench 'BenchmarkOpen|BenchmarkMatch' -benchmem -count 1 ./shared/match
	CEPLUS_BENCH_DOSCAN=1 $(GO) test -run '^$$' -bench 'BenchmarkSideBySide' -benchtime 1x -count 1 -timeout 60m -v ./shared/match/difftest 2>&1 | grep -E "^(Benchmark|ok|FAIL|---)|bench_test.go"

# bench-ingest: collector (SQLite, then PostgreSQL) against many simulated agents on loopback.
bench-ingest:
	@bash deploy/bench-ingest.sh

cross:
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./agent/... ./shared/...
	GOOS=darwin GOARCH=arm64 $(GO) build -o /dev/null ./agent/... ./shared/...
	@if ls plugins/*/cmd >/dev/null 2>&1; then GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./plugins/...; GOOS=darwin GOARCH=arm64 $(GO) build -o /dev/null ./plugins/...; fi

demo: setup build
	@bash deploy/demo/demo.sh

demo-stop:
	@bash deploy/demo/demo.sh stop

clean:
	rm -rf $(BIN) dist
