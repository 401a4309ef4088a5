# wf-engine. `make run` starts the engine on the embedded store; `make test`
# runs every test with the race detector, then the web app's lint, unit and
# browser tests.
GO            ?= go
BIN           := $(CURDIR)/bin
GOLANGCI_VER  := v2.15.0
GOSEC_VER     := v2.30.0
COVER_MIN     := 85
PKGS          := ./...

.PHONY: all build run test test-webapp webapp cover lint bench bench-rest bench-auth bench-overload fuzz tools clean

all: build

build: webapp
	$(GO) build -o $(BIN)/ ./cmd/...

run: build
	$(BIN)/wf-engine

test:
	$(GO) test -race -count=1 -timeout 30m $(PKGS)
	$(MAKE) --no-print-directory test-sim
	$(MAKE) --no-print-directory test-webapp
	$(MAKE) --no-print-directory test-deploy

# test-deploy checks every deployment artefact (deploy/README.md): the
# compose file, the Helm chart, the image, the release build and the
# disaster-recovery drill (the systemd unit's tests are Go tests of the
# engine's module, run above). CI runs it as root with buildah, systemd and
# strace installed (.ci/run).
.PHONY: test-deploy
test-deploy: test-compose test-helm test-image release test-release dr-drill

# The web app (webapp/, embedded by go:embed) is built with Node 20 only when
# its sources or lock file are newer than the last build (webapp/dist/index.html
# is the stamp); without npm, wf-engine is built with a page saying how to
# build it.
NPM         ?= npm
WEBAPP_SRC  := $(shell find webapp/src webapp/public -type f 2>/dev/null) webapp/index.html \
	webapp/package.json webapp/vite.config.ts webapp/tsconfig.json webapp/tsconfig.app.json
webapp:
	@if command -v $(NPM) >/dev/null 2>&1; then $(MAKE) --no-print-directory webapp/dist/index.html; \
	else echo "npm not found: wf-engine is built without the web app (install Node 20 and run make build)"; fi

webapp/node_modules/.package-lock.json: webapp/package-lock.json
	cd webapp && $(NPM) ci --no-audit --no-fund

webapp/dist/index.html: webapp/node_modules/.package-lock.json $(WEBAPP_SRC)
	cd webapp && $(NPM) run build

# test-webapp: lint (eslint, tsc), vitest, then the browser tests against a
# freshly built wf-engine with Debian's chromium (.ci/run installs it).
test-webapp:
	cd webapp && $(NPM) ci --no-audit --no-fund
	cd webapp && $(NPM) run lint
	cd webapp && $(NPM) test
	cd webapp && $(NPM) run build
	$(GO) build -o $(BIN)/ ./cmd/...
	$(GO) build -o $(BIN)/testissuer ./api/auth/authtest/testissuer
	cd webapp && $(NPM) run e2e

# cover fails when statement coverage of core/ or elements/ drops under COVER_MIN%.
cover:
	$(GO) test -count=1 -timeout 30m -covermode=atomic -coverpkg=./core/...,./elements/... \
		-coverprofile=coverage.out ./core/... ./elements/... ./conformance/...
	@for dir in core elements; do \
		awk -v dir="/$$dir/" -v min=$(COVER_MIN) -v name=$$dir ' \
			NR > 1 && index($$1, dir) { split($$0, f, " "); blk = f[1]; n[blk] = f[2]; if (f[3] > 0) hit[blk] = 1 } \
			END { for (b in n) { total += n[b]; if (b in hit) covered += n[b] } \
				pct = total ? 100 * covered / total : 0; \
				printf "coverage of %s/: %.1f%% of %d statements (minimum %d%%)\n", name, pct, total, min; \
				exit (pct < min) }' coverage.out || exit 1; \
	done

tools: $(BIN)/golangci-lint $(BIN)/gosec

$(BIN)/golangci-lint:
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

$(BIN)/gosec:
	GOBIN=$(BIN) $(GO) install github.com/securego/gosec/v2/cmd/gosec@$(GOSEC_VER)

lint: tools
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(BIN)/golangci-lint run $(PKGS)
	# G115 (integer conversion overflow) flags every conversion, checked or
	# not; the conversions in this code are bounded where input reaches them.
	$(BIN)/gosec -quiet -exclude=G115 -exclude-dir=conformance -exclude-generated $(PKGS)
	@set -e; for m in $(TEST_MODULES); do \
		echo "lint $$m"; (cd $$m && $(GO) vet ./... && $(BIN)/golangci-lint run ./...); \
	done

# TEST_MODULES are the Go modules of their own under deploy/ (tests with
# dependencies the engine's go.mod must not gain).
TEST_MODULES := deploy/compose/test deploy/helm/test deploy/image deploy/release

# test-sim runs the deterministic simulator's CI budget (docs/testing.md):
# a million simulated steps over many seeds, without the race detector,
# which `go test -race ./...` above runs it under on a small budget. `make
# sim` runs seeds from SIM_SEED on for SIM_DURATION.
SIM_DURATION ?= 10m
SIM_SEED     ?= $(shell date +%s)
.PHONY: test-sim sim
test-sim:
	$(GO) test -count=1 -timeout 30m -run '^TestSim$$' -v ./conformance/sim/ -steps 1000000
