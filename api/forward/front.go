package forward

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// Front is the HTTP front of a node that runs some of the store's
// partitions (docs/ha.md, "Several engine nodes"): it serves a request
// here when the partition it names runs here, and forwards it over the
// internal hop to the node that holds that partition's lease otherwise.
//
//   - a request that names a key (/v2/jobs/{key}/completion,
//     /v2/process-instances/{key}/cancellation, ...) belongs to the key's
//     partition (record.Partition);
//   - deployments and tenants belong to partition 1 (its node distributes
//     them to the others);
//   - a new instance with an Idempotency-Key belongs to the partition the
//     key hashes to (CreatePartition), the same on every node, so that a
//     retry through any node finds the recorded answer; without one it is
//     created on a partition that runs here;
//   - a message belongs to its correlation key's partition
//     (record.MessagePartition);
//   - job activation gathers jobs from the partitions that run here and,
//     one forwarded activation per node, from the others; a long poll
//     waits on all of them at once and ends when one has jobs;
//   - a signal is broadcast here and forwarded once to every other node;
//   - anything else (searches, reads of shared tables, the web app) is
//     served here, or by partition 1's node when no partition runs here;
//     /metrics always here (this node's own).
//
// A forwarded request (it carries HopHeader with the cluster's secret) is
// served here only, never forwarded again: a partition that does not run
// here is answered 503 with Retry-After, and a forwarded activation or
// broadcast asks the partitions that run here only.
type Front struct {
	*Handler
	fc FrontConfig
}

// FrontConfig configures a node's front.
type FrontConfig struct {
	Config
	// Partitions is the store's partition count.
	Partitions int32
	// Owner returns partition p's lease as the node last read it.
	Owner func(p int32) (store.Lease, bool)
	// Local reports whether partition p's engine serves here.
	Local func(p int32) bool
	// Pin returns ctx with the partition a new instance must be created
	// on (engine.WithPartition).
	Pin func(ctx context.Context, p int32) context.Context
	// LongPollTimeout is how long an activation with requestTimeout 0
	// waits (http.long_poll_timeout).
	LongPollTimeout time.Duration
	// MaxBodyBytes bounds the bodies the front reads (messages,
	// activations); default 4 MiB.
	MaxBodyBytes int64
	// Next serves the requests this node answers (the API).
	Next http.Handler
	// Internal serves the nodes' own routes (InternalPrefix), only to
	// requests that came over the hop; nil: none.
	Internal http.Handler
}

// InternalPrefix starts the paths of the nodes' own routes.
const InternalPrefix = "/internal/"

// forwardedCtx marks a request that came over the hop.
type forwardedCtx struct{}

// NewFront returns a node's front.
func NewFront(fc FrontConfig) *Front {
	if fc.MaxBodyBytes <= 0 {
		fc.MaxBodyBytes = 4 << 20
	}
	return &Front{Handler: New(fc.Config), fc: fc}
}

// CreatePartition is the partition a new instance with Idempotency-Key
// key is created on, of n.
func CreatePartition(key string, n int32) int32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int32(h.Sum32()%uint32(n)) + 1 // #nosec G115 -- n is 1..4095
}

// route is what a request asks of the partitions.
type route int

const (
	routeAny       route = 1 // no partition in particular
	routePartition route = 2 // one partition
	routeActivate  route = 3 // job activation: every partition
	routeBroadcast route = 4 // a signal: every partition
)

