package pgstore

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func verifyChain(t *testing.T, s *Store) store.ChainReport {
	t.Helper()
	rep, err := s.VerifyChain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// chained opens a store holding six segments of three records: positions
// 1..18.
func chained(t *testing.T, url string) *Store {
	t.Helper()
	s := openTest(t, url)
	for p := int64(1); p <= 18; p += 3 {
		if err := s.Commit(context.Background(), batch(p, 3)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func sqlExec(t *testing.T, s *Store, sql string) {
	t.Helper()
	if _, err := s.pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestLogSegmentsFormAHashChainThatNamesItsFirstBrokenLink(t *testing.T) {
	if rep := verifyChain(t, chained(t, pgtest.URL(t))); rep.Broken != nil || rep.Segments != 6 || rep.Unchained != 0 || rep.LastPosition != 18 {
		t.Fatalf("an untouched log: %+v (%v)", rep, rep.Broken)
	}
	cases := []struct {
		name, sql   string
		problem     store.ChainProblem
		first, last int64
	}{
		{"a byte of data", "UPDATE log_segments SET data = set_byte(data, 20, get_byte(data, 20) # 1) WHERE first_position = 7",
			store.ChainHashMismatch, 7, 9},
		{"a byte of a hash", "UPDATE log_segments SET hash = set_byte(hash, 31, get_byte(hash, 31) # 128) WHERE first_position = 10",
			store.ChainHashMismatch, 10, 12},
		{"a segment in the middle deleted", "DELETE FROM log_segments WHERE first_position = 7", store.ChainGap, 10, 12},
		{"the last segment deleted", "DELETE FROM log_segments WHERE first_position = 16", store.ChainTruncated, 16, 18},
		{"a hash removed", "UPDATE log_segments SET hash = NULL WHERE first_position = 13", store.ChainHashMissing, 13, 15},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := chained(t, pgtest.URL(t))
			sqlExec(t, s, tc.sql)
			b := verifyChain(t, s).Broken
			if b == nil || b.Problem != tc.problem || b.FirstPosition != tc.first || b.LastPosition != tc.last {
				t.Fatalf("got %v, want %s at segment %d..%d", b, tc.problem, tc.first, tc.last)
			}
		})
	}
}

// A commit that fails after its segment and the one after it were prepared
// (the engine's pipeline) does not break the chain: neither when the store
// is loaded again (the engine reloads), nor when it goes on unloaded, nor
// after a lost connection whose outcome the store cannot know.
func TestTheChainHoldsAfterAFailedCommit(t *testing.T) {
	ctx := context.Background()
	for _, reload := range []bool{true, false} {
		s := chained(t, pgtest.URL(t))
		failed, onTop := batch(19, 4), batch(23, 2)
		s.extra = "SELECT 1/0" // bound by Prepare
		for _, b := range []*store.Batch{failed, onTop} {
			if err := s.Prepare(b); err != nil {
				t.Fatal(err)
			}
			s.extra = ""
		}
		if err := s.Commit(ctx, failed); err == nil {
			t.Fatal("the failing statement did not fail the commit")
		}
		if reload {
			if _, err := s.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, b := range []*store.Batch{batch(19, 2), batch(21, 3)} {
			if err := s.Prepare(b); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		if rep := verifyChain(t, s); rep.Broken != nil || rep.Segments != 8 || rep.LastPosition != 23 {
			t.Fatalf("reload %v: %+v (%v)", reload, rep, rep.Broken)
		}
	}

	app := "wf-chain-" + time.Now().Format("150405.000000")
	url := pgtest.URL(t) + "&application_name=" + app
	s := chained(t, url)
	next := batch(19, 2)
	if err := s.Prepare(next); err != nil {
		t.Fatal(err)
	}
	killConnections(t, app)
	if err := s.Commit(ctx, next); err == nil {
		t.Fatal("a commit on a killed connection reported success")
	}
	if err := s.Commit(ctx, batch(19, 3)); err != nil {
		t.Fatalf("commit after reconnecting: %v", err)
	}
	// Read with a store of its own: the read pool may still hold a
	// connection that was killed.
	if rep := verifyChain(t, openTest(t, url)); rep.Broken != nil || rep.Segments != 7 {
		t.Fatalf("after a lost connection: %+v (%v)", rep, rep.Broken)
	}
}

// Segments written before migration 9 have no hash: the chain starts after
// them, also when the store is opened again.
func TestTheChainStartsAfterSegmentsWrittenBeforeIt(t *testing.T) {
	url := pgtest.URL(t)
	s := chained(t, url)
	sqlExec(t, s, "UPDATE log_segments SET hash = NULL")
	_ = s.Close()
	s = openTest(t, url)
	if err := s.Commit(context.Background(), batch(19, 2)); err != nil {
		t.Fatal(err)
	}
	if rep := verifyChain(t, s); rep.Broken != nil || rep.Segments != 7 || rep.Unchained != 6 {
		t.Fatalf("%+v (%v)", rep, rep.Broken)
	}
}

func TestTheLogKeepsPrincipalsAndAnswersAuditSearches(t *testing.T) {
	s := openTest(t, pgtest.URL(t))
	ctx := context.Background()
	who := &record.Principal{ClientID: "worker-1", Roles: []string{"worker"}}
	b := batch(1, 3)
	b.Records[0].Kind, b.Records[0].Principal = record.KindCommand, who
	b.Records[0].ValueType, b.Records[0].Intent, b.Records[0].Key = record.TypeJob, record.IntentJobComplete, 2
	b.Records[0].Value = &record.JobValue{}
	b.Records[1].SourcePosition, b.Records[1].Kind = 1, record.KindRejection
	b.Records[1].RejectionType, b.Records[1].RejectionReason = record.RejectionNotFound, "no job 2"
	if err := s.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	var got []*record.Principal
	if err := s.ReadLog(ctx, 1, func(r *record.Record) error { got = append(got, r.Principal); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !reflect.DeepEqual(got[0], who) || got[1] != nil || got[2] != nil {
		t.Fatalf("principals read back: %+v", got)
	}
	page, err := s.SearchAudit(ctx, store.AuditQuery{ClientID: "worker-1", Key: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || !page.Items[0].Rejected || page.Items[0].RejectionReason != "no job 2" || page.EndCursor != 1 {
		t.Fatalf("audit page: %+v", page)
	}
	_ = s.Close()
	if _, err := s.VerifyChain(ctx); !errors.Is(err, store.ErrClosed) || !strings.Contains(err.Error(), "postgres") {
		t.Fatalf("verify on a closed store: %v", err)
	}
}