sim:
	$(GO) test -count=1 -timeout 0 -run '^TestSim$$' -v ./conformance/sim/ -duration $(SIM_DURATION) -first-seed $(SIM_SEED)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./core/engine/

# bench-rest starts a fresh engine (on the store WF_DATABASE_URL selects, else
# SQLite in a temporary folder) on 127.0.0.1:18080 and runs wf-bench against it
# (workload W1 over REST); BENCH_ARGS adds wf-bench flags.
BENCH_ARGS ?= -duration 60s -warmup 10s
bench-rest: build
	@data=$$(mktemp -d); \
	$(BIN)/wf-engine --http.address 127.0.0.1:18080 --database.data_dir $$data --log.level warn & pid=$$!; \
	trap 'kill $$pid; wait $$pid; rm -rf $$data' EXIT; \
	for i in $$(seq 1 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.1; done; \
	$(BIN)/wf-bench -address http://127.0.0.1:18080 $(BENCH_ARGS)

# bench-auth runs W1 over REST with auth.mode none and then oidc (against
# the test issuer), in the same minutes, for docs/benchmarks.md.
bench-auth: build
	cmd/wf-bench/auth-compare.sh $(BENCH_ARGS)

# bench-overload runs W1 over REST at 10x overload (640 creators) with the
# engine's backpressure on and then off, in the same minutes, and reports
# the 429 share, accepted-create latency and the engine's peak memory
# (SQLite, or PostgreSQL when WF_DATABASE_URL names it; add -retry-after to
# BENCH_ARGS for clients that honour Retry-After).
bench-overload: build
	cmd/wf-bench/overload.sh $(BENCH_ARGS)

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./core/model/
	$(GO) test -run '^$$' -fuzz FuzzCompileFEEL -fuzztime 60s ./core/expr/
	$(GO) test -run '^$$' -fuzz FuzzDecodeSegment -fuzztime 60s ./core/store/internal/tables/
	$(GO) test -run '^$$' -fuzz FuzzParseAuthorization -fuzztime 60s ./api/auth/
	$(GO) test -run '^$$' -fuzz FuzzClaimPath -fuzztime 60s ./api/auth/
	$(GO) test -run '^$$' -fuzz FuzzOIDCAuthenticate -fuzztime 60s ./api/auth/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSON$$' -fuzztime 60s ./api/rest/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSONIntoAStruct$$' -fuzztime 60s ./api/rest/

# Version stamping of `make image` and `make release`: -X main.version,
# main.commit and main.date of cmd/wf-engine and cmd/wf (`--version` prints
# them). DATE is the commit's time, not the build's, so that two builds of
# one commit are the same bytes. Override on the command line:
# `make release VERSION=v1.2.0`.
VERSION       := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT        := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DATE          := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo unknown)
STAMP_LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

# image builds the container image $(IMAGE):$(VERSION) and :latest from
# deploy/Containerfile with Debian's buildah (no daemon, no registry: FROM
# scratch). The static wf-engine is built here and staged in $(IMAGE_CTX)
# with the image's other files (from deploy/image/): rootfs/ (root's) and
# state/ (/data, the image user's). IMAGE_BASE names another base image;
# BUILDAH may add --root/--runroot (deploy/image's test does). --format
# docker keeps the HEALTHCHECK, which the OCI format has no field for.
IMAGE      ?= wf-engine
IMAGE_BASE ?= scratch
IMAGE_CTX  ?= $(BIN)/image
BUILDAH    ?= buildah --storage-driver vfs
CA_BUNDLE  ?= /etc/ssl/certs/ca-certificates.crt
.PHONY: image test-image release test-release
image: webapp
	rm -rf $(IMAGE_CTX)
	install -d -m 0755 $(IMAGE_CTX)/rootfs/etc/ssl/certs
	install -d -m 0755 $(IMAGE_CTX)/rootfs/etc/wf-engine
	install -d -m 1777 $(IMAGE_CTX)/rootfs/tmp
	install -d -m 0770 $(IMAGE_CTX)/state/data
	install -m 0644 deploy/image/passwd deploy/image/group $(IMAGE_CTX)/rootfs/etc/
	install -m 0644 deploy/image/wf-engine.yaml $(IMAGE_CTX)/rootfs/etc/wf-engine/
	install -m 0644 $(CA_BUNDLE) $(IMAGE_CTX)/rootfs/etc/ssl/certs/ca-certificates.crt
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(STAMP_LDFLAGS)" -o $(IMAGE_CTX)/rootfs/wf-engine ./cmd/wf-engine
	$(BUILDAH) bud --isolation chroot --format docker -f deploy/Containerfile \
		--build-arg BASE=$(IMAGE_BASE) --build-arg VERSION=$(VERSION) --build-arg REVISION=$(COMMIT) \
		--build-arg CREATED=$(DATE) -t $(IMAGE):$(VERSION) -t $(IMAGE):latest $(IMAGE_CTX)

