package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// testSizes measures 300 instances, 10 per commit, and checks the stages:
// the seeded instances take bytes in the tables they write, compaction
// removes all but the last segments, and the log's bytes shrink in the
// stage after (compacted) in SQLite, after VACUUM FULL in PostgreSQL.
func testSizes(t *testing.T, pgURL, sqlitePath, shrunk string) {
	var res SizesResult
	target := []string{"-pg-url", pgURL}
	kind := "postgres"
	if sqlitePath != "" {
		target, kind = []string{"-sqlite-path", sqlitePath}, "sqlite"
	}
	runResult(t, &res, append(append([]string{"sizes"}, target...), "-completed", "300", "-batch", "10", "-progress", "1ms")...)
	want := []string{"empty", "seeded", "compacted"}
	if kind == "postgres" {
		want = append(want, "compacted, VACUUM FULL")
	}
	if res.Store != kind || res.Instances != 300 || len(res.Stages) != len(want) {
		t.Fatalf("result: store %s, %d instances, %d stages; want %s, 300, %d", res.Store, res.Instances, len(res.Stages), kind, len(want))
	}
	stage := map[string]SizeStage{}
	for i, st := range res.Stages {
		if st.Stage != want[i] || st.How == "" || st.TotalBytes <= 0 {
			t.Errorf("stage %d: %s (%s), %d bytes; want %s", i, st.Stage, st.How, st.TotalBytes, want[i])
		}
		stage[st.Stage] = st
	}
	if got := stage["empty"].BytesPerInstance; got != 0 {
		t.Errorf("empty store: %v bytes per instance, want 0", got)
	}
	seeded := stage["seeded"]
	for _, tab := range []string{"element_instances", "variables", "jobs", "log_segments"} {
		if seeded.TablesPerInst[tab] <= 0 {
			t.Errorf("seeded %s: %v bytes per instance", tab, seeded.TablesPerInst[tab])
		}
	}
	if seeded.BytesPerInstance < 500 || seeded.BytesPerInstance > 50_000 {
		t.Errorf("seeded: %v bytes per instance, not a W1 instance's", seeded.BytesPerInstance)
	}
	// 30 commits and the deployment's: all but the last are before the checkpoint.
	if c := res.Compaction; c.Segments < 29 || c.AnchorPosition == 0 || c.AnchorPosition >= c.HeadPosition || c.CheckpointStoreBytes <= 0 {
		t.Errorf("compaction: %+v", c)
	}
	after := stage[shrunk]
	if after.TablesPerInst["log_segments"] >= seeded.TablesPerInst["log_segments"]/2 {
		t.Errorf("log segments: %v bytes per instance seeded, %v %s", seeded.TablesPerInst["log_segments"], after.TablesPerInst["log_segments"], shrunk)
	}
	if after.TotalBytes >= seeded.TotalBytes {
		t.Errorf("total: %d bytes seeded, %d %s", seeded.TotalBytes, after.TotalBytes, shrunk)
	}
	// The compacted store replays from its checkpoint.
	s, _, err := openSeedStore(context.Background(), pgURL, sqlitePath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if err := replaycheck.FromCheckpoint(context.Background(), s); err != nil {
		t.Fatalf("replay from the checkpoint: %v", err)
	}
}

func TestSizesSQLite(t *testing.T) {
	testSizes(t, "", filepath.Join(t.TempDir(), "sizes.db"), "compacted")
}

func TestSizesPostgres(t *testing.T) {
	testSizes(t, pgtest.URL(t), "", "compacted, VACUUM FULL")
}

func TestSizesRefusesBadFlagsAndFullStores(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-sqlite-path", "a.db", "-pg-url", "postgres://x"},
		{"-sqlite-path", "a.db", "-completed", "0"},
		{"-sqlite-path", "a.db", "-batch", "0"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"sizes"}, args...), &out, ""); err == nil {
			t.Errorf("sizes %v: no error", args)
		}
	}
	path := filepath.Join(t.TempDir(), "full.db")
	seedRun(t, "-sqlite-path", path, "-completed", "5", "-running", "0")
	var out bytes.Buffer
	err := run(context.Background(), []string{"sizes", "-sqlite-path", path, "-completed", "5"}, &out, "")
	if err == nil || !strings.Contains(err.Error(), "fresh") {
		t.Errorf("sizes on a seeded store: %v, want a refusal", err)
	}
}
