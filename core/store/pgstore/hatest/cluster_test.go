package hatest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// envBin names the variable that overrides where the PostgreSQL server
// binaries are (default: Debian's PostgreSQL 15).
const envBin = "WF_TEST_PG_BIN"

// unavailable skips the test, or fails it in CI, where the binaries and
// root are there (.ci/run) and a skip would hide that the test never ran.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but the HA test cannot run: %s", msg)
	}
	t.Skipf("PostgreSQL HA test skipped: %s", msg)
}

// host runs PostgreSQL's server programs as the postgres user, in a
// directory of the test's that the postgres user owns.
type host struct {
	t    *testing.T
	bin  string
	dir  string
	asPG []string // the command prefix that runs a program as postgres
}

// newHost finds the server binaries and a way to run them as postgres, or
// skips the test saying what is missing.
func newHost(t *testing.T) *host {
	t.Helper()
	bin := os.Getenv(envBin)
	if bin == "" {
		bin = "/usr/lib/postgresql/15/bin"
	}
	for _, p := range []string{"initdb", "pg_ctl", "pg_basebackup", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			unavailable(t, "the PostgreSQL server program %s is not in %s (install postgresql-15, or set %s)", p, bin, envBin)
		}
	}
	h := &host{t: t, bin: bin}
	me, err := user.Current()
	if err != nil {
		unavailable(t, "cannot tell the current user: %v", err)
	}
	pg, err := user.Lookup("postgres")
	switch {
	case err != nil:
		unavailable(t, "there is no postgres user to run the servers as")
	case me.Uid == pg.Uid:
	case os.Geteuid() == 0:
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			unavailable(t, "running as root without runuser: cannot run the servers as postgres (initdb refuses root)")
		}
		h.asPG = []string{runuser, "-u", "postgres", "--"}
	default:
		unavailable(t, "running as %s: the servers must run as postgres (initdb refuses root); run the test as root or as postgres", me.Username)
	}
	dir, err := os.MkdirTemp("", "wf-ha-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if h.asPG != nil {
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	h.dir = dir
	return h
}