# test-image builds the image with `make image` in a storage of its own,
# starts its entry point with `buildah run` and checks /readyz, the health
# check, the refusal without authentication and the compressed size (a Go
# module of its own: go test ./... of the engine leaves it out). Without
# buildah it skips, unless CI is set.
test-image:
	cd deploy/image && $(GO) test -count=1 -v -timeout 30m ./...

# release builds versioned binaries into $(DIST)/: wf-engine and wf for
# each of RELEASE_TARGETS (static, -trimpath, stamped as above), each with
# a CycloneDX SBOM of the modules it links (cyclonedx-gomod app; no serial
# number or timestamp, so that it is reproducible), and SHA256SUMS over
# all of them (sha256sum -c SHA256SUMS checks them). test-release checks
# what release left in $(DIST).
DIST            := dist
RELEASE_TARGETS := linux/amd64 linux/arm64 darwin/arm64 windows/amd64
CYCLONEDX_VER   := v1.10.0
release: webapp $(BIN)/cyclonedx-gomod
	rm -rf $(DIST)
	mkdir -p $(DIST)
	@set -e; for target in $(RELEASE_TARGETS); do \
		os=$${target%/*}; arch=$${target#*/}; ext=; if [ $$os = windows ]; then ext=.exe; fi; \
		for cmd in wf-engine wf; do \
			echo "build $(DIST)/$$cmd-$(VERSION)-$$os-$$arch$$ext"; \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(STAMP_LDFLAGS)" \
				-o $(DIST)/$$cmd-$(VERSION)-$$os-$$arch$$ext ./cmd/$$cmd; \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(BIN)/cyclonedx-gomod app -json -licenses -noserial -notimestamp \
				-main cmd/$$cmd -output $(DIST)/$$cmd-$(VERSION)-$$os-$$arch.cdx.json; \
		done; \
	done
	cd $(DIST) && sha256sum wf-* > SHA256SUMS

$(BIN)/cyclonedx-gomod:
	GOBIN=$(BIN) $(GO) install github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$(CYCLONEDX_VER)

test-release:
	cd deploy/release && DIST=$(CURDIR)/$(DIST) VERSION=$(VERSION) COMMIT=$(COMMIT) DATE=$(DATE) \
		RELEASE_TARGETS="$(RELEASE_TARGETS)" $(GO) test -count=1 -v ./...

# test-compose checks deploy/compose/compose.yaml against the compose
# specification's JSON schema and the engine's own configuration checks, in
# a Go module of its own (compose-go stays out of the engine's go.mod). It
# starts no container: it needs no container engine.
.PHONY: test-compose
test-compose:
	cd deploy/compose/test && $(GO) test -count=1 ./...

# test-helm lints (--strict) and renders deploy/helm/wf-engine with each
# values file, then runs the chart's Go test: every rendered manifest decoded
# strictly into the k8s.io/api types of Kubernetes 1.31, the behaviour the
# chart promises, unsafe values refused, and the rendered configuration
# accepted by `wf-engine config check` (a Go module of its own: k8s.io/api
# stays out of the engine's go.mod). helm is built from source at HELM_VER
# (several minutes, once) and rebuilt when bin/helm is another version.
HELM_VER   := v4.3.2
HELM_CHART := deploy/helm/wf-engine
.PHONY: test-helm
test-helm:
	@$(GO) version -m $(BIN)/helm 2>/dev/null | grep -q "mod[[:space:]]*helm.sh/helm/v4[[:space:]]*$(HELM_VER)[[:space:]]" || \
		$(MAKE) --no-print-directory -B $(BIN)/helm
	@set -e; for f in values.yaml values-dev.yaml values-production.yaml; do \
		echo "helm lint --strict and helm template with $$f"; \
		$(BIN)/helm lint --strict --quiet $(HELM_CHART) -f $(HELM_CHART)/$$f; \
		$(BIN)/helm template wf $(HELM_CHART) -f $(HELM_CHART)/$$f >/dev/null; \
	done
	cd deploy/helm/test && $(GO) vet ./... && HELM=$(BIN)/helm $(GO) test -count=1 -v ./...

$(BIN)/helm:
	GOBIN=$(BIN) $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VER)

# dr-drill is the disaster-recovery drill (deploy/drill, docs/runbook.md): a
# built wf-engine under load on SQLite, then on PostgreSQL, is backed up
# (wf-engine backup; pg_dump -Fc), loaded further, killed with SIGKILL, its
# store destroyed and restored (wf-engine restore; pg_restore), restarted and
# checked; it prints the RPO and RTO it measured. PostgreSQL needs
# WF_TEST_POSTGRES_URL (a missing one fails the drill when CI is set) and
# pg_dump/pg_restore (postgresql-client). About a minute with the build.
.PHONY: dr-drill
dr-drill:
	WF_DR_DRILL=1 $(GO) test -count=1 -v -timeout 10m ./deploy/drill/

clean:
	rm -rf $(BIN) $(DIST) coverage.out
