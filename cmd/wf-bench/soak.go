package main

import (
	"context"
	"errors"
	"io"
)

// runSoak runs the soak mode (wf-bench soak ...).
func runSoak(ctx context.Context, args []string, out io.Writer, token string) error {
	return errors.New("soak: not yet")
}
