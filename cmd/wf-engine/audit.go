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
// walks its log segments' hash chain and prints how many segments it
// checked, or names the first broken link and fails.
func runAudit(ctx context.Context, db DatabaseConfig, archiveDir string, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: wf-engine audit verify [flags]")
	}
	s, kind, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	v, ok := s.(store.ChainVerifier)
	if !ok {
		return fmt.Errorf("audit verify: the %s store keeps no hash chain", kind)
	}
	rep, err := v.VerifyChain(ctx)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.Broken != nil {
		_, _ = fmt.Fprintf(out, "hash chain BROKEN after %d good segments: %s\n", rep.Segments, rep.Broken)
		return fmt.Errorf("audit verify: %w at %s", errChainBroken, rep.Broken)
	}
	from := ""
	if rep.AnchorPosition > 0 {
		from = fmt.Sprintf(" from the compaction anchor at position %d", rep.AnchorPosition)
	}
	_, err = fmt.Fprintf(out, "hash chain OK%s: %d segments checked (%d written before the chain began), log up to position %d, last hash %x\n",
		from, rep.Segments, rep.Unchained, rep.LastPosition, rep.LastHash)
	if err != nil {
		return err
	}
	return verifyArchive(ctx, s, archiveDir, out)
}
