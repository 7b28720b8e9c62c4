package ingest

import (
	"context"
	"fmt"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/semaphore"

	"plantrack/store"
)

// A quarter is hundreds of small files. Read one after another, each with statements of
// its own, they cost far more in waiting than in reading; so files up to smallFile are
// read whole, ahead of their turn, on every core, and their rows stream into one INSERT
// (DuckDB writes one statement's rows straight to the file; rows of many statements in
// a transaction are rewritten when the database closes); file records and rejections
// are stored together at the end. Bigger files stream through the CSV workers in their
// turn, so none is ever whole in memory.
const smallFile = 4 << 20

// readAhead is a small file read whole before its turn.
type readAhead struct {
	j       *fileJob
	batches []arrow.RecordBatch
	err     error
}

func (ra *readAhead) release() {
	for _, b := range ra.batches {
		b.Release()
	}
	ra.batches = nil
}

// aheadBytes bounds the bytes of small files read and not yet stored.
const aheadBytes = 64 << 20

// aheadWeight is what a file counts against aheadBytes: a workbook is zipped, its rows
// take several times its size.
func aheadWeight(format string, size int64) int64 {
	if format == "xlsx" {
		size *= 8
	}
	return min(size, aheadBytes)
}

// readAheadAll starts reading the small files (small[i]) of ins, in order, on every core,
// up to aheadBytes of them ahead of the caller. The caller takes file i from out[i] and
// then hands its format and size back to release. prior are the contents earlier batches hold: those
// files are hashed, not read.
func readAheadAll(ctx context.Context, c *checker, ins []input, sizes []int64, small []bool, prior map[string]store.KnownFile) (out []chan *readAhead, release func(format string, size int64)) {
	workers := max(1, runtime.GOMAXPROCS(0))
	out = make([]chan *readAhead, len(ins))
	for i := range out {
		out[i] = make(chan *readAhead, 1)
	}
	room := semaphore.NewWeighted(aheadBytes)
	running := make(chan struct{}, workers)
	go func() {
		for i, in := range ins {
			if !small[i] {
				continue
			}
			if err := room.Acquire(ctx, aheadWeight(in.format, sizes[i])); err != nil {
				return
			}
			select {
			case running <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-running }()
				out[i] <- readSmall(ctx, &fileJob{c: c, name: in.path, format: in.format}, in.path, prior)
			}()
		}
	}()
	return out, func(format string, size int64) { room.Release(aheadWeight(format, size)) }
}

// readSmall hashes a file and decides its encoding, then reads its rows unless an earlier
// batch has its content or it is not text in its encoding.
func readSmall(ctx context.Context, j *fileJob, path string, prior map[string]store.KnownFile) *readAhead {
	ra := &readAhead{j: j}
	sc, err := scanFile(path, j.format != "xlsx")
	if err != nil {
		ra.err = fmt.Errorf("read %w", err)
		return ra
	}
	j.scan = sc
	if _, ok := prior[sc.sha256]; ok || sc.badAt >= 0 {
		return ra
	}
	err = j.read(ctx, path, func(b arrow.RecordBatch) error {
		ra.batches = append(ra.batches, b)
		return nil
	})
	j.scan = sc // the CSV reader leaves its own verdict, without the hash: the scan's is the same
	if err != nil {
		ra.release()
		ra.err = fmt.Errorf("%s: %w", path, err)
	}
	return ra
}
