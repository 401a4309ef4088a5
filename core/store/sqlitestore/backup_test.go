package sqlitestore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

const w1 = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="w1" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

var t0 = time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)

// startEngine starts an engine on the store at path with W1 deployed.
func startEngine(t *testing.T, path string) (*engine.Engine, *sqlitestore.Store) {
	t.Helper()
	s := open(t, path)
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: []byte(w1)}}}); err != nil {
		t.Fatal(err)
	}
	return e, s
}

func TestBackupWhileTheEngineCommitsIsConsistent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "wf-engine.db")
	e, s := startEngine(t, path)
	var created atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
					t.Error(err)
					return
				}
				if jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 1}); err == nil && len(jobs) == 1 {
					_ = e.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key})
				}
				created.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for created.Load() < 100 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	backup := filepath.Join(dir, "backup.db")
	info, err := sqlitestore.Backup(ctx, path, backup, false, t0)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if info.LastPosition <= 0 || info.SchemaVersion == 0 || info.Bytes <= 0 {
		t.Fatalf("backup info %+v", info)
	}
	if live, err := s.Recovered(ctx); err != nil || live != "" {
		t.Fatalf("the live store says %q, %v; want nothing pending", live, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v, %v; want 0600 (it holds every variable)", st.Mode(), err)
	}
	// The copy is one self-contained file.
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(backup + suffix); err == nil {
			t.Errorf("%s left beside the backup", suffix)
		}
	}
	// The copy is one snapshot: its log and rows agree, and it ends
	// where the info says.
	copyPath := filepath.Join(dir, "copy", "wf-engine.db")
	if _, err := sqlitestore.Restore(ctx, backup, copyPath, false, t0); err != nil {
		t.Fatal(err)
	}
	c := open(t, copyPath)
	defer func() { _ = c.Close() }()
	if err := replaycheck.Check(ctx, c); err != nil {
		t.Fatal(err)
	}
	snap, err := c.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.LastPosition != info.LastPosition || snap.LastKey != info.LastKey {
		t.Fatalf("restored store at position %d key %d, backup said %d %d", snap.LastPosition, snap.LastKey, info.LastPosition, info.LastKey)
	}
	reason, err := c.Recovered(ctx)
	if err != nil || !strings.Contains(reason, "restored from a backup taken at 2026-12-06T11:00:00Z") {
		t.Fatalf("recovery marker %q, %v", reason, err)
	}
	if err := c.RecoveryHandled(ctx); err != nil {
		t.Fatal(err)
	}
	if reason, err := c.Recovered(ctx); err != nil || reason != "" {
		t.Fatalf("marker after handling: %q, %v", reason, err)
	}
}

func TestBackupRefusesToOverwriteUnlessForced(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "wf-engine.db")
	s := open(t, path)
	defer func() { _ = s.Close() }()
	to := filepath.Join(dir, "b.db")
	if err := os.WriteFile(to, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Backup(ctx, path, to, false, t0); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("got %v, want a refusal naming --force", err)
	}
	if b, _ := os.ReadFile(to); string(b) != "keep me" {
		t.Fatal("the existing file was touched")
	}
	if _, err := sqlitestore.Backup(ctx, path, to, true, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Backup(ctx, filepath.Join(dir, "none.db"), filepath.Join(dir, "c.db"), false, t0); err == nil {
		t.Fatal("a backup of a store that does not exist succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("backing up a missing store created it")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestRestoreRefusesAnOpenStoreAnExistingOneAndOtherFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "wf-engine.db")
	s := open(t, path)
	backup := filepath.Join(dir, "b.db")
	if _, err := sqlitestore.Backup(ctx, path, backup, false, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Restore(ctx, backup, path, true, t0); err == nil || !strings.Contains(err.Error(), "open in another process") {
		t.Fatalf("restore over an open store: got %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Restore(ctx, backup, path, false, t0); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("restore over an existing store: got %v", err)
	}
	if _, err := sqlitestore.Restore(ctx, backup, path, true, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".replaced-20261206T110000Z"); err != nil {
		t.Fatalf("the replaced store was not kept: %v", err)
	}
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Restore(ctx, junk, filepath.Join(dir, "new", "wf-engine.db"), false, t0); err == nil {
		t.Fatal("restored a file that is no database")
	}
	other := filepath.Join(dir, "other.db")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Restore(ctx, other, filepath.Join(dir, "new", "wf-engine.db"), false, t0); err == nil || !strings.Contains(err.Error(), "not a wf-engine store") {
		t.Fatalf("restore of an empty SQLite file: got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new", "wf-engine.db")); err == nil {
		t.Fatal("a refused restore left a store behind")
	}
}
