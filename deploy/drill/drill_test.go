package drill

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/core/syncbuf"
)

// Load shape: creators start instances, workers complete their jobs.
const (
	creators      = 4
	workers       = 2
	loadBefore    = 3 * time.Second // load before the backup
	loadAfter     = 2 * time.Second // load after the backup, lost by design
	minBeforeAcks = 100             // at least this many instances before the backup
)

const model = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="drill-defs">
  <bpmn:process id="drill" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="drill-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

var binary string // the wf-engine built by TestMain

func TestMain(m *testing.M) {
	if os.Getenv("WF_DR_DRILL") != "1" {
		fmt.Println("drill: skipped (make dr-drill sets WF_DR_DRILL=1)")
		os.Exit(0)
	}
	if prebuilt := os.Getenv("WF_DR_DRILL_ENGINE"); prebuilt != "" {
		binary = prebuilt // a wf-engine built elsewhere (release builds)
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "wf-drill-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "wf-engine")
	start := time.Now()
	build := exec.Command("go", "build", "-o", binary, "./cmd/wf-engine")
	build.Dir = filepath.Join("..", "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "drill: build wf-engine:", err)
		os.Exit(2)
	}
	fmt.Printf("drill: built wf-engine in %s\n", time.Since(start).Round(100*time.Millisecond))
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// target is one store the drill runs on.
type target struct {
	name    string
	env     []string                        // the engine's WF_* settings
	backup  func(t *testing.T, file string) // while the engine runs
	destroy func(t *testing.T)              // after the kill
	restore func(t *testing.T, file string) // into the destroyed place
}

func TestDrillSQLite(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"WF_DATABASE_DATA_DIR=" + data}
	drill(t, target{
		name: "SQLite",
		env:  env,
		backup: func(t *testing.T, file string) {
			wfEngine(t, env, "backup", "--to", file)
		},
		destroy: func(t *testing.T) {
			if err := os.RemoveAll(data); err != nil {
				t.Fatal(err)
			}
		},
		restore: func(t *testing.T, file string) {
			wfEngine(t, env, "restore", "--from", file)
		},
	})
}

func TestDrillPostgres(t *testing.T) {
	if os.Getenv(pgtest.EnvURL) == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set; CI must run the PostgreSQL drill", pgtest.EnvURL)
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (apt-get install postgresql-client-15)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	base := pgtest.BaseURL(t)
	u := pgtest.URL(t) // a schema of its own, dropped at the end
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	schema := parsed.Query().Get("search_path")
	env := []string{"WF_DATABASE_URL=" + u}
	drill(t, target{
		name: "PostgreSQL",
		env:  env,
		backup: func(t *testing.T, file string) {
			run(t, "pg_dump", "--format=custom", "--schema="+schema, "--file="+file, "--dbname="+base)
		},
		destroy: func(t *testing.T) {
			pgtest.Exec(t, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		},
		restore: func(t *testing.T, file string) {
			run(t, "pg_restore", "--exit-on-error", "--no-owner", "--dbname="+base, file)
		},
	})
}

// ack is an instance the engine acknowledged, and when the client got the answer.
type ack struct {
	key int64
	at  time.Time
}

func drill(t *testing.T, tg target) {
	backupFile := filepath.Join(t.TempDir(), "wf.backup")
	e := startEngine(t, tg.env)
	deploy(t, e.base)

	l := startLoad(e.base)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && (time.Since(l.started) < loadBefore || l.count() < minBeforeAcks) {
		time.Sleep(50 * time.Millisecond)
	}
	backupStart := time.Now()
	tg.backup(t, backupFile)
	backupDone := time.Now()
	time.Sleep(loadAfter) // the load goes on: these instances are lost by design
	l.expectFailures()
	e.kill(t)
	crash := time.Now()
	acks := l.stop()
	if err := l.firstError(); err != nil {
		t.Fatalf("load failed before the crash: %v", err)
	}
	t.Logf("%s: %d instances acknowledged (%d jobs completed); backup took %s; killed %s after the backup",
		tg.name, len(acks), l.completed(), backupDone.Sub(backupStart).Round(time.Millisecond), crash.Sub(backupDone).Round(time.Millisecond))

	tg.destroy(t)
	restoreStart := time.Now()
	tg.restore(t, backupFile)
	restored := time.Now()
	e = startEngine(t, tg.env)
	rto := time.Since(restoreStart)

	found := searchInstances(t, e.base)
	var lost []ack
	var highest int64
	var lastAck, lastFound time.Time
	for _, a := range acks {
		highest = max(highest, a.key)
		lastAck = later(lastAck, a.at)
		if found[a.key] {
			lastFound = later(lastFound, a.at)
			continue
		}
		if a.at.Before(backupStart) {
			t.Errorf("instance %d, acknowledged %s before the backup started, is missing", a.key, backupStart.Sub(a.at))
		}
		lost = append(lost, a)
	}
	if len(lost) == 0 {
		t.Errorf("no instance acknowledged after the backup was lost: the drill did not load after the backup")
	}
	for range 5 {
		if k := createInstance(e.base); k <= highest {
			t.Fatalf("new instance key %d is not above %d, acknowledged before the crash", k, highest)
		}
	}
	if !strings.Contains(e.log.String(), "the store was restored") {
		t.Errorf("the engine did not warn that the store was restored:\n%s", e.log.String())
	}
	e.stop(t)
	out := wfEngine(t, tg.env, "replaycheck")
	if !strings.Contains(out, "replay check passed") {
		t.Fatalf("replaycheck printed %q", out)
	}
	rpo := lastAck.Sub(lastFound)
	var size int64
	if st, err := os.Stat(backupFile); err == nil {
		size = st.Size()
	}
	report := fmt.Sprintf("drill %s: RPO %d instances (%.1f%% of %d acknowledged), %s of acknowledgements (the load after the backup); "+
		"RTO %s (restore %s, start to /readyz %s); backup %s, %d bytes; replaycheck passed; new keys above every key of before the crash",
		tg.name, len(lost), 100*float64(len(lost))/float64(len(acks)), len(acks), rpo.Round(10*time.Millisecond),
		rto.Round(10*time.Millisecond), restored.Sub(restoreStart).Round(10*time.Millisecond), (rto - restored.Sub(restoreStart)).Round(10*time.Millisecond),
		backupDone.Sub(backupStart).Round(10*time.Millisecond), size)
	t.Log(report)
	fmt.Println(report)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// engine is a wf-engine process.
type engine struct {
	cmd  *exec.Cmd
	base string
	log  *syncbuf.Buffer
	done chan error
}

// addressPattern finds the address in the start-up log line (JSON or text).
var addressPattern = regexp.MustCompile(`wf-engine started"?[^\n]*?\baddress"?[=:]"?([0-9.:\[\]a-f]+)`)

// startEngine starts the built wf-engine on 127.0.0.1 and waits until
// /readyz answers 200.
func startEngine(t *testing.T, env []string) *engine {
	t.Helper()
	cmd := exec.Command(binary) // #nosec G204 -- the binary TestMain built
	cmd.Env = engineEnv(append([]string{"WF_HTTP_ADDRESS=127.0.0.1:0"}, env...))
	e := &engine{cmd: cmd, log: &syncbuf.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = e.log, e.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { e.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := addressPattern.FindStringSubmatch(e.log.String()); m != nil {
			e.base = "http://" + m[1]
			break
		}
		select {
		case err := <-e.done:
			t.Fatalf("wf-engine stopped: %v\n%s", err, e.log)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if e.base == "" {
		t.Fatalf("wf-engine did not say where it listens:\n%s", e.log)
	}
	for time.Now().Before(deadline) {
		res, err := http.Get(e.base + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return e
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("wf-engine did not become ready:\n%s", e.log)
	return nil
}

// kill ends the engine with SIGKILL.
func (e *engine) kill(t *testing.T) {
	t.Helper()
	if err := e.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-e.done; err == nil {
		t.Fatal("wf-engine exited normally after SIGKILL")
	}
}

// stop ends the engine with SIGTERM and waits for it.
func (e *engine) stop(t *testing.T) {
	t.Helper()
	if err := e.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-e.done:
		if err != nil {
			t.Fatalf("wf-engine stopped with %v:\n%s", err, e.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("wf-engine did not stop")
	}
}

// engineEnv is the test's environment without WF_* variables (wf-engine
// refuses unknown ones, and CI sets WF_TEST_*), plus env.
func engineEnv(env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WF_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// wfEngine runs a wf-engine command and returns its output.
func wfEngine(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...) // #nosec G204 -- the binary TestMain built
	cmd.Env = engineEnv(env)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wf-engine %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// run runs a tool (pg_dump, pg_restore).
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...) // #nosec G204 -- PostgreSQL's tools with the test's arguments
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

func call(method, u string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// callError describes a failed call.
func callError(what string, status int, body []byte, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %d %s", what, status, body)
}

func deploy(t *testing.T, base string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("resources", "drill.bpmn")
	_, _ = part.Write([]byte(model))
	_ = w.Close()
	res, err := client.Post(base+"/v2/deployments", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("deploy: %d %s", res.StatusCode, b)
	}
}

// createInstance creates an instance and returns its key; 0 when it was
// not acknowledged.
func createInstance(base string) int64 {
	status, body, err := call(http.MethodPost, base+"/v2/process-instances", map[string]any{"processDefinitionId": "drill"})
	if err != nil || status != http.StatusOK {
		return 0
	}
	var created struct {
		Key string `json:"processInstanceKey"`
	}
	if json.Unmarshal(body, &created) != nil {
		return 0
	}
	k, _ := strconv.ParseInt(created.Key, 10, 64)
	return k
}

// load is the running load.
type load struct {
	started time.Time
	stopped chan struct{}
	wg      sync.WaitGroup
	crashed bool

	mu   sync.Mutex
	acks []ack
	done int
	errs []error
}

func startLoad(base string) *load {
	l := &load{started: time.Now(), stopped: make(chan struct{})}
	for range creators {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for l.running() {
				status, body, err := call(http.MethodPost, base+"/v2/process-instances", map[string]any{"processDefinitionId": "drill"})
				at := time.Now()
				if err != nil || status != http.StatusOK {
					l.fail(callError("create", status, body, err))
					continue
				}
				var created struct {
					Key string `json:"processInstanceKey"`
				}
				if err := json.Unmarshal(body, &created); err != nil {
					l.fail(err)
					continue
				}
				k, err := strconv.ParseInt(created.Key, 10, 64)
				if err != nil {
					l.fail(err)
					continue
				}
				l.mu.Lock()
				l.acks = append(l.acks, ack{key: k, at: at})
				l.mu.Unlock()
			}
		}()
	}
	for range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for l.running() {
				status, body, err := call(http.MethodPost, base+"/v2/jobs/activation", map[string]any{
					"type": "drill-work", "worker": "drill", "timeout": 60000, "maxJobsToActivate": 32, "requestTimeout": 200})
				if err != nil || status != http.StatusOK {
					l.fail(callError("activate", status, body, err))
					continue
				}
				var got struct {
					Jobs []struct {
						Key string `json:"jobKey"`
					} `json:"jobs"`
				}
				if err := json.Unmarshal(body, &got); err != nil {
					l.fail(err)
					continue
				}
				for _, j := range got.Jobs {
					status, body, err := call(http.MethodPost, base+"/v2/jobs/"+j.Key+"/completion", map[string]any{})
					if err != nil || status != http.StatusNoContent {
						l.fail(callError("complete", status, body, err))
						continue
					}
					l.mu.Lock()
					l.done++
					l.mu.Unlock()
				}
			}
		}()
	}
	return l
}

func (l *load) running() bool {
	select {
	case <-l.stopped:
		return false
	default:
		return true
	}
}

// fail records an error of the load; errors after the kill are expected.
func (l *load) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.crashed {
		l.errs = append(l.errs, err)
	}
	if l.crashed {
		time.Sleep(10 * time.Millisecond) // the engine is gone: do not spin
	}
}

func (l *load) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acks)
}

func (l *load) completed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.done
}

func (l *load) firstError() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.errs[:min(len(l.errs), 5)]...)
}

// expectFailures tells the load that the engine is about to be killed.
func (l *load) expectFailures() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.crashed = true
}

// stop ends the load after the kill and returns the acknowledgements.
func (l *load) stop() []ack {
	close(l.stopped)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.acks)
}

// searchInstances returns the keys of every instance of the drill's model,
// through the search API, page by page.
func searchInstances(t *testing.T, base string) map[int64]bool {
	t.Helper()
	found := map[int64]bool{}
	after := ""
	for {
		page := map[string]any{"limit": 1000}
		if after != "" {
			page["after"] = after
		}
		status, body, err := call(http.MethodPost, base+"/v2/process-instances/search", map[string]any{
			"filter": map[string]any{"processDefinitionId": "drill"}, "page": page})
		if err != nil || status != http.StatusOK {
			t.Fatalf("search: %d %s %v", status, body, err)
		}
		var res struct {
			Items []struct {
				Key string `json:"processInstanceKey"`
			} `json:"items"`
			Page struct {
				EndCursor string `json:"endCursor"`
			} `json:"page"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			k, err := strconv.ParseInt(it.Key, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			found[k] = true
		}
		if len(res.Items) < 1000 || res.Page.EndCursor == "" {
			return found
		}
		after = res.Page.EndCursor
	}
}
