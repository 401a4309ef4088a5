package engine_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// tenantKernel runs tenant commands through a processor and renders the
// records each one writes.
type tenantKernel struct {
	t   *testing.T
	p   *engine.Processor
	now int64
	all []*record.Record
}

func newTenantKernel(t *testing.T) *tenantKernel {
	return &tenantKernel{t: t, p: engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry()), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}
}

// run processes one tenant command and returns its records after the
// command, one line each: KIND INTENT key tenantKey tenantId name/description entity.
func (k *tenantKernel) run(intent record.Intent, v record.TenantValue) (*engine.Result, []string) {
	k.t.Helper()
	k.now++
	res, err := k.p.Process(&record.Record{ValueType: record.TypeTenant, Intent: intent, Version: 1, Timestamp: k.now, Value: &v})
	if err != nil {
		k.t.Fatal(err)
	}
	if err := k.p.State().Check(); err != nil {
		k.t.Fatal(err)
	}
	k.all = append(k.all, res.Records...)
	var lines []string
	for _, r := range res.Records[1:] {
		tv := r.Value.(*record.TenantValue)
		line := fmt.Sprintf("%s %s key=%d tenantKey=%d %s", r.Kind, r.Intent, r.Key, tv.TenantKey, tv.TenantID)
		if tv.Name != "" || tv.Description != "" {
			line += fmt.Sprintf(" %q/%q", tv.Name, tv.Description)
		}
		if tv.EntityType != "" {
			line += " " + tv.EntityType + ":" + tv.EntityID
		}
		lines = append(lines, line)
	}
	return res, lines
}

