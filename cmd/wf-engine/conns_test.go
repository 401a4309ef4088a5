package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPerClientConnectionLimit: a client's connections beyond the limit
// are closed at once; closing one frees its slot.
func TestPerClientConnectionLimit(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newPerClientListener(inner, 2)
	defer func() { _ = ln.Close() }()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	first, _ := dial(), dial()
	server1, server2 := <-accepted, <-accepted
	third := dial()
	// The listener closes the third at once: reading it ends with EOF.
	_ = third.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := third.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("the connection over the limit was not closed: %v", err)
	}
	if n := ln.refusedCount(); n != 1 {
		t.Fatalf("refused %d connections, want 1", n)
	}
	_ = first.Close()
	_ = server1.Close()
	dial()
	select {
	case c := <-accepted:
		_ = c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("a freed slot was not given to the next connection")
	}
	_ = server2.Close()
}

// TestSlowBodyIsCutOff: a client that sends headers and then trickles its
// body is disconnected after http.read_timeout, not held.
func TestSlowBodyIsCutOff(t *testing.T) {
	base, _ := serveArgs(t, []string{"--http.read_timeout", "300ms"}, "WF_DATABASE_URL=memory")
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if _, err := io.WriteString(c, "POST /v2/process-instances/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	for {
		if _, err := r.ReadByte(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server held a trickling client for 20 s")
			}
			return // closed (after an answer, if any)
		}
	}
}

// TestLongPollOutlivesReadTimeout: http.read_timeout bounds reading a
// request, not answering it: a long poll that gets its job after the read
// timeout has passed still hands it out.
func TestLongPollOutlivesReadTimeout(t *testing.T) {
	base, _ := serveArgs(t, []string{"--http.read_timeout", "300ms"}, "WF_DATABASE_URL=memory")
	model, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, base, "order.bpmn", model)
	got := make(chan string, 1)
	go func() {
		res, err := http.Post(base+"/v2/jobs/activation", "application/json",
			strings.NewReader(`{"type":"charge-card","timeout":60000,"maxJobsToActivate":1,"requestTimeout":20000}`))
		if err != nil {
			got <- err.Error()
			return
		}
		defer func() { _ = res.Body.Close() }()
		b, _ := io.ReadAll(res.Body)
		got <- string(b)
	}()
	time.Sleep(time.Second) // let the read timeout pass while the poll waits
	if status, b := send(t, http.MethodPost, base+"/v2/process-instances", "application/json", strings.NewReader(`{"processDefinitionId":"order"}`)); status != http.StatusOK {
		t.Fatalf("create: %d %s", status, b)
	}
	if answer := <-got; !strings.Contains(answer, `"jobKey"`) {
		t.Fatalf("the long poll did not hand out the job that appeared after the read timeout: %s", answer)
	}
}
