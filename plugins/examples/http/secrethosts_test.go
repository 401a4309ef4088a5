package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	httpconn "github.com/example/wf-engine/connectors/http"
	"github.com/example/wf-engine/connectors/http/httpsuite"
	"github.com/example/wf-engine/sdk/connector"
)

// The secrets' allowed hosts cross the plugin boundary with the request:
// the plugin, built on the HTTP connector, sends to an allowed host and
// refuses another with a typed input error naming secret and host.
func TestHTTPPluginKeepsSecretsToTheirAllowedHosts(t *testing.T) {
	t.Parallel()
	a := httpsuite.Start(t)
	c := startBinary(t, loopbackAllowed)
	hosts := map[string][]string{"TOKEN": {"127.0.0.1"}}
	res, err := c.Execute(t.Context(), connector.Request{JobKey: 1, JobType: httpconn.JobType, SecretHosts: hosts, Input: map[string]any{"url": a.URL + "/ok"}})
	if err != nil || fmt.Sprint(res.Response.(map[string]any)["status"]) != "200" {
		t.Fatalf("an allowed host: %v, %v", res, err)
	}
	other := strings.Replace(a.URL, "127.0.0.1", "localhost", 1)
	_, err = c.Execute(t.Context(), connector.Request{JobKey: 2, JobType: httpconn.JobType, SecretHosts: hosts, Input: map[string]any{"url": other + "/ok"}})
	var ie *connector.InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Reason, "secret TOKEN may not be sent to host localhost") {
		t.Fatalf("got %T %v, want an input error naming the secret and the host", err, err)
	}
}
