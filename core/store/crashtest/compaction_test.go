package crashtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/logarchive"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// A compaction child is this test binary started with envCompact set to
// its mode; it compacts the store in envTarget (kind envChild) with the
// archive in envArchive until the parent kills it.
const (
	envCompact = "WF_CRASHTEST_COMPACT" // "pause-after-archive" or "loop"
	envArchive = "WF_CRASHTEST_ARCHIVE"
)

// The compaction child runs from init, before TestMain, so that it needs no
// hook in the load child's dispatch.
func init() {
	mode := os.Getenv(envCompact)
	if mode == "" {
		return
	}
	if err := runCompactionChild(mode, os.Getenv(envChild), os.Getenv(envTarget), os.Getenv(envArchive)); err != nil {
		fmt.Fprintln(os.Stderr, "compaction crash test child:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// far is the compaction cutoff: every record is older.
func far() time.Time { return time.Now().Add(24 * time.Hour) }

// pausingArchive writes like the archive, then, from its second write on,
// says so and blocks: the parent kills the process between a durable
// archive file and the deletion of its segments.
type pausingArchive struct {
	*logarchive.Archive
	writes int
}

func (p *pausingArchive) WriteSegments(ctx context.Context, segs []store.ArchivedSegment) error {
	if err := p.Archive.WriteSegments(ctx, segs); err != nil {
		return err
	}
	if p.writes++; p.writes >= 2 {
		fmt.Printf("archived %d\n", segs[len(segs)-1].LastPosition)
		select {} // until killed
	}
	return nil
}

func runCompactionChild(mode, kind, target, dir string) error {
	ctx := context.Background()
	a, err := logarchive.New(dir)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, kind, target, a)
	if err != nil {
		return err
	}
	c := s.(store.LogCompactor)
	fmt.Println("ready")
	switch mode {
	case "pause-after-archive":
		w := &pausingArchive{Archive: a}
		for {
			if _, err := c.CompactLog(ctx, store.CompactRequest{Before: far(), Limit: 4, Archive: w}); err != nil {
				return err
			}
		}
	case "loop":
		for {
			res, err := c.CompactLog(ctx, store.CompactRequest{Before: far(), Limit: 1, Archive: a})
			if err != nil {
				return err
			}
			fmt.Printf("removed %d\n", res.Anchor.Position)
			if !res.More {
				return fmt.Errorf("nothing left to compact at position %d before the parent killed the child", res.Anchor.Position)
			}
		}
	}
	return fmt.Errorf("unknown mode %q", mode)
}

func TestCompactionCrashSQLite(t *testing.T) {
	compactionCrash(t, "sqlite", filepath.Join(t.TempDir(), "data", "wf.db"))
}

func TestCompactionCrashPostgres(t *testing.T) {
	compactionCrash(t, "postgres", pgtest.URL(t))
}

// compactionCrash fills a store, takes a checkpoint, then kills a
// compacting child twice: once between an archive write and the deletion
// of its segments, once at some point of a loop of one-segment batches
// (deleting or archiving). After each kill the store's log and rows agree
// (replayed through the archive and from the checkpoint) and the hash chain
// holds from its anchor; then a run in this process finishes the
// compaction.
func compactionCrash(t *testing.T, kind, target string) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "archive")
	a, err := logarchive.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkpoint := fill(t, kind, target, a)
	for _, mode := range []string{"pause-after-archive", "loop"} {
		killCompaction(t, kind, target, dir, mode)
		anchor := checkCompacted(t, kind, target, a)
		t.Logf("%s: killed with the anchor at position %d of checkpoint %d", mode, anchor.Position, checkpoint)
		if anchor.Position == 0 || anchor.Position >= checkpoint {
			t.Fatalf("%s: anchor at %d: the child did not stop in the middle (checkpoint %d)", mode, anchor.Position, checkpoint)
		}
	}
	s := mustOpen(t, kind, target, a)
	for {
		res, err := s.(store.LogCompactor).CompactLog(ctx, store.CompactRequest{Before: far(), Limit: 16, Archive: a})
		if err != nil {
			t.Fatal(err)
		}
		if !res.More {
			break
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if anchor := checkCompacted(t, kind, target, a); anchor.Position != checkpoint {
		t.Fatalf("after the last run the anchor is at %d, want the checkpoint's position %d", anchor.Position, checkpoint)
	}
}

// fill runs W1 instances through an engine in single-command batches (a
// log of many segments), checkpoints, and runs a few more; it returns the
// checkpoint's position.
func fill(t *testing.T, kind, target string, a *logarchive.Archive) int64 {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, kind, target, a)
	defer func() { _ = s.Close() }()
	e, err := startEngine(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := deploy(ctx, e); err != nil {
		t.Fatal(err)
	}
	run := func(n int) {
		for range n {
			if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
				t.Fatal(err)
			}
		}
		jobs, err := e.ActivateJobs(ctx, activate())
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs[:len(jobs)/2] {
			if err := e.CompleteJob(ctx, completeReq(j.Key)); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(30)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	cp, err := s.(store.LogCompactor).WriteCheckpoint(ctx, time.Now())
	if err != nil || cp.Position == 0 {
		t.Fatalf("checkpoint %+v: %v", cp, err)
	}
	if e, err = startEngine(ctx, s); err != nil {
		t.Fatal(err)
	}
	run(5)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return cp.Position
}

// killCompaction starts a compaction child and SIGKILLs it: in mode
// pause-after-archive once it says it archived a batch it has not deleted,
// in mode loop after its third batch (it may be anywhere in the fourth).
func killCompaction(t *testing.T, kind, target, dir, mode string) {
	t.Helper()
	batches := 0
	killed, err := killChild(t, "^$", []string{envCompact + "=" + mode, envChild + "=" + kind, envTarget + "=" + target, envArchive + "=" + dir},
		func(line string) bool {
			if strings.HasPrefix(line, "removed ") {
				batches++
			}
			return strings.HasPrefix(line, "archived ") || batches == 3
		})
	if !killed {
		t.Fatalf("the %s child ended before it was killed: %v", mode, err)
	}
}

// checkCompacted opens the store as a restart would and checks it: the log
// replays to the rows through the archive and from the checkpoint, and the
// hash chains of the store and of the archive meet at the anchor.
func checkCompacted(t *testing.T, kind, target string, a *logarchive.Archive) store.Anchor {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, kind, target, a)
	defer func() { _ = s.Close() }()
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatalf("replay through the archive: %v", err)
	}
	if err := replaycheck.FromCheckpoint(ctx, s); err != nil {
		t.Fatalf("replay from the checkpoint: %v", err)
	}
	rep, err := s.(store.ChainVerifier).VerifyChain(ctx)
	if err != nil || rep.Broken != nil {
		t.Fatalf("store chain: %+v, %v", rep.Broken, err)
	}
	st, err := s.(store.LogCompactor).LogStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	arep, err := a.Verify(ctx, 1, st.Anchor)
	if err != nil || arep.Broken != nil {
		t.Fatalf("archive chain up to the anchor %d: %+v, %v", st.Anchor.Position, arep.Broken, err)
	}
	return st.Anchor
}
