package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/retention"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/logarchive"
)

// openArchive returns the log archive in dir, nil when dir is empty.
func openArchive(dir string) (*logarchive.Archive, error) {
	if dir == "" {
		return nil, nil
	}
	a, err := logarchive.New(dir)
	if err != nil {
		return nil, fmt.Errorf("retention.archive_dir: %w", err)
	}
	return a, nil
}

// storeArchive is a as the stores' LogArchive option (a nil interface when
// a is nil).
func storeArchive(a *logarchive.Archive) store.LogArchive {
	if a == nil {
		return nil
	}
	return a
}

// withLogStep appends the log compaction step to steps when
// retention.log_ttl is set and the store can compact its log.
func withLogStep(s store.Store, rc retention.Config, metrics *telemetry.Metrics, target time.Duration, log *slog.Logger,
	steps ...retention.Step) ([]retention.Step, error) {
	if rc.LogTTL <= 0 {
		return steps, nil
	}
	c, ok := s.(store.LogCompactor)
	if !ok {
		log.Warn("the store cannot compact its log; retention.log_ttl is ignored")
		return steps, nil
	}
	a, err := openArchive(rc.ArchiveDir)
	if err != nil {
		return nil, err
	}
	var archive store.ArchiveWriter
	if a != nil {
		archive = a
	}
	var obs retention.CompactionObserver
	if metrics != nil {
		obs = metrics
	}
	log.Info("log compaction on", "log_ttl", rc.LogTTL.String(), "archive_dir", rc.ArchiveDir)
	return append(steps, retention.LogStep(c, rc, archive, obs, 0, target)), nil
}

// verifyArchive checks, for `wf-engine audit verify` with
// retention.archive_dir, that partition p's archived segments chain up to
// the anchor of s, p's store; prefix starts each line it prints.
func verifyArchive(ctx context.Context, s store.Store, p int32, prefix, dir string, out io.Writer) error {
	a, err := openArchive(dir)
	if err != nil || a == nil {
		return err
	}
	c, ok := s.(store.LogCompactor)
	if !ok {
		return nil
	}
	st, err := c.LogStatus(ctx)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if st.Anchor.Position == 0 {
		_, err = fmt.Fprintf(out, "%sarchive: nothing was compacted yet\n", prefix)
		return err
	}
	rep, err := a.Verify(ctx, store.PositionBase(p)+1, st.Anchor)
	if err != nil {
		return fmt.Errorf("audit verify: archive %s: %w", dir, err)
	}
	if rep.Broken != nil {
		_, _ = fmt.Fprintf(out, "%sarchive hash chain BROKEN after %d good segments: %s\n", prefix, rep.Segments, rep.Broken)
		return fmt.Errorf("audit verify: archive: %w at %s", errChainBroken, rep.Broken)
	}
	_, err = fmt.Fprintf(out, "%sarchive hash chain OK: %d segments up to the anchor at position %d\n", prefix, rep.Segments, rep.LastPosition)
	return err
}