// ServeHTTP implements http.Handler.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if hop := r.Header.Get(HopHeader); hop != "" {
		if !f.checkHop(w, r, hop) {
			return
		}
		r.Header.Del(HopHeader)
		r = r.WithContext(context.WithValue(r.Context(), forwardedCtx{}, true))
	}
	forwarded := r.Context().Value(forwardedCtx{}) != nil
	switch {
	case strings.HasPrefix(r.URL.Path, InternalPrefix):
		if !forwarded || f.fc.Internal == nil {
			writeProblem(w, r, http.StatusNotFound, "NOT_FOUND", "no such route")
			return
		}
		f.fc.Internal.ServeHTTP(w, r)
		return
	case r.URL.Path == "/readyz" && !f.anyLocal():
		f.readyz(w)
		return
	case r.URL.Path == "/healthz" && !f.anyLocal():
		writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
		return
	case r.URL.Path == "/metrics":
		f.fc.Next.ServeHTTP(w, r) // this node's own
		return
	}
	kind, p, err := f.route(r)
	if err != nil {
		f.unavailable(w, r, err.Error())
		return
	}
	switch {
	case kind == routePartition && f.fc.Local(p):
		if r.Method == http.MethodPost && r.URL.Path == "/v2/process-instances" {
			r = r.WithContext(f.fc.Pin(r.Context(), p))
		}
		f.fc.Next.ServeHTTP(w, r)
	case kind == routePartition && forwarded:
		f.unavailable(w, r, "the request was forwarded to a node that does not run partition "+strconv.Itoa(int(p))+"; retry")
	case kind == routePartition:
		f.forwardTo(w, r, p)
	case forwarded && f.anyLocal():
		f.fc.Next.ServeHTTP(w, r) // activations and broadcasts: the partitions here only
	case forwarded:
		f.unavailable(w, r, "the request was forwarded to a node that runs no partition; retry")
	case kind == routeActivate:
		f.activate(w, r)
	case kind == routeBroadcast:
		f.broadcast(w, r)
	case f.anyLocal():
		f.fc.Next.ServeHTTP(w, r)
	default:
		f.forwardTo(w, r, 1)
	}
}

func (f *Front) checkHop(w http.ResponseWriter, r *http.Request, hop string) bool {
	if f.cfg.Secret != "" && constantTimeEqual(hop, f.cfg.Secret) {
		return true
	}
	writeProblem(w, r, http.StatusForbidden, "FORBIDDEN", "the request carries the cluster's internal hop header with a wrong secret")
	return false
}

// anyLocal reports whether a partition runs here.
func (f *Front) anyLocal() bool {
	for p := int32(1); p <= f.fc.Partitions; p++ {
		if f.fc.Local(p) {
			return true
		}
	}
	return false
}

// route tells which partitions a request is for.
func (f *Front) route(r *http.Request) (route, int32, error) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && path == "/v2/jobs/activation":
		return routeActivate, 0, nil
	case r.Method == http.MethodPost && path == "/v2/signals/broadcast":
		return routeBroadcast, 0, nil
	case r.Method == http.MethodPost && path == "/v2/process-instances":
		if k := r.Header.Get("Idempotency-Key"); k != "" {
			return routePartition, CreatePartition(k, f.fc.Partitions), nil
		}
		return routeAny, 0, nil
	case r.Method == http.MethodPost && (path == "/v2/messages/publication" || path == "/v2/messages/correlation"):
		body, err := f.readBody(r)
		if err != nil {
			return 0, 0, err
		}
		var m struct {
			CorrelationKey string `json:"correlationKey"`
		}
		_ = json.Unmarshal(body, &m) // an invalid body is the API's to refuse
		return routePartition, record.MessagePartition(m.CorrelationKey, f.fc.Partitions), nil
	case path == "/v2/deployments" || strings.HasPrefix(path, "/v2/tenants"):
		return routePartition, 1, nil
	}
	if p, ok := keyPartition(path, f.fc.Partitions); ok {
		return routePartition, p, nil
	}
	return routeAny, 0, nil
}

// keyPartition returns the partition of the first key a /v2/ path names.
func keyPartition(path string, n int32) (int32, bool) {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return 0, false
	}
	for _, seg := range strings.Split(rest, "/") {
		k, err := strconv.ParseInt(seg, 10, 64)
		if err != nil || k <= 0 {
			continue
		}
		if p := record.Partition(k); p >= 1 && p <= n {
			return p, true
		}
		return 0, false
	}
	return 0, false
}

// readBody reads r's body and puts it back for the handler that serves it.
func (f *Front) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, f.fc.MaxBodyBytes+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, errReadBody
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return body, nil
}

var errReadBody = &frontError{"the request's body could not be read; retry"}

type frontError struct{ s string }

func (e *frontError) Error() string { return e.s }