// run runs one of the server programs as postgres and returns its output.
func (h *host) run(timeout time.Duration, program string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append(append(append([]string{}, h.asPG...), filepath.Join(h.bin, program)), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) // #nosec G204 -- the test's own programs and arguments
	cmd.Dir = h.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", program, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// must is run that fails the test.
func (h *host) must(timeout time.Duration, program string, args ...string) {
	h.t.Helper()
	if _, err := h.run(timeout, program, args...); err != nil {
		h.t.Fatal(err)
	}
}

// server is one PostgreSQL cluster of the test.
type server struct {
	h    *host
	name string
	data string
	port int
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

func (h *host) server(name string) *server {
	return &server{h: h, name: name, data: filepath.Join(h.dir, name), port: freePort(h.t)}
}

// settings are appended to a cluster's postgresql.conf; the last line of
// a setting wins, so the standby's port overrides the primary's it copied.
func (s *server) configure(lines ...string) {
	s.h.t.Helper()
	s.appendTo("postgresql.conf", lines...)
}

// appendTo appends lines to one of the cluster's configuration files.
func (s *server) appendTo(file string, lines ...string) {
	s.h.t.Helper()
	f, err := os.OpenFile(filepath.Join(s.data, file), os.O_APPEND|os.O_WRONLY, 0) // #nosec G302 G304 -- the test's own cluster
	if err != nil {
		s.h.t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.WriteString("\n" + strings.Join(lines, "\n") + "\n"); err != nil {
		s.h.t.Fatal(err)
	}
}

// start starts the cluster and waits until it accepts connections; the
// test stops it (immediately) when it ends.
func (s *server) start() {
	s.h.t.Helper()
	s.h.must(60*time.Second, "pg_ctl", "-D", s.data, "-l", s.data+".log", "-w", "-t", "50", "start")
	s.h.t.Cleanup(func() { s.stop() })
}

// stop stops the cluster at once, as a crash would: no checkpoint, no
// goodbye to clients (pg_ctl's immediate mode). Stopping a stopped cluster
// does nothing.
func (s *server) stop() {
	if _, err := os.Stat(filepath.Join(s.data, "postmaster.pid")); err != nil {
		return
	}
	if _, err := s.h.run(30*time.Second, "pg_ctl", "-D", s.data, "-m", "immediate", "-w", "stop"); err != nil {
		s.h.t.Log(err)
	}
}

// log returns the cluster's server log, for a failing test.
func (s *server) log() string {
	b, err := os.ReadFile(s.data + ".log")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// url is the cluster's URL for user on database.
func (s *server) url(user, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, s.port, db)
}

// exec runs statements on the cluster as the superuser.
func (s *server) exec(ctx context.Context, db string, sqls ...string) error {
	conn, err := pgx.Connect(ctx, s.url("postgres", db))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}

// pollUntil calls check until it returns nil or the deadline passes.
func pollUntil(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v: %w", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pair is a primary with a hot standby that replicates synchronously
// (remote_apply): a commit returns once the standby applied it.
type pair struct {
	primary, standby *server
}

// newPair builds the primary (initdb), the database wf owned by role wf,
// the standby (pg_basebackup of the running primary), and turns on
// synchronous replication once the standby streams.
func newPair(t *testing.T, h *host) *pair {
	t.Helper()
	p := &pair{primary: h.server("primary"), standby: h.server("standby")}
	h.must(120*time.Second, "initdb", "-D", p.primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	p.primary.configure(
		"listen_addresses = '127.0.0.1'",
		"port = "+strconv.Itoa(p.primary.port),
		"unix_socket_directories = ''",
		"max_connections = 40",
		"shared_buffers = 16MB",
		"fsync = off", // the machine does not crash in this test; the servers do
		"wal_level = replica",
		"max_wal_senders = 4",
		"wal_keep_size = '128MB'",
		"hot_standby = on",
		"logging_collector = off",
	)
	p.primary.start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.primary.exec(ctx, "postgres", "CREATE ROLE wf LOGIN", "CREATE DATABASE wf OWNER wf"); err != nil {
		t.Fatal(err)
	}
	h.must(120*time.Second, "pg_basebackup", "-d", fmt.Sprintf("host=127.0.0.1 port=%d user=postgres", p.primary.port),
		"-D", p.standby.data, "-R", "-X", "stream", "-c", "fast", "--no-sync")
	// -R wrote standby.signal and a primary_conninfo into
	// postgresql.auto.conf (read after postgresql.conf); this one, later in
	// the same file, names the standby, which synchronous_standby_names
	// refers to.
	p.standby.configure("port = " + strconv.Itoa(p.standby.port))
	p.standby.appendTo("postgresql.auto.conf",
		fmt.Sprintf("primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=standby1'", p.primary.port))
	p.standby.start()
	// Synchronous replication is turned on only on the primary (ALTER
	// SYSTEM writes the primary's postgresql.auto.conf, which the standby's
	// copy predates): the promoted standby has no standby of its own, and
	// would otherwise wait for one at every commit.
	if err := p.primary.exec(ctx, "postgres",
		"ALTER SYSTEM SET synchronous_standby_names = 'standby1'",
		"ALTER SYSTEM SET synchronous_commit = 'remote_apply'",
		"SELECT pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
	err := pollUntil(30*time.Second, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, p.primary.url("postgres", "postgres"))
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close(ctx) }()
		var state string
		if err := conn.QueryRow(ctx, "SELECT coalesce((SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'), 'absent')").Scan(&state); err != nil {
			return err
		}
		if state != "sync" {
			return fmt.Errorf("standby1's replication is %s, want sync", state)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the standby does not replicate synchronously: %v\nprimary log:\n%s\nstandby log:\n%s", err, p.primary.log(), p.standby.log())
	}
	return p
}

// promote promotes the standby and waits until it accepts writes.
func (p *pair) promote() error {
	if _, err := p.standby.h.run(60*time.Second, "pg_ctl", "-D", p.standby.data, "-w", "-t", "50", "promote"); err != nil {
		return err
	}
	return nil
}

var errNotYet = errors.New("not yet")
