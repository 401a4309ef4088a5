package logarchive_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/logarchive"
)

// segments reads every archived segment's positions from position 1.
func segments(t *testing.T, a *logarchive.Archive) ([]string, error) {
	t.Helper()
	var got []string
	err := a.Segments(context.Background(), 1, func(s store.ArchivedSegment) error {
		got = append(got, fmt.Sprintf("%d..%d:%s", s.FirstPosition, s.LastPosition, s.Data))
		return nil
	})
	return got, err
}

func fileName(first, last int64) string { return fmt.Sprintf("log-%020d-%020d.wfa", first, last) }

// laterSegs are the positions after segs().
func laterSegs() []store.ArchivedSegment {
	return []store.ArchivedSegment{{FirstPosition: 5, LastPosition: 6, Records: 2, Data: []byte("ef")}}
}

// TestTornWrites: what a crash can leave of an archive write is either
// ignored or refused with an error naming the file; it is never read as
// segments.
func TestTornWrites(t *testing.T) {
	good := logarchive.Encode(laterSegs())
	for n := range len(good) {
		if _, err := logarchive.Decode(good[:n]); err == nil {
			t.Fatalf("a file cut after %d of its %d bytes decoded", n, len(good))
		}
	}
	open := func(t *testing.T) (*logarchive.Archive, string) {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "archive")
		a, err := logarchive.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.WriteSegments(context.Background(), segs()); err != nil {
			t.Fatal(err)
		}
		return a, dir
	}
	want := "1..3:abc 4..4:d"

	t.Run("a temporary file cut short is ignored", func(t *testing.T) {
		a, dir := open(t)
		if err := os.WriteFile(filepath.Join(dir, ".log-123456.tmp"), good[:len(good)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := segments(t, a)
		if err != nil || strings.Join(got, " ") != want {
			t.Fatalf("got %v, %v; want %s", got, err, want)
		}
	})

	t.Run("a file cut short under its final name is refused, naming it", func(t *testing.T) {
		a, dir := open(t)
		name := fileName(5, 6)
		if err := os.WriteFile(filepath.Join(dir, name), good[:len(good)-3], 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := segments(t, a)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "damaged log archive file") {
			t.Fatalf("got %v; want an error naming %s as damaged", err, name)
		}
		if strings.Join(got, " ") != want {
			t.Fatalf("read %v before the damaged file; want %s", got, want)
		}
	})

	t.Run("a file cut short whose positions a later write holds is skipped", func(t *testing.T) {
		a, dir := open(t)
		if err := os.WriteFile(filepath.Join(dir, fileName(5, 6)), good[:len(good)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		again := append(laterSegs(), store.ArchivedSegment{FirstPosition: 7, LastPosition: 7, Records: 1, Data: []byte("g")})
		if err := a.WriteSegments(context.Background(), again); err != nil {
			t.Fatal(err)
		}
		got, err := segments(t, a)
		if err != nil || strings.Join(got, " ") != want+" 5..6:ef 7..7:g" {
			t.Fatalf("got %v, %v", got, err)
		}
	})

	t.Run("the same range written again replaces a file cut short", func(t *testing.T) {
		a, dir := open(t)
		if err := os.WriteFile(filepath.Join(dir, fileName(5, 6)), good[:10], 0o600); err != nil {
			t.Fatal(err)
		}
		if err := a.WriteSegments(context.Background(), laterSegs()); err != nil {
			t.Fatal(err)
		}
		got, err := segments(t, a)
		if err != nil || strings.Join(got, " ") != want+" 5..6:ef" {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}
