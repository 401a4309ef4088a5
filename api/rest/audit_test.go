package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// auditServer runs an engine on which root deployed, ann created an
// instance at 12:01 and was refused one at 12:02, and somebody with
// authentication off published a message. It serves the API (auth.mode
// none) over q, or the memstore when q is nil.
func auditServer(t *testing.T, q func(*memstore.Store) Querier) (http.Handler, int64) {
	t.Helper()
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: mc, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	xml, err := os.ReadFile("testdata/noop.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	as := func(p *record.Principal) context.Context { return engine.WithPrincipal(context.Background(), p) }
	root := &record.Principal{Subject: "root", Roles: []string{"admin"}}
	ann := &record.Principal{Subject: "ann", ClientID: "webapp", Roles: []string{"operator"}, Tenants: []string{record.DefaultTenant}}
	if _, err := eng.Deploy(as(root), engine.DeployRequest{Resources: []record.Resource{{Name: "noop.bpmn", Content: xml}}}); err != nil {
		t.Fatal(err)
	}
	mc.Advance(time.Minute)
	ci, err := eng.CreateInstance(as(ann), engine.CreateInstanceRequest{BPMNProcessID: "noop"})
	if err != nil {
		t.Fatal(err)
	}
	mc.Advance(time.Minute)
	if _, err := eng.CreateInstance(as(ann), engine.CreateInstanceRequest{BPMNProcessID: "nope"}); err == nil {
		t.Fatal("an unknown process was started")
	}
	if _, err := eng.PublishMessage(context.Background(), engine.PublishMessageRequest{Name: "m"}); err != nil {
		t.Fatal(err)
	}
	var querier Querier = st
	if q != nil {
		querier = q(st)
	}
	s, err := New(Config{}, eng, querier, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler(), ci.ProcessInstanceKey
}

func postAudit(t *testing.T, h http.Handler, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v2/x/audit/search", bytes.NewBufferString(body))
	req.Host = "127.0.0.1" // auth.mode none serves loopback names only
	req.RemoteAddr = "127.0.0.1:50000"
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: answer is not JSON: %s", body, rec.Body)
	}
	return rec.Code, out
}

func auditItems(t *testing.T, out map[string]any) []map[string]any {
	t.Helper()
	raw, _ := out["items"].([]any)
	items := make([]map[string]any, len(raw))
	for i, r := range raw {
		items[i] = r.(map[string]any)
	}
	return items
}

func TestSearchAuditListsWhoDidWhat(t *testing.T) {
	h, instance := auditServer(t, nil)
	code, out := postAudit(t, h, "")
	items := auditItems(t, out)
	if code != http.StatusOK || len(items) != 3 {
		t.Fatalf("%d %v", code, out)
	}
	deploy, create, refused := items[0], items[1], items[2]
	if p := deploy["principal"].(map[string]any); p["subject"] != "root" || p["clientId"] != nil || deploy["valueType"] != "DEPLOYMENT" || deploy["intent"] != "CREATE" {
		t.Fatalf("deployment: %v", deploy)
	}
	if create["resultKey"] != strconv.FormatInt(instance, 10) || create["key"] != "0" || create["rejected"] != false || create["timestamp"] != "2026-03-01T12:01:00.000Z" {
		t.Fatalf("creation: %v", create)
	}
	if refused["rejected"] != true || refused["rejectionType"] != "NOT_FOUND" || refused["rejectionReason"] == "" || refused["resultKey"] != nil {
		t.Fatalf("refused creation: %v", refused)
	}
	p := create["principal"].(map[string]any)
	if p["subject"] != "ann" || p["clientId"] != "webapp" || len(p["roles"].([]any)) != 1 || len(p["tenants"].([]any)) != 1 {
		t.Fatalf("ann: %v", p)
	}
	if _, err := strconv.ParseInt(deploy["position"].(string), 10, 64); err != nil {
		t.Fatalf("position %v", deploy["position"])
	}
	if end := out["page"].(map[string]any)["endCursor"]; end != refused["position"] {
		t.Fatalf("endCursor %v, last position %v", end, refused["position"])
	}
}

func TestSearchAuditFiltersAndPages(t *testing.T) {
	h, instance := auditServer(t, nil)
	key := strconv.FormatInt(instance, 10)
	for body, want := range map[string][]string{
		`{"filter":{"subject":"ann"}}`:                                                {"ann CREATE", "ann CREATE"},
		`{"filter":{"clientId":"webapp","valueType":"PROCESS_INSTANCE_CREATION"}}`:    {"ann CREATE", "ann CREATE"},
		`{"filter":{"intent":"CREATE","valueType":"DEPLOYMENT"}}`:                     {"root CREATE"},
		`{"filter":{"key":"` + key + `"}}`:                                            {"ann CREATE"},
		`{"filter":{"key":` + key + `}}`:                                              {"ann CREATE"},
		`{"filter":{"from":"2026-03-01T12:01:00Z","to":"2026-03-01T13:01:30+01:00"}}`: {"ann CREATE"},
		`{"filter":{"subject":"mallory"}}`:                                            {},
	} {
		code, out := postAudit(t, h, body)
		got := []string{}
		for _, it := range auditItems(t, out) {
			got = append(got, it["principal"].(map[string]any)["subject"].(string)+" "+it["intent"].(string))
		}
		if code != http.StatusOK || len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("%s: %d %v, want %v", body, code, got, want)
		}
		if len(got) == 0 && out["page"].(map[string]any)["endCursor"] != nil {
			t.Errorf("%s: an empty page has an endCursor: %v", body, out["page"])
		}
	}
	var positions []any
	after := ""
	for range 5 {
		code, out := postAudit(t, h, `{"page":{"limit":1,"after":"`+after+`"}}`)
		items := auditItems(t, out)
		if code != http.StatusOK || len(items) > 1 {
			t.Fatalf("page after %q: %d %v", after, code, out)
		}
		if len(items) == 0 {
			break
		}
		positions = append(positions, items[0]["position"])
		after = out["page"].(map[string]any)["endCursor"].(string)
	}
	if len(positions) != 3 {
		t.Fatalf("paged one at a time: %v", positions)
	}
}

func TestSearchAuditRefusesBadRequests(t *testing.T) {
	h, _ := auditServer(t, nil)
	for _, body := range []string{
		`{"colour":"red"}`,
		`{"filter":{"colour":"red"}}`,
		`{"page":{"from":3}}`,
		`{"filter":{"valueType":"NOPE"}}`,
		`{"filter":{"intent":"ELEMENT_EXPLODED"}}`,
		`{"filter":{"key":"twelve"}}`,
		`{"filter":{"from":"yesterday"}}`,
		`{"filter":{"to":"2026-03-01"}}`,
		`{"page":{"limit":0}}`,
		`{"page":{"limit":1001}}`,
		`{"page":{"after":"x"}}`,
		`{"page":{"after":"-4"}}`,
		`[`,
	} {
		code, out := postAudit(t, h, body)
		if code != http.StatusBadRequest || out["title"] != titleInvalidArgument || out["detail"] == "" {
			t.Errorf("%s: %d %v", body, code, out)
		}
	}
}

// notAuditing is a querier whose store cannot search the audit log.
type notAuditing struct{ Querier }

func TestSearchAuditNeedsAStoreThatCan(t *testing.T) {
	h, _ := auditServer(t, func(st *memstore.Store) Querier { return notAuditing{st} })
	code, out := postAudit(t, h, `{}`)
	if code != http.StatusNotImplemented || out["status"] != float64(http.StatusNotImplemented) {
		t.Fatalf("%d %v", code, out)
	}
}
