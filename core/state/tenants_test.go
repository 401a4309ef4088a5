package state

import (
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/record"
)

// tenantLog writes tenant events to a state as the kernel would, and keeps
// every row the state hands out, as a store does.
type tenantLog struct {
	t       tb
	st      *State
	records []*record.Record
	tenants map[int64]TenantRow
	members map[int64]TenantMemberRow
}

// tb is what tenantLog needs of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func newTenantLog(t tb) *tenantLog {
	return &tenantLog{t: t, st: New(nil, nil), tenants: map[int64]TenantRow{}, members: map[int64]TenantMemberRow{}}
}

func (l *tenantLog) apply(key int64, intent record.Intent, v record.TenantValue) error {
	r := &record.Record{Position: l.st.LastPosition() + 1, Key: key, Kind: record.KindEvent, ValueType: record.TypeTenant,
		Intent: intent, Version: EventVersion, Value: &v}
	if err := l.st.Apply(r); err != nil {
		return err
	}
	l.records = append(l.records, r)
	c := l.st.TakeChanges()
	for _, row := range c.Tenants {
		l.tenants[row.Key] = row
	}
	for _, row := range c.TenantMembers {
		l.members[row.Key] = row
	}
	if err := l.st.Check(); err != nil {
		l.t.Fatalf("after %s: %v", intent, err)
	}
	return nil
}

func (l *tenantLog) must(key int64, intent record.Intent, v record.TenantValue) {
	l.t.Helper()
	if err := l.apply(key, intent, v); err != nil {
		l.t.Fatal(err)
	}
}

// snapshot is what a store's restart would load: the live rows.
func (l *tenantLog) snapshot() *Snapshot {
	snap := &Snapshot{LastKey: l.st.LastKey(), LastPosition: l.st.LastPosition()}
	for _, k := range sortedKeys(l.tenants) {
		if row := l.tenants[k]; row.Live {
			snap.Tenants = append(snap.Tenants, row.Tenant)
		}
	}
	for _, k := range sortedKeys(l.members) {
		if row := l.members[k]; row.Live {
			snap.TenantMembers = append(snap.TenantMembers, row.TenantMember)
		}
	}
	return snap
}

func ids(ts []*Tenant) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Value.TenantID
	}
	return out
}

func members(ms []*TenantMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Value.EntityType + ":" + m.Value.EntityID
	}
	return out
}

func TestDefaultTenantAlwaysExistsAndOthersComeFromEvents(t *testing.T) {
	l := newTenantLog(t)
	if d := l.st.Tenant(record.DefaultTenant); d == nil || d.Value.Name != DefaultTenantName || d.Key != 0 {
		t.Fatalf("default tenant = %+v", d)
	}
	if got := ids(l.st.Tenants()); !reflect.DeepEqual(got, []string{record.DefaultTenant}) {
		t.Fatalf("tenants of an empty state = %v", got)
	}
	l.must(10, record.IntentTenantCreated, record.TenantValue{TenantKey: 10, TenantID: "zeta", Name: "Zeta"})
	l.must(11, record.IntentTenantCreated, record.TenantValue{TenantKey: 11, TenantID: "acme", Name: "Acme", Description: "a"})
	if got := ids(l.st.Tenants()); !reflect.DeepEqual(got, []string{"<default>", "acme", "zeta"}) {
		t.Fatalf("tenants = %v", got)
	}
	l.must(11, record.IntentTenantUpdated, record.TenantValue{TenantKey: 11, TenantID: "acme", Name: "ACME", Description: "b"})
	if a := l.st.Tenant("acme"); a.Value.Name != "ACME" || a.Value.Description != "b" || a.Key != 11 {
		t.Fatalf("updated tenant = %+v", a)
	}
	if l.st.Tenant("nope") != nil {
		t.Fatal("an unknown tenant exists")
	}
	if err := l.apply(12, record.IntentTenantCreated, record.TenantValue{TenantKey: 12, TenantID: "acme"}); err == nil {
		t.Fatal("a second tenant with the same id was applied")
	}
	if err := l.apply(12, record.IntentTenantCreated, record.TenantValue{TenantKey: 12, TenantID: record.DefaultTenant}); err == nil {
		t.Fatal("the default tenant was created")
	}
}

