package systemd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// syscallGroups reads `systemd-analyze syscall-filter`: every @group with
// its members (system calls and other groups).
func syscallGroups(t *testing.T, analyze string) map[string][]string {
	t.Helper()
	out, err := command(t, nil, analyze, "syscall-filter", "--no-pager")
	if err != nil {
		t.Fatalf("systemd-analyze syscall-filter: %v\n%s", err, out)
	}
	groups := map[string][]string{}
	var cur string
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case strings.HasPrefix(line, "@"):
			cur = strings.Fields(trimmed)[0]
			groups[cur] = nil
		case cur != "":
			groups[cur] = append(groups[cur], strings.Fields(trimmed)[0])
		}
	}
	if len(groups["@system-service"]) == 0 {
		t.Fatalf("systemd-analyze syscall-filter lists no @system-service:\n%s", out)
	}
	return groups
}

// expand returns the system calls a filter entry names.
func expand(groups map[string][]string, entry string) map[string]bool {
	out := map[string]bool{}
	if !strings.HasPrefix(entry, "@") {
		out[entry] = true
		return out
	}
	for _, m := range groups[entry] {
		for s := range expand(groups, m) {
			out[s] = true
		}
	}
	return out
}

// allowedSyscalls returns what the unit's SystemCallFilter= lines let
// through: the allowed entries less the denied (~) ones.
func allowedSyscalls(t *testing.T, groups map[string][]string) map[string]bool {
	t.Helper()
	allowed, denied := map[string]bool{}, map[string]bool{}
	for _, line := range directives(t)["SystemCallFilter"] {
		into := allowed
		if rest, ok := strings.CutPrefix(line, "~"); ok {
			into, line = denied, rest
		}
		for _, entry := range strings.Fields(line) {
			for s := range expand(groups, entry) {
				into[s] = true
			}
		}
	}
	for s := range denied {
		delete(allowed, s)
	}
	return allowed
}

var straceCall = regexp.MustCompile(`^\d+\s+([a-z0-9_]+)\(`)

// Every system call the engine makes while it starts on the embedded
// store, deploys a model, starts an instance, serves /metrics and shuts
// down (traced with strace) is one the unit's SystemCallFilter= allows: the
// filter, which answers EPERM to the rest, does not take anything from the
// engine it needs. The one exception is fchown, which SQLite calls only
// when it runs as root (to keep its files' owner): the service never does.
func TestSyscallFilterAllowsTheEngine(t *testing.T) {
	analyze := systemdAnalyze(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("strace is not on PATH; CI must install Debian's strace package")
		}
		t.Skip("strace is not on PATH")
	}
	allowed := allowedSyscalls(t, syscallGroups(t, analyze))
	if allowed["setuid"] || allowed["setrlimit"] || !allowed["read"] {
		t.Fatalf("the filter as read allows setuid %v, setrlimit %v, read %v", allowed["setuid"], allowed["setrlimit"], allowed["read"])
	}

	dir := t.TempDir()
	trace := filepath.Join(dir, "strace.out")
	cmd := exec.Command(strace, "-f", "-qq", "-o", trace, "--", wfEngine(t), "--http.address", "127.0.0.1:0") // #nosec G204 -- the test's own tools
	cmd.Env = []string{"WF_DATABASE_DATA_DIR=" + filepath.Join(dir, "data"), "WF_LOG_LEVEL=info"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	started := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		s.Buffer(make([]byte, 1<<20), 1<<20)
		for s.Scan() {
			var line struct {
				Msg     string `json:"msg"`
				Address string `json:"address"`
			}
			if json.Unmarshal(s.Bytes(), &line) == nil && line.Msg == "wf-engine started" {
				started <- line.Address
			}
		}
		exited <- cmd.Wait()
	}()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			if err := <-exited; err != nil {
				t.Logf("wf-engine under strace: %v", err)
			}
		}
	}()
	var addr string
	select {
	case addr = <-started:
	case err := <-exited:
		stopped = true
		t.Fatalf("wf-engine under strace exited before it started: %v\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("wf-engine under strace did not start within two minutes")
	}

	base := "http://" + addr
	model, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("resources", "order.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(model); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		method, path, contentType string
		body                      io.Reader
	}{
		{http.MethodGet, "/readyz", "", nil},
		{http.MethodPost, "/v2/deployments", mw.FormDataContentType(), &body},
		{http.MethodPost, "/v2/process-instances", "application/json", strings.NewReader(`{"processDefinitionId":"order"}`)},
		{http.MethodGet, "/metrics", "", nil},
	} {
		req, err := http.NewRequestWithContext(context.Background(), r.method, base+r.path, r.body)
		if err != nil {
			t.Fatal(err)
		}
		if r.contentType != "" {
			req.Header.Set("Content-Type", r.contentType)
		}
		res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", r.method, r.path, res.StatusCode, b)
		}
	}

	// Stop the engine itself (strace's child) with SIGTERM, as systemd does.
	children, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/" + strconv.Itoa(cmd.Process.Pid) + "/children")
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.Fields(string(children))[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("wf-engine under strace: %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("wf-engine did not stop within a minute of SIGTERM")
	}

	f, err := os.Open(trace) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	used := map[string]bool{}
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		if m := straceCall.FindStringSubmatch(s.Text()); m != nil {
			used[m[1]] = true
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if !used["accept4"] || !used["fsync"] {
		t.Fatalf("the trace misses accept4 or fsync (%d calls seen): strace did not follow the engine", len(used))
	}
	// SQLite calls fchown only as root, which the service never is.
	rootOnly := os.Geteuid() == 0
	var refused []string
	for call := range used {
		if allowed[call] || call == "fchown" && rootOnly {
			continue
		}
		refused = append(refused, call)
	}
	sort.Strings(refused)
	if len(refused) > 0 {
		t.Errorf("the unit's SystemCallFilter= refuses system calls the engine made: %v", refused)
	}
	names := make([]string, 0, len(used))
	for call := range used {
		names = append(names, call)
	}
	slices.Sort(names)
	t.Logf("the engine made %d system calls: %s", len(names), strings.Join(names, " "))
}
