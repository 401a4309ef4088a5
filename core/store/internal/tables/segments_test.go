package tables

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
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

// withPrincipals returns recs whose first record is a command from outside
// with a principal and whose second has an empty one.
func withPrincipals(recs []*record.Record) []*record.Record {
	recs[0].Kind, recs[0].SourcePosition = record.KindCommand, 0
	recs[0].Principal = &record.Principal{Subject: "ann", ClientID: "c\"<>", Roles: []string{"operator", "admin"}, Tenants: []string{record.DefaultTenant}}
	if len(recs) > 1 {
		recs[1].Principal = &record.Principal{}
	}
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
	recs := withPrincipals(segmentRecords(7, 5))
	rows, err := EncodeSegment(recs, Hash{})
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
	if empty, err := EncodeSegment(nil, Hash{}); err != nil || empty.Len() != 0 {
		t.Fatalf("no records: %v rows, %v", empty.Len(), err)
	}
}

func TestSegmentsRefuseBadBatches(t *testing.T) {
	recs := segmentRecords(1, 3)
	recs[2].Position = 2
	if _, err := EncodeSegment(recs, Hash{}); err == nil || !strings.Contains(err.Error(), "position 2 follows 2") {
		t.Fatalf("out of order: %v", err)
	}
	if _, err := EncodeSegment([]*record.Record{recs[0], nil}, Hash{}); err == nil {
		t.Fatal("a nil record was encoded")
	}
}

func TestDamagedSegmentsAreErrors(t *testing.T) {
	good := decodeAll(t, compressed(t, rawFrame(17, `{"subject":"ann"}{"type":"pay"}`)), 0)
	if len(good) != 1 || good[0].Principal == nil || good[0].Principal.Subject != "ann" || good[0].Value.(*record.JobValue).Type != "pay" {
		t.Fatalf("a hand-made frame decodes as %+v", good)
	}
	rows, err := EncodeSegment(withPrincipals(segmentRecords(1, 3)), Hash{})
	if err != nil {
		t.Fatal(err)
	}
	data := rows.cols[3].blobs[0]
	for name, bad := range map[string][]byte{
		"empty":                    nil,
		"other version":            append([]byte{9}, data[1:]...),
		"truncated":                data[:len(data)-4],
		"huge length":              {segmentVersionUncompress, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"short header":             {segmentVersionUncompress, 2, 0x80, 0x80},
		"bad value type":           {segmentVersionUncompress, 12, 2, 0, 2, 2, 0xf0, 0x01, 2, 2, 0, 0, 0, '{'},
		"not s2":                   {segmentVersion, 0, 0, 0, 0, 0x05, 0xff, 0xff, 0xff},
		"over the limit":           {segmentVersion, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x08, 0},
		"short checksum":           {segmentVersion, 1, 2},
		"flipped bytes":            flip(data),
		"principal past the frame": compressed(t, rawFrame(9, "{}")),
		"principal not json":       compressed(t, rawFrame(3, "{x}{}")),
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

// rawFrame returns the frame of a job command at position 1 with no
// rejection reason, whose principal length is principalLen, followed by
// rest (the principal and the value).
func rawFrame(principalLen uint64, rest string) []byte {
	f := []byte{2, 0, 2, 2, 0x0a, 0x3c, 2, 2, 0, 0}
	f = binary.AppendUvarint(f, principalLen)
	f = append(f, rest...)
	return append(binary.AppendUvarint(nil, uint64(len(f))), f...)
}

// compressed returns frames as version 3 stores them, with their checksum.
func compressed(t testing.TB, frames []byte) []byte {
	t.Helper()
	out := []byte{segmentVersion, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(out[1:5], crc32.Checksum(frames, castagnoli))
	return append(out, s2.Encode(nil, frames)...)
}

// versionTwo reads testdata/segment-v2.bin, segmentRecords(1, 3) as
// version 2 wrote it (produced by the encoder of before version 3).
func versionTwo(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "segment-v2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != segmentVersionCompressed {
		t.Fatalf("segment version %d, want %d", data[0], segmentVersionCompressed)
	}
	return data
}

// versionOne returns a version 2 segment as version 1 wrote it: the same
// frames, uncompressed.
func versionOne(t testing.TB, data []byte) []byte {
	t.Helper()
	frames, err := s2.Decode(nil, data[5:])
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{segmentVersionUncompress}, frames...)
}

func TestSegmentsOfEarlierVersionsStillDecode(t *testing.T) {
	want := segmentRecords(1, 3)
	v2 := versionTwo(t)
	if got := decodeAll(t, v2, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("a version 2 segment decodes differently:\n got %+v\nwant %+v", got[0], want[0])
	}
	v1 := versionOne(t, v2)
	if got := decodeAll(t, v1, 0); !reflect.DeepEqual(got, want) {
		t.Fatal("a version 1 segment decodes differently")
	}
	if len(v2) >= len(v1) {
		t.Fatalf("compressed segment takes %d bytes, uncompressed %d", len(v2), len(v1))
	}
	// Version 3 without principals costs a byte per record.
	rows, err := EncodeSegment(want, Hash{})
	if err != nil {
		t.Fatal(err)
	}
	v3 := versionOne(t, rows.cols[3].blobs[0])
	if len(v3) != len(v1)+len(want) {
		t.Fatalf("version 3 frames take %d bytes, version 1 frames %d, for %d records", len(v3), len(v1), len(want))
	}
}

func FuzzDecodeSegment(f *testing.F) {
	rows, err := EncodeSegment(withPrincipals(segmentRecords(1, 3)), Hash{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rows.cols[3].blobs[0])
	f.Add(versionTwo(f))
	f.Add(versionOne(f, versionTwo(f)))
	f.Add([]byte{segmentVersion})
	f.Add([]byte{segmentVersionCompressed})
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
		rows, err := EncodeSegment(seg, Hash{})
		if err != nil {
			return err
		}
		err = row(func(dest ...any) error {
			*dest[0].(*int64), *dest[1].(*int64), *dest[2].(*int64) = seg[0].Position, last, int64(len(seg))
			*dest[3].(*[]byte), *dest[4].(*[]byte) = rows.cols[3].blobs[0], rows.cols[4].blobs[0]
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
		err := ReadLog(context.Background(), from, q, log.fetch, nil, func(r *record.Record) error { got = append(got, r.Position); return nil })
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
	if err := ReadLog(context.Background(), 1, q, log.fetch, nil, func(*record.Record) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("callback error: %v", err)
	}
}
