package sqlitestore

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
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
func chained(t *testing.T) *Store {
	t.Helper()
	s := openTest(t)
	for p := int64(1); p <= 18; p += 3 {
		if err := s.Commit(context.Background(), batch(p, 3, "x")); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// flipByte changes one byte of a segment's column with SQL.
func flipByte(t *testing.T, s *Store, column string, first int64) {
	t.Helper()
	var b []byte
	if err := s.w.QueryRow("SELECT "+column+" FROM log_segments WHERE first_position = ?", first).Scan(&b); err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x10
	if _, err := s.w.Exec("UPDATE log_segments SET "+column+" = ? WHERE first_position = ?", b, first); err != nil {
		t.Fatal(err)
	}
}

func TestLogSegmentsFormAHashChainThatNamesItsFirstBrokenLink(t *testing.T) {
	if rep := verifyChain(t, chained(t)); rep.Broken != nil || rep.Segments != 6 || rep.Unchained != 0 || rep.LastPosition != 18 {
		t.Fatalf("an untouched log: %+v (%v)", rep, rep.Broken)
	}
	cases := []struct {
		name        string
		tamper      func(t *testing.T, s *Store)
		problem     store.ChainProblem
		first, last int64
	}{
		{"a byte of data", func(t *testing.T, s *Store) { flipByte(t, s, "data", 7) }, store.ChainHashMismatch, 7, 9},
		{"a byte of a hash", func(t *testing.T, s *Store) { flipByte(t, s, "hash", 10) }, store.ChainHashMismatch, 10, 12},
		{"a segment in the middle deleted", func(t *testing.T, s *Store) {
			if _, err := s.w.Exec("DELETE FROM log_segments WHERE first_position = 7"); err != nil {
				t.Fatal(err)
			}
		}, store.ChainGap, 10, 12},
		{"the last segment deleted", func(t *testing.T, s *Store) {
			if _, err := s.w.Exec("DELETE FROM log_segments WHERE first_position = 16"); err != nil {
				t.Fatal(err)
			}
		}, store.ChainTruncated, 16, 18},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := chained(t)
			tc.tamper(t, s)
			b := verifyChain(t, s).Broken
			if b == nil || b.Problem != tc.problem || b.FirstPosition != tc.first || b.LastPosition != tc.last {
				t.Fatalf("got %v, want %s at segment %d..%d", b, tc.problem, tc.first, tc.last)
			}
		})
	}
}

// A commit that fails after its segment and the one after it were prepared
// (the engine's pipeline) does not break the chain, whether the store is
// loaded again (the engine reloads) or not (a direct caller goes on).
func TestTheChainHoldsAfterAFailedCommit(t *testing.T) {
	for _, reload := range []bool{true, false} {
		s := chained(t)
		ctx := context.Background()
		failed, onTop := batch(19, 4, "failed"), batch(23, 2, "on top")
		for _, b := range []*store.Batch{failed, onTop} {
			if err := s.Prepare(b); err != nil {
				t.Fatal(err)
			}
		}
		s.failAfterWrite = errors.New("injected")
		if err := s.Commit(ctx, failed); err == nil {
			t.Fatal("the injected failure did not fail the commit")
		}
		s.failAfterWrite = nil
		if reload {
			if _, err := s.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, b := range []*store.Batch{batch(19, 2, "again"), batch(21, 3, "next")} {
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
}

// Segments written before migration 9 have no hash: the chain starts after
// them, also when the store is opened again.
func TestTheChainStartsAfterSegmentsWrittenBeforeIt(t *testing.T) {
	s := chained(t)
	if _, err := s.w.Exec("UPDATE log_segments SET hash = NULL"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), s.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Commit(context.Background(), batch(19, 2, "chained")); err != nil {
		t.Fatal(err)
	}
	if rep := verifyChain(t, s); rep.Broken != nil || rep.Segments != 7 || rep.Unchained != 6 {
		t.Fatalf("%+v (%v)", rep, rep.Broken)
	}
}

func TestTheLogKeepsPrincipalsAndAnswersAuditSearches(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	who := &record.Principal{Subject: "ann", Roles: []string{"admin"}, Tenants: []string{record.DefaultTenant}}
	b := batch(1, 3, "x")
	b.Records[0].Kind, b.Records[0].Principal = record.KindCommand, who
	b.Records[0].ValueType, b.Records[0].Intent, b.Records[0].Key = record.TypeVariableDocument, record.IntentVariableDocumentUpdate, 9
	b.Records[0].Value = &record.VariableDocumentValue{ScopeKey: 9}
	for _, r := range b.Records[1:] {
		r.SourcePosition = 1
	}
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
	page, err := s.SearchAudit(ctx, store.AuditQuery{Subject: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Position != 1 || page.Items[0].ResultKey != 2 || page.EndCursor != 1 {
		t.Fatalf("audit page: %+v", page)
	}
	if page, err := s.SearchAudit(ctx, store.AuditQuery{Subject: "bob"}); err != nil || len(page.Items) != 0 {
		t.Fatalf("another subject: %+v %v", page, err)
	}
	_ = s.Close()
	if _, err := s.VerifyChain(ctx); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("verify on a closed store: %v", err)
	}
}
