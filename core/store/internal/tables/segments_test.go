package tables

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"

	"github.com/example/wf-engine/core/record"
)

func segmentRecords(from int64, n int) []*record.Record {
	recs := make([]*record.Record, n)
	for i := range recs {
		p := from + int64(i)
		recs[i] = &record.Record{Position: p, SourcePosition: p - 1, Key: 1<<52 + p, Kind: record.KindEvent,
			ValueType: record.TypeJob, Intent: record.IntentJobCreated, Version: 1, Timestamp: 1_700_000_000_000 + p,
			Value: &record.JobValue{Type: "pay", Retries: 3, CustomHeaders: map[string]string{"h": "v"}, Variables: map[string]any{"n": float64(p)}}}
	}
	recs[n-1].Kind, recs[n-1].RejectionType, recs[n-1].RejectionReason = record.KindRejection, record.RejectionNotFound, "no such job: \x00 kept exactly"
	return recs
}

func decodeAll(t *testing.T, data []byte, from int64) []*record.Record {
	t.Helper()
	var got []*record.Record
	if err := DecodeSegment(data, from, func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSegmentsRoundTripEveryField(t *testing.T) {
	recs := segmentRecords(7, 5)
	rows, err := EncodeSegment(recs)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Len() != 1 || rows.cols[0].ints[0] != 7 || rows.cols[1].ints[0] != 11 || rows.cols[2].ints[0] != 5 {
		t.Fatalf("segment row: first %v last %v count %v", rows.cols[0].ints, rows.cols[1].ints, rows.cols[2].ints)
	}
	data := rows.cols[3].blobs[0]
	if got := decodeAll(t, data, 0); !reflect.DeepEqual(got, recs) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got[4], recs[4])
	}
	if got := decodeAll(t, data, 10); len(got) != 2 || got[0].Position != 10 {
		t.Fatalf("from 10: %d records", len(got))
	}
	if empty, err := EncodeSegment(nil); err != nil || empty.Len() != 0 {
		t.Fatalf("no records: %v rows, %v", empty.Len(), err)
	}
}

func TestSegmentsRefuseBadBatches(t *testing.T) {
	recs := segmentRecords(1, 3)
	recs[2].Position = 2
	if _, err := EncodeSegment(recs); err == nil || !strings.Contains(err.Error(), "position 2 follows 2") {
		t.Fatalf("out of order: %v", err)
	}
	if _, err := EncodeSegment([]*record.Record{recs[0], nil}); err == nil {
		t.Fatal("a nil record was encoded")
	}
}

func TestDamagedSegmentsAreErrors(t *testing.T) {
	rows, err := EncodeSegment(segmentRecords(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	data := rows.cols[3].blobs[0]
	for name, bad := range map[string][]byte{
		"empty":          nil,
		"other version":  append([]byte{9}, data[1:]...),
		"truncated":      data[:len(data)-4],
		"huge length":    {segmentVersionUncompress, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"short header":   {segmentVersionUncompress, 2, 0x80, 0x80},
		"bad value type": {segmentVersionUncompress, 12, 2, 0, 2, 2, 0xf0, 0x01, 2, 2, 0, 0, 0, '{'},
		"not s2":         {segmentVersion, 0, 0, 0, 0, 0x05, 0xff, 0xff, 0xff},
		"over the limit": {segmentVersion, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x08, 0},
		"short checksum": {segmentVersion, 1, 2},
		"flipped bytes":  flip(data),
	} {
		if err := DecodeSegment(bad, 0, func(*record.Record) error { return nil }); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
}

// flip returns data with a byte in the middle of its compressed part
// changed.
func flip(data []byte) []byte {
	out := append([]byte(nil), data...)
	out[len(out)/2] ^= 0x5a
	return out
}

// versionOne returns a segment as version 1 wrote it: the same frames,
// uncompressed.
func versionOne(t testing.TB, data []byte) []byte {
	t.Helper()
	if data[0] != segmentVersion {
		t.Fatalf("segment version %d, want %d", data[0], segmentVersion)
	}
	frames, err := s2.Decode(nil, data[5:])
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{segmentVersionUncompress}, frames...)
}

func TestSegmentsWrittenBeforeCompressionStillDecode(t *testing.T) {
	recs := segmentRecords(3, 40)
	rows, err := EncodeSegment(recs)
	if err != nil {
		t.Fatal(err)
	}
	data := rows.cols[3].blobs[0]
	old := versionOne(t, data)
	if got := decodeAll(t, old, 0); !reflect.DeepEqual(got, recs) {
		t.Fatal("a version 1 segment decodes differently")
	}
	if len(data) >= len(old) {
		t.Fatalf("compressed segment takes %d bytes, uncompressed %d", len(data), len(old))
	}
}

func FuzzDecodeSegment(f *testing.F) {
	rows, err := EncodeSegment(segmentRecords(1, 3))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rows.cols[3].blobs[0])
	f.Add(versionOne(f, rows.cols[3].blobs[0]))
	f.Add([]byte{segmentVersion})
	f.Add([]byte{segmentVersionUncompress})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = DecodeSegment(data, 0, func(*record.Record) error { return nil })
	})
}

