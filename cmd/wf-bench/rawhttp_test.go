package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawServer serves what the raw client must read: answers framed by
// Content-Length and chunked, 204s, 429s with Retry-After, a closing
// answer and a long poll; it counts the connections opened.
func rawServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"echo":` + string(b) + `}`))
	})
	mux.HandleFunc("POST /big", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"echo":"`))
		for range 3 { // flushed parts: a chunked answer
			_, _ = w.Write([]byte(strings.Repeat("x", 5000)))
			w.(http.Flusher).Flush()
		}
		_, _ = w.Write([]byte(`"}`))
	})
	mux.HandleFunc("POST /none", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /busy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("POST /bye", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Connection", "close")
		_, _ = w.Write([]byte(`{"echo":"bye"}`))
	})
	mux.HandleFunc("POST /poll", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestRawClientAnswers(t *testing.T) {
	srv, conns := rawServer(t)
	c := newRawClient(strings.TrimPrefix(srv.URL, "http://"), "tok", 5*time.Second)
	defer c.close()
	ctx := context.Background()
	var out struct {
		Echo any `json:"echo"`
	}
	for i := range 3 { // one connection, kept alive
		status, _, err := c.post(ctx, "/echo", []byte(`{"n":1}`), &out)
		if err != nil || status != http.StatusOK || out.Echo.(map[string]any)["n"] != 1.0 {
			t.Fatalf("request %d: %d %v %v", i, status, err, out.Echo)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for three requests in a row, want 1", n)
	}
	if status, _, err := c.post(ctx, "/big", nil, &out); err != nil || status != http.StatusOK || len(out.Echo.(string)) != 15000 {
		t.Fatalf("chunked answer: %d %v, %d bytes", status, err, len(out.Echo.(string)))
	}
	if status, _, err := c.post(ctx, "/none", nil, &out); err != nil || status != http.StatusNoContent {
		t.Fatalf("204: %d %v", status, err)
	}
	if status, wait, err := c.post(ctx, "/busy", nil, &out); err != nil || status != http.StatusTooManyRequests || wait != 3*time.Second {
		t.Fatalf("429: %d %v %v", status, wait, err)
	}
	if status, _, err := c.post(ctx, "/bye", nil, &out); err != nil || status != http.StatusOK || out.Echo != "bye" {
		t.Fatalf("closing answer: %d %v %v", status, err, out.Echo)
	}
	if status, _, err := c.post(ctx, "/echo", []byte(`2`), &out); err != nil || status != http.StatusOK || out.Echo != 2.0 {
		t.Fatalf("after a closing answer: %d %v %v", status, err, out.Echo)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (a new one after Connection: close)", n)
	}
	if status, _, err := c.post(ctx, "/missing", nil, &out); err != nil || status != http.StatusNotFound {
		t.Fatalf("404: %d %v", status, err)
	}
}

// A kept-alive connection the server closed before the next request is
// replaced and the request sent again; one idle for longer than maxIdle is
// not reused.
func TestRawClientReplacesClosedConnections(t *testing.T) {
	srv, conns := rawServer(t)
	c := newRawClient(strings.TrimPrefix(srv.URL, "http://"), "tok", 5*time.Second)
	defer c.close()
	ctx := context.Background()
	var out struct {
		Echo any `json:"echo"`
	}
	post := func(n int) {
		t.Helper()
		status, _, err := c.post(ctx, "/echo", []byte(strconv.Itoa(n)), &out)
		if err != nil || status != http.StatusOK || out.Echo != float64(n) {
			t.Fatalf("request %d: %d %v %v", n, status, err, out.Echo)
		}
	}
	post(1)
	srv.CloseClientConnections() // the idle connection is closed under the client
	post(2)
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (a new one for the closed one)", n)
	}
	c.mu.Lock()
	if len(c.idle) != 1 {
		t.Fatalf("%d idle connections, want 1", len(c.idle))
	}
	c.idle[0].used = time.Now().Add(-maxIdle)
	c.mu.Unlock()
	post(3)
	if n := conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3 (a connection idle for maxIdle is not reused)", n)
	}
}

// A canceled run ends the long polls it waits for.
func TestRawClientCancel(t *testing.T) {
	srv, _ := rawServer(t)
	c := newRawClient(strings.TrimPrefix(srv.URL, "http://"), "", time.Minute)
	defer c.close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := c.post(ctx, "/poll", nil, nil)
		done <- err
	}()
	time.AfterFunc(50*time.Millisecond, cancel)
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled long poll: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not end when its context did")
	}
}

func TestReadAnswerRefusesMalformed(t *testing.T) {
	for _, answer := range []string{
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"SMTP ready\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
	} {
		rc := &rawConn{r: bufio.NewReader(strings.NewReader(answer))}
		if _, _, _, _, err := readAnswer(rc); err == nil {
			t.Errorf("readAnswer(%q) succeeded", answer)
		}
	}
	rc := &rawConn{r: bufio.NewReader(strings.NewReader("HTTP/1.0 200 OK\r\n\r\nto the end"))}
	status, _, body, keep, err := readAnswer(rc)
	if err != nil || status != 200 || string(body) != "to the end" || keep {
		t.Fatalf("HTTP/1.0 answer to the end: %d %q keep %v %v", status, body, keep, err)
	}
	rc = &rawConn{r: bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: v\r\n\r\n"))}
	if _, _, body, keep, err := readAnswer(rc); err != nil || string(body) != "abcd" || !keep {
		t.Fatalf("chunked with an extension and a trailer: %q keep %v %v", body, keep, err)
	}
}
