package image

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	repoRoot = "../.."
	// imageName and imageVersion name the image this test builds, in its
	// own storage: nothing of the machine's is touched.
	imageName    = "wf-engine-imagetest"
	imageVersion = "v0.0.0-imagetest"
	// maxCompressedBytes is the bound of issue 17 on the image's size
	// compressed as a registry stores it (25 MB).
	maxCompressedBytes = 25_000_000
	// configFile is the configuration file the image's entry point and
	// health check read.
	configFile = "/etc/wf-engine/wf-engine.yaml"
)

// env is the image's test bench: buildah on a storage in a temporary
// folder, and the image built into it.
type env struct {
	dir     string   // the test's temporary folder
	buildah []string // buildah and its storage flags
	ctxDir  string   // make image's build context
	ref     string   // the image's name:tag
	config  imageConfig
}

// imageConfig is what the test reads of the image's configuration.
type imageConfig struct {
	User         string
	Env          []string
	Entrypoint   []string
	Cmd          []string
	WorkingDir   string
	ExposedPorts map[string]struct{}
	Volumes      map[string]struct{}
	Labels       map[string]string
	Healthcheck  *struct {
		Test []string
	}
}

// requireBuildah skips the test without buildah, or fails it in CI, where
// .ci/run installs it.
func requireBuildah(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("buildah"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("buildah not found: CI must install it (apt-get install buildah)")
		}
		t.Skip("buildah not found (apt-get install buildah)")
	}
}

