package storesuite

import (
	"context"
	"reflect"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

func tenantRow(key int64, id, name, description string, live bool) state.TenantRow {
	return state.TenantRow{Live: live, Tenant: state.Tenant{Key: key, Value: record.TenantValue{TenantKey: key, TenantID: id, Name: name, Description: description}}}
}

func memberRow(key, tenantKey int64, tenantID, entityType, entityID string, live bool) state.TenantMemberRow {
	return state.TenantMemberRow{Live: live, TenantMember: state.TenantMember{Key: key, Value: record.TenantValue{
		TenantKey: tenantKey, TenantID: tenantID, EntityType: entityType, EntityID: entityID}}}
}

// tenantRows upserts tenant and membership rows twice and checks that Load
// returns exactly the live ones, every field kept.
func (s *suite) tenantRows(t *testing.T) {
	st := s.store(t)
	acme := tenantRow(700, "acme", "Acme <&> \"Inc\"", "the first tenant", true)
	ann := memberRow(710, 700, "acme", record.TenantEntityUser, "ann@example.com", true)
	// A tenant row has no member, a membership row no name or description.
	allSet(t, acme, "tenant.Tenant.Value.EntityType", "tenant.Tenant.Value.EntityID")
	allSet(t, ann, "member.TenantMember.Value.Name", "member.TenantMember.Value.Description")
	commit(t, st, &store.Batch{Changes: state.Changes{
		Tenants: []state.TenantRow{acme, tenantRow(701, "gone", "Gone", "", true), tenantRow(702, "ünï.+@_-", "Ünï", "", true)},
		TenantMembers: []state.TenantMemberRow{ann, memberRow(711, 700, "acme", record.TenantEntityClient, "worker", true),
			memberRow(712, 0, record.DefaultTenant, record.TenantEntityUser, "bob", true), memberRow(713, 701, "gone", record.TenantEntityUser, "ann@example.com", true)},
		LastKey: 713, LastPosition: 3,
	}})
	renamed := tenantRow(700, "acme", "Acme", "", true)
	again := tenantRow(703, "gone", "Gone again", "back", true)
	commit(t, st, &store.Batch{Changes: state.Changes{
		Tenants: []state.TenantRow{renamed, tenantRow(701, "gone", "Gone", "", false), again},
		TenantMembers: []state.TenantMemberRow{memberRow(711, 700, "acme", record.TenantEntityClient, "worker", false),
			memberRow(713, 701, "gone", record.TenantEntityUser, "ann@example.com", false), memberRow(714, 703, "gone", record.TenantEntityClient, "c", true)},
		LastKey: 714, LastPosition: 9,
	}})
	got := snapshot(t, st)
	wantTenants := []state.Tenant{renamed.Tenant, tenantRow(702, "ünï.+@_-", "Ünï", "", true).Tenant, again.Tenant}
	wantMembers := []state.TenantMember{ann.TenantMember, memberRow(712, 0, record.DefaultTenant, record.TenantEntityUser, "bob", true).TenantMember,
		memberRow(714, 703, "gone", record.TenantEntityClient, "c", true).TenantMember}
	if !reflect.DeepEqual(got.Tenants, wantTenants) {
		t.Fatalf("loaded tenants:\ngot  %+v\nwant %+v", got.Tenants, wantTenants)
	}
	if !reflect.DeepEqual(got.TenantMembers, wantMembers) {
		t.Fatalf("loaded tenant members:\ngot  %+v\nwant %+v", got.TenantMembers, wantMembers)
	}
	if got.LastKey != 714 || got.LastPosition != 9 {
		t.Fatalf("counters %d, %d", got.LastKey, got.LastPosition)
	}
}

// allSet fails when a field of row other than those named is zero: the
// test would not prove that the store keeps it.
func allSet(t *testing.T, row any, unused ...string) {
	t.Helper()
	name := "tenant"
	if _, ok := row.(state.TenantMemberRow); ok {
		name = "member"
	}
	var zero []string
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if v.Kind() != reflect.Struct {
			if v.IsZero() {
				zero = append(zero, path)
			}
			return
		}
		for k := range v.NumField() {
			if f := v.Type().Field(k); f.IsExported() {
				walk(v.Field(k), path+"."+f.Name)
			}
		}
	}
	walk(reflect.ValueOf(row), name)
	if !reflect.DeepEqual(zero, unused) {
		t.Fatalf("zero fields of the test %s row are %v, want only %v: set them so that the test proves they are stored", name, zero, unused)
	}
}

