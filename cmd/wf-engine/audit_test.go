package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// auditLog writes four segments of three records into a SQLite file.
func auditLog(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for first := int64(1); first <= 10; first += 3 {
		b := &store.Batch{}
		for p := first; p < first+3; p++ {
			b.Records = append(b.Records, &record.Record{Position: p, Key: p, Kind: record.KindEvent, ValueType: record.TypeVariable,
				Intent: record.IntentVariableCreated, Version: 1, Value: &record.VariableValue{Name: "v"}})
		}
		b.Changes.LastKey, b.Changes.LastPosition = first+2, first+2
		if err := s.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditVerifyNamesTheTamperedSegment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wf.db")
	auditLog(t, path)
	e := environ("WF_DATABASE_URL=sqlite:" + path)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify"}, e, &out, nil); err != nil {
		t.Fatalf("audit verify of an untouched log: %v\n%s", err, out.String())
	}
	if !regexp.MustCompile(`hash chain OK: 4 segments checked .* last hash [0-9a-f]{64}\n`).MatchString(out.String()) {
		t.Fatalf("output: %s", out.String())
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var data []byte
	if err := db.QueryRow("SELECT data FROM log_segments WHERE first_position = 4").Scan(&data); err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if _, err := db.Exec("UPDATE log_segments SET data = ? WHERE first_position = 4", data); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(context.Background(), []string{"audit", "verify"}, e, &out, nil)
	if !errors.Is(err, errChainBroken) || !strings.Contains(err.Error(), "segment 4..6: hash mismatch") {
		t.Fatalf("audit verify of a tampered log: %v", err)
	}
	if !strings.Contains(out.String(), "BROKEN after 1 good segments: segment 4..6") {
		t.Fatalf("output: %s", out.String())
	}

	if _, err := db.Exec("DELETE FROM log_segments WHERE first_position = 4"); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"audit", "verify"}, e, &out, nil)
	if !errors.Is(err, errChainBroken) || !strings.Contains(err.Error(), fmt.Sprintf("segment %d..%d: gap", 7, 9)) {
		t.Fatalf("audit verify of a log missing a segment: %v", err)
	}
}

func TestAuditVerifyRefusesOtherStoresAndCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify"}, environ("WF_DATABASE_URL=memory"), &out, nil); err == nil || !strings.Contains(err.Error(), "no hash chain") {
		t.Fatalf("audit verify on the in-memory store: %v", err)
	}
	e := environ("WF_DATABASE_DATA_DIR=" + t.TempDir())
	for _, args := range [][]string{{"audit"}, {"audit", "search"}, {"audit", "verify", "extra"}} {
		if err := run(context.Background(), args, e, &out, nil); err == nil || !strings.Contains(err.Error(), "usage: wf-engine audit verify") {
			t.Fatalf("%q: %v", args, err)
		}
	}
}
