package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// TestToolsReadEachPartition runs `replaycheck` and `audit verify` on a
// PostgreSQL store of three partitions the server wrote (an instance on
// partitions 1 and 2; partition 3 only received the distributed
// definition): each partition's log is replayed and its own hash chain
// verified, a changed segment of partition 2 is reported for partition 2
// while partitions 1 and 3 still verify, and a configuration with another
// partition count is refused.
func TestToolsReadEachPartition(t *testing.T) {
	url := pgtest.URL(t)
	env := environ("WF_DATABASE_URL="+url, "WF_CLUSTER_PARTITIONS=3")
	t.Run("serve", func(t *testing.T) {
		base := serveFor(t, "WF_DATABASE_URL="+url, "WF_CLUSTER_PARTITIONS=3")
		bpmn, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
		if err != nil {
			t.Fatal(err)
		}
		deploy(t, base, "order.bpmn", bpmn)
		for range 2 {
			if status, body := send(t, http.MethodPost, base+"/v2/process-instances", "application/json",
				strings.NewReader(`{"processDefinitionId": "order"}`)); status != http.StatusOK {
				t.Fatalf("create: %d %s", status, body)
			}
		}
	})
	ctx := context.Background()

	var out bytes.Buffer
	if err := run(ctx, []string{"replaycheck"}, env, &out, nil); err != nil {
		t.Fatalf("replaycheck: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "each of the 3 partitions' logs and its state rows agree") {
		t.Fatalf("replaycheck output: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, env, &out, nil); err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out.String())
	}
	for p := 1; p <= 3; p++ {
		if !strings.Contains(out.String(), fmt.Sprintf("partition %d: hash chain OK", p)) {
			t.Fatalf("audit verify does not report partition %d's chain: %s", p, out.String())
		}
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var first int64
	if err := conn.QueryRow(ctx, "SELECT min(first_position) FROM log_segments WHERE first_position > $1",
		store.PositionBase(2)).Scan(&first); err != nil {
		t.Fatalf("partition 2's first segment: %v", err)
	}
	if _, err := conn.Exec(ctx, "UPDATE log_segments SET data = set_byte(data, 20, get_byte(data, 20) # 1) WHERE first_position = $1", first); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"audit", "verify"}, env, &out, nil)
	if !errors.Is(err, errChainBroken) || !strings.Contains(err.Error(), "partition 2: ") || strings.Contains(err.Error(), "partition 1: ") {
		t.Fatalf("audit verify of a changed segment of partition 2: %v", err)
	}
	if !strings.Contains(out.String(), "partition 1: hash chain OK") || !strings.Contains(out.String(), "partition 2: hash chain BROKEN") ||
		!strings.Contains(out.String(), "partition 3: hash chain OK") {
		t.Fatalf("audit verify output: %s", out.String())
	}

	err = run(ctx, []string{"replaycheck"}, environ("WF_DATABASE_URL="+url), &out, nil)
	if err == nil || !strings.Contains(err.Error(), "created with 3 partition(s)") {
		t.Fatalf("replaycheck with cluster.partitions 1 on a store of 3: %v", err)
	}
}
