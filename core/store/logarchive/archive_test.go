package logarchive_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/logarchive"
)

func segs() []store.ArchivedSegment {
	return []store.ArchivedSegment{
		{FirstPosition: 1, LastPosition: 3, Records: 3, Data: []byte("abc"), Hash: bytes.Repeat([]byte{1}, 32)},
		{FirstPosition: 4, LastPosition: 4, Records: 1, Data: []byte("d"), Hash: nil},
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	got, err := logarchive.Decode(logarchive.Encode(segs()))
	if err != nil {
		t.Fatal(err)
	}
	want := segs()
	if len(got) != len(want) {
		t.Fatalf("got %d segments", len(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.FirstPosition != w.FirstPosition || g.LastPosition != w.LastPosition || g.Records != w.Records ||
			!bytes.Equal(g.Data, w.Data) || !bytes.Equal(g.Hash, w.Hash) {
			t.Fatalf("segment %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestDamagedFilesAreErrors(t *testing.T) {
	good := logarchive.Encode(segs())
	for name, b := range map[string][]byte{
		"empty":          nil,
		"truncated":      good[:len(good)-1],
		"flipped byte":   append(append([]byte(nil), good[:12]...), append([]byte{good[12] ^ 1}, good[13:]...)...),
		"another format": []byte("PK\x03\x04 something else entirely"),
	} {
		if _, err := logarchive.Decode(b); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
}

func TestWrittenFilesArePrivateAndNamedByTheirPositions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "archive")
	a, err := logarchive.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WriteSegments(context.Background(), segs()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %v, %v; want one file and no temporary file", entries, err)
	}
	if n := entries[0].Name(); n != "log-00000000000000000001-00000000000000000004.wfa" {
		t.Fatalf("file name %q", n)
	}
	info, err := entries[0].Info()
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", info.Mode(), err)
	}
	// The segments' data are not real segments: reading records fails
	// with an error, and a range the archive lacks is ErrCompacted.
	if err := a.ReadArchived(context.Background(), 1, 4, func(*record.Record) error { return nil }); err == nil {
		t.Fatal("undecodable segment data read without an error")
	}
	if err := a.ReadArchived(context.Background(), 10, 20, func(*record.Record) error { return nil }); !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("a range the archive lacks: %v", err)
	}
}

// FuzzDecode: a damaged archive file gives an error, never a panic, and
// decoding allocates nothing beyond the segment list, which the file's
// size bounds.
func FuzzDecode(f *testing.F) {
	f.Add(logarchive.Encode(segs()))
	f.Add(logarchive.Encode(nil))
	f.Add([]byte("WFLOGAR1\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := logarchive.Decode(b)
		if err != nil {
			return
		}
		if len(got)*5 > len(b) {
			t.Fatalf("%d segments from %d bytes", len(got), len(b))
		}
		for i, s := range got {
			if s.LastPosition < s.FirstPosition || (i > 0 && s.FirstPosition != got[i-1].LastPosition+1) {
				t.Fatalf("segment %d: positions %d..%d accepted", i, s.FirstPosition, s.LastPosition)
			}
		}
	})
}
