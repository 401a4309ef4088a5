package store

import "context"

// RecoveryDetector is a store that can tell whether it was restored from a
// backup or recovered to an earlier point in time since the engine last
// started on it. Such a store may be behind what clients were told: keys
// handed out after the backup may be held by clients, so the engine skips
// keys (a logged KEY_RANGE SKIPPED event) before it processes anything.
type RecoveryDetector interface {
	// Recovered returns why the store may be behind, or "" when it is not.
	Recovered(ctx context.Context) (string, error)
	// RecoveryHandled records that the engine skipped keys for the
	// recovery Recovered reported, so that the next start does not report
	// it again.
	RecoveryHandled(ctx context.Context) error
}
