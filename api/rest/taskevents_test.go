package rest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/taskevents"
	"github.com/example/wf-engine/core/store/memstore"
)

// stream is an open event stream.
type stream struct {
	t    *testing.T
	res  *http.Response
	r    *bufio.Reader
	stop context.CancelFunc
}

// listen opens the event stream; it fails the test unless it answers 200.
func listen(t *testing.T, c *client, header ...string) *stream {
	t.Helper()
	ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v2/x/user-tasks/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	s := &stream{t: t, res: res, r: bufio.NewReader(res.Body), stop: stop}
	t.Cleanup(func() { stop(); _ = res.Body.Close() })
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return s
}

// next reads one event block (up to a blank line), without its newlines.
func (s *stream) next() string {
	s.t.Helper()
	var lines []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Fatalf("read the event stream after %q: %v", lines, err)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return strings.Join(lines, "\n")
		}
		lines = append(lines, line)
	}
}

// changed reads blocks until a changed event and returns its position.
func (s *stream) changed() int64 {
	s.t.Helper()
	for {
		b := s.next()
		data, ok := strings.CutPrefix(b, "event: changed\ndata: ")
		if !ok {
			continue // a heartbeat or the retry hint
		}
		var d struct{ Position int64 }
		if err := json.Unmarshal([]byte(data), &d); err != nil || d.Position <= 0 {
			s.t.Fatalf("changed event %q: %v", b, err)
		}
		return d.Position
	}
}

// TestUserTaskEvents: the stream says when user tasks changed, beats while
// idle, is bounded, and ends when the server drains.
func TestUserTaskEvents(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{TaskEvents: taskevents.New(1), EventsHeartbeat: 20 * time.Millisecond})
			want(t, c.deploy("approval.bpmn"), http.StatusOK)
			s := listen(t, c)
			if first := s.next(); first != "retry: 5000" {
				t.Fatalf("first block %q", first)
			}
			if hb := s.next(); hb != ": heartbeat" {
				t.Fatalf("idle stream: %q", hb)
			}
			pi := createProcess(t, c, "approval", map[string]any{"amount": 1, "urgent": false, "reviewers": []string{}})
			created := s.changed()
			task := str(searchTasks(t, c, filter(map[string]any{"processInstanceKey": pi}))[0], "userTaskKey")
			want(t, c.post("/v2/user-tasks/"+task+"/assignment", map[string]any{"assignee": "ann"}), http.StatusNoContent)
			if assigned := s.changed(); assigned <= created {
				t.Fatalf("positions %d then %d", created, assigned)
			}
			// One listener is the bound here.
			want(t, c.get("/v2/x/user-tasks/events"), http.StatusServiceUnavailable)
			c.srv.Drain()
			for {
				if _, err := s.r.ReadString('\n'); err != nil {
					break // the server ended the stream
				}
			}
		})
	}
}

func TestUserTaskEventsAccess(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	want(t, c.get("/v2/x/user-tasks/events"), http.StatusNotImplemented)
	a := start(t, memstore.New(memstore.Options{}), rest.Config{TaskEvents: taskevents.New(4), Authenticator: fakeAuth{}, AuthMode: "oidc"})
	want(t, a.send(http.MethodGet, "/v2/x/user-tasks/events", nil, as("worker", "<default>")...), http.StatusForbidden)
	want(t, a.get("/v2/x/user-tasks/events"), http.StatusUnauthorized)
	s := listen(t, a, as("user", "<default>")...)
	if first := s.next(); first != "retry: 5000" {
		t.Fatalf("a user's stream: %q", first)
	}
}