// owner returns the address of partition p's live owner.
func (f *Front) owner(p int32) (*url.URL, string) {
	l, ok := f.fc.Owner(p)
	switch {
	case !ok || !l.Live():
		return nil, "no node runs partition " + strconv.Itoa(int(p)) + " at the moment; retry"
	case l.NodeID == f.cfg.Self:
		return nil, "this node is taking partition " + strconv.Itoa(int(p)) + " over and loads its state; retry"
	}
	u, err := url.Parse(l.Address)
	if err != nil || u.Host == "" {
		return nil, "the node that runs partition " + strconv.Itoa(int(p)) + " advertises no usable address; retry"
	}
	return u, ""
}

// forwardTo forwards r to partition p's owner.
func (f *Front) forwardTo(w http.ResponseWriter, r *http.Request, p int32) {
	u, why := f.owner(p)
	if u == nil { // it runs nowhere, or is starting here
		f.unavailable(w, r, why)
		return
	}
	if f.cfg.Secret == "" {
		f.unavailable(w, r, "partition "+strconv.Itoa(int(p))+" runs on another node and this node cannot forward (cluster.secret is not set); retry on another node")
		return
	}
	f.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), target{}, u)))
}

// others returns the addresses of the nodes that run the partitions that
// do not run here, each once, in partition order of their first one; and
// whether a partition runs nowhere.
func (f *Front) others() (addrs []*url.URL, missing bool) {
	seen := map[string]bool{}
	for p := int32(1); p <= f.fc.Partitions; p++ {
		if f.fc.Local(p) {
			continue
		}
		u, _ := f.owner(p)
		if u == nil {
			missing = true
			continue
		}
		if !seen[u.String()] {
			seen[u.String()] = true
			addrs = append(addrs, u)
		}
	}
	return addrs, missing
}

// answer is a recorded answer of one node.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error // the hop failed
}

