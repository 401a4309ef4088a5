package tables

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// Hash is a log segment's link in the hash chain (migration 9).
type Hash [sha256.Size]byte

// ChainHash returns the hash of a segment whose stored data is data and
// whose predecessor's hash is prev: SHA-256 over prev followed by data. The
// first segment of the chain follows 32 zero bytes.
func ChainHash(prev Hash, data []byte) Hash {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// Chain is a store's end of the hash chain. Prepare links each segment to
// the one prepared before it, on the engine's loop in commit order; Commit
// makes sure, with Link, that the segment follows the last one committed
// and records the outcome with Done. A batch that was prepared but never
// committed (its commit or one before it failed) therefore never advances
// the chain in the database: the next commit finds that its segment
// follows something else and links it again. The zero Chain knows nothing
// and reads the database's end at the first commit; Reset sets it (at Open
// and Load).
type Chain struct {
	mu        sync.Mutex
	tip       Hash // hash of the last segment prepared
	committed Hash // hash of the last segment committed
	known     bool // committed is the database's
}

// Reset sets both ends of the chain to the database's last segment's hash:
// last is empty when the log has no segment or its last segment was written
// before the chain began. Call it with no commit running.
func (c *Chain) Reset(last []byte) error {
	h, err := toHash(last)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tip, c.committed, c.known = h, h, true
	return nil
}

func toHash(b []byte) (Hash, error) {
	var h Hash
	switch len(b) {
	case 0:
	case len(h):
		copy(h[:], b)
	default:
		return h, fmt.Errorf("the last log segment's hash has %d bytes, want %d", len(b), len(h))
	}
	return h, nil
}

// encode encodes a batch's segment linked to the last segment prepared.
func (c *Chain) encode(e *Encoded, recs []*record.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows, err := EncodeSegment(recs, c.tip)
	if err != nil {
		return err
	}
	e.Log, e.prev = rows, c.tip
	if rows.Len() > 0 {
		c.tip = segmentHash(rows)
	}
	return nil
}

// segmentHash returns the hash of the one segment in rows.
func segmentHash(rows *Rows) Hash {
	var h Hash
	copy(h[:], rows.cols[4].blobs[0])
	return h
}

// Link makes e's segment follow the last segment committed. Call it when
// committing e, with no other commit running, before writing. When the
// chain's end is unknown (a commit failed, its outcome unknown), last reads
// the hash of the database's last segment, as Reset takes it; it runs in
// the commit's transaction where the store has one.
func (c *Chain) Link(e *Encoded, last func() ([]byte, error)) (relinked bool, err error) {
	if e.Log == nil || e.Log.Len() == 0 {
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.known && e.prev == c.committed {
		return false, nil
	}
	prev := c.committed
	if !c.known {
		b, err := last()
		if err != nil {
			return false, fmt.Errorf("read the hash of the last log segment: %w", err)
		}
		if prev, err = toHash(b); err != nil {
			return false, err
		}
	}
	old := segmentHash(e.Log)
	h := ChainHash(prev, e.Log.cols[3].blobs[0])
	e.Log.cols[4].blobs[0] = h[:]
	e.prev = prev
	if c.tip == old {
		c.tip = h // no segment was prepared after it
	}
	return true, nil
}

// Done records the outcome of e's commit: after an error the chain's end is
// unknown until Reset or the next Link reads it.
func (c *Chain) Done(e *Encoded, err error) {
	if e.Log == nil || e.Log.Len() == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.known = false
		return
	}
	c.committed, c.known = segmentHash(e.Log), true
}

// LastHashQuery reads the hash of the last log segment (no row, or NULL,
// when the chain has not begun).
const LastHashQuery = "SELECT hash FROM log_segments ORDER BY first_position DESC LIMIT 1"

// ChainQueries are a store's reads for VerifyChain. Segments takes (from,
// limit) and returns first_position, last_position, data and hash of the
// segments whose first position is at least from, in order; End returns the
// meta row's last position and the highest position of the per-record log
// table of before migration 6 (0 when empty). Anchor reads the chain
// anchor (AnchorQuery when empty). Start is the position before the log's
// first (a partition's Part.Start; 0 for the whole store).
type ChainQueries struct {
	Segments, End, Anchor string
	Start                 int64
}

// ChainEnd is the End query of ChainQueries, the same for every store.
const ChainEnd = "SELECT (SELECT last_position FROM meta WHERE id = 1), coalesce((SELECT max(position) FROM log), 0)"

// verifyChunk bounds the segments one query of VerifyChain reads.
const verifyChunk = 16

// VerifyChain reads every log segment in position order and reports the
// first broken link of the hash chain: a hash that its data and the hash
// before it do not give, a segment after the chain began without a hash,
// positions missing between segments, or segments missing at the end (the
// meta row, written with every commit, names a later position). The end is
// read first: segments committed while it runs are checked too. After
// compaction the chain starts at the anchor: the first segment kept must
// follow the anchor's position and hash.
func VerifyChain(ctx context.Context, q ChainQueries, fetch Fetch) (store.ChainReport, error) {
	var rep store.ChainReport
	var metaEnd, legacyEnd int64
	err := fetch(ctx, q.End, nil, func(scan Scan) error { return scan(&metaEnd, &legacyEnd) })
	if err != nil {
		return rep, fmt.Errorf("verify the log's hash chain: read the log's end: %w", err)
	}
	anchor, err := readAnchor(ctx, fetch, q.Anchor)
	if err != nil {
		return rep, fmt.Errorf("verify the log's hash chain: %w", err)
	}
	rep.AnchorPosition, rep.AnchorHash = anchor.Position, anchor.Hash
	// The first position of the next segment; after compaction, the chain
	// goes on from the anchor, the last segment removed.
	next := max(legacyEnd, anchor.Position, q.Start) + 1
	var prev Hash
	chained := false
	if anchor.Position > 0 && anchor.Hash != nil {
		if prev, err = toHash(anchor.Hash); err != nil {
			return rep, fmt.Errorf("verify the log's hash chain: the anchor: %w", err)
		}
		chained = true
	}
	from := next - 1
	for {
		n := 0
		err := fetch(ctx, q.Segments, []any{from, verifyChunk}, func(scan Scan) error {
			var first, last int64
			var data, hash []byte
			if err := scan(&first, &last, &data, &hash); err != nil {
				return fmt.Errorf("read log segment: %w", err)
			}
			n++
			from = first + 1
			if rep.Broken != nil {
				return nil
			}
			rep.Broken = checkLink(first, last, next, data, hash, &prev, &chained)
			if rep.Broken != nil {
				return nil
			}
			rep.Segments++
			if !chained {
				rep.Unchained++
			} else {
				rep.LastHash = append(rep.LastHash[:0], prev[:]...)
			}
			rep.LastPosition, next = last, last+1
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("verify the log's hash chain from position %d: %w", from, err)
		}
		if rep.Broken != nil {
			return rep, nil
		}
		if n < verifyChunk {
			break
		}
	}
	rep.LastPosition = max(rep.LastPosition, legacyEnd, q.Start)
	if metaEnd > rep.LastPosition {
		rep.Broken = &store.ChainBreak{FirstPosition: rep.LastPosition + 1, LastPosition: metaEnd, Problem: store.ChainTruncated,
			Detail: fmt.Sprintf("the log ends at position %d, but the state rows were written at position %d: segments at the end were removed", rep.LastPosition, metaEnd)}
	}
	return rep, nil
}

// checkLink checks one segment; next is the position it must start at,
// prev the hash before it and chained whether the chain has begun.
func checkLink(first, last, next int64, data, hash []byte, prev *Hash, chained *bool) *store.ChainBreak {
	broken := func(p store.ChainProblem, format string, args ...any) *store.ChainBreak {
		return &store.ChainBreak{FirstPosition: first, LastPosition: last, Problem: p, Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case first > next:
		return broken(store.ChainGap, "positions %d..%d before it are missing: a segment was removed", next, first-1)
	case first < next || last < first:
		return broken(store.ChainGap, "it overlaps the segment before it, which ends at position %d: its positions were changed", next-1)
	}
	if hash == nil {
		if *chained {
			return broken(store.ChainHashMissing, "it has no hash, but the chain began before it: its hash was removed")
		}
		return nil // written before the chain began
	}
	want := ChainHash(*prev, data)
	if !bytes.Equal(hash, want[:]) {
		return broken(store.ChainHashMismatch, "its data and the hash before it give %x, but it holds %x: its data or its hash was changed", want[:6], hash[:min(6, len(hash))])
	}
	*prev, *chained = want, true
	return nil
}