func (k *tenantKernel) expect(intent record.Intent, v record.TenantValue, want ...string) *engine.Result {
	k.t.Helper()
	res, got := k.run(intent, v)
	if !reflect.DeepEqual(got, want) {
		k.t.Fatalf("%s %+v wrote\n  %s\nwant\n  %s", intent, v, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	return res
}

func (k *tenantKernel) rejected(intent record.Intent, v record.TenantValue, typ record.RejectionType, reason string) {
	k.t.Helper()
	res, _ := k.run(intent, v)
	if res.Rejection == nil || res.Rejection.Type != typ || !strings.Contains(res.Rejection.Reason, reason) {
		k.t.Fatalf("%s %+v: got rejection %v, want %s containing %q", intent, v, res.Rejection, typ, reason)
	}
	if len(res.Records) != 2 || res.Records[1].Kind != record.KindRejection {
		k.t.Fatalf("a rejected command wrote %d records", len(res.Records))
	}
}

const k1 = int64(1)<<record.KeyPartitionShift | 1

func key(n int64) int64 { return int64(1)<<record.KeyPartitionShift | n }

func TestTenantLifecycleThroughTheEventStream(t *testing.T) {
	k := newTenantKernel(t)
	res := k.expect(record.IntentTenantCreate, record.TenantValue{TenantID: "acme", Name: "Acme", Description: "the first"},
		fmt.Sprintf(`EVENT CREATED key=%d tenantKey=%d acme "Acme"/"the first"`, key(1), key(1)))
	if c, ok := res.Response.(*engine.CreatedTenant); !ok || c.Key != key(1) || c.TenantID != "acme" || c.Name != "Acme" || c.Description != "the first" {
		t.Fatalf("create answered %+v", res.Response)
	}
	k.expect(record.IntentTenantUpdate, record.TenantValue{TenantID: "acme", Name: "ACME", Description: ""},
		fmt.Sprintf(`EVENT UPDATED key=%d tenantKey=%d acme "ACME"/""`, key(1), key(1)))
	k.expect(record.IntentTenantAddEntity, record.TenantValue{TenantID: "acme", EntityType: record.TenantEntityUser, EntityID: "ann"},
		fmt.Sprintf(`EVENT ENTITY_ADDED key=%d tenantKey=%d acme USER:ann`, key(2), key(1)))
	k.expect(record.IntentTenantAddEntity, record.TenantValue{TenantID: "acme", EntityType: record.TenantEntityClient, EntityID: "worker-1"},
		fmt.Sprintf(`EVENT ENTITY_ADDED key=%d tenantKey=%d acme CLIENT:worker-1`, key(3), key(1)))
	k.expect(record.IntentTenantAddEntity, record.TenantValue{TenantID: record.DefaultTenant, EntityType: record.TenantEntityUser, EntityID: "ann"},
		fmt.Sprintf(`EVENT ENTITY_ADDED key=%d tenantKey=0 <default> USER:ann`, key(4)))
	st := k.p.State()
	if got := st.TenantsOf(record.TenantEntityUser, "ann"); !reflect.DeepEqual(got, []string{"<default>", "acme"}) {
		t.Fatalf("ann's tenants = %v", got)
	}
	k.expect(record.IntentTenantRemoveEntity, record.TenantValue{TenantID: record.DefaultTenant, EntityType: record.TenantEntityUser, EntityID: "ann"},
		fmt.Sprintf(`EVENT ENTITY_REMOVED key=%d tenantKey=0 <default> USER:ann`, key(4)))
	// Deleting a tenant removes its members first, as Camunda does.
	k.expect(record.IntentTenantDelete, record.TenantValue{TenantID: "acme"},
		fmt.Sprintf(`EVENT ENTITY_REMOVED key=%d tenantKey=%d acme CLIENT:worker-1`, key(3), key(1)),
		fmt.Sprintf(`EVENT ENTITY_REMOVED key=%d tenantKey=%d acme USER:ann`, key(2), key(1)),
		fmt.Sprintf(`EVENT DELETED key=%d tenantKey=%d acme "ACME"/""`, key(1), key(1)))
	if st.Tenant("acme") != nil || len(st.TenantsOf(record.TenantEntityUser, "ann")) != 0 {
		t.Fatal("the deleted tenant or its memberships are still there")
	}
	// The id is free again: a new tenant gets a new key.
	k.expect(record.IntentTenantCreate, record.TenantValue{TenantID: "acme", Name: "Acme again"},
		fmt.Sprintf(`EVENT CREATED key=%d tenantKey=%d acme "Acme again"/""`, key(5), key(5)))

	// The log replays to the same state.
	replayed := engine.NewState(standard.Registry())
	for _, r := range k.all {
		if err := replayed.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	if string(replayed.Dump()) != string(st.Dump()) {
		t.Fatal("replaying the tenant log gives another state")
	}
}

func TestTenantCommandsAreRejectedAsCamundaRejectsThem(t *testing.T) {
	k := newTenantKernel(t)
	k.expect(record.IntentTenantCreate, record.TenantValue{TenantID: "acme", Name: "Acme"},
		fmt.Sprintf(`EVENT CREATED key=%d tenantKey=%d acme "Acme"/""`, k1, k1))
	user := func(tenant, id string) record.TenantValue {
		return record.TenantValue{TenantID: tenant, EntityType: record.TenantEntityUser, EntityID: id}
	}
	k.expect(record.IntentTenantAddEntity, user("acme", "ann"), fmt.Sprintf(`EVENT ENTITY_ADDED key=%d tenantKey=%d acme USER:ann`, key(2), k1))
	for _, c := range []struct {
		name   string
		intent record.Intent
		v      record.TenantValue
		typ    record.RejectionType
		reason string
	}{
		{"create an existing tenant", record.IntentTenantCreate, record.TenantValue{TenantID: "acme", Name: "x"}, record.RejectionAlreadyExists, "already exists"},
		{"create the default tenant", record.IntentTenantCreate, record.TenantValue{TenantID: record.DefaultTenant, Name: "x"}, record.RejectionAlreadyExists, "already exists"},
		{"create with a bad id", record.IntentTenantCreate, record.TenantValue{TenantID: "a b", Name: "x"}, record.RejectionInvalidArgument, "tenant id"},
		{"create with an empty id", record.IntentTenantCreate, record.TenantValue{Name: "x"}, record.RejectionInvalidArgument, "tenant id"},
		{"create with a long id", record.IntentTenantCreate, record.TenantValue{TenantID: strings.Repeat("a", 257), Name: "x"}, record.RejectionInvalidArgument, "tenant id"},
		{"create without a name", record.IntentTenantCreate, record.TenantValue{TenantID: "other"}, record.RejectionInvalidArgument, "name is empty"},
		{"update an unknown tenant", record.IntentTenantUpdate, record.TenantValue{TenantID: "nope", Name: "x"}, record.RejectionNotFound, "no tenant with this id"},
		{"update without a name", record.IntentTenantUpdate, record.TenantValue{TenantID: "acme"}, record.RejectionInvalidArgument, "name is empty"},
		{"update the default tenant", record.IntentTenantUpdate, record.TenantValue{TenantID: record.DefaultTenant, Name: "x"}, record.RejectionInvalidArgument, "cannot be updated"},
		{"delete an unknown tenant", record.IntentTenantDelete, record.TenantValue{TenantID: "nope"}, record.RejectionNotFound, "no tenant with this id"},
		{"delete the default tenant", record.IntentTenantDelete, record.TenantValue{TenantID: record.DefaultTenant}, record.RejectionInvalidArgument, "cannot be deleted"},
		{"add to an unknown tenant", record.IntentTenantAddEntity, user("nope", "ann"), record.RejectionNotFound, "no tenant with this id"},
		{"add a member twice", record.IntentTenantAddEntity, user("acme", "ann"), record.RejectionAlreadyExists, "already assigned"},
		{"add a group", record.IntentTenantAddEntity, record.TenantValue{TenantID: "acme", EntityType: "GROUP", EntityID: "g"}, record.RejectionInvalidArgument, "entity type is 'GROUP'"},
		{"add an empty id", record.IntentTenantAddEntity, user("acme", ""), record.RejectionInvalidArgument, "USER id"},
		{"remove a non-member", record.IntentTenantRemoveEntity, user("acme", "bob"), record.RejectionNotFound, "not assigned"},
		{"remove a client that is a user", record.IntentTenantRemoveEntity, record.TenantValue{TenantID: "acme", EntityType: record.TenantEntityClient, EntityID: "ann"}, record.RejectionNotFound, "not assigned"},
		{"remove from an unknown tenant", record.IntentTenantRemoveEntity, user("nope", "ann"), record.RejectionNotFound, "no tenant with this id"},
		{"an event as a command", record.IntentTenantCreated, record.TenantValue{TenantID: "x", Name: "x"}, record.RejectionInvalidArgument, "no processor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k.t = t
			k.rejected(c.intent, c.v, c.typ, c.reason)
		})
	}
}

func TestTenantClientRoundTripAndRestart(t *testing.T) {
	ctx := context.Background()
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, st, mc)
	var tc engine.TenantClient = e
	created, err := tc.CreateTenant(ctx, engine.TenantRequest{TenantID: "acme", Name: "Acme", Description: "d"})
	if err != nil || created.TenantID != "acme" || created.Key == 0 {
		t.Fatalf("create: %+v, %v", created, err)
	}
	if err := tc.UpdateTenant(ctx, engine.TenantRequest{TenantID: "acme", Name: "Acme Inc", Description: "e"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []engine.TenantMemberRequest{
		{TenantID: "acme", EntityType: record.TenantEntityUser, EntityID: "ann"},
		{TenantID: "acme", EntityType: record.TenantEntityClient, EntityID: "worker"},
		{TenantID: record.DefaultTenant, EntityType: record.TenantEntityUser, EntityID: "bob"},
	} {
		if err := tc.AddTenantMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := tc.RemoveTenantMember(ctx, engine.TenantMemberRequest{TenantID: "acme", EntityType: record.TenantEntityClient, EntityID: "worker"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.CreateTenant(ctx, engine.TenantRequest{TenantID: "gone", Name: "Gone"}); err != nil {
		t.Fatal(err)
	}
	if err := tc.DeleteTenant(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	err = tc.DeleteTenant(ctx, "gone")
	if rj, ok := engine.AsRejection(err); !ok || rj.Type != record.RejectionNotFound {
		t.Fatalf("deleting twice: %v", err)
	}
	var before string
	if err := e.Read(ctx, func(s *state.State) { before = string(s.Dump()) }); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	again := start(t, st, mc)
	if err := again.Read(ctx, func(s *state.State) {
		if got := string(s.Dump()); got != before {
			t.Errorf("state after restart differs:\n%s\n%s", got, before)
		}
		if a := s.Tenant("acme"); a == nil || a.Value.Name != "Acme Inc" || a.Value.Description != "e" || a.Key != created.Key {
			t.Errorf("acme after restart = %+v", a)
		}
		if s.Tenant("gone") != nil {
			t.Error("a deleted tenant came back")
		}
		if got := s.TenantsOf(record.TenantEntityUser, "ann"); !reflect.DeepEqual(got, []string{"acme"}) {
			t.Errorf("ann's tenants after restart = %v", got)
		}
		if got := s.TenantsOf(record.TenantEntityClient, "worker"); len(got) != 0 {
			t.Errorf("a removed client is still a member: %v", got)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// The restarted engine goes on with new keys and the same rules.
	if err := again.AddTenantMember(ctx, engine.TenantMemberRequest{TenantID: "acme", EntityType: record.TenantEntityUser, EntityID: "ann"}); err == nil {
		t.Fatal("a member was added twice across a restart")
	}
	next, err := again.CreateTenant(ctx, engine.TenantRequest{TenantID: "next", Name: "Next"})
	if err != nil || next.Key <= created.Key {
		t.Fatalf("create after restart: %+v, %v", next, err)
	}
}
