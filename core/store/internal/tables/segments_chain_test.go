package tables

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/store"
)

// chainDB is a database's log_segments and meta row in memory: what
// committed, and the two queries VerifyChain and Link read.
type chainDB struct {
	segs      []chainRow
	metaEnd   int64
	legacyEnd int64
	anchor    store.Anchor
}

type chainRow struct {
	first, last int64
	data, hash  []byte
}

var chainQueries = ChainQueries{Segments: "segments", End: ChainEnd}

func (d *chainDB) fetch(_ context.Context, query string, args []any, row func(Scan) error) error {
	if query == ChainEnd {
		return row(func(dest ...any) error {
			*dest[0].(*int64), *dest[1].(*int64) = d.metaEnd, d.legacyEnd
			return nil
		})
	}
	if query == AnchorQuery {
		return row(func(dest ...any) error {
			*dest[0].(*int64), *dest[1].(*[]byte) = d.anchor.Position, d.anchor.Hash
			return nil
		})
	}
	from, limit := args[0].(int64), args[1].(int)
	n := 0
	for _, s := range d.segs {
		if s.first < from || n == limit {
			continue
		}
		n++
		err := row(func(dest ...any) error {
			*dest[0].(*int64), *dest[1].(*int64) = s.first, s.last
			*dest[2].(*[]byte), *dest[3].(*[]byte) = s.data, s.hash
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// last answers LastHashQuery.
func (d *chainDB) last() ([]byte, error) {
	if len(d.segs) == 0 {
		return nil, nil
	}
	return d.segs[len(d.segs)-1].hash, nil
}

// commit writes e as a store's Commit would, failing with fail.
func (d *chainDB) commit(c *Chain, e *Encoded, fail error) error {
	if _, err := c.Link(e, d.last); err != nil {
		return err
	}
	if fail == nil {
		l := e.Log
		d.segs = append(d.segs, chainRow{first: l.cols[0].ints[0], last: l.cols[1].ints[0],
			data: bytes.Clone(l.cols[3].blobs[0]), hash: bytes.Clone(l.cols[4].blobs[0])})
		d.metaEnd = l.cols[1].ints[0]
	}
	c.Done(e, fail)
	return fail
}

func verify(t testing.TB, d *chainDB) store.ChainReport {
	t.Helper()
	rep, err := VerifyChain(context.Background(), chainQueries, d.fetch)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// chainOf commits n segments of size records each, from position 1 on.
func chainOf(t *testing.T, n, size int) *chainDB {
	t.Helper()
	d := &chainDB{}
	var c Chain
	for i := range n {
		b := &store.Batch{Records: segmentRecords(int64(i*size+1), size)}
		e, err := Prepared(b, &c)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.commit(&c, e, nil); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestAnUntouchedChainVerifies(t *testing.T) {
	d := chainOf(t, 40, 3) // more segments than one read takes
	rep := verify(t, d)
	if rep.Broken != nil || rep.Segments != 40 || rep.Unchained != 0 || rep.LastPosition != 120 || !bytes.Equal(rep.LastHash, d.segs[39].hash) {
		t.Fatalf("report %+v, broken %v", rep, rep.Broken)
	}
	var zero Hash
	if want := ChainHash(zero, d.segs[0].data); !bytes.Equal(d.segs[0].hash, want[:]) {
		t.Fatal("the first segment does not follow 32 zero bytes")
	}
	if rep := verify(t, &chainDB{}); rep.Broken != nil || rep.Segments != 0 || rep.LastHash != nil {
		t.Fatalf("an empty log: %+v", rep)
	}
}

func TestVerifyChainNamesTheFirstBrokenLink(t *testing.T) {
	cases := []struct {
		name        string
		tamper      func(d *chainDB)
		problem     store.ChainProblem
		first, last int64
	}{
		{"a byte of data", func(d *chainDB) { d.segs[4].data[len(d.segs[4].data)/2] ^= 1 }, store.ChainHashMismatch, 13, 15},
		{"a byte of a hash", func(d *chainDB) { d.segs[7].hash[0] ^= 0x80 }, store.ChainHashMismatch, 22, 24},
		{"data and hash recomputed", func(d *chainDB) {
			d.segs[2].data[9] ^= 1
			h := ChainHash(Hash(d.segs[1].hash), d.segs[2].data)
			d.segs[2].hash = h[:]
		}, store.ChainHashMismatch, 10, 12},
		{"a segment in the middle removed", func(d *chainDB) { d.segs = append(d.segs[:5], d.segs[6:]...) }, store.ChainGap, 19, 21},
		{"the first segment removed", func(d *chainDB) { d.segs = d.segs[1:] }, store.ChainGap, 4, 6},
		{"the last segment removed", func(d *chainDB) { d.segs = d.segs[:len(d.segs)-1] }, store.ChainTruncated, 28, 30},
		{"a hash removed", func(d *chainDB) { d.segs[3].hash = nil }, store.ChainHashMissing, 10, 12},
		{"positions changed", func(d *chainDB) { d.segs[6].first = 17 }, store.ChainGap, 17, 21},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := chainOf(t, 10, 3)
			tc.tamper(d)
			rep := verify(t, d)
			b := rep.Broken
			if b == nil || b.Problem != tc.problem || b.FirstPosition != tc.first || b.LastPosition != tc.last {
				t.Fatalf("got %+v (%v), want %s at %d..%d", rep, b, tc.problem, tc.first, tc.last)
			}
			if s := b.String(); !strings.Contains(s, fmt.Sprintf("segment %d..%d", tc.first, tc.last)) {
				t.Fatalf("the break reads %q", s)
			}
		})
	}
}

// Segments written before migration 9 have no hash; the chain starts after
// them, after the per-record log of before migration 6.
func TestTheChainStartsAfterSegmentsWithoutAHash(t *testing.T) {
	d := chainOf(t, 6, 3)
	for i := range d.segs {
		d.segs[i].first += 5
		d.segs[i].last += 5
	}
	d.legacyEnd, d.metaEnd = 5, d.metaEnd+5
	for i := range 2 {
		d.segs[i].hash = nil
	}
	// Rehash what follows as a store would have after the migration.
	var prev Hash
	for i := 2; i < len(d.segs); i++ {
		h := ChainHash(prev, d.segs[i].data)
		d.segs[i].hash, prev = h[:], h
	}
	rep := verify(t, d)
	if rep.Broken != nil || rep.Segments != 6 || rep.Unchained != 2 || rep.LastPosition != 23 {
		t.Fatalf("report %+v, broken %v", rep, rep.Broken)
	}
	d.legacyEnd = 4
	if rep := verify(t, d); rep.Broken == nil || rep.Broken.Problem != store.ChainGap {
		t.Fatalf("a log that skips position 5: %+v", rep)
	}
}

func TestVerifyChainPassesReadErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	fetch := func(context.Context, string, []any, func(Scan) error) error { return boom }
	if _, err := VerifyChain(context.Background(), chainQueries, fetch); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

// However batches are prepared ahead, committed, failed and reloaded, the
// committed segments form one chain: a batch prepared but never committed
// does not advance it.
func TestChainHoldsAcrossFailedCommitsAndReloads(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := &chainDB{}
		var c Chain
		if rapid.Bool().Draw(t, "open reads the end") {
			if err := c.Reset(nil); err != nil {
				t.Fatal(err)
			}
		}
		var pending []*Encoded // prepared, in commit order
		next := int64(1)       // position of the next record the engine writes
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0, 1: // the loop prepares a batch
				n := rapid.IntRange(1, 4).Draw(t, "records")
				b := &store.Batch{Records: segmentRecords(next, n)}
				if err := Prepare(b, &c); err != nil {
					t.Fatal(err)
				}
				pending = append(pending, b.Prepared.(*Encoded))
				next += int64(n)
			case 2: // the committer commits the oldest
				if len(pending) == 0 {
					continue
				}
				e := pending[0]
				pending = pending[1:]
				var fail error
				if rapid.IntRange(0, 4).Draw(t, "fail") == 0 {
					fail = errors.New("injected")
				}
				if err := d.commit(&c, e, fail); err != nil {
					// Everything prepared on top fails too; the engine
					// reloads, or (a direct caller) goes on unloaded.
					pending = nil
					next = d.metaEnd + 1
					if rapid.Bool().Draw(t, "reload") {
						last, _ := d.last()
						if err := c.Reset(last); err != nil {
							t.Fatal(err)
						}
					}
				}
			case 3: // a Load between a Prepare and its Commit
				last, _ := d.last()
				if err := c.Reset(last); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, e := range pending {
			if err := d.commit(&c, e, nil); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := VerifyChain(context.Background(), chainQueries, d.fetch)
		if err != nil || rep.Broken != nil {
			t.Fatalf("the chain broke: %v (%v)", rep.Broken, err)
		}
	})
}

func TestResetRefusesAHashOfTheWrongSize(t *testing.T) {
	var c Chain
	if err := c.Reset([]byte{1, 2, 3}); err == nil {
		t.Fatal("a 3-byte hash was taken")
	}
	b := &store.Batch{Records: segmentRecords(1, 1)}
	e, err := Prepared(b, &c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Link(e, func() ([]byte, error) { return []byte{1}, nil }); err == nil {
		t.Fatal("a 1-byte last hash was taken")
	}
}