// ask sends body to r's path at u over the hop (u nil: here) and records
// the answer.
func (f *Front) ask(ctx context.Context, r *http.Request, u *url.URL, body []byte) answer {
	out := r.Clone(ctx)
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.Header.Del("Content-Length")
	if u == nil {
		rec := &recorder{header: http.Header{}}
		f.fc.Next.ServeHTTP(rec, out)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		return answer{status: rec.status, header: rec.header, body: rec.buf.Bytes()}
	}
	out.RequestURI = ""
	out.URL = &url.URL{Scheme: u.Scheme, Host: u.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	out.Host = r.Host
	out.Header.Set(HopHeader, f.cfg.Secret)
	out.Header.Del("Accept-Encoding") // the answer is read here
	resp, err := (&http.Client{Transport: f.cfg.Transport}).Do(out)
	if err != nil {
		return answer{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return answer{err: err}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// jobsOf returns the jobs of an activation's answer.
func jobsOf(a answer) ([]json.RawMessage, bool) {
	if a.err != nil || a.status != http.StatusOK {
		return nil, false
	}
	var out struct {
		Jobs []json.RawMessage `json:"jobs"`
	}
	if json.Unmarshal(a.body, &out) != nil {
		return nil, false
	}
	return out.Jobs, true
}

// activate gathers jobs from every node: first each once without
// waiting, asking for what is still missing; then, when none had a job
// and the caller asked for a long poll, every node at once with the
// caller's remaining time, until one answers with jobs (the others are
// then called off, and what they answered is added).
func (f *Front) activate(w http.ResponseWriter, r *http.Request) {
	remote, _ := f.others()
	if len(remote) == 0 && f.anyLocal() {
		// Every partition that runs, runs here (a single node): the API
		// activates across them and long-polls itself, in one request.
		f.fc.Next.ServeHTTP(w, r)
		return
	}
	body, err := f.readBody(r)
	if err != nil {
		f.unavailable(w, r, err.Error())
		return
	}
	var req map[string]json.RawMessage
	if json.Unmarshal(body, &req) != nil {
		f.fc.Next.ServeHTTP(w, r) // the API refuses it
		return
	}
	var maxJobs, timeoutMs int64
	_ = json.Unmarshal(req["maxJobsToActivate"], &maxJobs)
	_ = json.Unmarshal(req["requestTimeout"], &timeoutMs)
	wait := time.Duration(timeoutMs) * time.Millisecond
	switch {
	case timeoutMs < 0:
		wait = 0
	case timeoutMs == 0:
		wait = f.fc.LongPollTimeout
	}
	deadline := time.Now().Add(wait)
	with := func(missing int64, timeout int64) []byte {
		req["maxJobsToActivate"] = json.RawMessage(strconv.FormatInt(missing, 10))
		req["requestTimeout"] = json.RawMessage(strconv.FormatInt(timeout, 10))
		b, _ := json.Marshal(req)
		return b
	}
	nodes := append([]*url.URL{nil}, remote...) // nil: here
	if !f.anyLocal() {
		nodes = remote
	}
	var jobs []json.RawMessage
	var first *answer
	for _, u := range nodes {
		missing := maxJobs - int64(len(jobs))
		if maxJobs > 0 && missing <= 0 {
			break
		}
		if maxJobs <= 0 {
			missing = maxJobs
		}
		a := f.ask(r.Context(), r, u, with(missing, -1))
		if got, ok := jobsOf(a); ok {
			jobs = append(jobs, got...)
			if first == nil || first.status != http.StatusOK {
				first = &a
			}
		} else if first == nil {
			first = &a
		}
	}
	if len(jobs) == 0 && wait > 0 && first != nil && first.status == http.StatusOK {
		jobs = f.longPoll(r, nodes, deadline, func(timeout int64) []byte { return with(maxJobs, timeout) })
	}
	switch {
	case first == nil:
		f.unavailable(w, r, "no node runs a partition at the moment; retry")
	case first.status != http.StatusOK && len(jobs) == 0:
		f.replay(w, r, *first)
	default:
		if jobs == nil {
			jobs = []json.RawMessage{}
		}
		b, _ := json.Marshal(map[string]any{"jobs": jobs})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	}
}

// longPoll asks every node at once to wait until the deadline for jobs,
// and returns once one has some (calling the others off) or all ended.
func (f *Front) longPoll(r *http.Request, nodes []*url.URL, deadline time.Time, body func(timeout int64) []byte) []json.RawMessage {
	left := time.Until(deadline).Milliseconds()
	if left <= 0 {
		return nil
	}
	ctx, cancel := context.WithDeadline(r.Context(), deadline.Add(time.Second))
	defer cancel()
	answers := make(chan answer, len(nodes))
	b := body(left)
	var wg sync.WaitGroup
	for _, u := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers <- f.ask(ctx, r, u, b)
		}()
	}
	go func() { wg.Wait(); close(answers) }()
	var jobs []json.RawMessage
	for a := range answers {
		got, _ := jobsOf(a)
		jobs = append(jobs, got...)
		if len(jobs) > 0 {
			cancel() // the others end now; what they activated meanwhile is added
		}
	}
	return jobs
}

// broadcast broadcasts a signal here and on every other node once; the
// answer is partition 1's node's, or the first failure.
func (f *Front) broadcast(w http.ResponseWriter, r *http.Request) {
	body, err := f.readBody(r)
	if err != nil {
		f.unavailable(w, r, err.Error())
		return
	}
	remote, missing := f.others()
	if missing {
		f.unavailable(w, r, "a partition runs on no node at the moment, so the signal cannot reach every partition; retry")
		return
	}
	nodes := append([]*url.URL{nil}, remote...)
	if !f.anyLocal() {
		nodes = remote
	}
	answers := make([]answer, len(nodes))
	var wg sync.WaitGroup
	for i, u := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = f.ask(r.Context(), r, u, body)
		}()
	}
	wg.Wait()
	for _, a := range answers {
		if a.err != nil {
			f.outcomeUnknown(w, r)
			return
		}
		if a.status >= 300 {
			f.replay(w, r, a)
			return
		}
	}
	f.replay(w, r, answers[0])
}

// replay writes a recorded answer.
func (f *Front) replay(w http.ResponseWriter, r *http.Request, a answer) {
	if a.err != nil {
		f.unavailable(w, r, "a node did not answer; retry")
		return
	}
	keys := make([]string, 0, len(a.header))
	for k := range a.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "Content-Length" || k == "Connection" || k == "Transfer-Encoding" {
			continue
		}
		w.Header()[k] = a.header[k]
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// recorder records the answer of the handler that serves here.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Flush() {}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Instance: r.URL.Path})
}

// Interface guards
var _ http.Handler = (*Front)(nil)
