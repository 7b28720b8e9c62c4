# plantrack build. Every Go command gets the duckdb_arrow tag (duckdb-go's Arrow API) and
# the pinned report assets (ECharts, the Liaocheng map) are fetched from the npm registry
# by package-lock.json before anything that embeds them is built.
GO      ?= go
TAGS    := duckdb_arrow
GOTAGS  := -tags=$(TAGS)
BIN     := bin/plantrack
OUT     ?= out
ASSETS  := reports/assets/node_modules/.package-lock.json

.PHONY: all build test demo bench assets fmt vet clean

all: build

build: assets
	$(GO) build $(GOTAGS) -o $(BIN) ./cmd/plantrack

# The README's test command. vet first: it catches what tests may not.
test: assets
	$(GO) vet $(GOTAGS) ./...
	$(GO) test $(GOTAGS) -count=1 ./...

demo: build
	./$(BIN) demo --out $(OUT)

bench: assets
	$(GO) test $(GOTAGS) -run='^$$' -bench=. -benchmem ./...

assets: $(ASSETS)

$(ASSETS): reports/assets/package.json reports/assets/package-lock.json
	cd reports/assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(OUT) reports/assets/node_modules
