package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// rawClient sends wf-bench's POST requests over plain HTTP/1.1 keep-alive
// connections, each used by one request at a time and written and read by
// the calling goroutine. The engine shares this machine's cores with its
// load generator, and net/http's client costs about as much CPU per
// request as the engine's own HTTP server (two goroutines per connection
// and a hand-over between them for every request, header maps, a reader
// per body): what wf-bench spends is CPU the engine cannot use. -client
// nethttp goes back to net/http. Only http:// addresses use it.
type rawClient struct {
	addr   string // host:port
	host   string // the Host header
	token  string
	dialer net.Dialer
	// timeout bounds a request from its write to the end of its answer.
	timeout time.Duration

	mu   sync.Mutex
	idle []*rawConn
}

// rawConn is one keep-alive connection.
type rawConn struct {
	c    net.Conn
	r    *bufio.Reader
	buf  []byte    // the request being written, then the answer's body
	used time.Time // when it went back to the idle list
}

// errAnswer is a malformed answer: the connection is dropped.
var errAnswer = errors.New("malformed HTTP answer")

// errClosedByServer is a kept-alive connection that the server had closed
// before it took the request: the write failed, or the connection ended
// before the answer's first byte. The server never read the request (it
// answers every request it reads), so it is sent again on a new
// connection, as net/http does. The one-hour soak counted 13 such errors in
// 3.9 million requests before (EOF, broken pipe), each a job completion
// lost to the client and redone after the job's timeout.
var errClosedByServer = errors.New("the server closed the kept-alive connection")

// maxIdle is how long an idle connection may wait for its next request:
// less than any server idle timeout wf-bench meets (the engine's
// http.idle_timeout, net/http's defaults), so that a connection is seldom
// reused just as the server closes it.
const maxIdle = 20 * time.Second

// maxAnswer bounds an answer's body; wf-bench's answers are a few kB.
const maxAnswer = 64 << 20

func newRawClient(hostPort, token string, timeout time.Duration) *rawClient {
	return &rawClient{addr: hostPort, host: hostPort, token: token, timeout: timeout}
}

// post sends body to path and returns the answer's status and its
// Retry-After; a 200's JSON body is decoded into out, if given.
func (c *rawClient) post(ctx context.Context, path string, body []byte, out any) (int, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	rc, reused, err := c.get(ctx)
	if err != nil {
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			// The dial's timeout is ctx's deadline, and it may fire a
			// moment before ctx ends: the caller must see that the run
			// ended, not an i/o timeout.
			<-ctx.Done()
			return 0, 0, ctx.Err()
		}
		return 0, 0, err
	}
	status, retryAfter, answer, keep, err := c.roundTrip(ctx, rc, path, body)
	if reused && errors.Is(err, errClosedByServer) && ctx.Err() == nil {
		_ = rc.c.Close()
		if rc, err = c.dial(ctx); err != nil {
			return 0, 0, err
		}
		status, retryAfter, answer, keep, err = c.roundTrip(ctx, rc, path, body)
	}
	if err == nil && out != nil && status == http.StatusOK {
		if err := json.Unmarshal(answer, out); err != nil {
			_ = rc.c.Close()
			return status, retryAfter, fmt.Errorf("decode answer: %w", err)
		}
	}
	switch {
	case err != nil:
		_ = rc.c.Close()
		if ctx.Err() != nil {
			return 0, 0, ctx.Err()
		}
		return 0, 0, err
	case keep:
		c.put(rc)
	default:
		_ = rc.c.Close()
	}
	return status, retryAfter, nil
}

// roundTrip writes one request and reads its answer; keep says whether
// the connection may carry another.
func (c *rawClient) roundTrip(ctx context.Context, rc *rawConn, path string, body []byte) (status int, retryAfter time.Duration, answer []byte, keep bool, err error) {
	if err := rc.c.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, 0, nil, false, err
	}
	// The end of ctx (a canceled run, the creators' deadline) ends the
	// request it waits for, after ctx.Err() is set: the caller sees why.
	stop := context.AfterFunc(ctx, func() { _ = rc.c.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if !stop() { // the deadline was or is being cut: not for another request
			keep = false
		}
	}()
	b := rc.buf[:0]
	b = append(b, "POST "...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.host...)
	b = append(b, "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	if c.token != "" {
		b = append(b, "\r\nAuthorization: Bearer "...)
		b = append(b, c.token...)
	}
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	rc.buf = b
	if _, err := rc.c.Write(b); err != nil {
		return 0, 0, nil, false, closedByServer(err)
	}
	if _, err := rc.r.Peek(1); err != nil {
		return 0, 0, nil, false, closedByServer(err)
	}
	return readAnswer(rc)
}

// closedByServer wraps err with errClosedByServer when it says the server
// had closed the connection (end of stream, reset, broken pipe), not a
// timeout or the run's end.
func closedByServer(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("%w: %w", errClosedByServer, err)
	}
	return err
}

