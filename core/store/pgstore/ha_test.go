package pgstore

import (
	"context"
	"errors"
	"net"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func parse(t *testing.T, u string) *pgxpool.Config {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestHostsOfNamesEveryHostOnce(t *testing.T) {
	for u, want := range map[string]string{
		"postgres://wf:pw@a:1,b:2/db":                         "a:1,b:2", // sslmode prefer: two configs per host
		"postgres://wf:pw@a:1,b:2/db?sslmode=disable":         "a:1,b:2",
		"postgres://wf@a/db?sslmode=disable":                  "a:5432",
		"postgres://wf@[::1]:7,10.0.0.2:8/db?sslmode=require": "[::1]:7,10.0.0.2:8",
	} {
		if got := hostsOf(parse(t, u)); got != want {
			t.Errorf("hostsOf(%s) = %q, want %q", u, got, want)
		}
	}
}

func funcPtr(f any) uintptr { return reflect.ValueOf(f).Pointer() }

func TestForPrimaryAsksForAWritableServerUnlessTheURLSaysOtherwise(t *testing.T) {
	readWrite := funcPtr(pgconn.ValidateConnectTargetSessionAttrsReadWrite)
	for _, tc := range []struct {
		url      string
		validate uintptr
		timeout  time.Duration
	}{
		{"postgres://wf@a:1,b:2/db", readWrite, hostConnectTimeout},
		{"postgres://wf@a:1,b:2/db?target_session_attrs=any&connect_timeout=2", readWrite, 2 * time.Second},
		{"postgres://wf@a:1,b:2/db?target_session_attrs=read-write", readWrite, hostConnectTimeout},
		{"postgres://wf@a:1,b:2/db?target_session_attrs=primary", funcPtr(pgconn.ValidateConnectTargetSessionAttrsPrimary), hostConnectTimeout},
	} {
		cfg := parse(t, tc.url)
		forPrimary(cfg, 10*time.Second)
		if cfg.ConnConfig.ValidateConnect == nil || funcPtr(cfg.ConnConfig.ValidateConnect) != tc.validate {
			t.Errorf("%s: the connection check is not the expected one", tc.url)
		}
		if cfg.ConnConfig.ConnectTimeout != tc.timeout {
			t.Errorf("%s: connect timeout %v, want %v", tc.url, cfg.ConnConfig.ConnectTimeout, tc.timeout)
		}
	}
	cfg := parse(t, "postgres://wf@a/db")
	forPrimary(cfg, time.Second)
	if cfg.ConnConfig.ConnectTimeout != time.Second {
		t.Errorf("a connect timeout below the default per host: %v, want 1s", cfg.ConnConfig.ConnectTimeout)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// withHosts returns raw with its host replaced by hosts (comma separated).
func withHosts(t *testing.T, raw, hosts string, params map[string]string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads + as itself
	u.Host = "HOSTS"
	return strings.Replace(u.String(), "HOSTS", hosts, 1)
}

// A multi-host URL whose first host is down opens, loads and commits on
// the next one, and names both hosts in its errors.
func TestMultiHostURLSkipsAHostThatIsDown(t *testing.T) {
	base := pgtest.URL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	dead := closedPort(t)
	s := openTest(t, withHosts(t, base, dead+","+u.Host, map[string]string{"target_session_attrs": "read-write"}))
	if !strings.Contains(s.host, dead) || !strings.Contains(s.host, u.Host) {
		t.Fatalf("the store names %q, want both %s and %s", s.host, dead, u.Host)
	}
	ctx := context.Background()
	if _, err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, batch(1, 3)); err != nil {
		t.Fatal(err)
	}
	if records, _ := count(t, s); records != 3 {
		t.Fatalf("%d records stored, want 3", records)
	}
}

// A server that only reads (a standby, here one whose sessions default to
// read-only) is not one the store connects to: loading from a standby would
// rebuild a state behind the primary's log.
func TestReadOnlyServerIsRefused(t *testing.T) {
	base := pgtest.URL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	ro := withHosts(t, base, u.Host, map[string]string{"options": "-c default_transaction_read_only=on"})
	_, err = Open(context.Background(), ro, Options{ConnectTimeout: 5 * time.Second})
	// The connection check refuses it, before any migration could fail
	// on it.
	if !errors.Is(err, pgconn.ErrReadOnlyConnection) || !strings.Contains(err.Error(), u.Host) {
		t.Fatalf("open on a read-only server: %v; want a refusal of the connection naming %s", err, u.Host)
	}
}
