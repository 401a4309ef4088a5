package rest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// TestInstanceHistoryAfterLogCompaction: an instance whose records were
// compacted away answers 410 naming the first position the log still
// holds; a later instance's history is whole.
func TestInstanceHistoryAfterLogCompaction(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})
	c := start(t, s, rest.Config{})
	setup(t, c)
	old := create(t, c, map[string]any{"amount": 1})
	if _, err := s.WriteCheckpoint(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	newer := create(t, c, map[string]any{"amount": 2})
	res, err := s.CompactLog(ctx, store.CompactRequest{Before: time.Now().Add(time.Hour), Limit: 1000})
	if err != nil || res.Removed == 0 {
		t.Fatalf("compaction: %+v, %v", res, err)
	}
	wantDetail(t, c.get("/v2/x/process-instances/"+old+"/history"), http.StatusGone, "were compacted", "retention.archive_dir")
	if p := historyPage(t, c, newer, ""); len(p.Items) == 0 {
		t.Fatalf("the history of an instance created after compaction is empty: %+v", p)
	}
}
