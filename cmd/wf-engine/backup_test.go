package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/syncbuf"
)

// serveStoppable starts the server like serveArgs and returns a function
// that stops it and returns its log.
func serveStoppable(t *testing.T, env ...string) (string, func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out := &syncbuf.Buffer{}
	go func() { done <- run(ctx, []string{"--http.address", "127.0.0.1:0"}, environ(env...), out, ready) }()
	stopped := false
	stop := func() string {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("shutdown: %v", err)
			}
		}
		return out.String()
	}
	t.Cleanup(func() { stop() })
	select {
	case addr := <-ready:
		return "http://" + addr, stop
	case err := <-done:
		t.Fatalf("server stopped: %v\n%s", err, out)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

const backupTestModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="bk" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="bk-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// createInstance creates an instance of the test model and returns its key.
func createInstance(t *testing.T, base string) int64 {
	t.Helper()
	status, body := send(t, http.MethodPost, base+"/v2/process-instances", "application/json", strings.NewReader(`{"processDefinitionId": "bk"}`))
	if status != http.StatusOK {
		t.Fatalf("create: %d %s", status, body)
	}
	var created struct {
		Key string `json:"processInstanceKey"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	var k int64
	if err := json.Unmarshal([]byte(created.Key), &k); err != nil {
		t.Fatalf("instance key %q: %v", created.Key, err)
	}
	return k
}

func TestRestoreOfAnOldBackupSkipsEveryKeyHandedOutSince(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := []string{"WF_DATABASE_DATA_DIR=" + data}
	base, stop := serveStoppable(t, env...)
	deploy(t, base, "bk.bpmn", []byte(backupTestModel))
	var kept, lost []int64
	for range 3 {
		kept = append(kept, createInstance(t, base))
	}
	// The backup runs beside the serving engine.
	backup := filepath.Join(dir, "wf.backup")
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", "--to", backup}, environ(env...), &out, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "backed up ") {
		t.Fatalf("backup printed %q", out.String())
	}
	if err := run(ctx, []string{"backup", "--to", backup}, environ(env...), &out, nil); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("a second backup to the same file: %v", err)
	}
	for range 3 {
		lost = append(lost, createInstance(t, base))
	}
	// Restore refuses while the engine runs, and over a store without --force.
	if err := run(ctx, []string{"restore", "--from", backup, "--force"}, environ(env...), &out, nil); err == nil || !strings.Contains(err.Error(), "open in another process") {
		t.Fatalf("restore under a running engine: %v", err)
	}
	stop()
	if err := run(ctx, []string{"restore", "--from", backup}, environ(env...), &out, nil); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over a store without --force: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"restore", "--from", backup, "--force"}, environ(env...), &out, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "replay check passed") {
		t.Fatalf("restore printed %q", out.String())
	}

	base, stop = serveStoppable(t, env...)
	for _, k := range kept {
		if status, body := send(t, http.MethodGet, base+"/v2/process-instances/"+itoa(k), "", nil); status != http.StatusOK {
			t.Errorf("instance %d of before the backup: %d %s", k, status, body)
		}
	}
	for _, k := range lost {
		if status, _ := send(t, http.MethodGet, base+"/v2/process-instances/"+itoa(k), "", nil); status != http.StatusNotFound {
			t.Errorf("instance %d of after the backup: %d, want 404 (lost)", k, status)
		}
	}
	highest := max(kept[len(kept)-1], lost[len(lost)-1])
	for range 3 {
		if k := createInstance(t, base); k <= highest {
			t.Fatalf("new instance key %d is not above %d, handed out before the crash", k, highest)
		}
	}
	if log := stop(); !strings.Contains(log, "the store was restored") || !strings.Contains(log, "restored from a backup taken at") {
		t.Fatalf("the start after the restore did not warn:\n%s", log)
	}
	// A normal restart does not skip again.
	base, _ = serveStoppable(t, env...)
	a, b := createInstance(t, base), createInstance(t, base)
	if b-a > 1000 {
		t.Fatalf("keys %d and %d of a normal restart are far apart", a, b)
	}
}

func TestBackupAndRestoreOfPostgresPointToItsTools(t *testing.T) {
	env := environ("WF_DATABASE_URL=postgres://wf:secret@127.0.0.1:1/wf")
	for _, args := range [][]string{{"backup", "--to", "x"}, {"restore", "--from", "x"}} {
		err := run(context.Background(), args, env, &bytes.Buffer{}, nil)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "pg_restore") || !strings.Contains(err.Error(), "docs/backup.md") {
			t.Errorf("%s: %v", args[0], err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password", args[0])
		}
	}
	for _, args := range [][]string{{"backup"}, {"restore"}} {
		if err := run(context.Background(), args, environ("WF_DATABASE_DATA_DIR="+t.TempDir()), &bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "required") {
			t.Errorf("%s without its file: %v", args[0], err)
		}
	}
}

func itoa(k int64) string {
	b, _ := json.Marshal(k)
	return string(b)
}
