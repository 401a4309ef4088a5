package conformance

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

var rewrite = flag.Bool("rewrite", false, "rewrite scenario files with the output the engine produces")

// Step is one command of a scenario with the output it must produce.
type Step struct {
	Line    int
	Command string
	Want    string
}

// ParseScenario reads a scenario file: blocks of a command line, a line
// "----", and the expected output up to the next blank line. Lines starting
// with '#' between blocks are comments.
func ParseScenario(text string) ([]Step, error) {
	lines := strings.Split(text, "\n")
	var steps []Step
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		s := Step{Line: i + 1, Command: l}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "----" {
			return nil, fmt.Errorf("line %d: expected \"----\" after command %q", i+1, l)
		}
		i += 2
		var want []string
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			want = append(want, strings.TrimRight(lines[i], " \t"))
		}
		s.Want = strings.Join(want, "\n")
		steps = append(steps, s)
	}
	return steps, nil
}

// RunScenarios runs every *.txt scenario under dir, each with a fresh engine,
// and checks the element suite's invariants on each. It fails the test when
// dir has no scenario.
func RunScenarios(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files in %s", dir)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { RunScenarioFile(t, f) })
	}
	invalid, _ := filepath.Glob(filepath.Join(dir, "invalid", "*.bpmn"))
	for _, f := range invalid {
		t.Run("invalid/"+filepath.Base(f), func(t *testing.T) { CheckInvalid(t, f) })
	}
}

var idAttr = regexp.MustCompile(`\bid="([^"]+)"`)

// DeployFile deploys the file at path, named by its base name, on a fresh
// engine, and returns its content and the deployment's error.
func DeployFile(t *testing.T, path string) ([]byte, error) {
	t.Helper()
	b, err := os.ReadFile(path) // #nosec G304 -- test data path
	if err != nil {
		t.Fatal(err)
	}
	h := NewHarness(t)
	_, err = h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: filepath.Base(path), Content: b}}})
	return b, err
}

// CheckInvalid deploys a model that must be rejected and checks that the
// rejection names an element of the model.
func CheckInvalid(t *testing.T, path string) {
	t.Helper()
	b, err := DeployFile(t, path)
	rj, ok := engine.AsRejection(err)
	if !ok || rj.Type != record.RejectionInvalidArgument {
		t.Fatalf("deploying %s: want an INVALID_ARGUMENT rejection, got %v", path, err)
	}
	for _, m := range idAttr.FindAllStringSubmatch(string(b), -1) {
		if m[1] != "defs" && strings.Contains(rj.Reason, "'"+m[1]+"'") {
			return
		}
	}
	t.Fatalf("deploying %s: the rejection names no element of the model:\n%s", path, rj.Reason)
}