// setUp builds the image with make image into a storage of the test's own
// and reads its configuration; the storage goes when the test ends.
func setUp(t *testing.T) *env {
	t.Helper()
	requireBuildah(t)
	dir := t.TempDir()
	e := &env{
		dir:     dir,
		buildah: []string{"buildah", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "runroot"), "--storage-driver", "vfs"},
		ctxDir:  filepath.Join(dir, "context"),
		ref:     imageName + ":" + imageVersion,
	}
	t.Cleanup(func() {
		// Containers first, then the image; the folders go with TempDir.
		for _, args := range [][]string{{"rm", "--all"}, {"rmi", "--all", "--force"}} {
			if out, err := e.cmd(context.Background(), args...).CombinedOutput(); err != nil {
				t.Errorf("buildah %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	})
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	// #nosec G204 -- fixed arguments and the test's own folders
	mk := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", repoRoot, "image", "IMAGE="+imageName,
		"VERSION="+imageVersion, "IMAGE_CTX="+e.ctxDir, "BUILDAH="+strings.Join(e.buildah, " "))
	out, err := mk.CombinedOutput()
	if err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}
	t.Logf("make image took %s", time.Since(start).Round(100*time.Millisecond))
	b, err := e.cmd(ctx, "inspect", "--type", "image", e.ref).Output()
	if err != nil {
		t.Fatalf("buildah inspect %s: %v", e.ref, err)
	}
	var inspected struct {
		Docker struct {
			Config imageConfig `json:"config"`
		}
	}
	if err := json.Unmarshal(b, &inspected); err != nil {
		t.Fatalf("decode buildah inspect: %v", err)
	}
	e.config = inspected.Docker.Config
	return e
}

// cmd is a buildah command on the test's storage.
func (e *env) cmd(ctx context.Context, args ...string) *exec.Cmd {
	all := append(slices.Clone(e.buildah[1:]), args...)
	return exec.CommandContext(ctx, e.buildah[0], all...) // #nosec G204 -- buildah with the test's arguments
}

// container makes a working container of the image and returns its name.
func (e *env) container(t *testing.T) string {
	t.Helper()
	out, err := e.cmd(context.Background(), "from", "--pull=never", "--quiet", e.ref).Output()
	if err != nil {
		t.Fatalf("buildah from: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// runArgs are the arguments of `buildah run` for the container with
// mounts and environment, then argv.
func runArgs(ctr string, mounts, environ []string, argv ...string) []string {
	args := []string{"run", "--isolation", "chroot"}
	for _, m := range mounts {
		args = append(args, "--volume", m)
	}
	for _, v := range environ {
		args = append(args, "--env", v)
	}
	args = append(append(args, ctr, "--"), argv...)
	return args
}

// entrypoint is the image's entry point with args, or its default
// arguments (CMD) without, as a container runtime starts it.
func (e *env) entrypoint(args ...string) []string {
	if len(args) == 0 {
		args = e.config.Cmd
	}
	return append(slices.Clone(e.config.Entrypoint), args...)
}

// engine is the image's entry point started in the background.
type engine struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed when buildah run has ended
	err    error         // how it ended, once exited is closed
}

// syncBuffer is a bytes.Buffer safe for a process's output and the test.
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

// start starts `buildah run` of argv in the container; the test stops it
// when it ends, if it still runs.
func (e *env) start(t *testing.T, ctr string, mounts, environ []string, argv ...string) *engine {
	t.Helper()
	c := e.cmd(context.Background(), runArgs(ctr, mounts, environ, argv...)...)
	out := &syncBuffer{}
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		t.Fatalf("buildah run: %v", err)
	}
	g := &engine{cmd: c, out: out, exited: make(chan struct{})}
	go func() {
		g.err = c.Wait()
		close(g.exited)
	}()
	t.Cleanup(func() { g.stop(t) })
	return g
}

// stop ends buildah run (which ends the engine) and waits for it.
func (g *engine) stop(t *testing.T) {
	t.Helper()
	select {
	case <-g.exited:
		return
	default:
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(30 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
		t.Errorf("buildah run did not stop on SIGTERM")
	}
}

// waitReady polls url until it answers 200 and returns how long that took
// from since; it fails when the engine stops or the deadline passes.
func waitReady(t *testing.T, g *engine, url string, since time.Time) time.Duration {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-g.exited:
			t.Fatalf("the engine stopped before it was ready: %v\n%s", g.err, g.out)
		default:
		}
		res, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(since)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within 60s\n%s", url, g.out)
	return 0
}

// freePort returns a TCP port free on 127.0.0.1 a moment ago. chroot
// isolation shares the machine's network: the engine in the container
// listens on it directly.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// basicConfig writes a configuration file with one admin user of
// auth.mode basic, hashed by the image's own binary, into a folder the
// image's user can read, and returns the folder.
func (e *env) basicConfig(t *testing.T, password string) string {
	t.Helper()
	bin := filepath.Join(e.ctxDir, "rootfs", "wf-engine")
	hash := exec.Command(bin, "user", "hash", "--cost", "10") // #nosec G204 -- the binary make image built
	hash.Stdin = strings.NewReader(password)
	out, err := hash.Output()
	if err != nil {
		t.Fatalf("wf-engine user hash: %v", err)
	}
	dir := filepath.Join(e.dir, "config")
	if err := os.Mkdir(dir, 0o755); err != nil { // #nosec G301 -- read by the image's user, holds only a hash
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("auth:\n  mode: basic\n  basic:\n    users:\n      - name: admin\n        password_hash: %q\n        roles: [admin]\n",
		strings.TrimSpace(string(out)))
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(configFile)), []byte(yaml), 0o644); err != nil { // #nosec G306 -- as above
		t.Fatal(err)
	}
	return dir
}

// status GETs url with optional basic credentials and returns the status.
func status(t *testing.T, url, user, password string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

func TestImage(t *testing.T) {
	e := setUp(t)

	t.Run("configuration", func(t *testing.T) { checkConfig(t, e.config) })
	t.Run("version", func(t *testing.T) {
		ctr := e.container(t)
		out, err := e.cmd(context.Background(), runArgs(ctr, nil, nil, e.entrypoint("--version")...)...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "wf-engine "+imageVersion+" (commit ") {
			t.Fatalf("--version: %v\n%s", err, out)
		}
	})
	t.Run("refuses to start without authentication", func(t *testing.T) { checkRefusal(t, e) })
	t.Run("serves with basic authentication", func(t *testing.T) { checkServes(t, e) })
	t.Run("start time on an empty store", func(t *testing.T) { measureStart(t, e) })
	t.Run("size", func(t *testing.T) { checkSize(t, e) })
}

// checkConfig: the image runs wf-engine as a non-root user on 0.0.0.0:8080
// with /data as its volume, and says what it is.
func checkConfig(t *testing.T, c imageConfig) {
	if !slices.Equal(c.Entrypoint, []string{"/wf-engine"}) || !slices.Equal(c.Cmd, []string{"--config", configFile}) {
		t.Errorf("entry point %q, command %q; want [/wf-engine] (compose.yaml and the Helm chart name it) and --config %s", c.Entrypoint, c.Cmd, configFile)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	for _, want := range []string{"WF_HTTP_ADDRESS=0.0.0.0:8080", "WF_DATABASE_DATA_DIR=/data"} {
		if !slices.Contains(c.Env, want) {
			t.Errorf("environment %q lacks %s", c.Env, want)
		}
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("exposed ports %v, want 8080/tcp", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok || len(c.Volumes) != 1 {
		t.Errorf("volumes %v, want /data", c.Volumes)
	}
	if c.Healthcheck == nil || !slices.Equal(c.Healthcheck.Test, []string{"CMD", "/wf-engine", "healthcheck", "--config", configFile}) {
		t.Errorf("health check %+v, want CMD /wf-engine healthcheck --config %s (lost when the image is built in OCI format)", c.Healthcheck, configFile)
	}
	for key, want := range map[string]*regexp.Regexp{
		"org.opencontainers.image.version":  regexp.MustCompile("^" + regexp.QuoteMeta(imageVersion) + "$"),
		"org.opencontainers.image.revision": regexp.MustCompile(`^([0-9a-f]{7,40}|unknown)$`),
		"org.opencontainers.image.created":  regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown)$`),
		"org.opencontainers.image.source":   regexp.MustCompile(`^https://`),
		"org.opencontainers.image.title":    regexp.MustCompile(`^wf-engine$`),
	} {
		if !want.MatchString(c.Labels[key]) {
			t.Errorf("label %s is %q, want it to match %s", key, c.Labels[key], want)
		}
	}
}

// checkRefusal: started as it is, on 0.0.0.0 without an auth mode, the
// image stops at once and says why.
func checkRefusal(t *testing.T, e *env) {
	ctr := e.container(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := e.cmd(ctx, runArgs(ctr, nil, nil, e.entrypoint()...)...).CombinedOutput()
	if err == nil {
		t.Fatalf("the image started without authentication on 0.0.0.0:\n%s", out)
	}
	if ctx.Err() != nil {
		t.Fatalf("the image did not stop within 60s:\n%s", out)
	}
	for _, want := range []string{"auth.mode is none, which is allowed on loopback addresses only", `"0.0.0.0:8080"`, "turn authentication on"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// checkServes: with basic authentication configured in a file mounted
// over the image's, the entry point serves on 0.0.0.0, /readyz answers 200
// without credentials and the API wants them; the image's health check
// passes, and fails once the engine has stopped.
func checkServes(t *testing.T, e *env) {
	ctr := e.container(t)
	const password = "image-test-password"
	conf := e.basicConfig(t, password)
	port := freePort(t)
	mounts := []string{conf + ":" + filepath.Dir(configFile) + ":ro"}
	environ := []string{fmt.Sprintf("WF_HTTP_ADDRESS=0.0.0.0:%d", port)}
	started := time.Now()
	g := e.start(t, ctr, mounts, environ, e.entrypoint()...)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	t.Logf("ready %s after buildah run (basic auth: bcrypt at start-up)", waitReady(t, g, base+"/readyz", started).Round(time.Millisecond))
	if got := status(t, base+"/v2/topology", "", ""); got != http.StatusUnauthorized {
		t.Errorf("/v2/topology without credentials: %d, want 401", got)
	}
	if got := status(t, base+"/v2/topology", "admin", password); got != http.StatusOK {
		t.Errorf("/v2/topology as admin: %d, want 200", got)
	}
	if e.config.Healthcheck == nil || len(e.config.Healthcheck.Test) < 2 {
		t.Fatalf("the image has no health check command: %+v", e.config.Healthcheck)
	}
	healthcheck := e.config.Healthcheck.Test[1:] // after "CMD"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := e.cmd(ctx, runArgs(ctr, mounts, environ, healthcheck...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("http://127.0.0.1:%d/readyz: ready", port)) {
		t.Fatalf("the image's health check on a ready engine: %v\n%s", err, out)
	}
	g.stop(t)
	out, err = e.cmd(ctx, runArgs(ctr, mounts, environ, healthcheck...)...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not reachable") {
		t.Fatalf("the image's health check with the engine stopped: %v\n%s", err, out)
	}
}

// measureStart starts the entry point on an empty store three times and
// logs how long it took until /readyz answered, and the engine's own
// start-up figure; it also logs what buildah run itself costs. Timings are
// recorded (docs/deploy.md), not asserted: the machine is shared.
func measureStart(t *testing.T, e *env) {
	ctr := e.container(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t0 := time.Now()
	if out, err := e.cmd(ctx, runArgs(ctr, nil, nil, e.entrypoint("--version")...)...).CombinedOutput(); err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	overhead := time.Since(t0)
	startupMS := regexp.MustCompile(`"startup_ms":(\d+)`)
	var ready []time.Duration
	var engineMS []int
	for i := range 3 {
		// An empty folder of the image's user: a store that does not
		// exist yet, created at start. (buildah run mounts a copy of the
		// image's /data over a folder mounted there, so it goes to
		// /store.)
		data := filepath.Join(e.dir, fmt.Sprintf("data-%d", i))
		if err := os.Mkdir(data, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(data, 65532, 65532); err != nil {
			t.Fatal(err)
		}
		port := freePort(t)
		// Loopback without authentication: allowed, and no bcrypt at start.
		started := time.Now()
		g := e.start(t, ctr, []string{data + ":/store"}, []string{fmt.Sprintf("WF_HTTP_ADDRESS=127.0.0.1:%d", port), "WF_DATABASE_DATA_DIR=/store"},
			e.entrypoint()...)
		ready = append(ready, waitReady(t, g, fmt.Sprintf("http://127.0.0.1:%d/readyz", port), started))
		// The start-up line follows the listener by a moment: wait for it
		// before stopping the engine.
		var m []string
		for deadline := time.Now().Add(30 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			m = startupMS.FindStringSubmatch(g.out.String())
		}
		g.stop(t)
		if m == nil {
			t.Fatalf("no startup_ms in the start-up line:\n%s", g.out)
		}
		ms, _ := strconv.Atoi(m[1])
		engineMS = append(engineMS, ms)
		if _, err := os.Stat(filepath.Join(data, "wf-engine.db")); err != nil {
			t.Errorf("the store was not created: %v", err)
		}
	}
	sorted := slices.Clone(ready)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	t.Logf("start on an empty store: buildah run to /readyz 200: %v (median %s); the engine's startup_ms: %v; buildah run of --version alone: %s",
		ready, sorted[1].Round(time.Millisecond), engineMS, overhead.Round(time.Millisecond))
}

// checkSize exports the image as a registry stores it (gzip-compressed
// layers, OCI layout) and as docker save does (plain layers), and holds
// the compressed size under 25 MB.
func checkSize(t *testing.T, e *env) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	layout := filepath.Join(e.dir, "oci")
	if out, err := e.cmd(ctx, "push", "--quiet", "--format", "oci", "--compression-format", "gzip", e.ref, "oci:"+layout).CombinedOutput(); err != nil {
		t.Fatalf("buildah push oci: %v\n%s", err, out)
	}
	compressed := dirSize(t, filepath.Join(layout, "blobs"))
	archive := filepath.Join(e.dir, "image.tar")
	if out, err := e.cmd(ctx, "push", "--quiet", e.ref, "docker-archive:"+archive+":"+e.ref).CombinedOutput(); err != nil {
		t.Fatalf("buildah push docker-archive: %v\n%s", err, out)
	}
	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzipSize(t, archive)
	bin, err := os.Stat(filepath.Join(e.ctxDir, "rootfs", "wf-engine"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image: %s compressed (OCI layout, gzip layers), %s uncompressed (docker-archive), %s as docker-archive | gzip; the binary: %s",
		mb(compressed), mb(fi.Size()), mb(gz), mb(bin.Size()))
	if compressed >= maxCompressedBytes {
		t.Errorf("the image is %s compressed, want under %s", mb(compressed), mb(maxCompressedBytes))
	}
}

// dirSize sums the sizes of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// gzipSize is the size of path gzip-compressed at the default level.
func gzipSize(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path) // #nosec G304 -- the test's own archive
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var n countWriter
	zw := gzip.NewWriter(&n)
	if _, err := io.Copy(zw, f); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return int64(n)
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
