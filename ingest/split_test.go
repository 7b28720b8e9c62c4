package ingest

import (
	"encoding/csv"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// splitQuoted reads what encoding/csv (LazyQuotes) reads, at the same lines, on many
// short texts made of the bytes that matter: quotes, commas, \r and \n. FuzzEachRecord
// explores further; this covers the usual cases on every run.
func TestSplitQuotedLikeEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	parts := []string{`"`, ",", "\r", "\n", "a", "东", `""`, "\r\n"}
	type rec struct {
		fields string
		line   int
	}
	for range 100_000 {
		var b strings.Builder
		for range rng.IntN(14) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		var want []rec
		r := csv.NewReader(strings.NewReader(s))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		for {
			fields, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: encoding/csv: %v", s, err)
			}
			line, _ := r.FieldPos(0)
			want = append(want, rec{strings.Join(fields, "\x00"), line})
		}
		var got []rec
		eachRecord([]byte(s), 1, func(fields []string, line int, err error) {
			got = append(got, rec{strings.Join(fields, "\x00"), line})
		})
		if len(got) != len(want) {
			t.Fatalf("%q: %+v, encoding/csv %+v", s, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: record %d = %+v, encoding/csv %+v", s, i, got[i], want[i])
			}
		}
	}
}

// trim is strings.TrimSpace, whatever the spaces (ASCII, full-width, no-break, Ogham,
// the U+2000 block), byte-order marks and broken UTF-8 at either end.
func TestTrimIsTrimSpace(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	parts := []string{" ", "\t", "\u3000", "\u00a0", "\u0085", "\u1680", "\u2000", "\u205f", "\u2028", "\ufeff",
		"a", "东", "\xc2", "\xe3", "\x80", "\xbf", "\xe2\x80", "\r", "\n", "\x00", "é", "𝄞"}
	for range 200_000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		if s := b.String(); trim(s) != strings.TrimSpace(s) {
			t.Fatalf("trim(%q) = %q, strings.TrimSpace %q", s, trim(s), strings.TrimSpace(s))
		}
	}
}

// repeated finds a key held twice, within one worker's sorted keys or across workers'.
func TestRepeated(t *testing.T) {
	for _, c := range []struct {
		lists [][]uint64
		want  bool
	}{
		{nil, false},
		{[][]uint64{{1, 2, 3}}, false},
		{[][]uint64{{1, 2, 2}}, true},
		{[][]uint64{{1, 3, 5}, {2, 4, 6}}, false},
		{[][]uint64{{1, 3, 5}, {2, 5}}, true},
		{[][]uint64{{1, 3}, {2, 4}, {3, 5}}, true},
		{[][]uint64{{1, 3}, {}, {2, 4}, {6}}, false},
		{[][]uint64{{9}, {1, 2}, {8, 9}}, true},
	} {
		if got := repeated(c.lists); got != c.want {
			t.Errorf("repeated(%v) = %v, want %v", c.lists, got, c.want)
		}
	}
}

// radixSort sorts as slices.Sort does.
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{0, 1, 255, 256, 1000, 100_000} {
		a := make([]uint64, n)
		for i := range a {
			switch i % 3 {
			case 0:
				a[i] = rng.Uint64()
			case 1:
				a[i] = uint64(rng.IntN(50))<<40 | uint64(rng.IntN(31))<<28 | uint64(rng.IntN(4))<<20 | uint64(rng.IntN(1000))
			default:
				a[i] = uint64(rng.IntN(3))
			}
		}
		want := slices.Clone(a)
		slices.Sort(want)
		if got := radixSort(a); !slices.Equal(got, want) {
			t.Fatalf("radixSort of %d keys differs from slices.Sort", n)
		}
	}
}