// readAnswer reads an HTTP/1.1 answer: its status line, the headers
// wf-bench needs, and a body framed by Content-Length or chunked.
func readAnswer(rc *rawConn) (status int, retryAfter time.Duration, body []byte, keep bool, err error) {
	line, err := readLine(rc.r)
	if err != nil {
		return 0, 0, nil, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, 0, nil, false, fmt.Errorf("%w: status line %q", errAnswer, line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, nil, false, fmt.Errorf("%w: status line %q", errAnswer, line)
	}
	keep = line[7] == '1'
	length, chunked := -1, false
	for {
		line, err := readLine(rc.r)
		if err != nil {
			return 0, 0, nil, false, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, 0, nil, false, fmt.Errorf("%w: header line %q", errAnswer, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > maxAnswer {
				return 0, 0, nil, false, fmt.Errorf("%w: Content-Length %q", errAnswer, value)
			}
			length = n
		case asciiEqualFold(name, "Transfer-Encoding"):
			chunked = asciiEqualFold(value, "chunked")
			if !chunked {
				return 0, 0, nil, false, fmt.Errorf("%w: Transfer-Encoding %q", errAnswer, value)
			}
		case asciiEqualFold(name, "Connection"):
			if asciiEqualFold(value, "close") {
				keep = false
			}
		case asciiEqualFold(name, "Retry-After"):
			if secs, err := strconv.Atoi(string(value)); err == nil && secs > 0 {
				retryAfter = time.Duration(secs) * time.Second
			}
		}
	}
	body = rc.buf[:0]
	switch {
	case chunked:
		body, err = readChunked(rc.r, body)
	case length >= 0:
		if cap(body) < length {
			body = make([]byte, length)
		}
		body = body[:length]
		_, err = io.ReadFull(rc.r, body)
	case status == http.StatusNoContent || status == http.StatusNotModified:
	default: // the body runs to the end of the connection
		body, err = readAll(rc.r, body)
		keep = false
	}
	if err != nil {
		return 0, 0, nil, false, err
	}
	rc.buf = body
	return status, retryAfter, body, keep, nil
}

// readChunked appends a chunked body to dst.
func readChunked(r *bufio.Reader, dst []byte) ([]byte, error) {
	for {
		line, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || n < 0 || len(dst)+int(n) > maxAnswer {
			return nil, fmt.Errorf("%w: chunk size %q", errAnswer, line)
		}
		if n == 0 {
			for { // trailers, then the blank line
				line, err := readLine(r)
				if err != nil {
					return nil, err
				}
				if len(line) == 0 {
					return dst, nil
				}
			}
		}
		start := len(dst)
		dst = append(dst, make([]byte, n)...)
		if _, err := io.ReadFull(r, dst[start:]); err != nil {
			return nil, err
		}
		if line, err := readLine(r); err != nil || len(line) != 0 {
			return nil, fmt.Errorf("%w: no CRLF after a chunk", errAnswer)
		}
	}
}

// readAll appends the rest of the connection to dst, up to maxAnswer.
func readAll(r *bufio.Reader, dst []byte) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	n, err := buf.ReadFrom(io.LimitReader(r, maxAnswer+1))
	if err != nil {
		return nil, err
	}
	if n > maxAnswer {
		return nil, fmt.Errorf("%w: body above %d bytes", errAnswer, maxAnswer)
	}
	return buf.Bytes(), nil
}

// readLine reads one CRLF-terminated line without its end; the slice is
// valid until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: line longer than %d bytes", errAnswer, r.Size())
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// asciiEqualFold reports whether b equals s, ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// get returns the most recently used idle connection (reused) or dials
// one; idle connections older than maxIdle are closed.
func (c *rawClient) get(ctx context.Context) (rc *rawConn, reused bool, err error) {
	c.mu.Lock()
	for n := len(c.idle); n > 0; n = len(c.idle) {
		last := c.idle[n-1]
		c.idle = c.idle[:n-1]
		if time.Since(last.used) < maxIdle {
			c.mu.Unlock()
			return last, true, nil
		}
		// Every connection below it waited longer still.
		for _, old := range append(c.idle, last) {
			_ = old.c.Close()
		}
		c.idle = c.idle[:0]
	}
	c.mu.Unlock()
	rc, err = c.dial(ctx)
	return rc, false, err
}

// dial opens a new connection.
func (c *rawClient) dial(ctx context.Context) (*rawConn, error) {
	conn, err := c.dialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	return &rawConn{c: conn, r: bufio.NewReaderSize(conn, 16<<10), buf: make([]byte, 0, 4<<10)}, nil
}

func (c *rawClient) put(rc *rawConn) {
	rc.used = time.Now()
	c.mu.Lock()
	c.idle = append(c.idle, rc)
	c.mu.Unlock()
}

// close closes the idle connections.
func (c *rawClient) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rc := range c.idle {
		_ = rc.c.Close()
	}
	c.idle = nil
}