// fakeLog answers ReadLog's two queries from memory, as a store would.
type fakeLog struct {
	legacy   []*record.Record
	segments [][]*record.Record
	queries  int
}

func (f *fakeLog) fetch(_ context.Context, query string, args []any, row func(Scan) error) error {
	f.queries++
	from, limit := args[0].(int64), args[1].(int)
	n := 0
	if query == "records" {
		for _, r := range f.legacy {
			if r.Position < from || n == limit {
				continue
			}
			n++
			err := row(func(dest ...any) error {
				*dest[0].(*int64), *dest[1].(*int64), *dest[2].(*int64) = r.Position, r.SourcePosition, r.Key
				*dest[3].(*int64), *dest[4].(*int64), *dest[5].(*int64) = int64(r.Kind), int64(r.ValueType), int64(r.Intent)
				*dest[6].(*int64), *dest[7].(*int64), *dest[8].(*int64) = int64(r.Version), r.Timestamp, int64(r.RejectionType)
				*dest[9].(*[]byte), *dest[10].(*[]byte) = []byte(r.RejectionReason), []byte(`{"type":"pay"}`)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	for _, seg := range f.segments {
		last := seg[len(seg)-1].Position
		if last < from || n == limit {
			continue
		}
		n++
		rows, err := EncodeSegment(seg)
		if err != nil {
			return err
		}
		err = row(func(dest ...any) error {
			*dest[0].(*int64), *dest[1].(*int64), *dest[2].(*int64) = seg[0].Position, last, int64(len(seg))
			*dest[3].(*[]byte) = rows.cols[3].blobs[0]
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func TestReadLogReadsOldRowsThenSegmentsFromAPosition(t *testing.T) {
	log := &fakeLog{legacy: segmentRecords(1, 3)}
	for p := int64(4); p < 4+70*2; p += 2 { // 70 segments of 2: more than one segment query
		log.segments = append(log.segments, segmentRecords(p, 2))
	}
	q := LogQueries{Records: "records", Segments: "segments"}
	for _, from := range []int64{1, 3, 4, 5, 100, 143, 144} {
		var got []int64
		err := ReadLog(context.Background(), from, q, log.fetch, func(r *record.Record) error { got = append(got, r.Position); return nil })
		if err != nil {
			t.Fatal(err)
		}
		want := int(143 - from + 1)
		if want < 0 {
			want = 0
		}
		if len(got) != want || (want > 0 && (got[0] != from || got[len(got)-1] != 143)) {
			t.Fatalf("from %d: %d records %v…, want %d from %d to 143", from, len(got), got[:min(3, len(got))], want, from)
		}
		for i := 1; i < len(got); i++ {
			if got[i] != got[i-1]+1 {
				t.Fatalf("from %d: position %d follows %d", from, got[i], got[i-1])
			}
		}
	}
	stop := errors.New("stop")
	if err := ReadLog(context.Background(), 1, q, log.fetch, func(*record.Record) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("callback error: %v", err)
	}
}
