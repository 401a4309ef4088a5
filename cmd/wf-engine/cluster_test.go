package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/core/syncbuf"
)

func TestClusterPartitionsKey(t *testing.T) {
	c, err := retentionConfig(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Cluster.Partitions != 1 {
		t.Errorf("default cluster.partitions = %d, want 1", c.Cluster.Partitions)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"zero", nil, []string{"--cluster.partitions", "0"}, "cluster.partitions: must be between 1 and 4095, got 0"},
		{"beyond the key's bits", nil, []string{"--cluster.partitions", "4096"}, "cluster.partitions: must be between 1 and 4095, got 4096"},
		{"sqlite", []string{"WF_CLUSTER_PARTITIONS=4"}, nil, "cluster.partitions: SQLite is single-node and runs one partition"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := retentionConfig(t, "", tc.env, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestStartRefusesAnotherPartitionCount starts the server on a store that
// was created with two partitions: it refuses to start and names both
// counts. A new store keeps the count the server started it with.
func TestStartRefusesAnotherPartitionCount(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.KeepPartitions(ctx, 2); err != nil || n != 2 {
		t.Fatalf("keep 2 partitions: %d, %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var out syncbuf.Buffer
	err = run(ctx, []string{"--http.address", "127.0.0.1:0"}, environ("WF_DATABASE_URL=sqlite:"+path), &out, nil)
	want := "cluster.partitions is 1, but the store was created with 2 partition(s)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("start on a store of 2 partitions: got %v, want an error with %q", err, want)
	}

	fresh := filepath.Join(t.TempDir(), "wf.db")
	_, stop := serveStoppable(t, "WF_DATABASE_URL=sqlite:"+fresh)
	stop()
	s, err = sqlitestore.Open(ctx, fresh, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if n, err := s.KeepPartitions(ctx, 3); err != nil || n != 1 {
		t.Fatalf("a store the server started keeps %d partition(s) (%v), want 1", n, err)
	}
}

// TestSQLiteIsSingleNode starts a second server on the SQLite file a
// running server uses: it refuses to start and says why.
func TestSQLiteIsSingleNode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wf.db")
	_, stop := serveStoppable(t, "WF_DATABASE_URL=sqlite:"+path)
	defer stop()
	var out syncbuf.Buffer
	err := run(context.Background(), []string{"--http.address", "127.0.0.1:0"}, environ("WF_DATABASE_URL=sqlite:"+path), &out, nil)
	want := "SQLite is single-node: run one wf-engine per SQLite file, or use PostgreSQL for several nodes"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("a second server on the same SQLite file: got %v, want an error with %q", err, want)
	}
	// Tools that read the store still open it while the server runs.
	if err := run(context.Background(), []string{"audit", "verify"}, environ("WF_DATABASE_URL=sqlite:"+path), &out, nil); err != nil {
		t.Fatalf("audit verify beside the server: %v", err)
	}
}