func TestMembershipsAreIndexedBothWays(t *testing.T) {
	l := newTenantLog(t)
	l.must(10, record.IntentTenantCreated, record.TenantValue{TenantKey: 10, TenantID: "b"})
	l.must(11, record.IntentTenantCreated, record.TenantValue{TenantKey: 11, TenantID: "a"})
	l.must(12, record.IntentTenantEntityAdded, record.TenantValue{TenantKey: 10, TenantID: "b", EntityType: record.TenantEntityUser, EntityID: "ann"})
	l.must(13, record.IntentTenantEntityAdded, record.TenantValue{TenantKey: 11, TenantID: "a", EntityType: record.TenantEntityUser, EntityID: "ann"})
	l.must(14, record.IntentTenantEntityAdded, record.TenantValue{TenantKey: 11, TenantID: "a", EntityType: record.TenantEntityClient, EntityID: "ann"})
	l.must(15, record.IntentTenantEntityAdded, record.TenantValue{TenantID: record.DefaultTenant, EntityType: record.TenantEntityUser, EntityID: "bob"})
	l.must(16, record.IntentTenantEntityAdded, record.TenantValue{TenantKey: 11, TenantID: "a", EntityType: record.TenantEntityUser, EntityID: "adam"})

	if got := l.st.TenantsOf(record.TenantEntityUser, "ann"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("tenants of user ann = %v", got)
	}
	if got := l.st.TenantsOf(record.TenantEntityClient, "ann"); !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("tenants of client ann = %v", got)
	}
	if got := l.st.TenantsOf(record.TenantEntityUser, "bob"); !reflect.DeepEqual(got, []string{record.DefaultTenant}) {
		t.Fatalf("tenants of bob = %v", got)
	}
	if got := l.st.TenantsOf(record.TenantEntityUser, "nobody"); len(got) != 0 {
		t.Fatalf("tenants of nobody = %v", got)
	}
	if got := members(l.st.TenantMembers("a")); !reflect.DeepEqual(got, []string{"CLIENT:ann", "USER:adam", "USER:ann"}) {
		t.Fatalf("members of a = %v", got)
	}
	if m := l.st.TenantMember("a", record.TenantEntityUser, "ann"); m == nil || m.Key != 13 {
		t.Fatalf("membership of ann in a = %+v", m)
	}
	if err := l.apply(17, record.IntentTenantEntityAdded, record.TenantValue{TenantID: "a", EntityType: record.TenantEntityUser, EntityID: "ann"}); err == nil {
		t.Fatal("a duplicate membership was applied")
	}
	if err := l.apply(17, record.IntentTenantEntityAdded, record.TenantValue{TenantID: "nope", EntityType: record.TenantEntityUser, EntityID: "ann"}); err == nil {
		t.Fatal("a membership of an unknown tenant was applied")
	}
	if err := l.apply(10, record.IntentTenantDeleted, record.TenantValue{TenantKey: 10, TenantID: "b"}); err == nil {
		t.Fatal("a tenant with members was deleted")
	}

	l.must(13, record.IntentTenantEntityRemoved, record.TenantValue{TenantKey: 11, TenantID: "a", EntityType: record.TenantEntityUser, EntityID: "ann"})
	if got := l.st.TenantsOf(record.TenantEntityUser, "ann"); !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("tenants of ann after removal = %v", got)
	}
	if l.st.TenantMember("a", record.TenantEntityUser, "ann") != nil {
		t.Fatal("removed membership still found")
	}
	if row := l.members[13]; row.Live || row.Value.EntityID != "ann" {
		t.Fatalf("row of the removed membership = %+v", row)
	}
	l.must(12, record.IntentTenantEntityRemoved, record.TenantValue{TenantKey: 10, TenantID: "b", EntityType: record.TenantEntityUser, EntityID: "ann"})
	l.must(10, record.IntentTenantDeleted, record.TenantValue{TenantKey: 10, TenantID: "b"})
	if l.st.Tenant("b") != nil || l.tenants[10].Live {
		t.Fatalf("deleted tenant still there: %+v", l.tenants[10])
	}
	if err := l.apply(12, record.IntentTenantEntityRemoved, record.TenantValue{}); err == nil {
		t.Fatal("a removed membership was removed again")
	}
}

