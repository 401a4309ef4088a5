package pgstore

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/core/store"
)

// safeToRetry is an error pgconn marks as safe to retry, as it marks
// "conn closed" while it reads the answer of a batch it already sent.
type safeToRetry struct{}

func (safeToRetry) Error() string     { return "conn closed" }
func (safeToRetry) SafeToRetry() bool { return true }

func TestRoundTripErrorMarksOnlyOpenOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		unknown bool
	}{
		{"the server refused the batch", &pgconn.PgError{Code: "23505", Message: "duplicate key"}, false},
		{"a refusal, wrapped", fmt.Errorf("exec: %w", &pgconn.PgError{Code: "40001"}), false},
		{"an error pgconn says is safe to retry, after the batch was sent", safeToRetry{}, true},
		{"the server ended the session, maybe after committing", &pgconn.PgError{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "57P01"}, true},
		{"a refusal with its severity", &pgconn.PgError{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "23505"}, false},
		{"the connection was lost while the server had it", io.ErrUnexpectedEOF, true},
		{"a timeout while waiting for the answer", fmt.Errorf("read: %w", errors.New("i/o timeout")), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := roundTripError(tc.err)
			if got := errors.Is(err, store.ErrCommitUnknown); got != tc.unknown {
				t.Fatalf("outcome unknown = %v, want %v (%v)", got, tc.unknown, err)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("the cause is lost: %v", err)
			}
		})
	}
}
