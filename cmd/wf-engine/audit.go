package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/example/wf-engine/core/store"
)

// errChainBroken is returned by `wf-engine audit verify` for a log whose
// hash chain is broken.
var errChainBroken = errors.New("the log's hash chain is broken")

// runAudit runs `wf-engine audit verify`: it opens the configured store,
// walks each partition's log segments' hash chain (every partition has its
// own) and prints how many segments it checked, or names the first broken
// link and fails. Every partition is checked even after a broken one.
func runAudit(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: wf-engine audit verify [flags]")
	}
	s, kind, err := openStore(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	if _, ok := s.(store.ChainVerifier); !ok {
		return fmt.Errorf("audit verify: the %s store keeps no hash chain", kind)
	}
	views, err := partitionViews(ctx, cfg.Cluster, s)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	var errs []error
	for i, v := range views {
		p := int32(i + 1) // #nosec G115 -- at most 4,095 partitions
		prefix := ""
		if len(views) > 1 {
			prefix = fmt.Sprintf("partition %d: ", p)
		}
		if err := verifyPartition(ctx, v, p, prefix, cfg.Retention.ArchiveDir, out); err != nil {
			if len(views) > 1 {
				err = fmt.Errorf("partition %d: %w", p, err)
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// verifyPartition verifies the hash chain of partition p's log (the whole
// store when it runs one partition), and the archive's up to its anchor.
func verifyPartition(ctx context.Context, s store.Store, p int32, prefix, archiveDir string, out io.Writer) error {
	v, ok := s.(store.ChainVerifier)
	if !ok {
		return errors.New("audit verify: the partition keeps no hash chain")
	}
	rep, err := v.VerifyChain(ctx)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.Broken != nil {
		_, _ = fmt.Fprintf(out, "%shash chain BROKEN after %d good segments: %s\n", prefix, rep.Segments, rep.Broken)
		return fmt.Errorf("audit verify: %w at %s", errChainBroken, rep.Broken)
	}
	from := ""
	if rep.AnchorPosition > 0 {
		from = fmt.Sprintf(" from the compaction anchor at position %d", rep.AnchorPosition)
	}
	_, err = fmt.Fprintf(out, "%shash chain OK%s: %d segments checked (%d written before the chain began), log up to position %d, last hash %x\n",
		prefix, from, rep.Segments, rep.Unchained, rep.LastPosition, rep.LastHash)
	if err != nil {
		return err
	}
	return verifyArchive(ctx, s, p, prefix, archiveDir, out)
}
