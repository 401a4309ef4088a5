package tables

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"

	"github.com/klauspost/compress/s2"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// LogSegments holds the log since migration 6: one row per committed batch,
// its records framed one after another in data (see EncodeSegment). One row
// per batch instead of one per record is what lets a commit of hundreds of
// records cost the database one index entry. Since migration 9 each
// segment's hash links it to the one before (see Chain); segments written
// before have none.
var LogSegments = &Table{Name: "log_segments", Columns: []Column{
	{"first_position", Int}, {"last_position", Int}, {"records", Int}, {"data", Bytes}, {"hash", Bytes},
}}

// segmentVersion is the first byte of every segment's data. A new framing
// gets a new number; readers keep reading the old ones. Version 1 is the
// framed records; version 2 is version 1's frames compressed with S2
// (klauspost/compress), which shrinks a segment about fivefold for less
// time than the database spent compressing it; version 3 (written since)
// is version 2 whose frames also hold the command's principal.
const (
	segmentVersion           = 3
	segmentVersionCompressed = 2
	segmentVersionUncompress = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxSegment bounds a segment's decompressed size, so that damaged data
// cannot make a reader allocate without limit; a batch never comes near it.
const maxSegment = 1 << 30

// EncodeSegment returns the one log_segments row of a batch's records (no
// row for no records), chained to the segment whose hash is prev (see
// ChainHash). The records must be in position order.
//
// Framing (version 1): the version byte, then per record a uvarint length
// and that many bytes: varints of position, source position, key, kind,
// value type, intent, version, timestamp and rejection type, a uvarint
// length and the rejection reason, and the rest is the value's JSON.
// Version 2: the version byte, the CRC-32C (Castagnoli, little endian) of
// version 1's frames (everything after its version byte), then S2's block
// encoding of those frames. The checksum catches damage that would still
// decompress. Version 3 (written now): version 2, whose frames hold after
// the rejection reason a uvarint length and the principal's compact JSON
// (length 0: no principal), then the value's JSON.
func EncodeSegment(recs []*record.Record, prev Hash) (*Rows, error) {
	r := newRows(LogSegments, 1)
	if len(recs) == 0 {
		return r, nil
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	data, frame, value := sc.data[:0], sc.frame[:0], sc.value[:0]
	for i, rec := range recs {
		if rec == nil {
			return nil, fmt.Errorf("encode log: nil record after position %d", lastPosition(recs))
		}
		if i > 0 && rec.Position <= recs[i-1].Position {
			return nil, fmt.Errorf("encode log: position %d follows %d", rec.Position, recs[i-1].Position)
		}
		v, err := record.AppendValueJSON(value[:0], rec.Value)
		if err != nil {
			return nil, fmt.Errorf("encode record %d (%s %s): %w", rec.Position, rec.ValueType, rec.Intent, err)
		}
		value = v
		frame = frame[:0]
		for _, n := range []int64{rec.Position, rec.SourcePosition, rec.Key, int64(rec.Kind), int64(rec.ValueType),
			int64(rec.Intent), int64(rec.Version), rec.Timestamp, int64(rec.RejectionType)} {
			frame = binary.AppendVarint(frame, n)
		}
		frame = binary.AppendUvarint(frame, uint64(len(rec.RejectionReason)))
		frame = append(frame, rec.RejectionReason...)
		if frame, err = appendPrincipal(frame, rec); err != nil {
			return nil, err
		}
		frame = append(frame, v...)
		data = binary.AppendUvarint(data, uint64(len(frame)))
		data = append(data, frame...)
	}
	if len(data) > maxSegment {
		return nil, fmt.Errorf("encode log: the batch's records take %d bytes, more than a segment holds (%d)", len(data), maxSegment)
	}
	if n := s2.MaxEncodedLen(len(data)); cap(sc.packed) < n {
		sc.packed = make([]byte, n)
	}
	compressed := s2.Encode(sc.packed[:cap(sc.packed)], data)
	packed := make([]byte, 5, 5+len(compressed))
	packed[0] = segmentVersion
	binary.LittleEndian.PutUint32(packed[1:5], crc32.Checksum(data, castagnoli))
	packed = append(packed, compressed...)
	sc.data, sc.frame, sc.value = data, frame, value
	hash := ChainHash(prev, packed)
	r.i(recs[0].Position)
	r.i(recs[len(recs)-1].Position)
	r.i(int64(len(recs)))
	r.b(packed)
	r.b(hash[:])
	r.end()
	return r, r.Err()
}

// appendPrincipal appends a record's principal as version 3 frames it.
func appendPrincipal(frame []byte, rec *record.Record) ([]byte, error) {
	if rec.Principal == nil {
		return binary.AppendUvarint(frame, 0), nil
	}
	p, err := json.Marshal(rec.Principal)
	if err != nil {
		return nil, fmt.Errorf("encode the principal of record %d: %w", rec.Position, err)
	}
	frame = binary.AppendUvarint(frame, uint64(len(p)))
	return append(frame, p...), nil
}

// scratch holds EncodeSegment's working buffers between calls: a batch's
// frames take hundreds of kilobytes, which a fresh allocation zeroes and
// the garbage collector then reclaims, every commit. Only the returned
// segment is allocated per call.
type scratch struct {
	data, frame, value, packed []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// errCorrupt is wrapped by every decoding error of a damaged segment.
var errCorrupt = errors.New("corrupt log segment")

// DecodeSegment calls fn for every record of a segment's data whose
// position is at least from. A damaged segment gives an error, never a
// panic.
func DecodeSegment(data []byte, from int64, fn func(*record.Record) error) error {
	data, version, err := segmentFrames(data)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)-k) {
			return fmt.Errorf("%w: bad frame length", errCorrupt)
		}
		frame := data[k : k+int(n)]
		data = data[k+int(n):]
		rec, err := decodeFrame(frame, version >= segmentVersion)
		if err != nil {
			return err
		}
		if rec.Position < from {
			continue
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// decodeFrame decodes one record's frame; principal says whether the frame
// holds one (version 3).
func decodeFrame(frame []byte, principal bool) (*record.Record, error) {
	var nums [9]int64
	for i := range nums {
		v, k := binary.Varint(frame)
		if k <= 0 {
			return nil, fmt.Errorf("%w: bad record header", errCorrupt)
		}
		nums[i], frame = v, frame[k:]
	}
	n, k := binary.Uvarint(frame)
	if k <= 0 || n > uint64(len(frame)-k) {
		return nil, fmt.Errorf("%w: bad rejection reason length", errCorrupt)
	}
	reason, value := frame[k:k+int(n)], frame[k+int(n):]
	var who []byte
	if principal {
		n, k := binary.Uvarint(value)
		if k <= 0 || n > uint64(len(value)-k) {
			return nil, fmt.Errorf("%w: bad principal length", errCorrupt)
		}
		who, value = value[k:k+int(n)], value[k+int(n):]
	}
	var nerr error
	r := &record.Record{
		Position: nums[0], SourcePosition: nums[1], Key: nums[2], Kind: narrow[record.Kind](nums[3], "kind", &nerr),
		ValueType: narrow[record.ValueType](nums[4], "value type", &nerr), Intent: narrow[record.Intent](nums[5], "intent", &nerr),
		Version: narrow[uint16](nums[6], "version", &nerr), Timestamp: nums[7],
		RejectionType: narrow[record.RejectionType](nums[8], "rejection type", &nerr), RejectionReason: string(reason),
	}
	if nerr != nil {
		return nil, fmt.Errorf("decode record %d: %w", r.Position, nerr)
	}
	v, err := record.NewValue(r.ValueType)
	if err != nil {
		return nil, fmt.Errorf("decode record %d: %w", r.Position, err)
	}
	if len(value) > 0 && string(value) != "null" {
		if err := json.Unmarshal(value, v); err != nil {
			return nil, fmt.Errorf("decode record %d value (%s): %w", r.Position, r.ValueType, err)
		}
	}
	r.Value = v
	if len(who) > 0 {
		r.Principal = &record.Principal{}
		if err := json.Unmarshal(who, r.Principal); err != nil {
			return nil, fmt.Errorf("decode the principal of record %d: %w", r.Position, err)
		}
	}
	return r, nil
}

// Fetch runs a query with args and calls row for each result row. A store
// implements it over its own connection pool; it must hold no connection
// once it returns.
type Fetch func(ctx context.Context, query string, args []any, row func(Scan) error) error

// LogQueries are a store's log reads, each taking (from, limit):
// records of the per-record table written before migration 6, and
// segments whose last position is at least from, in order. Anchor reads
// the log's chain anchor (AnchorQuery when empty; Part.AnchorQuery for a
// partition's log).
type LogQueries struct {
	Records, Segments, Anchor string
}

// readChunk bounds the records (or segments) one query reads; callbacks run
// between queries, holding no connection.
const readChunk = 1000

// ReadLog calls fn for every record from position from on, in order: first
// the rows of the per-record table, which precede every segment, then the
// segments. Positions missing before a segment that compaction removed
// (at or before the anchor) are read from archive, or, without one, end
// the read with a *store.CompactedError: a read never skips them silently.
func ReadLog(ctx context.Context, from int64, q LogQueries, fetch Fetch, archive store.LogArchive, fn func(*record.Record) error) error {
	deliver := func(recs []*record.Record) error {
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		var recs []*record.Record
		err := fetch(ctx, q.Records, []any{from, readChunk}, func(scan Scan) error {
			r, err := ScanRecord(scan)
			if err == nil {
				recs = append(recs, r)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("read log from position %d: %w", from, err)
		}
		if err := deliver(recs); err != nil {
			return err
		}
		if len(recs) > 0 {
			from = recs[len(recs)-1].Position + 1
		}
		if len(recs) < readChunk {
			break
		}
	}
	const segmentChunk = 64
	type segment struct {
		first, last int64
		recs        []*record.Record
	}
	for {
		var segs []segment
		err := fetch(ctx, q.Segments, []any{from, segmentChunk}, func(scan Scan) error {
			var s segment
			var count int64
			var data, hash []byte
			if err := scan(&s.first, &s.last, &count, &data, &hash); err != nil {
				return fmt.Errorf("read log segment: %w", err)
			}
			if err := DecodeSegment(data, from, func(r *record.Record) error { s.recs = append(s.recs, r); return nil }); err != nil {
				return fmt.Errorf("log segment at position %d: %w", s.first, err)
			}
			segs = append(segs, s)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read log from position %d: %w", from, err)
		}
		for _, s := range segs {
			if s.first > from {
				if err := fillGap(ctx, from, s.first-1, q.Anchor, fetch, archive, fn); err != nil {
					return err
				}
			}
			if err := deliver(s.recs); err != nil {
				return err
			}
			from = s.last + 1
		}
		if len(segs) < segmentChunk {
			return nil
		}
	}
}

// fillGap handles positions from..to missing before a segment: those that
// compaction removed come from the archive, or are a *store.CompactedError;
// others (positions before the log's first, or a gap VerifyChain reports)
// are passed over as before compaction existed.
func fillGap(ctx context.Context, from, to int64, anchorQuery string, fetch Fetch, archive store.LogArchive, fn func(*record.Record) error) error {
	a, err := readAnchor(ctx, fetch, anchorQuery)
	if err != nil {
		return fmt.Errorf("read log from position %d: %w", from, err)
	}
	if a.Position == 0 || a.Position < from {
		return nil
	}
	if archive == nil {
		return &store.CompactedError{From: from, FirstAvailable: a.Position + 1}
	}
	if err := archive.ReadArchived(ctx, from, min(to, a.Position), fn); err != nil {
		return fmt.Errorf("read archived log from position %d: %w", from, err)
	}
	return nil
}
