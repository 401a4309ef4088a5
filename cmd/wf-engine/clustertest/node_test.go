package clustertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// secret is the test cluster's cluster.secret.
const secret = "clustertest-shared-secret-0123456789"

// database returns a PostgreSQL URL of a schema of the test's own; it
// skips without WF_TEST_POSTGRES_URL, and fails instead in CI, where a skip
// would hide that the test never ran.
func database(t *testing.T) string {
	t.Helper()
	if os.Getenv(pgtest.EnvURL) == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is not: the multi-node tests cannot run", pgtest.EnvURL)
		}
		t.Skipf("multi-node tests skipped: %s is not set", pgtest.EnvURL)
	}
	if testing.Short() {
		t.Skip("starts several wf-engine processes")
	}
	return pgtest.URL(t)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// binary builds wf-engine once for the package's tests.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "wf-clustertest-")
		if binErr != nil {
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			binErr = fmt.Errorf("the go command is needed to build wf-engine: %w", err)
			return
		}
		binPath = filepath.Join(binDir, "wf-engine")
		cmd := exec.Command(goBin, "build", "-o", binPath, "github.com/example/wf-engine/cmd/wf-engine") // #nosec G204 -- fixed arguments
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build wf-engine: %w\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cluster is the test's nodes on one database.
type cluster struct {
	t     *testing.T
	bin   string
	db    string
	nodes map[string]*node
	mu    sync.Mutex
	// partitions is cluster.partitions of every node; 0: the default (1).
	partitions int
}

// node is one wf-engine process (the latest one started under its name).
type node struct {
	name string
	port int
	url  string
	cmd  *exec.Cmd
	out  *syncBuffer
	// exited is closed when the process ended; err says how.
	exited chan struct{}
	err    error
	// runs are the outputs of earlier processes of this node.
	runs []string
}

func newCluster(t *testing.T) *cluster {
	c := &cluster{t: t, bin: binary(t), db: database(t), nodes: map[string]*node{}}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, n := range c.nodes {
			_ = n.cmd.Process.Signal(syscall.SIGCONT)
			_ = n.cmd.Process.Kill()
			<-n.exited
			if t.Failed() {
				t.Logf("node %s output:\n%s%s", n.name, strings.Join(n.runs, ""), n.out.String())
			}
		}
	})
	return c
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// start starts the node name (again, on its port, after it exited).
func (c *cluster) start(name string) *node {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nodes[name]
	if n == nil {
		n = &node{name: name, port: freePort(c.t)}
		n.url = "http://127.0.0.1:" + strconv.Itoa(n.port)
		c.nodes[name] = n
	} else {
		<-n.exited
		n.runs = append(n.runs, n.out.String()+"---- exited: "+fmt.Sprint(n.err)+"\n")
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WF_") { // the engine refuses WF_ variables it does not know
			env = append(env, kv)
		}
	}
	env = append(env, "WF_DATABASE_URL="+c.db, "WF_HTTP_ADDRESS=127.0.0.1:"+strconv.Itoa(n.port), "WF_CLUSTER_NODE_ID="+name,
		"WF_CLUSTER_SECRET="+secret, "WF_HTTP_SHUTDOWN_TIMEOUT=5s", "WF_DATABASE_MAX_CONNS=4")
	if c.partitions > 0 {
		env = append(env, "WF_CLUSTER_PARTITIONS="+strconv.Itoa(c.partitions))
	}
	n.out = &syncBuffer{}
	n.cmd = exec.Command(c.bin) // #nosec G204 -- the binary the test built
	n.cmd.Env, n.cmd.Stdout, n.cmd.Stderr = env, n.out, n.out
	if err := n.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	n.exited = make(chan struct{})
	go func() {
		n.err = n.cmd.Wait()
		close(n.exited)
	}()
	return n
}

func (n *node) signal(t *testing.T, s syscall.Signal) {
	t.Helper()
	if err := n.cmd.Process.Signal(s); err != nil {
		t.Fatalf("signal %v to %s: %v", s, n.name, err)
	}
}

// waitExit waits for the process to end and returns its error.
func (n *node) waitExit(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-n.exited:
		return n.err
	case <-time.After(within):
		t.Fatalf("node %s did not exit within %s", n.name, within)
		return nil
	}
}

// holder reads the partition's lease from the database.
func (c *cluster) holder(ctx context.Context) (string, int64, error) {
	conn, err := pgx.Connect(ctx, c.db)
	if err != nil {
		return "", 0, err
	}
	defer func() { _ = conn.Close(ctx) }()
	var id string
	var epoch int64
	err = conn.QueryRow(ctx, "SELECT node_id, epoch FROM partition_leases WHERE partition = 1 AND expires_at > now()").Scan(&id, &epoch)
	return id, epoch, err
}

// waitHolder waits until a node other than not holds the lease.
func (c *cluster) waitHolder(t *testing.T, not string, within time.Duration) (*node, int64) {
	t.Helper()
	var id string
	var epoch int64
	err := pollUntil(within, func() error {
		var err error
		id, epoch, err = c.holder(context.Background())
		if err != nil || id == not {
			return fmt.Errorf("holder %q (%w): %w", id, err, errNotYet)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("no node other than %q took the lease: %v", not, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[id], epoch
}

var errNotYet = errors.New("not yet")

func pollUntil(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v: %w", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ready waits until the node answers /readyz with 200 (as the holder, or
// as a standby that can forward).
func (n *node) ready(t *testing.T, hc *http.Client, within time.Duration) {
	t.Helper()
	err := pollUntil(within, func() error {
		res, err := hc.Get(n.url + "/readyz")
		if err != nil {
			return fmt.Errorf("%w: %w", err, errNotYet)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("/readyz %d: %w", res.StatusCode, errNotYet)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("node %s is not ready: %v\n%s", n.name, err, n.out.String())
	}
}

// answer is an HTTP answer with when its request was sent and answered.
type answer struct {
	status     int
	retryAfter string
	body       []byte
	node       string
	sent, got  time.Time
	replayed   bool
	earlier    []string
}

// client calls the nodes' API, each request on the next node in turn.
type client struct {
	hc *http.Client
	// timeout bounds a request; default 20s.
	timeout time.Duration
	mu      sync.Mutex
	nodes   []*node
	next    int
}

func (c *client) pick() *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nodes[c.next%len(c.nodes)]
	c.next++
	return n
}

func (c *client) do(n *node, method, path, contentType string, body []byte, headers ...string) (answer, error) {
	timeout := c.timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, n.url+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	a := answer{sent: time.Now(), node: n.name}
	res, err := c.hc.Do(req)
	if err != nil {
		return a, err
	}
	defer func() { _ = res.Body.Close() }()
	a.body, err = io.ReadAll(res.Body)
	a.got, a.status, a.retryAfter = time.Now(), res.StatusCode, res.Header.Get("Retry-After")
	a.replayed = res.Header.Get("Idempotent-Replayed") == "true"
	return a, err
}

func (c *client) deploy(t *testing.T, n *node, name, bpmn string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("resources", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte(bpmn))
	_ = w.Close()
	if err := pollUntil(30*time.Second, func() error {
		a, err := c.do(n, http.MethodPost, "/v2/deployments", w.FormDataContentType(), buf.Bytes())
		if err != nil || a.status != http.StatusOK {
			return fmt.Errorf("deploy: %d %s (%w): %w", a.status, a.body, err, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func jsonBody(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
