package sqlitestore

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the checkpointer copies the WAL into the
// database file.
const checkpointEvery = 250 * time.Millisecond

const checkpoint = "PRAGMA wal_checkpoint(PASSIVE)"

// checkpointer runs WAL checkpoints on a connection of its own until ctx
// ends, so that the writer never stops a commit to copy pages (its automatic
// checkpoints are off). PASSIVE checkpoints never wait for the writer or
// readers; a last one runs when ctx ends, at Close.
func (s *Store) checkpointer(ctx context.Context, db *sql.DB, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_, _ = db.ExecContext(context.WithoutCancel(ctx), checkpoint)
			return
		case <-t.C:
			// A failed checkpoint is retried at the next tick; the WAL keeps
			// every committed batch meanwhile.
			_, _ = db.ExecContext(ctx, checkpoint)
		}
	}
}
