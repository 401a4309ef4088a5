package pgtest

import (
	"os"
	"testing"
)

// EnvReadRole names the variable that holds the read role of row-level
// security tests (pgstore.Options.ReadRole): a NOLOGIN role that is not the
// owner of the tables and that the test database's user may SET ROLE to.
// CI creates it as wf_reader.
const EnvReadRole = "WF_TEST_POSTGRES_READ_ROLE"

// ReadRole returns the read role, skipping tb when the test database or the
// role is not set.
func ReadRole(tb testing.TB) string {
	tb.Helper()
	BaseURL(tb)
	r := os.Getenv(EnvReadRole)
	if r == "" {
		tb.Skip(EnvReadRole + " is not set")
	}
	return r
}
