package pgstore

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/core/store"
)

// neverSent is an error pgconn reports for a batch that never left.
type neverSent struct{}

func (neverSent) Error() string     { return "dial: connection refused" }
func (neverSent) SafeToRetry() bool { return true }

func TestRoundTripErrorMarksOnlyOpenOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		unknown bool
	}{
		{"the server refused the batch", &pgconn.PgError{Code: "23505", Message: "duplicate key"}, false},
		{"a refusal, wrapped", fmt.Errorf("exec: %w", &pgconn.PgError{Code: "40001"}), false},
		{"the batch never left", neverSent{}, false},
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