// tenantWorkload runs tenant commands through a real processor next to the
// random workload, commits them to the store and to memstore, and checks
// that the loaded rows restore the live state, that the log replays to it
// and, for durable stores, that a reopened store loads them without replay.
func (s *suite) tenantWorkload(t *testing.T) {
	st := s.open(t)
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = st.Close()
		}
	})
	ref := memstore.New(memstore.Options{})
	w := newWorkload(t, 11, st, ref)
	do := func(intent record.Intent, v record.TenantValue) {
		t.Helper()
		res := w.do(&record.Record{ValueType: record.TypeTenant, Intent: intent, Version: 1, Value: &v})
		if res.Rejection != nil {
			t.Fatalf("%s %+v: %v", intent, v, res.Rejection)
		}
	}
	user := func(tenant, id string) record.TenantValue {
		return record.TenantValue{TenantID: tenant, EntityType: record.TenantEntityUser, EntityID: id}
	}
	do(record.IntentTenantCreate, record.TenantValue{TenantID: "acme", Name: "Acme", Description: "d"})
	do(record.IntentTenantCreate, record.TenantValue{TenantID: "globex", Name: "Globex"})
	do(record.IntentTenantAddEntity, user("acme", "ann"))
	do(record.IntentTenantAddEntity, user("globex", "ann"))
	do(record.IntentTenantAddEntity, user(record.DefaultTenant, "bob"))
	w.flush()
	w.run(30)
	do(record.IntentTenantAddEntity, record.TenantValue{TenantID: "globex", EntityType: record.TenantEntityClient, EntityID: "worker"})
	do(record.IntentTenantUpdate, record.TenantValue{TenantID: "acme", Name: "Acme Inc"})
	do(record.IntentTenantRemoveEntity, user("globex", "ann"))
	do(record.IntentTenantDelete, record.TenantValue{TenantID: "globex"}) // removes the client too
	do(record.IntentTenantCreate, record.TenantValue{TenantID: "globex", Name: "Globex again"})
	w.flush()

	snap := snapshot(t, st)
	sameSnapshot(t, snap, snapshot(t, ref))
	live := string(w.st().Dump())
	if got := string(restore(t, snap).Dump()); got != live {
		t.Fatalf("restored state differs from the live one:\ngot  %s\nwant %s", got, live)
	}
	if err := replaycheck.Check(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if len(snap.Tenants) != 2 || len(snap.TenantMembers) != 2 {
		t.Fatalf("loaded %d tenants and %d memberships, want 2 and 2: %+v %+v", len(snap.Tenants), len(snap.TenantMembers), snap.Tenants, snap.TenantMembers)
	}
	if s.cfg.reopen == nil {
		return
	}
	closed = true
	st2 := s.cfg.reopen(t, st)
	t.Cleanup(func() { _ = st2.Close() })
	restored := restore(t, snapshot(t, st2))
	if got := string(restored.Dump()); got != live {
		t.Fatalf("state loaded after reopen differs:\ngot  %s\nwant %s", got, live)
	}
	if got := restored.TenantsOf(record.TenantEntityUser, "ann"); !reflect.DeepEqual(got, []string{"acme"}) {
		t.Fatalf("ann's tenants after reopen = %v", got)
	}
	if a := restored.Tenant("acme"); a == nil || a.Value.Name != "Acme Inc" {
		t.Fatalf("acme after reopen = %+v", a)
	}
}
