package runtime

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/example/wf-engine/sdk/connector"
)

// The request names the allowed hosts of each restricted secret the job
// used, and only those: an unrestricted or unused secret is not listed.
func TestRequestCarriesTheAllowedHostsOfTheSecretsItUses(t *testing.T) {
	var seen atomic.Value
	fn := func(_ context.Context, req connector.Request) (connector.Result, error) {
		seen.Store(req.SecretHosts)
		return connector.Result{}, nil
	}
	secrets := Secrets{
		"TOKEN":  {Value: "t", AllowedHosts: []string{"api.example.com", "10.0.0.0/8"}},
		"OPEN":   {Value: "o"},
		"UNUSED": {Value: "u", AllowedHosts: []string{"other.example.com"}},
	}
	h := start(t, fn, Config{Secrets: secrets}, AllSecrets())
	h.jobs.add(job(1, 3, nil, map[string]any{"a": "{{secrets.TOKEN}}", "b": "{{secrets.OPEN}}"}))
	if c := h.jobs.next(t); c.kind != "complete" {
		t.Fatalf("got %+v", c)
	}
	want := map[string][]string{"TOKEN": {"api.example.com", "10.0.0.0/8"}}
	if got, _ := seen.Load().(map[string][]string); !reflect.DeepEqual(got, want) {
		t.Fatalf("secret hosts %v, want %v", got, want)
	}
	h.jobs.add(job(2, 3, nil, map[string]any{"b": "{{secrets.OPEN}}"}))
	if c := h.jobs.next(t); c.kind != "complete" {
		t.Fatalf("got %+v", c)
	}
	if got, _ := seen.Load().(map[string][]string); got != nil {
		t.Fatalf("an unrestricted secret gave secret hosts %v", got)
	}
	// The connector cannot widen the configuration through the request.
	if secrets["TOKEN"].AllowedHosts[0] != "api.example.com" {
		t.Fatal("the configuration changed")
	}
}

// A SecretMap (no restriction) never sets SecretHosts.
func TestSecretMapIsUnrestricted(t *testing.T) {
	if got := secretHosts(SecretMap{"TOKEN": "t"}, map[string]string{"TOKEN": "t"}); got != nil {
		t.Fatalf("got %v", got)
	}
}