func TestTenantsSurviveSnapshotAndReplay(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		l := newTenantLog(rt)
		key := int64(100)
		names := []string{record.DefaultTenant, "a", "b", "c"}
		entities := []string{"ann", "bob"}
		for range rapid.IntRange(0, 40).Draw(rt, "steps") {
			id := rapid.SampledFrom(names).Draw(rt, "tenant")
			typ := rapid.SampledFrom([]string{record.TenantEntityUser, record.TenantEntityClient}).Draw(rt, "type")
			who := rapid.SampledFrom(entities).Draw(rt, "entity")
			tn := l.st.Tenant(id)
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0:
				if tn == nil {
					key++
					l.must(key, record.IntentTenantCreated, record.TenantValue{TenantKey: key, TenantID: id, Name: "n" + id})
				}
			case 1:
				if tn != nil && tn.Key != 0 {
					l.must(tn.Key, record.IntentTenantUpdated, record.TenantValue{TenantKey: tn.Key, TenantID: id, Name: fmt.Sprint("m", key), Description: "d"})
				}
			case 2:
				if tn != nil && tn.Key != 0 {
					for _, m := range l.st.TenantMembers(id) {
						l.must(m.Key, record.IntentTenantEntityRemoved, m.Value)
					}
					l.must(tn.Key, record.IntentTenantDeleted, tn.Value)
				}
			case 3:
				if tn != nil && l.st.TenantMember(id, typ, who) == nil {
					key++
					l.must(key, record.IntentTenantEntityAdded, record.TenantValue{TenantKey: tn.Key, TenantID: id, EntityType: typ, EntityID: who})
				}
			case 4:
				if m := l.st.TenantMember(id, typ, who); m != nil {
					l.must(m.Key, record.IntentTenantEntityRemoved, m.Value)
				}
			}
		}
		live := string(l.st.Dump())
		replayed := New(nil, nil)
		for _, r := range l.records {
			if err := replayed.Apply(r); err != nil {
				rt.Fatal(err)
			}
		}
		if got := string(replayed.Dump()); got != live {
			rt.Fatalf("replay differs:\n%s\n%s", got, live)
		}
		restored, err := Restore(nil, nil, l.snapshot())
		if err != nil {
			rt.Fatal(err)
		}
		if got := string(restored.Dump()); got != live {
			rt.Fatalf("restore differs:\n%s\n%s", got, live)
		}
		for _, who := range entities {
			if a, b := restored.TenantsOf(record.TenantEntityUser, who), l.st.TenantsOf(record.TenantEntityUser, who); !reflect.DeepEqual(a, b) {
				rt.Fatalf("restored tenants of %s = %v, want %v", who, a, b)
			}
		}
	})
}

func TestRestoreRefusesAMembershipOfAMissingTenant(t *testing.T) {
	_, err := Restore(nil, nil, &Snapshot{TenantMembers: []TenantMember{{Key: 5, Value: record.TenantValue{TenantID: "gone", EntityType: record.TenantEntityUser, EntityID: "ann"}}}})
	if err == nil {
		t.Fatal("restored a membership of a tenant that does not exist")
	}
}