// RunScenarioFile runs one scenario file; with -rewrite it writes the
// engine's output back into the file instead of comparing.
func RunScenarioFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path) // #nosec G304 -- test data path
	if err != nil {
		t.Fatal(err)
	}
	steps, err := ParseScenario(string(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got, logBytes := runSteps(t, filepath.Dir(path), steps, -1)
	if *rewrite {
		if err := os.WriteFile(path, []byte(render(string(b), steps, got)), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	for i, s := range steps {
		if got[i] != s.Want {
			t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, s.Line, s.Command, s.Want, got[i])
		}
	}
	// Determinism: the same inputs give a byte-identical log.
	if _, again := runSteps(t, filepath.Dir(path), steps, -1); again != logBytes {
		t.Errorf("%s: running the scenario twice gave different logs", path)
	}
	// Terminating from any state leaves nothing behind.
	for n := 1; n <= len(steps); n++ {
		checkCancelAfter(t, filepath.Dir(path), steps, n)
	}
}

// render rewrites a scenario file's expected outputs, keeping its comments.
func render(orig string, steps []Step, got []string) string {
	var b strings.Builder
	lines := strings.Split(orig, "\n")
	next := 0
	for i := 0; i < len(lines); i++ {
		if next < len(steps) && i+1 == steps[next].Line {
			b.WriteString(steps[next].Command + "\n----\n")
			if got[next] != "" {
				b.WriteString(got[next] + "\n")
			}
			i += 2
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
				i++
			}
			next++
			if i < len(lines) {
				b.WriteString("\n")
			}
			continue
		}
		b.WriteString(lines[i])
		if i < len(lines)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// runSteps runs steps (all of them, or the first n when n >= 0) and returns
// each step's output and the whole log encoded.
func runSteps(t *testing.T, dir string, steps []Step, n int) ([]string, string) {
	t.Helper()
	h := NewHarness(t)
	r := &runner{h: h, dir: dir, names: map[int64]string{}}
	var out []string
	for i, s := range steps {
		if n >= 0 && i >= n {
			break
		}
		out = append(out, r.do(s.Command))
		h.State(func(st *state.State) {
			if err := st.Check(); err != nil {
				t.Fatalf("line %d: %s: inconsistent state: %v", s.Line, s.Command, err)
			}
		})
	}
	log := h.Log()
	CheckLifecycles(t, log)
	h.CheckReplay()
	var enc strings.Builder
	for _, rec := range log {
		b, err := record.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		enc.Write(b)
		enc.WriteByte('\n')
	}
	return out, enc.String()
}

// checkCancelAfter runs the first n steps, cancels every instance still
// active, and checks that no element, job or incident is left.
func checkCancelAfter(t *testing.T, dir string, steps []Step, n int) {
	t.Helper()
	h := NewHarness(t)
	r := &runner{h: h, dir: dir, names: map[int64]string{}}
	for _, s := range steps[:n] {
		r.do(s.Command)
	}
	for _, pi := range h.Instances() {
		err := h.Engine.CancelInstance(h.Ctx, pi)
		if rj, ok := engine.AsRejection(err); ok && rj.Type == record.RejectionNotFound {
			continue // already ended
		}
		if err != nil {
			t.Fatalf("after step %d: cancel instance %d: %v", n, pi, err)
		}
	}
	h.State(func(s *state.State) {
		c := s.Counts()
		if c.Elements != 0 || c.Jobs != 0 || c.Incidents != 0 || c.Scopes != 0 {
			t.Errorf("after step %d (%s) and cancelling every instance, state still holds %+v", n, steps[n-1].Command, c)
		}
	})
	CheckLifecycles(t, h.Log())
	h.CheckReplay()
}

// runner interprets scenario commands against one harness.
type runner struct {
	h         *Harness
	dir       string
	instances []int64
	names     map[int64]string // element instance key -> element id, for printing scopes
}

func (r *runner) do(cmd string) string {
	name, args := parseCommand(cmd)
	var err error
	ctx := r.h.Ctx
	switch name {
	case "deploy":
		files := strings.Split(args["file"], ",")
		res := make([]record.Resource, 0, len(files))
		for _, f := range files {
			b, rerr := os.ReadFile(filepath.Join(r.dir, f)) // #nosec G304 -- test data path
			if rerr != nil {
				return "error: " + rerr.Error()
			}
			res = append(res, record.Resource{Name: f, Content: b})
		}
		_, err = r.h.Engine.Deploy(ctx, engine.DeployRequest{Resources: res, TenantID: args["tenant"]})
	case "create-instance":
		vars, perr := parseVars(args["vars"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		var ci *engine.CreatedInstance
		ci, err = r.h.Engine.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: args["process"], Version: int32(r.int(args, "version", 0)), Variables: vars, TenantID: args["tenant"]})
		if err == nil {
			r.instances = append(r.instances, ci.ProcessInstanceKey)
		}
	case "activate-jobs":
		var fetch []string
		if f := args["fetch"]; f != "" {
			fetch = strings.Split(f, ",")
		}
		var tenants []string
		if ts := args["tenants"]; ts != "" {
			tenants = strings.Split(ts, ",")
		}
		var jobs []engine.ActivatedJob
		jobs, err = r.h.Engine.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: args["type"], Worker: "scenario", Timeout: r.duration(args, "timeout", 5*time.Minute), MaxJobs: int32(r.int(args, "max", 10)), FetchVariables: fetch, TenantIDs: tenants})
		if err == nil && args["show"] == "true" {
			return strings.TrimSpace(r.printNew() + "\n" + showJobs(jobs))
		}
	case "complete-job":
		vars, perr := parseVars(args["vars"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		err = r.onJob(args["type"], func(k int64) error {
			return r.h.Engine.CompleteJob(ctx, engine.CompleteJobRequest{Key: k, Variables: vars})
		})
	case "fail-job":
		vars, perr := parseVars(args["vars"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		err = r.onJob(args["type"], func(k int64) error {
			return r.h.Engine.FailJob(ctx, engine.FailJobRequest{Key: k, Retries: int32(r.int(args, "retries", 0)), ErrorMessage: args["message"], RetryBackoff: r.duration(args, "backoff", 0), Variables: vars})
		})
	case "throw-error":
		err = r.onJob(args["type"], func(k int64) error {
			return r.h.Engine.ThrowError(ctx, engine.ThrowErrorRequest{Key: k, ErrorCode: args["code"], ErrorMessage: args["message"]})
		})
	case "update-retries":
		err = r.onJob(args["type"], func(k int64) error {
			return r.h.Engine.UpdateJobRetries(ctx, k, int32(r.int(args, "retries", 1)))
		})
	case "resolve-incident":
		var key int64
		r.h.State(func(s *state.State) { key = incidentOn(s, args["element"]) })
		if key == 0 {
			return "error: no incident on " + args["element"]
		}
		err = r.h.Engine.ResolveIncident(ctx, key)
	case "set-variables":
		vars, perr := parseVars(args["vars"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		var key int64
		r.h.State(func(s *state.State) { key = r.elementInstance(s, args["element"]) })
		if key == 0 {
			return "error: no active element " + args["element"]
		}
		err = r.h.Engine.SetVariables(ctx, engine.SetVariablesRequest{ScopeKey: key, Variables: vars, Local: args["local"] == "true"})
	case "publish-message", "correlate-message":
		vars, perr := parseVars(args["vars"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		req := engine.PublishMessageRequest{Name: args["name"], CorrelationKey: args["key"], TimeToLive: r.duration(args, "ttl", 0), MessageID: args["id"], Variables: vars, TenantID: args["tenant"]}
		if name == "publish-message" {
			_, err = r.h.Engine.PublishMessage(ctx, req)
		} else {
			_, err = r.h.Engine.CorrelateMessage(ctx, req)
		}
	case "broadcast-signal":
		vars, perr := parseVars(args["vars"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		_, err = r.h.Engine.BroadcastSignal(ctx, engine.BroadcastSignalRequest{SignalName: args["name"], Variables: vars, TenantID: args["tenant"]})
	case "assign-task", "update-task", "complete-task":
		var key int64
		r.h.State(func(s *state.State) { key = r.userTask(s, args["element"], args["assigned"]) })
		if key == 0 {
			return "error: no user task on " + args["element"]
		}
		switch name {
		case "assign-task":
			err = r.h.Engine.AssignUserTask(ctx, engine.AssignUserTaskRequest{Key: key, Assignee: args["assignee"], AllowOverride: args["override"] == "true"})
		case "update-task":
			err = r.h.Engine.UpdateUserTask(ctx, engine.UpdateUserTaskRequest{Key: key, Changed: []string{"priority"}, Priority: int32(r.int(args, "priority", 50))})
		default:
			vars, perr := parseVars(args["vars"])
			if perr != nil {
				return "error: " + perr.Error()
			}
			err = r.h.Engine.CompleteUserTask(ctx, engine.CompleteUserTaskRequest{Key: key, Variables: vars})
		}
	case "delete-resource":
		var key int64
		r.h.State(func(s *state.State) { key = resourceKey(s, args) })
		if key == 0 {
			return "error: no such resource"
		}
		err = r.h.Engine.DeleteResource(ctx, engine.DeleteResourceRequest{Key: key, TenantID: args["tenant"]})
	case "advance-clock":
		d, perr := time.ParseDuration(args["by"])
		if perr != nil {
			return "error: " + perr.Error()
		}
		r.h.Clock.Advance(d)
	case "cancel":
		if len(r.instances) == 0 {
			return "error: no instance to cancel"
		}
		err = r.h.Engine.CancelInstance(ctx, r.instances[len(r.instances)-1])
	case "migrate":
		req, msg := r.migration(args)
		if msg != "" {
			return "error: " + msg
		}
		err = r.h.Engine.MigrateInstance(ctx, req)
	case "modify":
		req, msg := r.modification(args)
		if msg != "" {
			return "error: " + msg
		}
		err = r.h.Engine.ModifyInstance(ctx, req)
	case "activate-adhoc":
		req, msg := r.adHocActivation(args)
		if msg != "" {
			return "error: " + msg
		}
		err = r.h.Engine.ActivateChildren(ctx, req)
	case "state":
		return r.printState()
	default:
		return "error: unknown command " + name
	}
	r.h.Settle()
	out := r.printNew()
	if err != nil {
		if rj, ok := engine.AsRejection(err); ok {
			out = strings.TrimSpace(out + "\nrejected " + rj.Type.String() + ": " + rj.Reason)
		} else {
			out = strings.TrimSpace(out + "\nerror: " + err.Error())
		}
	}
	return out
}

// adHocActivation builds an activation of inner elements of an ad-hoc
// subprocess from `activate-adhoc in=S elements=A,B vars={...}`: activate
// A and B (the first with the variables vars) in the active instance of S
// in the newest process instance ("key:N" a literal key).
func (r *runner) adHocActivation(args map[string]string) (engine.ActivateChildrenRequest, string) {
	var req engine.ActivateChildrenRequest
	if len(r.instances) == 0 {
		return req, "no instance"
	}
	if k, ok := strings.CutPrefix(args["in"], "key:"); ok {
		n, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return req, err.Error()
		}
		req.ContainerKey = n
	} else {
		pi := r.instances[len(r.instances)-1]
		r.h.State(func(s *state.State) { req.ContainerKey = findElement(s, pi, args["in"]) })
		if req.ContainerKey == 0 {
			return req, "no active element " + args["in"]
		}
	}
	vars, err := parseVars(args["vars"])
	if err != nil {
		return req, err.Error()
	}
	for i, id := range strings.Split(args["elements"], ",") {
		a := record.AdHocActivateElement{ElementID: id}
		if i == 0 {
			a.Variables = vars
		}
		req.Elements = append(req.Elements, a)
	}
	return req, ""
}

// modification builds a modification of the newest instance from
// `modify activate=A,B terminate=C,D vars={...} scope=S ancestor=E`:
// activate elements A and B (the first with the variables vars on scope S,
// "" the process instance; both inside the active instance of element E,
// "key:N" a literal key), terminate the active instances of C and D
// ("key:N" a literal key). With called-by=X it modifies the process
// instance the active call activity X called instead.
func (r *runner) modification(args map[string]string) (engine.ModifyInstanceRequest, string) {
	var req engine.ModifyInstanceRequest
	if len(r.instances) == 0 {
		return req, "no instance to modify"
	}
	req.ProcessInstanceKey = r.instances[len(r.instances)-1]
	if call := args["called-by"]; call != "" {
		r.h.State(func(s *state.State) {
			if k := r.elementInstance(s, call); k != 0 {
				req.ProcessInstanceKey = s.CalledInstance(k)
			}
		})
		if req.ProcessInstanceKey == 0 {
			return req, "no process instance called by " + call
		}
	}
	keyOf := func(ref string) (int64, string) {
		if k, ok := strings.CutPrefix(ref, "key:"); ok {
			n, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return 0, err.Error()
			}
			return n, ""
		}
		var key int64
		r.h.State(func(s *state.State) { key = findElement(s, req.ProcessInstanceKey, ref) })
		if key == 0 {
			return 0, "no active element " + ref
		}
		return key, ""
	}
	var ancestor int64
	if a := args["ancestor"]; a != "" {
		var msg string
		if ancestor, msg = keyOf(a); msg != "" {
			return req, msg
		}
	}
	vars, err := parseVars(args["vars"])
	if err != nil {
		return req, err.Error()
	}
	if a := args["activate"]; a != "" {
		for i, id := range strings.Split(a, ",") {
			in := record.ActivateInstruction{ElementID: id, AncestorScopeKey: ancestor}
			if i == 0 && vars != nil {
				in.VariableInstructions = []record.VariableInstruction{{Variables: vars, ScopeID: args["scope"]}}
			}
			req.Activate = append(req.Activate, in)
		}
	}
	if t := args["terminate"]; t != "" {
		for _, ref := range strings.Split(t, ",") {
			k, msg := keyOf(ref)
			if msg != "" {
				return req, msg
			}
			req.Terminate = append(req.Terminate, record.TerminateInstruction{ElementInstanceKey: k})
		}
	}
	return req, ""
}

// onJob runs fn on the oldest job of a type: an activated one, or else an
// activatable one.
func (r *runner) onJob(jobType string, fn func(int64) error) error {
	var key int64
	r.h.State(func(s *state.State) { key = oldestJob(s, jobType) })
	if key == 0 {
		return fmt.Errorf("no job of type %q", jobType)
	}
	return fn(key)
}

// showJobs renders activated jobs: type, retries, headers and variables.
func showJobs(jobs []engine.ActivatedJob) string {
	var lines []string
	for _, j := range jobs {
		h, _ := json.Marshal(j.Value.CustomHeaders)
		v, _ := json.Marshal(j.Value.Variables)
		lines = append(lines, fmt.Sprintf("job %s retries=%d headers=%s variables=%s", j.Value.Type, j.Value.Retries, h, v))
	}
	return strings.Join(lines, "\n")
}

// elementInstance finds the active instance of an element in the newest
// process instance (the process id names the instance itself).
func (r *runner) elementInstance(s *state.State, elementID string) int64 {
	if len(r.instances) == 0 {
		return 0
	}
	return findElement(s, r.instances[len(r.instances)-1], elementID)
}

// userTask finds the user task of the first active instance of an element
// in the newest process instance that has one (a multi-instance body's
// instances share its element id), assigned to assigned unless it is "".
func (r *runner) userTask(s *state.State, elementID, assigned string) int64 {
	if len(r.instances) == 0 {
		return 0
	}
	var find func(key int64) int64
	find = func(key int64) int64 {
		e := s.Element(key)
		if e == nil {
			return 0
		}
		if e.Value.ElementID == elementID {
			if t := s.UserTaskOf(key); t != nil && (assigned == "" || t.Value.Assignee == assigned) {
				return t.Key
			}
		}
		for _, c := range s.Children(key) {
			if k := find(c.Key); k != 0 {
				return k
			}
		}
		return 0
	}
	return find(r.instances[len(r.instances)-1])
}

// findElement finds the active instance of an element inside the scope
// root, root included, in key order.
func findElement(s *state.State, root int64, elementID string) int64 {
	var find func(key int64) int64
	find = func(key int64) int64 {
		e := s.Element(key)
		if e == nil {
			return 0
		}
		if e.Value.ElementID == elementID {
			return key
		}
		for _, c := range s.Children(key) {
			if k := find(c.Key); k != 0 {
				return k
			}
		}
		return 0
	}
	return find(root)
}

// resourceKey finds the key of a deployed process version (process=ID,
// version=N, else the latest) or of the latest version of a form (form=ID).
func resourceKey(s *state.State, args map[string]string) int64 {
	tenant := state.TenantOrDefault(args["tenant"])
	if id := args["form"]; id != "" {
		if f := s.LatestForm(tenant, id); f != nil {
			return f.FormKey
		}
		return 0
	}
	def := s.LatestProcess(tenant, args["process"])
	if v, err := strconv.Atoi(args["version"]); err == nil {
		def = s.ProcessVersion(tenant, args["process"], int32(v))
	}
	if def == nil {
		return 0
	}
	return def.ProcessDefinitionKey
}

func oldestJob(s *state.State, jobType string) int64 {
	var best int64
	for _, k := range s.JobKeys() {
		j := s.Job(k)
		if j.Value.Type == jobType && (best == 0 || k < best) {
			best = k
		}
	}
	return best
}

func incidentOn(s *state.State, elementID string) int64 {
	for _, k := range s.IncidentKeys() {
		if s.Incident(k).Value.ElementID == elementID {
			return k
		}
	}
	return 0
}

func (r *runner) int(args map[string]string, name string, def int) int {
	if v, ok := args[name]; ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func (r *runner) duration(args map[string]string, name string, def time.Duration) time.Duration {
	if v, ok := args[name]; ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// parseCommand splits `name k=v k2="v w" k3={"json": 1}` into its parts.
func parseCommand(s string) (string, map[string]string) {
	name, rest, _ := strings.Cut(s, " ")
	args := map[string]string{}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			args[rest] = ""
			break
		}
		k = strings.TrimSpace(k)
		switch {
		case strings.HasPrefix(v, "{"):
			depth, end := 0, len(v)
			for i, c := range v {
				if c == '{' {
					depth++
				} else if c == '}' {
					depth--
					if depth == 0 {
						end = i + 1
						break
					}
				}
			}
			args[k], rest = v[:end], strings.TrimSpace(v[end:])
		case strings.HasPrefix(v, `"`):
			end := strings.Index(v[1:], `"`)
			if end < 0 {
				args[k], rest = v[1:], ""
			} else {
				args[k], rest = v[1:end+1], strings.TrimSpace(v[end+2:])
			}
		default:
			val, more, _ := strings.Cut(v, " ")
			args[k], rest = val, strings.TrimSpace(more)
		}
	}
	return name, args
}

func parseVars(s string) (map[string]any, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("vars: %w", err)
	}
	return m, nil
}

// printNew renders the records committed since the last call: events and
// rejections, one per line.
func (r *runner) printNew() string {
	var lines []string
	for _, rec := range r.h.New() {
		if rec.Kind != record.KindEvent {
			continue
		}
		line := r.line(rec)
		if t := tenantOf(rec); t != "" && t != record.DefaultTenant {
			line += " tenant=" + t
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// tenantOf returns the tenant a record's value names, if it names one.
func tenantOf(rec *record.Record) string {
	switch v := rec.Value.(type) {
	case *record.ProcessValue:
		return v.TenantID
	case *record.DeploymentValue:
		return v.TenantID
	case *record.ProcessInstanceValue:
		return v.TenantID
	case *record.ProcessInstanceCreationValue:
		return v.TenantID
	case *record.JobValue:
		return v.TenantID
	case *record.VariableValue:
		return v.TenantID
	case *record.IncidentValue:
		return v.TenantID
	case *record.TimerValue:
		return v.TenantID
	case *record.MessageValue:
		return v.TenantID
	case *record.MessageSubscriptionValue:
		return v.TenantID
	case *record.MessageStartSubscriptionValue:
		return v.TenantID
	case *record.SignalValue:
		return v.TenantID
	case *record.SignalSubscriptionValue:
		return v.TenantID
	case *record.EscalationValue:
		return v.TenantID
	case *record.CompensationSubscriptionValue:
		return v.TenantID
	case *record.UserTaskValue:
		return v.TenantID
	case *record.ProcessInstanceModificationValue:
		return v.TenantID
	case *record.AdHocSubProcessInstructionValue:
		return v.TenantID
	}
	return ""
}

func (r *runner) line(rec *record.Record) string {
	switch v := rec.Value.(type) {
	case *record.ProcessInstanceValue:
		if rec.Intent == record.IntentElementActivating {
			r.names[rec.Key] = v.ElementID
		}
		return strings.TrimRight(fmt.Sprintf("%-20s %-22s %s", rec.Intent, v.BPMNElementType, v.ElementID), " ")
	case *record.JobValue:
		s := fmt.Sprintf("%-20s %-22s %s", "JOB_"+rec.Intent.String(), v.Type, v.ElementID)
		if rec.Intent == record.IntentJobFailed {
			s += fmt.Sprintf(" retries=%d", v.Retries)
		}
		return s
	case *record.JobBatchValue:
		return fmt.Sprintf("%-20s %-22s jobs=%d", "JOB_BATCH_"+rec.Intent.String(), v.Type, len(v.JobKeys))
	case *record.VariableValue:
		b, _ := json.Marshal(v.Value)
		return fmt.Sprintf("%-20s %-22s %s=%s", "VARIABLE_"+rec.Intent.String(), r.scopeName(v.ScopeKey), v.Name, b)
	case *record.IncidentValue:
		return fmt.Sprintf("%-20s %-22s %s: %s", "INCIDENT_"+rec.Intent.String(), v.ErrorType, v.ElementID, v.ErrorMessage)
	case *record.TimerValue:
		due := time.UnixMilli(v.DueDate).UTC().Format(time.RFC3339)
		s := fmt.Sprintf("%-20s %-22s due=%s", "TIMER_"+rec.Intent.String(), v.ElementID, due)
		if v.Cycle != "" {
			s += fmt.Sprintf(" repetitions=%d", v.Repetitions)
		}
		return s
	case *record.MessageValue:
		return fmt.Sprintf("%-20s %-22s key=%q ttl=%s", "MESSAGE_"+rec.Intent.String(), v.Name, v.CorrelationKey, time.Duration(v.TimeToLive)*time.Millisecond)
	case *record.MessageSubscriptionValue:
		return fmt.Sprintf("%-20s %-22s %s key=%q", "SUBSCRIPTION_"+rec.Intent.String(), v.MessageName, v.ElementID, v.CorrelationKey)
	case *record.UserTaskValue:
		groups, _ := json.Marshal(v.CandidateGroups)
		users, _ := json.Marshal(v.CandidateUsers)
		return fmt.Sprintf("%-20s %-22s assignee=%q groups=%s users=%s due=%q priority=%d form=%q", "USER_TASK_"+rec.Intent.String(), v.ElementID, v.Assignee, groups, users, v.DueDate, v.Priority, v.FormID)
	case *record.MessageStartSubscriptionValue:
		return fmt.Sprintf("%-20s %-22s %s", "START_SUBSCRIPTION_"+rec.Intent.String(), v.MessageName, v.StartEventID)
	case *record.SignalValue:
		b, _ := json.Marshal(v.Variables)
		return fmt.Sprintf("%-20s %-22s vars=%s", "SIGNAL_"+rec.Intent.String(), v.SignalName, b)
	case *record.SignalSubscriptionValue:
		return strings.TrimRight(fmt.Sprintf("%-20s %-22s %s %s", "SIGNAL_SUBSCRIPTION_"+rec.Intent.String(), v.SignalName, v.BPMNProcessID, v.CatchEventID), " ")
	case *record.EscalationValue:
		return strings.TrimRight(fmt.Sprintf("%-20s %-22s %s %s", "ESCALATION_"+rec.Intent.String(), v.EscalationCode, v.ThrowElementID, v.CatchElementID), " ")
	case *record.CompensationSubscriptionValue:
		s := fmt.Sprintf("%-20s %-22s handler=%s", "COMPENSATION_"+rec.Intent.String(), v.CompensableActivityID, v.CompensationHandlerID)
		if v.ThrowEventID != "" {
			s += " throw=" + v.ThrowEventID
		}
		return s
	case *record.ProcessValue:
		return fmt.Sprintf("%-20s %-22s version=%d", "PROCESS_"+rec.Intent.String(), v.BPMNProcessID, v.Version)
	case *record.FormValue:
		return fmt.Sprintf("%-20s %-22s version=%d", "FORM_"+rec.Intent.String(), v.FormID, v.Version)
	case *record.DeploymentValue:
		return "DEPLOYMENT_" + rec.Intent.String()
	case *record.ProcessInstanceCreationValue:
		return fmt.Sprintf("%-20s %s", "INSTANCE_"+rec.Intent.String(), v.BPMNProcessID)
	case *record.ProcessInstanceModificationValue:
		return fmt.Sprintf("%-20s %s activate=%d terminate=%d", "INSTANCE_"+rec.Intent.String(), v.BPMNProcessID, len(v.ActivateInstructions), len(v.TerminateInstructions))
	case *record.AdHocSubProcessInstructionValue:
		ids := make([]string, len(v.ActivateElements))
		for i, a := range v.ActivateElements {
			ids[i] = a.ElementID
		}
		return fmt.Sprintf("%-20s %-22s %s", "AD_HOC_"+rec.Intent.String(), r.scopeName(v.AdHocSubProcessInstanceKey), strings.Join(ids, ","))
	}
	return rec.ValueType.String() + " " + rec.Intent.String()
}

func (r *runner) scopeName(key int64) string {
	if n, ok := r.names[key]; ok {
		return n
	}
	return strconv.FormatInt(key, 10)
}

// printState renders the active element instances, variables, jobs and
// incidents of the partition.
func (r *runner) printState() string {
	var lines []string
	r.h.State(func(s *state.State) {
		for _, pi := range r.h.Instances() {
			for _, e := range s.Summary(pi) {
				lines = append(lines, "element  "+e)
			}
		}
		for _, k := range s.ScopeKeys() {
			vars := s.LocalVariables(k)
			names := make([]string, 0, len(vars))
			for n := range vars {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				b, _ := json.Marshal(vars[n].Value)
				lines = append(lines, fmt.Sprintf("variable %s %s=%s", r.scopeName(k), n, b))
			}
		}
		for _, k := range s.JobKeys() {
			j := s.Job(k)
			lines = append(lines, fmt.Sprintf("job      %s %s %s retries=%d", j.Value.Type, j.Value.ElementID, j.State, j.Value.Retries))
		}
		for _, k := range s.IncidentKeys() {
			i := s.Incident(k)
			lines = append(lines, fmt.Sprintf("incident %s %s", i.Value.ErrorType, i.Value.ElementID))
		}
	})
	if len(lines) == 0 {
		return "empty"
	}
	return strings.Join(lines, "\n")
}
