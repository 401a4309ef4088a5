package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that holds the test database's URL.
const EnvURL = "WF_TEST_POSTGRES_URL"

// BaseURL returns the test database's URL, skipping tb when it is not set.
func BaseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		tb.Skip(EnvURL + " is not set")
	}
	return u
}

// URL creates a schema of its own for tb and returns the test database's URL
// with that schema as search_path. The schema is dropped when tb ends.
func URL(tb testing.TB) string {
	tb.Helper()
	base := BaseURL(tb)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "wf_test_" + hex.EncodeToString(b[:])
	exec(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { exec(tb, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs a statement on the test database (not in any test's schema).
func Exec(tb testing.TB, sql string) {
	tb.Helper()
	exec(tb, BaseURL(tb), sql)
}

func exec(tb testing.TB, base, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to the test database: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}
